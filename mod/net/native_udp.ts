/**
 * Deno's own UDP sockets (`Deno.listenDatagram`) seen through libc. Deno has no option for a socket's receive
 * buffer and reads one datagram per operation; the descriptor behind such a socket is found through /proc (the
 * inode that /proc/self/net/udp[6] lists for the bound port, among this process's /proc/self/fd links), so that
 *  - SO_RCVBUFFORCE (root), else SO_RCVBUF, can be set on it: a burst of thousands of datagrams needs more than
 *    the kernel's default of ~208 KiB;
 *  - it can be wrapped in a {@link UdpSocket4} that borrows the descriptor, for synchronous sendmsg and for
 *    draining with recvmsg(MSG_DONTWAIT) whatever else is queued once Deno's receive has woken the caller. The
 *    runtime's reactor is edge-triggered and retries a read that finds nothing, so reading the queue empty
 *    behind its back loses nothing: its next receive waits for the next datagram.
 */
import { formatIpv4, parseIpv4 } from "../wire/addr.ts";
import { C, libc, pinned } from "./libc.ts";
import { type Datagram4, requestRcvbuf, UdpSocket4 } from "./udp4.ts";

/** The inodes of UDP sockets bound to `port` in this process's network namespace (/proc/self/net/udp or udp6). */
function inodesOnPort(port: number, v6: boolean): Set<string> {
  const out = new Set<string>();
  const want = `:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  const lines = Deno.readTextFileSync(v6 ? "/proc/self/net/udp6" : "/proc/self/net/udp").split("\n").slice(1);
  for (const line of lines) {
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode …
    const f = line.trim().split(/\s+/);
    if (f.length > 9 && f[1].endsWith(want)) out.add(f[9]);
  }
  return out;
}

/**
 * The descriptors of this process's UDP sockets bound to `port` (IPv6 when `v6`); [] when there is none or /proc
 * cannot be read. Ports are unique per bound address, so a port D2 bound (a fixed one, or the ephemeral port the
 * kernel gave) names its own socket unless another socket of the process shares it with SO_REUSEADDR.
 */
export function udpSocketFds(port: number, v6 = false): number[] {
  try {
    const inodes = inodesOnPort(port, v6);
    if (!inodes.size) return [];
    const fds: number[] = [];
    for (const e of Deno.readDirSync("/proc/self/fd")) {
      let link: string;
      try {
        link = Deno.readLinkSync(`/proc/self/fd/${e.name}`);
      } catch {
        continue; // closed meanwhile
      }
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (m && inodes.has(m[1])) fds.push(Number(e.name));
    }
    return fds;
  } catch {
    return [];
  }
}

/**
 * Sets the receive buffer of socket `fd` to `bytes` (SO_RCVBUFFORCE, else SO_RCVBUF) and returns what the kernel
 * reports afterwards (it doubles the request for its bookkeeping), or undefined when both calls fail.
 */
export function setReceiveBuffer(fd: number, bytes: number): number | undefined {
  if (requestRcvbuf(fd, bytes) < 0) return undefined;
  const got = pinned(4), len = pinned(4);
  new DataView(len.buffer).setUint32(0, 4, true);
  return libc().getsockopt(fd, C.SOL_SOCKET, C.SO_RCVBUF, got, len) === 0
    ? new DataView(got.buffer).getInt32(0, true)
    : undefined;
}

/**
 * The IPv4 socket Deno opened on `port`, borrowed for synchronous sends and drains (see the module comment), its
 * receive buffer set to `rcvbuf` bytes when given. Undefined when its descriptor cannot be found (no /proc) or
 * libc cannot be opened (no FFI permission): the caller then uses Deno's socket alone.
 */
export function borrowNativeUdp4(port: number, rcvbuf?: number): UdpSocket4 | undefined {
  const fds = udpSocketFds(port);
  if (fds.length !== 1) return undefined;
  try {
    if (rcvbuf) setReceiveBuffer(fds[0], rcvbuf);
    return UdpSocket4.borrow(fds[0]);
  } catch {
    return undefined;
  }
}

/** The parts of Deno.listenDatagram's socket that weka uses (the API exists with --unstable-net). */
export interface NativeDatagramConn {
  readonly addr: { hostname: string; port: number };
  receive(p?: Uint8Array): Promise<[Uint8Array, { hostname: string; port: number }]>;
  send(p: Uint8Array, addr: { transport: "udp"; hostname: string; port: number }): Promise<number>;
  close(): void;
}

/**
 * Binds Deno's own UDP socket on ip:port, or returns undefined when this runtime has no `Deno.listenDatagram`
 * (started without --unstable-net). A bind failure (the port is taken, a permission) throws.
 */
export function listenNative(ip: string, port: number): NativeDatagramConn | undefined {
  const listen = (Deno as unknown as {
    listenDatagram?: (o: { transport: "udp"; hostname: string; port: number }) => NativeDatagramConn;
  }).listenDatagram;
  if (typeof listen !== "function") return undefined;
  return listen({ transport: "udp", hostname: ip, port });
}

/** A datagram received on a {@link NativeUdp} socket, with its sender. */
export interface NativeDatagram {
  data: Uint8Array;
  address: string;
  port: number;
}

/**
 * Deno's UDP socket with, for IPv4, its descriptor borrowed (see the module comment): {@link receive} waits in the
 * runtime's event loop for one datagram (a wake-up costs the JavaScript thread alone), then drains what else is
 * queued through the descriptor, so a burst costs one wake-up per batch; {@link send} is a synchronous sendmsg for
 * an IPv4 destination. Used by D2's NCR receiver and its DNS client.
 */
export class NativeUdp {
  #closed = false;
  // one buffer for every receive: the caller handles each datagram before it asks for the next batch
  readonly #buf = new Uint8Array(65536);
  readonly #queued: Datagram4[] = [];

  private constructor(readonly conn: NativeDatagramConn, readonly raw: UdpSocket4 | undefined) {}

  /**
   * Binds ip:port (port 0: an ephemeral one), the receive buffer set to `rcvbuf` bytes when given; undefined without
   * `Deno.listenDatagram`. A bind failure throws. Without /proc or FFI the socket works unborrowed: one datagram per
   * receive, sends through Deno.
   */
  static open(ip: string, port: number, rcvbuf?: number): NativeUdp | undefined {
    const conn = listenNative(ip, port);
    if (!conn) return undefined;
    const bound = conn.addr.port;
    if (ip.includes(":")) {
      if (rcvbuf) { for (const fd of udpSocketFds(bound, true)) setReceiveBuffer(fd, rcvbuf); }
      return new NativeUdp(conn, undefined);
    }
    return new NativeUdp(conn, borrowNativeUdp4(bound, rcvbuf));
  }

  /** The bound port. */
  get port(): number {
    return this.conn.addr.port;
  }

  /** True after close(). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Waits for a datagram, then takes up to `max` − 1 more that are queued (a drain error leaves them queued). */
  async receive(max: number): Promise<NativeDatagram[]> {
    const [data, from] = await this.conn.receive(this.#buf);
    const out: NativeDatagram[] = [{ data, address: from.hostname, port: from.port }];
    if (!this.raw || this.#closed || max <= 1) return out;
    this.#queued.length = 0;
    try {
      this.raw.drainInto(this.#queued, max - 1);
    } catch { /* a recvmsg error: the datagrams queued wait for Deno's next receive */ }
    for (const d of this.#queued) out.push({ data: d.data, address: formatIpv4(d.srcAddr), port: d.srcPort });
    return out;
  }

  /** Sends `data` to ip:port: synchronously through the borrowed descriptor for IPv4, else through Deno. */
  send(data: Uint8Array, ip: string, port: number, onError: (e: Error) => void): void {
    const addr = this.raw ? parseIpv4(ip) : undefined;
    if (addr === undefined) {
      this.conn.send(data, { transport: "udp", hostname: ip, port }).catch(onError);
      return;
    }
    try {
      this.raw!.send(data, addr, port);
    } catch (e) {
      onError(e as Error);
    }
  }

  /** Closes the socket (the borrowed view first); a receive waiting then rejects. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.raw?.close();
    this.conn.close();
  }
}
