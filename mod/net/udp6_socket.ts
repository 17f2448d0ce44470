/**
 * An IPv6 UDP socket through libc FFI, as Kea's IfaceMgr opens them for DHCPv6 (RFC 8415 §7.1, §18.3): bound to
 * [::]:547 on one interface (SO_BINDTODEVICE), IPV6_RECVPKTINFO so that every datagram says on which interface
 * and to which address it arrived (ff02::1:2, or the unicast address a relay or a renewing client used), joined
 * to All_DHCP_Relay_Agents_and_Servers on that interface only (IPV6_MULTICAST_ALL off: no copies of groups joined
 * elsewhere), and sendmsg with an IPV6_PKTINFO control message choosing the outgoing interface and the source
 * address of a reply.
 *
 * Receive is batched: one recvmmsg(2) fills up to {@link BATCH} preallocated slots (payload, sockaddr_in6,
 * control), drained synchronously after a readiness wait; each payload is copied into a shared arena. Send can be
 * batched too: sendmmsg(2) over queued replies (one system call per burst, e.g. the replies released by one lease
 * commit). Linux x86_64 struct layouts.
 */
import { addressOf, C, check, closeQuietly, cString, EAGAIN, EINTR, errno, libc, pinned, SysError } from "./libc.ts";
import { formatIpv6 } from "../wire/ipv6.ts";
import { type Outgoing, TxSlots } from "./udp6_tx.ts";

/** One received datagram with its IPV6_PKTINFO facts. */
export interface Datagram6 {
  /** a copy of the payload (a view into a receive arena that is never overwritten) */
  data: Uint8Array;
  /** the served interface the socket belongs to ("" when not device-bound) */
  iface: string;
  /** arrival interface index (ipi6_ifindex; 0 when unknown) */
  ifindex: number;
  /** 16 bytes; a link-local source is scoped to `ifindex` */
  srcAddr: Uint8Array;
  srcPort: number;
  /** 16 bytes: the IPv6 destination (ff02::1:2, or the server's unicast address the query was sent to) */
  dstAddr: Uint8Array;
  /** the transport's socket it arrived on (index); the reply leaves through it */
  via: number;
}

/** Options of {@link UdpSocket6.open}. */
export interface Udp6OpenOptions {
  /** interface to bind to (SO_BINDTODEVICE) and join the multicast group on; absent = no device binding */
  iface?: string;
  /** its index (if_nametoindex) when `iface` is given */
  ifindex?: number;
  port: number;
  /** local address to bind (16 bytes); [::] by default */
  bindAddr?: Uint8Array;
  /** multicast groups to join on `ifindex` (16 bytes each): ff02::1:2 for a DHCPv6 server */
  groups?: Uint8Array[];
  /** receive buffer in bytes: SO_RCVBUFFORCE (root), falling back to SO_RCVBUF */
  rcvbuf?: number;
}

/** Datagrams per recvmmsg(2) / sendmmsg(2) call. */
export const BATCH = 32;
/** Payload room per slot: Kea reads at most 1 500 bytes (IfaceMgr RCVBUFSIZE); a larger datagram is dropped. */
const SLOT = 4096;
const NAME = 28; // sockaddr_in6
const CTRL = 64; // CMSG_SPACE(sizeof(in6_pktinfo)) = 40, with room to spare
const MMSG = 64; // struct mmsghdr: msghdr (56) + msg_len (4) + padding
const ARENA_SIZE = 256 * 1024;
/** At most this many datagrams wait to be sent (a queue the kernel cannot keep up with is refused, not grown). */
const MAX_QUEUE = 16384;

/** A nonblocking IPv6 UDP socket with IPV6_PKTINFO; see the module comment. */
export class UdpSocket6 {
  readonly fd: number;
  readonly iface: string;
  readonly ifindex: number;
  /** datagrams dropped because they were larger than a receive slot */
  truncated = 0;
  readonly #rx = pinned(BATCH * SLOT);
  readonly #rxNames = pinned(BATCH * NAME);
  readonly #rxCtrl = pinned(BATCH * CTRL);
  readonly #rxCtrlView = new DataView(this.#rxCtrl.buffer);
  readonly #rxIov = pinned(BATCH * 16);
  readonly #rxMsgs = pinned(BATCH * MMSG);
  readonly #rxView = new DataView(this.#rxMsgs.buffer);
  readonly #namesView = new DataView(this.#rxNames.buffer);
  #arena = new Uint8Array(ARENA_SIZE);
  #arenaPos = 0;
  /** the slots of synchronous sends, and those of a send off the main thread (busy until it returns) */
  readonly #fg: TxSlots;
  readonly #bg: TxSlots;
  #queue: Outgoing[] = [];
  #closed = false;
  /** the send batch in flight off the main thread ({@link sendInBackground}); the tx slots are its own until then */
  #inFlight: Promise<void> | undefined;
  /** where the errors of background sends go */
  #onSendErrors: ((errors: string[]) => void) | undefined;

  private constructor(fd: number, iface: string, ifindex: number) {
    this.fd = fd;
    this.iface = iface;
    this.ifindex = ifindex;
    const rxIov = new DataView(this.#rxIov.buffer);
    const rxBase = addressOf(this.#rx), namesBase = addressOf(this.#rxNames), ctrlBase = addressOf(this.#rxCtrl);
    const iovBase = addressOf(this.#rxIov);
    for (let i = 0; i < BATCH; i++) {
      rxIov.setBigUint64(i * 16, rxBase + BigInt(i * SLOT), true);
      rxIov.setBigUint64(i * 16 + 8, BigInt(SLOT), true);
      const m = i * MMSG;
      this.#rxView.setBigUint64(m, namesBase + BigInt(i * NAME), true);
      this.#rxView.setBigUint64(m + 16, iovBase + BigInt(i * 16), true);
      this.#rxView.setBigUint64(m + 24, 1n, true);
      this.#rxView.setBigUint64(m + 32, ctrlBase + BigInt(i * CTRL), true);
    }
    const where = iface || "socket";
    this.#fg = new TxSlots(where);
    this.#bg = new TxSlots(where);
  }

  /**
   * Opens the socket the way Kea's IfaceMgr opens a DHCPv6 service socket: SOCK_NONBLOCK|SOCK_CLOEXEC,
   * IPV6_V6ONLY, SO_REUSEADDR, IPV6_RECVPKTINFO, SO_BINDTODEVICE when an interface is named, IPV6_MULTICAST_ALL
   * off, the receive buffer, bind(2), then the multicast memberships on that interface. Errors name the
   * interface, the address and the errno.
   */
  static open(opts: Udp6OpenOptions): UdpSocket6 {
    const l = libc();
    const bindAddr = opts.bindAddr ?? new Uint8Array(16);
    const where = `${opts.iface ? `interface ${opts.iface}, ` : ""}[${formatIpv6(bindAddr)}]:${opts.port}`;
    const fd = check(
      l.socket(C.AF_INET6, C.SOCK_DGRAM | C.SOCK_NONBLOCK | C.SOCK_CLOEXEC, C.IPPROTO_UDP),
      `socket() for ${where}`,
    );
    try {
      const one = intBuf(1);
      check(l.setsockopt(fd, C.IPPROTO_IPV6, C.IPV6_V6ONLY, one, 4), `IPV6_V6ONLY on ${where}`);
      check(l.setsockopt(fd, C.SOL_SOCKET, C.SO_REUSEADDR, one, 4), `SO_REUSEADDR on ${where}`);
      check(l.setsockopt(fd, C.IPPROTO_IPV6, C.IPV6_RECVPKTINFO, one, 4), `IPV6_RECVPKTINFO on ${where}`);
      if (opts.iface) {
        const name = cString(opts.iface);
        check(l.setsockopt(fd, C.SOL_SOCKET, C.SO_BINDTODEVICE, name, name.length), `SO_BINDTODEVICE ${where}`);
      }
      // best effort (Linux >= 4.20): only the groups joined on this socket reach it
      l.setsockopt(fd, C.IPPROTO_IPV6, C.IPV6_MULTICAST_ALL, intBuf(0), 4);
      if (opts.rcvbuf) {
        const size = intBuf(opts.rcvbuf);
        if (l.setsockopt(fd, C.SOL_SOCKET, C.SO_RCVBUFFORCE, size, 4) < 0) {
          check(l.setsockopt(fd, C.SOL_SOCKET, C.SO_RCVBUF, size, 4), `SO_RCVBUF ${opts.rcvbuf} on ${where}`);
        }
      }
      const sa = pinned(NAME);
      writeSockaddr6(new DataView(sa.buffer), 0, bindAddr, opts.port, 0);
      check(l.bind(fd, sa, NAME), `cannot bind ${where}`);
      for (const g of opts.groups ?? []) {
        const mreq = pinned(20);
        mreq.set(g);
        new DataView(mreq.buffer).setInt32(16, opts.ifindex ?? 0, true);
        check(
          l.setsockopt(fd, C.IPPROTO_IPV6, C.IPV6_JOIN_GROUP, mreq, 20),
          `cannot join ${formatIpv6(g)} on ${where}`,
        );
      }
    } catch (e) {
      closeQuietly(fd);
      throw e;
    }
    return new UdpSocket6(fd, opts.iface ?? "", opts.ifindex ?? 0);
  }

  /** True after close(). */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Synchronously receives queued datagrams into `out` (recvmmsg, MSG_DONTWAIT, {@link BATCH} per call) until the
   * queue is empty or `out.length` reaches `max`; returns how many were added. `via` is stored in each datagram.
   */
  drainInto(out: Datagram6[], max: number, via: number): number {
    if (this.#closed) return 0;
    const l = libc();
    const v = this.#rxView, names = this.#namesView, ctrl = this.#rxCtrlView;
    let added = 0;
    while (out.length < max) {
      const want = Math.min(BATCH, max - out.length);
      for (let i = 0; i < want; i++) {
        const m = i * MMSG;
        v.setUint32(m + 8, NAME, true);
        v.setBigUint64(m + 40, BigInt(CTRL), true);
        v.setInt32(m + 48, 0, true);
      }
      const n = l.recvmmsg(this.fd, this.#rxMsgs, want, C.MSG_DONTWAIT, null);
      if (n < 0) {
        const e = errno();
        if (e === EAGAIN || e === EINTR) break;
        if (e === 111) continue; // ECONNREFUSED from an earlier ICMP error: not about these datagrams
        throw new SysError(`recvmmsg on ${this.iface || "socket"}`, e);
      }
      for (let i = 0; i < n; i++) {
        const m = i * MMSG;
        if (v.getInt32(m + 48, true) & C.MSG_TRUNC) {
          this.truncated++;
          continue;
        }
        const len = v.getUint32(m + 56, true);
        let ifindex = 0;
        const dst = new Uint8Array(16);
        const clen = Number(v.getBigUint64(m + 40, true));
        const cb = i * CTRL;
        for (let off = 0; off + 16 <= clen;) {
          const cl = Number(ctrl.getBigUint64(cb + off, true));
          if (cl < 16) break;
          if (ctrl.getInt32(cb + off + 8, true) === C.IPPROTO_IPV6 && ctrl.getInt32(cb + off + 12, true) === 50) {
            dst.set(this.#rxCtrl.subarray(cb + off + 16, cb + off + 32));
            ifindex = ctrl.getInt32(cb + off + 32, true);
          }
          off += (cl + 7) & ~7;
        }
        if (this.#arenaPos + len > ARENA_SIZE) {
          this.#arena = new Uint8Array(ARENA_SIZE);
          this.#arenaPos = 0;
        }
        const data = this.#arena.subarray(this.#arenaPos, this.#arenaPos + len);
        data.set(this.#rx.subarray(i * SLOT, i * SLOT + len));
        this.#arenaPos += (len + 7) & ~7;
        const nb = i * NAME;
        out.push({
          data,
          iface: this.iface,
          ifindex: ifindex || this.ifindex,
          srcAddr: this.#rxNames.slice(nb + 8, nb + 24),
          srcPort: names.getUint16(nb + 2, false),
          dstAddr: dst,
          via,
        });
        added++;
      }
      if (n < want) break;
    }
    return added;
  }

  /**
   * Queues a datagram for {@link flush} / {@link sendInBackground}: to `addr`:`port` (scope `ifindex` for a
   * link-local destination), leaving by `ifindex` from `src` (16 bytes; absent = the kernel's choice). `data` is
   * copied when its batch is sent, so it must not change until then (the server's encoder makes a new one per
   * reply). A full batch goes out at once. Throws (before queueing) a datagram that does not fit a slot.
   */
  queue(data: Uint8Array, addr: Uint8Array, port: number, ifindex: number, src?: Uint8Array): void {
    if (this.#closed) throw new Error(`cannot send on ${this.iface || "the socket"}: it is closed`);
    if (data.length > SLOT) throw new Error(`datagram of ${data.length} bytes is too large to send`);
    if (this.#queue.length >= MAX_QUEUE) throw new Error(`${MAX_QUEUE} datagrams already wait to be sent`);
    this.#queue.push({ data, addr, port, ifindex, src });
    if (this.#queue.length >= BATCH) {
      if (this.#onSendErrors) this.sendInBackground();
      else this.flush();
    }
  }

  /**
   * Sends what is queued with sendmmsg(2) run off the main thread (a nonblocking FFI call): the kernel's work for
   * each datagram — routing, and on a veth the peer's receive path — is done on another core while the main thread
   * goes on with the next queries. One batch in the background at a time; while it is out, what is queued goes
   * out synchronously with the other slots ({@link flush}), so a slow worker thread never lets the queue grow. A
   * batch the kernel took only part of is finished synchronously, so that each refused datagram's errno is read and
   * reported (errno of a nonblocking call stays on its worker thread, deno-notes §1d). Errors go to `onErrors`.
   */
  sendInBackground(onErrors?: (errors: string[]) => void): void {
    if (onErrors) this.#onSendErrors = onErrors;
    if (this.#queue.length === 0) return;
    if (this.#inFlight || this.#closed) {
      const errors = this.flush();
      if (errors.length) this.#report(errors);
      return;
    }
    const batch = this.#queue.length <= BATCH ? this.#queue : this.#queue.slice(0, BATCH);
    this.#queue = this.#queue.length <= BATCH ? [] : this.#queue.slice(BATCH);
    this.#bg.fill(batch);
    this.#inFlight = this.#bg.sendAsync(this.fd, batch.length).then((sent) => {
      const errors = sent >= batch.length ? [] : this.#bg.sendSync(this.fd, batch, Math.max(0, sent));
      this.#inFlight = undefined;
      if (this.#closed) this.#releaseFd();
      if (errors.length) this.#report(errors);
      if (!this.#closed) this.sendInBackground();
    });
    if (this.#queue.length) this.sendInBackground(); // the rest: synchronously, with the other slots
  }

  #report(errors: string[]): void {
    try {
      this.#onSendErrors?.(errors);
    } catch { /* the reporter's failure must not stop the sends */ }
  }

  /** Datagrams waiting for {@link flush}. */
  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Sends every queued datagram with sendmmsg(2) (one call per {@link BATCH}), on the main thread (with slots of
   * its own: a background send may be out meanwhile). Returns the failures, one message each (errno and
   * destination), after trying every datagram: a datagram the kernel refuses is skipped and the rest still go out.
   */
  flush(): string[] {
    const errors: string[] = [];
    while (this.#queue.length) {
      const batch = this.#queue.length <= BATCH ? this.#queue : this.#queue.slice(0, BATCH);
      this.#queue = this.#queue.length <= BATCH ? [] : this.#queue.slice(BATCH);
      if (this.#fdReleased) {
        errors.push(`${batch.length} datagram(s) not sent: ${this.iface || "the socket"} is closed`);
        continue;
      }
      this.#fg.fill(batch);
      errors.push(...this.#fg.sendSync(this.fd, batch));
    }
    return errors;
  }

  /**
   * Closes the socket (a caller waiting on its descriptor must have been woken first; call flush() first to send
   * what is queued); with a background send in flight, the descriptor is closed when it returns.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue = [];
    if (!this.#inFlight) this.#releaseFd(); // else its completion closes the descriptor
  }

  #fdReleased = false;
  #releaseFd(): void {
    if (this.#fdReleased) return;
    this.#fdReleased = true;
    closeQuietly(this.fd);
  }
}

export { isLinkLocal6 } from "./udp6_tx.ts";

function intBuf(v: number): Uint8Array<ArrayBuffer> {
  const b = pinned(4);
  new DataView(b.buffer).setInt32(0, v, true);
  return b;
}

/** sockaddr_in6 at `off`: family (host order), port (network order), flowinfo 0, address, scope id. */
function writeSockaddr6(v: DataView, off: number, addr: Uint8Array, port: number, scope: number): void {
  v.setUint16(off, C.AF_INET6, true);
  v.setUint16(off + 2, port, false);
  v.setUint32(off + 4, 0, true);
  for (let i = 0; i < 16; i++) v.setUint8(off + 8 + i, addr[i]);
  v.setUint32(off + 24, scope, true);
}
