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
import { C, libc, pinned } from "./libc.ts";
import { UdpSocket4 } from "./udp4.ts";

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
  const l = libc();
  const size = pinned(4), got = pinned(4), len = pinned(4);
  new DataView(size.buffer).setInt32(0, bytes, true);
  if (l.setsockopt(fd, C.SOL_SOCKET, C.SO_RCVBUFFORCE, size, 4) < 0) {
    if (l.setsockopt(fd, C.SOL_SOCKET, C.SO_RCVBUF, size, 4) < 0) return undefined;
  }
  new DataView(len.buffer).setUint32(0, 4, true);
  return l.getsockopt(fd, C.SOL_SOCKET, C.SO_RCVBUF, got, len) === 0
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
