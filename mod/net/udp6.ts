/**
 * The DHCPv6 server's sockets (RFC 8415 §7.1, §18.3), as Kea's IfaceMgr opens them, through libc FFI
 * (mod/net/udp6_socket.ts): for every served interface ONE socket on [::]:547 bound to the interface
 * (SO_BINDTODEVICE), joined to All_DHCP_Relay_Agents_and_Servers (ff02::1:2) on it, with IPV6_RECVPKTINFO. It
 * receives the link's multicasts, relayed queries and unicast RENEWs to any of the interface's addresses, and says
 * for each datagram where it arrived and to which address. A reply leaves through the arrival interface from the
 * address the query was sent to (a relay's or a unicast client's destination), or from the interface's link-local
 * address for a multicast query — what Kea's per-address sockets give. Every socket of the process is waited on by
 * one poll(2) (mod/net/poll_group.ts; shared with DHCPv4 under `weka run`), received in batches (recvmmsg) and
 * answered in batches (sendmmsg, once the current burst of replies is queued, run off the main thread).
 *
 * A loopback mode ({@link Ffi6Transport.openLoopback}) binds one socket to [::1]:PORT for tests without root:
 * replies return to the sender's port on ::1 whatever the engine chose (a relay's port 547, a client's 546).
 */
import { formatIpv6, parseIpv6 } from "../wire/ipv6.ts";
import { PollGroup } from "./poll_group.ts";
import { BatchReceiver } from "./batch_receiver.ts";
import { type Datagram6, isLinkLocal6, UdpSocket6 } from "./udp6_socket.ts";

export type { Datagram6 } from "./udp6_socket.ts";
export { isLinkLocal6 } from "./udp6_socket.ts";

/** What the DHCPv6 server needs of its network edge. */
export interface Transport6 {
  /** Waits for datagrams and returns up to `max` of them; resolves to [] once closed. */
  recvBatch(max: number): Promise<Datagram6[]>;
  /**
   * Sends `data` to `addr` (16 bytes) : `port` through the interface `arrival` came in on, from the address it
   * was sent to (see the module comment). Failures are reported to the `onSendError` of the options.
   */
  send(arrival: Datagram6, data: Uint8Array, addr: Uint8Array, port: number): void;
  /** Human-readable list of the bound endpoints (for the start-up log line). */
  endpoints(): string[];
  /** Wakes a pending recvBatch and closes every socket. */
  close(): void;
}

/** A served interface: its name, index, and its addresses (the reply sources). */
export interface Served6 {
  name: string;
  /** the kernel's interface index */
  index: number;
  /** global (and configured unicast) addresses, 16 bytes each */
  unicast: Uint8Array[];
  /** the interface's link-local address: the source of replies to multicast queries (absent: the kernel's choice) */
  linkLocal?: Uint8Array;
}

/** Options of {@link Ffi6Transport.open}. */
export interface Udp6Options {
  interfaces: Served6[];
  /** server port (547) */
  port?: number;
  /** a send failure (the reply is lost; the server logs it) */
  onSendError?: (message: string) => void;
  /** the process's shared readiness wait (`weka run` with DHCPv4 too); absent = a wait of this transport's own */
  group?: PollGroup;
  /** receive buffer per socket; {@link RCVBUF6} by default */
  rcvbuf?: number;
}

/**
 * The receive buffer of each DHCPv6 socket: 1 MiB, about 1 700 queries (a kernel skb of a small datagram takes
 * ~600 bytes), a tenth of a second at 12 000 queries/s — room for bursts, but a server pushed past its rate drops
 * at the socket instead of answering queries seconds old that their clients have given up on (RFC 8415 §15: a
 * SOLICIT is retransmitted after 1 s). Measured under perfdhcp -6: with 8 MiB an overload left replies 1–3 s late.
 */
export const RCVBUF6 = 1 << 20;

/** RFC 8415 §7.1's All_DHCP_Relay_Agents_and_Servers, joined on every served interface. */
export const ALL_DHCP_RELAY_AGENTS_AND_SERVERS = "ff02::1:2";
const MCAST = parseIpv6(ALL_DHCP_RELAY_AGENTS_AND_SERVERS)!;
const LOOPBACK6 = parseIpv6("::1")!;

/** See the module comment. */
export class Ffi6Transport implements Transport6 {
  readonly #socks: UdpSocket6[];
  readonly #served: (Served6 | undefined)[];
  readonly #receiver: BatchReceiver<Datagram6>;
  readonly #onSendError: (message: string) => void;
  readonly #loopback: boolean;
  readonly #where: string[];
  #next = 0;
  #flushScheduled = false;
  /** unicast addresses named in the configuration that are not on their interface (said at start-up) */
  readonly warnings: string[] = [];

  private constructor(
    socks: UdpSocket6[],
    served: (Served6 | undefined)[],
    where: string[],
    opts: { onSendError?: (m: string) => void; group?: PollGroup; loopback: boolean },
  ) {
    this.#socks = socks;
    this.#served = served;
    this.#where = where;
    this.#loopback = opts.loopback;
    this.#onSendError = opts.onSendError ?? (() => {});
    const group = opts.group ?? new PollGroup({ private: true });
    this.#receiver = new BatchReceiver(group, socks.map((s) => s.fd), (out, max) => this.#drainAll(out, max));
  }

  /**
   * Opens one socket per served interface (see the module comment). Throws an Error naming the interface when one
   * cannot be opened, after closing those already open.
   */
  static open(opts: Udp6Options): Ffi6Transport {
    const port = opts.port ?? 547;
    const socks: UdpSocket6[] = [];
    try {
      for (const itf of opts.interfaces) {
        socks.push(UdpSocket6.open({
          iface: itf.name,
          ifindex: itf.index,
          port,
          groups: [MCAST],
          rcvbuf: opts.rcvbuf ?? RCVBUF6,
        }));
      }
    } catch (e) {
      for (const s of socks) s.close();
      throw e;
    }
    const where = opts.interfaces.map((i) => `[::]:${port}%${i.name} (${ALL_DHCP_RELAY_AGENTS_AND_SERVERS})`);
    return new Ffi6Transport(socks, opts.interfaces, where, { ...opts, loopback: false });
  }

  /**
   * The test transport: one socket on [::1]:`port`; every reply goes back to ::1 at the port the query came from
   * (a destination outside ::1 is redirected there), so nothing leaves the host. `iface` is the name reported on
   * received datagrams.
   */
  static openLoopback(
    port: number,
    iface = "",
    onSendError?: (m: string) => void,
    group?: PollGroup,
  ): Ffi6Transport {
    const s = UdpSocket6.open({ port, bindAddr: LOOPBACK6, rcvbuf: RCVBUF6 });
    const t = new Ffi6Transport([s], [undefined], [`[::1]:${port}`], { onSendError, group, loopback: true });
    t.#loopbackIface = iface;
    return t;
  }

  #loopbackIface = "";

  #drainAll(out: Datagram6[], max: number): void {
    const n = this.#socks.length;
    if (n === 0) return;
    const start = this.#next;
    this.#next = (this.#next + 1) % n;
    for (let k = 0; k < n && out.length < max; k++) {
      const i = (start + k) % n;
      const from = out.length;
      this.#socks[i].drainInto(out, max, i);
      if (this.#loopback) { for (let j = from; j < out.length; j++) out[j].iface = this.#loopbackIface; }
    }
  }

  /** Returns received datagrams (up to `max`), waiting for one when none is queued; [] once closed. */
  recvBatch(max: number): Promise<Datagram6[]> {
    return this.#receiver.recvBatch(max);
  }

  /** Queues the reply on the arrival socket; the burst is flushed (sendmmsg) at the end of the current task. */
  send(arrival: Datagram6, data: Uint8Array, addr: Uint8Array, port: number): void {
    const sock = this.#socks[arrival.via] ?? this.#socks[0];
    if (!sock || this.#receiver.closed) return;
    let src: Uint8Array | undefined;
    if (this.#loopback) {
      addr = LOOPBACK6;
      port = arrival.srcPort;
    } else if (arrival.dstAddr[0] !== 0xff && arrival.dstAddr.some((b) => b !== 0)) {
      src = arrival.dstAddr; // answer from the address the query was sent to (a relay's, a unicast client's)
    } else {
      src = this.#served[arrival.via]?.linkLocal;
    }
    try {
      sock.queue(data, addr, port, arrival.ifindex || sock.ifindex, src);
    } catch (e) {
      this.#onSendError(`send to [${formatIpv6(addr)}]:${port} failed: ${(e as Error).message}`);
      return;
    }
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(() => this.#flush());
    }
  }

  #flush(): void {
    this.#flushScheduled = false;
    for (const s of this.#socks) if (s.queued > 0) s.sendInBackground(this.#reportErrors);
  }

  readonly #reportErrors = (errors: string[]) => {
    for (const m of errors) this.#onSendError(m);
  };

  /** The bound endpoints, e.g. `[::]:547%eth0 (ff02::1:2)`. */
  endpoints(): string[] {
    return [...this.#where];
  }

  /** Sends what is queued, wakes the receiver and closes every socket once no wait covers them. */
  close(): void {
    if (this.#receiver.closed) return;
    this.#flushScheduled = false;
    for (const s of this.#socks) for (const m of s.flush()) this.#onSendError(m);
    this.#receiver.close(() => {
      for (const s of this.#socks) s.close();
    });
  }
}

/**
 * Kea's `interfaces-config.interfaces` for DHCPv6, resolved against the host: "*" = every interface that is up,
 * not loopback, and has an IPv6 link-local address; a name = that interface (an error when it has no IPv6
 * address); `name/ADDR` adds ADDR as a unicast address of the interface (a warning when it is not configured on
 * it: queries to it would not arrive). `host` is `Deno.networkInterfaces()` and `indexOf` the interface index
 * (if_nametoindex), passed in so this stays testable.
 */
export function resolveServed6(
  specs: readonly { name: string; unicast?: bigint }[],
  host: readonly Deno.NetworkInterfaceInfo[],
  indexOf: (name: string) => number = () => 0,
): { served: Served6[]; macs: Map<string, Uint8Array>; addrs: Map<string, Uint8Array[]>; warnings: string[] } {
  const addrs = new Map<string, Uint8Array[]>();
  const macs = new Map<string, Uint8Array>();
  const warnings: string[] = [];
  for (const e of host) {
    if (e.family !== "IPv6") continue;
    const pct = e.address.indexOf("%");
    const a = parseIpv6(pct < 0 ? e.address : e.address.slice(0, pct));
    if (!a) continue;
    (addrs.get(e.name) ?? addrs.set(e.name, []).get(e.name)!).push(a);
    const mac = e.mac.split(":").map((x) => parseInt(x, 16));
    if (mac.length === 6 && mac.some((x) => x !== 0)) macs.set(e.name, Uint8Array.from(mac));
  }
  const served = new Map<string, Served6>();
  const add = (name: string, unicast?: bigint) => {
    const list = addrs.get(name);
    if (!list) {
      throw new Error(
        `Dhcp6.interfaces-config.interfaces: interface ${name} does not exist or has no IPv6 address ` +
          `(known: ${[...addrs.keys()].join(", ") || "none"})`,
      );
    }
    let s = served.get(name);
    if (!s) {
      s = { name, index: indexOf(name), unicast: list.filter((a) => !isLinkLocal6(a)) };
      const ll = list.find(isLinkLocal6);
      if (ll) s.linkLocal = ll;
      served.set(name, s);
    }
    if (unicast !== undefined) {
      const b = new Uint8Array(16);
      for (let i = 15, v = unicast; i >= 0; i--, v >>= 8n) b[i] = Number(v & 0xffn);
      if (!list.some((x) => x.every((y, i) => y === b[i]))) {
        warnings.push(`${formatIpv6(b)} (named as ${name}/${formatIpv6(b)}) is not an address of ${name}`);
      }
      if (!s.unicast.some((x) => x.every((y, i) => y === b[i]))) s.unicast.push(b);
    }
  };
  for (const spec of specs) {
    if (spec.name === "*") {
      for (const [name, list] of addrs) {
        if (name === "lo" || !list.some(isLinkLocal6)) continue;
        add(name);
      }
    } else add(spec.name, spec.unicast);
  }
  return { served: [...served.values()], macs, addrs, warnings };
}
