/**
 * An IPv4 UDP socket through libc FFI, as Kea's IfaceMgr opens them for DHCPv4: one socket per served interface
 * (SO_BINDTODEVICE), IP_PKTINFO to learn the arrival interface and the local address of every datagram, and sendmsg
 * with an IP_PKTINFO control message to choose the outgoing interface and source of a reply.
 *
 * The receive path is built for throughput: one readiness wait (poll), then a synchronous recvmsg(MSG_DONTWAIT)
 * drain into preallocated structures; each payload is copied into a shared receive arena (a new 256 KiB buffer
 * whenever the current one is full: allocating one buffer per datagram costs more than the rest of the receive).
 */
import { addressOf, C, check, closeQuietly, cString, EAGAIN, EINTR, errno, libc, pinned, SysError } from "./libc.ts";
import { Poller } from "./poller.ts";
import { formatIpv4 } from "../wire/addr.ts";

/** One received datagram with the IP_PKTINFO facts (all addresses are u32, host order). */
export interface Datagram4 {
  /** the interface name the socket was opened on ("" when not device-bound) */
  iface: string;
  /** a copy of the payload (a view into a receive arena that is never overwritten) */
  data: Uint8Array;
  srcAddr: number;
  srcPort: number;
  /** IP header destination (ipi_addr): 255.255.255.255 for a limited broadcast */
  dstAddr: number;
  /** arrival interface index (ipi_ifindex) */
  ifindex: number;
  /** the local address the kernel would answer from on that interface (ipi_spec_dst) */
  localAddr: number;
}

/** Options of {@link UdpSocket4.open}. */
export interface UdpOpenOptions {
  /** interface to bind to with SO_BINDTODEVICE (when `bindToDevice`) */
  iface?: string;
  port: number;
  /** local address to bind (u32); 0.0.0.0 by default, as Kea does for raw/udp DHCPv4 service sockets */
  bindAddr?: number;
  bindToDevice: boolean;
  broadcast: true;
  /** receive buffer in bytes: SO_RCVBUFFORCE (root), falling back to SO_RCVBUF */
  rcvbuf?: number;
}

const BUF_SIZE = 65536;
const ARENA_SIZE = 256 * 1024;
const CTRL_SIZE = 64; // room for CMSG_SPACE(sizeof(in_pktinfo)) = 32 and one more
const PKTINFO_CMSG_SPACE = 32; // CMSG_SPACE(12) on x86_64
const PKTINFO_CMSG_LEN = 28; // CMSG_LEN(12)

/**
 * Asks for a receive buffer of `bytes` on socket `fd`: SO_RCVBUFFORCE (root, past net.core.rmem_max), else
 * SO_RCVBUF (capped by rmem_max). Returns setsockopt's result: < 0 when both failed, errno still set.
 */
export function requestRcvbuf(fd: number, bytes: number): number {
  const l = libc(), size = intBuf(bytes);
  return l.setsockopt(fd, C.SOL_SOCKET, C.SO_RCVBUFFORCE, size, 4) < 0
    ? l.setsockopt(fd, C.SOL_SOCKET, C.SO_RCVBUF, size, 4)
    : 0;
}

/** A nonblocking IPv4 UDP socket with IP_PKTINFO; see the module comment. */
export class UdpSocket4 {
  readonly fd: number;
  /** the interface name given at open ("" when none) */
  readonly iface: string;
  readonly #rxBuf = pinned(BUF_SIZE);
  #arena = new Uint8Array(ARENA_SIZE);
  #arenaPos = 0;
  readonly #rxName = pinned(16);
  readonly #rxNameView = new DataView(this.#rxName.buffer);
  readonly #rxCtrl = pinned(CTRL_SIZE);
  readonly #rxCtrlView = new DataView(this.#rxCtrl.buffer);
  readonly #rxIov = pinned(16);
  readonly #rxMsg = pinned(56);
  readonly #rxMsgView = new DataView(this.#rxMsg.buffer);
  readonly #txBuf = pinned(BUF_SIZE);
  readonly #txName = pinned(16);
  readonly #txNameView = new DataView(this.#txName.buffer);
  readonly #txCtrl = pinned(PKTINFO_CMSG_SPACE);
  readonly #txCtrlView = new DataView(this.#txCtrl.buffer);
  readonly #txIov = pinned(16);
  readonly #txIovView = new DataView(this.#txIov.buffer);
  readonly #txMsg = pinned(56);
  readonly #txMsgView = new DataView(this.#txMsg.buffer);
  #poller: Poller | undefined;
  #closed = false;
  #busy = false;
  /** the descriptor belongs to someone else (see {@link borrow}): close() leaves it open */
  readonly #borrowed: boolean;

  private constructor(fd: number, iface: string, borrowed = false) {
    this.fd = fd;
    this.iface = iface;
    this.#borrowed = borrowed;
    // receive msghdr: name, iov (one entry over rxBuf), control; lengths are reset before every recvmsg
    const iov = new DataView(this.#rxIov.buffer);
    iov.setBigUint64(0, addressOf(this.#rxBuf), true);
    iov.setBigUint64(8, BigInt(BUF_SIZE), true);
    const m = this.#rxMsgView;
    m.setBigUint64(0, addressOf(this.#rxName), true);
    m.setBigUint64(16, addressOf(this.#rxIov), true);
    m.setBigUint64(24, 1n, true);
    m.setBigUint64(32, addressOf(this.#rxCtrl), true);
    // send msghdr: name and iov fixed; iov length, control and controllen set per send
    this.#txIovView.setBigUint64(0, addressOf(this.#txBuf), true);
    const t = this.#txMsgView;
    t.setBigUint64(0, addressOf(this.#txName), true);
    t.setUint32(8, 16, true);
    t.setBigUint64(16, addressOf(this.#txIov), true);
    t.setBigUint64(24, 1n, true);
    this.#txNameView.setUint16(0, C.AF_INET, true);
    // the IP_PKTINFO cmsg header never changes
    this.#txCtrlView.setBigUint64(0, BigInt(PKTINFO_CMSG_LEN), true);
    this.#txCtrlView.setInt32(8, C.IPPROTO_IP, true);
    this.#txCtrlView.setInt32(12, C.IP_PKTINFO, true);
  }

  /**
   * Opens the socket the way Kea's IfaceMgr does for a DHCPv4 service socket: SOCK_NONBLOCK|SOCK_CLOEXEC,
   * SO_REUSEADDR, SO_BROADCAST, IP_PKTINFO, SO_BINDTODEVICE when an interface is named, the receive buffer
   * (SO_RCVBUFFORCE, else SO_RCVBUF), then bind(2). Errors name the interface, the address and the errno.
   */
  static open(opts: UdpOpenOptions): UdpSocket4 {
    const l = libc();
    const where = `${opts.iface ? `interface ${opts.iface}, ` : ""}${formatIpv4(opts.bindAddr ?? 0)}:${opts.port}`;
    const fd = check(
      l.socket(C.AF_INET, C.SOCK_DGRAM | C.SOCK_NONBLOCK | C.SOCK_CLOEXEC, C.IPPROTO_UDP),
      `socket() for ${where}`,
    );
    try {
      const one = intBuf(1);
      check(l.setsockopt(fd, C.SOL_SOCKET, C.SO_REUSEADDR, one, 4), `SO_REUSEADDR on ${where}`);
      if (opts.broadcast) check(l.setsockopt(fd, C.SOL_SOCKET, C.SO_BROADCAST, one, 4), `SO_BROADCAST on ${where}`);
      check(l.setsockopt(fd, C.IPPROTO_IP, C.IP_PKTINFO, one, 4), `IP_PKTINFO on ${where}`);
      if (opts.bindToDevice) {
        if (!opts.iface) throw new Error(`cannot bind a socket to a device without an interface name (${where})`);
        const name = cString(opts.iface);
        check(l.setsockopt(fd, C.SOL_SOCKET, C.SO_BINDTODEVICE, name, name.length), `SO_BINDTODEVICE ${where}`);
      }
      if (opts.rcvbuf) check(requestRcvbuf(fd, opts.rcvbuf), `SO_RCVBUF ${opts.rcvbuf} on ${where}`);
      const sa = pinned(16);
      writeSockaddr(new DataView(sa.buffer), opts.bindAddr ?? 0, opts.port);
      check(l.bind(fd, sa, 16), `cannot bind ${where}`);
    } catch (e) {
      closeQuietly(fd);
      throw e;
    }
    return new UdpSocket4(fd, opts.iface ?? "");
  }

  /**
   * Wraps a nonblocking UDP socket that another owner opened (Deno's own socket, found by mod/net/native_udp.ts)
   * for {@link send} and {@link drainInto}; close() stops using it and leaves the descriptor to its owner.
   */
  static borrow(fd: number): UdpSocket4 {
    libc(); // fails here, not at the first send, without FFI permission
    return new UdpSocket4(fd, "", true);
  }

  /** True after close(). */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Waits until datagrams are readable (poll on this socket and a wake-up eventfd), then drains up to `max` of them.
   * Resolves to [] when the socket is closed meanwhile or `timeoutMs` (default: none) passes.
   */
  async recvBatch(max: number, timeoutMs = -1): Promise<Datagram4[]> {
    const out: Datagram4[] = [];
    if (this.#closed) return out;
    // drain first: datagrams may already be queued (no thread round trip at all under load)
    this.drainInto(out, max);
    if (out.length) return out;
    this.#poller ??= new Poller([this.fd]);
    const deadline = timeoutMs >= 0 ? Date.now() + timeoutMs : Infinity;
    while (!this.#closed) {
      const left = deadline === Infinity ? 1000 : Math.max(0, deadline - Date.now());
      this.#busy = true;
      try {
        await this.#poller.wait(Math.min(left, 1000));
      } finally {
        this.#busy = false;
      }
      if (this.#closed) break;
      this.drainInto(out, max);
      if (out.length || Date.now() >= deadline) break;
    }
    if (this.#closed) this.#releaseFd();
    return out;
  }

  /**
   * Synchronously receives queued datagrams into `out` with recvmsg(MSG_DONTWAIT) until EAGAIN or `out.length`
   * reaches `max`; returns how many were added. Truncated datagrams (larger than 64 KiB) are dropped. Used by
   * {@link recvBatch} and by transports that poll several sockets at once.
   */
  drainInto(out: Datagram4[], max: number): number {
    if (this.#fdReleased) return 0;
    const l = libc();
    const m = this.#rxMsgView, c = this.#rxCtrlView, sa = this.#rxNameView;
    let added = 0;
    while (out.length < max) {
      m.setUint32(8, 16, true);
      m.setBigUint64(40, BigInt(CTRL_SIZE), true);
      m.setInt32(48, 0, true);
      const n = Number(l.recvmsg(this.fd, this.#rxMsg, C.MSG_DONTWAIT));
      if (n < 0) {
        const e = errno();
        if (e === EAGAIN || e === EINTR) break;
        if (e === 111) continue; // ECONNREFUSED from an earlier ICMP error: not about this datagram
        throw new SysError(`recvmsg on ${this.iface || "socket"}`, e);
      }
      if (m.getInt32(48, true) & C.MSG_TRUNC) continue;
      let ifindex = 0, localAddr = 0, dstAddr = 0;
      const clen = Number(m.getBigUint64(40, true));
      for (let off = 0; off + 16 <= clen;) {
        const len = Number(c.getBigUint64(off, true));
        if (len < 16) break;
        if (c.getInt32(off + 8, true) === C.IPPROTO_IP && c.getInt32(off + 12, true) === C.IP_PKTINFO) {
          ifindex = c.getInt32(off + 16, true);
          localAddr = c.getUint32(off + 20, false);
          dstAddr = c.getUint32(off + 24, false);
        }
        off += (len + 7) & ~7;
      }
      if (this.#arenaPos + n > ARENA_SIZE) {
        this.#arena = new Uint8Array(Math.max(ARENA_SIZE, n));
        this.#arenaPos = 0;
      }
      const data = this.#arena.subarray(this.#arenaPos, this.#arenaPos + n);
      data.set(n === BUF_SIZE ? this.#rxBuf : this.#rxBuf.subarray(0, n));
      this.#arenaPos += (n + 7) & ~7;
      out.push({
        iface: this.iface,
        data,
        srcAddr: sa.getUint32(4, false),
        srcPort: sa.getUint16(2, false),
        dstAddr,
        ifindex,
        localAddr,
      });
      added++;
    }
    return added;
  }

  /**
   * Sends `data` to addr:port with sendmsg(2). When `ifindex` or `srcAddr` is given, an IP_PKTINFO control message
   * picks the outgoing interface and source address, so a 255.255.255.255 reply leaves by the arrival interface
   * with the server's address on it (as Kea answers on the interface a query came in on, RFC 2131 §4.1).
   * Throws a SysError on failure (EAGAIN when the send buffer is full).
   */
  send(data: Uint8Array, addr: number, port: number, ifindex?: number, srcAddr?: number): number {
    if (this.#closed) throw new Error(`cannot send on ${this.iface || "the socket"}: it is closed`);
    if (data.length > BUF_SIZE) throw new Error(`datagram of ${data.length} bytes is too large to send`);
    this.#txBuf.set(data);
    this.#txIovView.setBigUint64(8, BigInt(data.length), true);
    writeSockaddr(this.#txNameView, addr, port);
    const t = this.#txMsgView;
    if (ifindex || srcAddr) {
      this.#txCtrlView.setInt32(16, ifindex ?? 0, true);
      this.#txCtrlView.setUint32(20, srcAddr ?? 0, false);
      this.#txCtrlView.setUint32(24, 0, false);
      t.setBigUint64(32, addressOf(this.#txCtrl), true);
      t.setBigUint64(40, BigInt(PKTINFO_CMSG_SPACE), true);
    } else {
      t.setBigUint64(32, 0n, true);
      t.setBigUint64(40, 0n, true);
    }
    const n = Number(libc().sendmsg(this.fd, this.#txMsg, 0));
    if (n < 0) throw new SysError(`sendmsg to ${formatIpv4(addr)}:${port} on ${this.iface || "socket"}`, errno());
    return n;
  }

  /** Closes the socket; a pending recvBatch resolves (with what it has) and the fd is closed after its poll ends. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#poller?.close();
    if (!this.#busy) this.#releaseFd();
  }

  #fdReleased = false;
  #releaseFd(): void {
    if (this.#fdReleased) return;
    this.#fdReleased = true;
    if (!this.#borrowed) closeQuietly(this.fd);
  }
}

function intBuf(v: number): Uint8Array<ArrayBuffer> {
  const b = pinned(4);
  new DataView(b.buffer).setInt32(0, v, true);
  return b;
}

/** sockaddr_in: family (host order u16), port (network order), address (network order), 8 bytes zero. */
function writeSockaddr(v: DataView, addr: number, port: number): void {
  v.setUint16(0, C.AF_INET, true);
  v.setUint16(2, port, false);
  v.setUint32(4, addr >>> 0, false);
}
