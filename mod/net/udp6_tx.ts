/**
 * The send side of a DHCPv6 FFI socket (mod/net/udp6_socket.ts): a set of preallocated sendmmsg(2) slots (payload,
 * sockaddr_in6, an IPV6_PKTINFO control message choosing the outgoing interface and source address, the mmsghdr),
 * filled from queued datagrams and sent in one call — synchronously, or off the main thread (a nonblocking FFI
 * call, the slots then belonging to that call until it returns). Linux x86_64 layouts.
 */
import { addressOf, C, EINTR, errno, libc, pinned, SysError } from "./libc.ts";
import { formatIpv6 } from "../wire/ipv6.ts";

/** Datagrams per sendmmsg(2) call. */
export const TX_BATCH = 32;
/** Payload room per slot (the receive side's too). */
export const TX_SLOT = 4096;
const NAME = 28; // sockaddr_in6
const MMSG = 64; // struct mmsghdr
const PKTINFO6_SPACE = 40; // CMSG_SPACE(sizeof(in6_pktinfo))
const PKTINFO6_LEN = 36; // CMSG_LEN(20)

/** One datagram to send. */
export interface Outgoing {
  data: Uint8Array;
  addr: Uint8Array;
  port: number;
  /** outgoing interface (and the scope of a link-local destination) */
  ifindex: number;
  /** source address (16 bytes); absent = the kernel's choice */
  src?: Uint8Array;
}

/** True for fe80::/10 (link-local unicast: a destination needs the interface as its scope). */
export function isLinkLocal6(a: Uint8Array): boolean {
  return a[0] === 0xfe && (a[1] & 0xc0) === 0x80;
}

/** One set of {@link TX_BATCH} send slots; see the module comment. */
export class TxSlots {
  readonly #tx = pinned(TX_BATCH * TX_SLOT);
  readonly #names = pinned(TX_BATCH * NAME);
  readonly #namesView = new DataView(this.#names.buffer);
  readonly #ctrl = pinned(TX_BATCH * PKTINFO6_SPACE);
  readonly #ctrlView = new DataView(this.#ctrl.buffer);
  readonly #iov = pinned(TX_BATCH * 16);
  readonly #iovView = new DataView(this.#iov.buffer);
  readonly #msgs = pinned(TX_BATCH * MMSG);

  /** Points every mmsghdr at its slot's name, iov and control message (whose header never changes). */
  constructor(private readonly where: string) {
    const v = new DataView(this.#msgs.buffer);
    const txBase = addressOf(this.#tx), names = addressOf(this.#names), ctrl = addressOf(this.#ctrl);
    const iovBase = addressOf(this.#iov);
    for (let i = 0; i < TX_BATCH; i++) {
      const m = i * MMSG, c = i * PKTINFO6_SPACE;
      this.#iovView.setBigUint64(i * 16, txBase + BigInt(i * TX_SLOT), true);
      v.setBigUint64(m, names + BigInt(i * NAME), true);
      v.setUint32(m + 8, NAME, true);
      v.setBigUint64(m + 16, iovBase + BigInt(i * 16), true);
      v.setBigUint64(m + 24, 1n, true);
      this.#ctrlView.setBigUint64(c, BigInt(PKTINFO6_LEN), true);
      this.#ctrlView.setInt32(c + 8, C.IPPROTO_IPV6, true);
      this.#ctrlView.setInt32(c + 12, C.IPV6_PKTINFO, true);
      v.setBigUint64(m + 32, ctrl + BigInt(c), true);
      v.setBigUint64(m + 40, BigInt(PKTINFO6_SPACE), true);
      this.#namesView.setUint16(i * NAME, C.AF_INET6, true);
    }
  }

  /** Fills the slots from `batch` (at most {@link TX_BATCH} datagrams). */
  fill(batch: readonly Outgoing[]): void {
    for (let i = 0; i < batch.length; i++) {
      const o = batch[i];
      this.#tx.set(o.data, i * TX_SLOT);
      this.#iovView.setBigUint64(i * 16 + 8, BigInt(o.data.length), true);
      const n = i * NAME;
      this.#namesView.setUint16(n + 2, o.port, false);
      this.#namesView.setUint32(n + 4, 0, true);
      this.#names.set(o.addr, n + 8);
      this.#namesView.setUint32(n + 24, isLinkLocal6(o.addr) ? o.ifindex : 0, true);
      const c = i * PKTINFO6_SPACE;
      if (o.src) this.#ctrl.set(o.src, c + 16);
      else this.#ctrl.fill(0, c + 16, c + 32);
      this.#ctrlView.setInt32(c + 32, o.ifindex, true);
    }
  }

  /**
   * Sends the filled slots `from`… of `batch` synchronously on `fd`, skipping each datagram the kernel refuses;
   * returns one message per refusal (errno and destination).
   */
  sendSync(fd: number, batch: readonly Outgoing[], from = 0): string[] {
    const errors: string[] = [];
    let start = from;
    while (start < batch.length) {
      const sent = libc().sendmmsg(fd, this.#msgs.subarray(start * MMSG), batch.length - start, 0);
      if (sent > 0) {
        start += sent;
        continue;
      }
      const e = errno();
      if (sent < 0 && e === EINTR) continue;
      const o = batch[start];
      errors.push(new SysError(`sendmsg to [${formatIpv6(o.addr)}]:${o.port} on ${this.where}`, e).message);
      start++; // the first datagram failed: skip it and send the rest
    }
    return errors;
  }

  /** Sends the first `n` filled slots off the main thread; resolves to how many the kernel took (-1: none). */
  sendAsync(fd: number, n: number): Promise<number> {
    return libc().sendmmsg_nb(fd, this.#msgs, n, 0);
  }
}
