/**
 * libc through Deno FFI: the few system calls weka's sockets need (socket(2), setsockopt(2), bind(2),
 * recvmsg(2), recvmmsg(2), sendmsg(2), sendmmsg(2), sendto(2), poll(2), eventfd(2), ioctl(2)…), opened lazily so that importing this module
 * costs nothing and needs no permission until a socket is actually opened (`--allow-ffi`).
 *
 * Only `poll`, `ppoll` and a second binding of `sendmmsg` are declared `nonblocking` (they run on a Deno blocking
 * thread and return a Promise); every call whose errno matters is synchronous, because errno after a nonblocking call lives on the worker thread
 * (reference/deno-notes.md §1d). Constants and struct layouts are Linux x86_64.
 */

const SYMBOLS = {
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  getsockopt: { parameters: ["i32", "i32", "i32", "buffer", "buffer"], result: "i32" },
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  recvmsg: { parameters: ["i32", "buffer", "i32"], result: "isize" },
  // recvmmsg(2)/sendmmsg(2): a batch of datagrams per call (the DHCPv6 sockets)
  recvmmsg: { parameters: ["i32", "buffer", "u32", "i32", "pointer"], result: "i32" },
  sendmmsg: { parameters: ["i32", "buffer", "u32", "i32"], result: "i32" },
  // the same call off the main thread (the kernel's send work on another core); errno is not read after it
  sendmmsg_nb: { name: "sendmmsg", parameters: ["i32", "buffer", "u32", "i32"], result: "i32", nonblocking: true },
  sendmsg: { parameters: ["i32", "buffer", "i32"], result: "isize" },
  sendto: { parameters: ["i32", "buffer", "usize", "i32", "buffer", "u32"], result: "isize" },
  close: { parameters: ["i32"], result: "i32" },
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32", nonblocking: true },
  // ppoll(2) for sub-millisecond waits (timespec timeout), off the main thread like poll
  ppoll: { parameters: ["buffer", "u64", "buffer", "pointer"], result: "i32", nonblocking: true },
  if_nametoindex: { parameters: ["buffer"], result: "u32" },
  ioctl: { parameters: ["i32", "u64", "buffer"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
  strerror: { parameters: ["i32"], result: "pointer" },
  eventfd: { parameters: ["u32", "i32"], result: "i32" },
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
} as const;

/** The bound libc symbols. */
export type LibcSymbols = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

/** Linux x86_64 constants (from <sys/socket.h>, <netinet/in.h>, <poll.h>, <sys/eventfd.h>, <linux/if_ether.h>). */
export const C = {
  AF_INET: 2,
  AF_INET6: 10,
  AF_PACKET: 17,
  SOCK_DGRAM: 2,
  SOCK_NONBLOCK: 0o4000,
  SOCK_CLOEXEC: 0o2000000,
  IPPROTO_IP: 0,
  IPPROTO_UDP: 17,
  SOL_SOCKET: 1,
  SO_REUSEADDR: 2,
  SO_BROADCAST: 6,
  SO_RCVBUF: 8,
  SO_BINDTODEVICE: 25,
  SO_RCVBUFFORCE: 33,
  IP_PKTINFO: 8,
  IPPROTO_IPV6: 41,
  IPV6_UNICAST_HOPS: 16,
  IPV6_MULTICAST_LOOP: 19,
  IPV6_JOIN_GROUP: 20,
  IPV6_V6ONLY: 26,
  IPV6_MULTICAST_ALL: 29,
  IPV6_RECVPKTINFO: 49,
  IPV6_PKTINFO: 50,
  MSG_DONTWAIT: 0x40,
  MSG_CTRUNC: 0x08,
  MSG_TRUNC: 0x20,
  POLLIN: 0x1,
  POLLERR: 0x8,
  POLLHUP: 0x10,
  POLLNVAL: 0x20,
  EFD_NONBLOCK: 0o4000,
  EFD_CLOEXEC: 0o2000000,
  ETH_P_IP: 0x0800,
  SIOCGIFFLAGS: 0x8913,
  IFF_UP: 0x1,
  IFF_LOOPBACK: 0x8,
  IFF_RUNNING: 0x40,
} as const;

/** errno values (asm-generic/errno.h) by number, for error messages an operator can search for. */
const ERRNO_NAMES: Record<number, string> = {
  1: "EPERM",
  2: "ENOENT",
  4: "EINTR",
  6: "ENXIO",
  9: "EBADF",
  11: "EAGAIN",
  12: "ENOMEM",
  13: "EACCES",
  14: "EFAULT",
  19: "ENODEV",
  22: "EINVAL",
  23: "ENFILE",
  24: "EMFILE",
  90: "EMSGSIZE",
  93: "EPROTONOSUPPORT",
  95: "EOPNOTSUPP",
  97: "EAFNOSUPPORT",
  98: "EADDRINUSE",
  99: "EADDRNOTAVAIL",
  100: "ENETDOWN",
  101: "ENETUNREACH",
  105: "ENOBUFS",
  111: "ECONNREFUSED",
  113: "EHOSTUNREACH",
};

/** errno EAGAIN/EWOULDBLOCK: a nonblocking call found nothing to do (recvmsg drained the queue, send buffer full). */
export const EAGAIN = 11;
/** errno EINTR: the call was interrupted by a signal; retrying is always safe. */
export const EINTR = 4;

let lib: Deno.DynamicLibrary<typeof SYMBOLS> | undefined;
let errnoView: Deno.UnsafePointerView | undefined;

/**
 * Opens libc once (`Deno.dlopen("libc.so.6")`) and returns its symbols. Needs `--allow-ffi`; throws Deno's
 * permission error otherwise. Later calls return the same binding.
 */
export function libc(): LibcSymbols {
  if (!lib) {
    lib = Deno.dlopen("libc.so.6", SYMBOLS);
    const p = lib.symbols.__errno_location();
    if (p === null) throw new Error("libc __errno_location() returned NULL");
    errnoView = new Deno.UnsafePointerView(p);
  }
  return lib.symbols;
}

/**
 * The calling (main) thread's errno. Valid only right after a failed *synchronous* libc call: the errno of a
 * nonblocking FFI call stays on the worker thread (deno-notes §1d).
 */
export function errno(): number {
  libc();
  return errnoView!.getInt32(0);
}

/** The symbolic name of an errno value ("EADDRINUSE"), or "errno N" when unknown. */
export function errnoName(code: number): string {
  return ERRNO_NAMES[code] ?? `errno ${code}`;
}

/** strerror(3) text for an errno value ("Address already in use"). */
export function strerror(code: number): string {
  const p = libc().strerror(code);
  return p === null ? `errno ${code}` : Deno.UnsafePointerView.getCString(p);
}

/** A failed system call: `call` is what was attempted (in operator words), `code` the errno. */
export class SysError extends Error {
  constructor(readonly call: string, readonly code: number) {
    super(`${call}: ${errnoName(code)} (${strerror(code)})`);
    this.name = "SysError";
  }
}

/**
 * Throws a {@link SysError} carrying errno when a synchronous libc call returned -1, otherwise returns the value.
 * Follows the POSIX convention that -1 means failure and errno says why.
 */
export function check(ret: number | bigint, call: string): number {
  const n = Number(ret);
  if (n < 0) throw new SysError(call, errno());
  return n;
}

/** The raw address of a buffer's first byte, to store into a C struct (iovec, msghdr). The buffer must not move. */
export function addressOf(buf: Uint8Array): bigint {
  return BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(buf as Uint8Array<ArrayBuffer>)));
}

/** A fixed, off-heap buffer (its own ArrayBuffer, so V8 never moves it): safe to point at from C structs. */
export function pinned(size: number): Uint8Array<ArrayBuffer> {
  return new Uint8Array(new ArrayBuffer(size));
}

/** NUL-terminated C string bytes for `name` (interface names for SO_BINDTODEVICE, if_nametoindex). */
export function cString(name: string): Uint8Array<ArrayBuffer> {
  const enc = new TextEncoder().encode(name);
  const out = pinned(enc.length + 1);
  out.set(enc);
  return out;
}

/** if_nametoindex(3): the kernel index of interface `name`, or 0 when no such interface exists. */
export function ifNameToIndex(name: string): number {
  return libc().if_nametoindex(cString(name));
}

/** Closes a descriptor, ignoring errors (used on cleanup paths, where the first error already went to the caller). */
export function closeQuietly(fd: number): void {
  if (fd >= 0) libc().close(fd);
}
