/**
 * The local syslog socket (/dev/log, a unix datagram socket served by rsyslog, syslog-ng or journald) as the
 * transport of mod/log/syslog.ts: one unbound AF_UNIX SOCK_DGRAM socket, datagrams sent with sendto(2) and
 * MSG_DONTWAIT, so a syslog daemon that is absent or slow costs a dropped line, never a blocked event loop (glibc's
 * syslog(3) would block). A socket path that is missing now is tried again on the next line.
 */
import type { SyslogTransport } from "../log/syslog.ts";
import { C, closeQuietly, libc, pinned } from "./libc.ts";

const AF_UNIX = 1;
/** sizeof(struct sockaddr_un): sa_family (2 bytes) + sun_path[108] */
const SOCKADDR_UN_SIZE = 110;
const MSG_NOSIGNAL = 0x4000;

/** struct sockaddr_un for `path` (Linux: family, then the NUL-terminated path). */
function sockaddrUn(path: string): Uint8Array<ArrayBuffer> {
  const bytes = new TextEncoder().encode(path);
  if (bytes.length >= SOCKADDR_UN_SIZE - 2) throw new Error(`syslog socket path too long: ${path}`);
  const sa = pinned(SOCKADDR_UN_SIZE);
  new DataView(sa.buffer).setUint16(0, AF_UNIX, true);
  sa.set(bytes, 2);
  return sa;
}

/** Opens the transport for `path`; the socket is created at the first datagram. */
export function openSyslogSocket(path: string): SyslogTransport {
  const sa = sockaddrUn(path);
  let fd = -1;
  return {
    send(datagram: Uint8Array): boolean {
      const c = libc();
      if (fd < 0) {
        fd = c.socket(AF_UNIX, C.SOCK_DGRAM | C.SOCK_NONBLOCK | C.SOCK_CLOEXEC, 0);
        if (fd < 0) return false;
      }
      const buf = datagram.buffer instanceof ArrayBuffer ? datagram as Uint8Array<ArrayBuffer> : datagram.slice();
      const n = c.sendto(fd, buf, BigInt(buf.length), C.MSG_DONTWAIT | MSG_NOSIGNAL, sa, SOCKADDR_UN_SIZE);
      return Number(n) === buf.length;
    },
    close(): void {
      if (fd >= 0) closeQuietly(fd);
      fd = -1;
    },
  };
}
