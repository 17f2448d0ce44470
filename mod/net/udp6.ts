/**
 * The DHCPv6 server's sockets (RFC 8415 §7.1, §18.3): for every served interface one UDP socket on port 547 bound
 * to `ff02::1:2%IFACE` and joined to All_DHCP_Relay_Agents_and_Servers on that interface, so it receives only its
 * own link's multicasts and its replies leave through that link (deno-notes §1e: the scope id of the bind address
 * becomes a device binding); plus one socket bound to each global address of the interface (and to a configured
 * `eth0/ADDR` unicast address) for relayed and unicast traffic. A `[::]:547` socket is avoided on purpose: it would
 * receive a second copy of every multicast (IPV6_MULTICAST_ALL defaults to 1).
 *
 * node:dgram is used rather than Deno.listenDatagram, which needs `--unstable-net` (weka runs with the `deno run
 * -A main.ts` flags and deno.json's unstable list only). Neither API reports the arrival interface or destination
 * address of a datagram, so each socket remembers what it is bound to: the interface name and the destination
 * (ff02::1:2 or its unicast address). Received source addresses carry no scope id; a reply to a link-local address
 * is sent to `fe80::…%IFACE` of the arrival socket.
 *
 * A loopback mode (`openLoopback6`) binds one socket to [::1]:PORT for tests without root: replies return to the
 * sender's port on ::1 whatever the engine chose (a relay's port 547, a client's 546).
 */
import dgram from "node:dgram";
import { Buffer } from "node:buffer";
import { formatIpv6, parseIpv6 } from "../wire/ipv6.ts";

/** One received DHCPv6 datagram and where it arrived (as far as the socket tells). */
export interface Datagram6 {
  data: Uint8Array;
  /** the served interface the socket belongs to ("" when unknown) */
  iface: string;
  /** 16 bytes, no scope */
  srcAddr: Uint8Array;
  srcPort: number;
  /** 16 bytes: ff02::1:2 for the multicast socket, the bound address for a unicast socket */
  dstAddr: Uint8Array;
  /** the socket it arrived on (index); the reply leaves through it */
  via: number;
}

/** What the DHCPv6 server needs of its network edge. */
export interface Transport6 {
  /** Waits for datagrams and returns up to `max` of them; resolves to [] once closed. */
  recvBatch(max: number): Promise<Datagram6[]>;
  /**
   * Sends `data` to `addr` (16 bytes) : `port` through the socket `arrival` came in on (so a link-local
   * destination gets the arrival interface's scope). Failures are reported to the `onSendError` of the options.
   */
  send(arrival: Datagram6, data: Uint8Array, addr: Uint8Array, port: number): void;
  /** Human-readable list of the bound endpoints (for the start-up log line). */
  endpoints(): string[];
  /** Wakes a pending recvBatch and closes every socket. */
  close(): void;
}

/** A served interface: its name and the unicast addresses to listen on besides the multicast group. */
export interface Served6 {
  name: string;
  /** global (and configured unicast) addresses, 16 bytes each; link-local ones are not bound */
  unicast: Uint8Array[];
}

/** Options of {@link Udp6Transport.open}. */
export interface Udp6Options {
  interfaces: Served6[];
  /** server port (547) */
  port?: number;
  /** an asynchronous send failure (the reply is lost; the server logs it) */
  onSendError?: (message: string) => void;
}

export const ALL_DHCP_RELAY_AGENTS_AND_SERVERS = "ff02::1:2";
const MCAST = parseIpv6(ALL_DHCP_RELAY_AGENTS_AND_SERVERS)!;
/** the receive queue is bounded: beyond this, datagrams are dropped (counted in `overflow`) */
const MAX_QUEUE = 65536;

interface Sock {
  s: dgram.Socket;
  iface: string;
  dst: Uint8Array;
  where: string;
}

function bindAsync(s: dgram.Socket, address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onErr = (e: Error) => reject(e);
    s.once("error", onErr);
    s.bind({ address, port, exclusive: false }, () => {
      s.off("error", onErr);
      resolve();
    });
  });
}

/** True for fe80::/10. */
export function isLinkLocal6(a: Uint8Array): boolean {
  return a[0] === 0xfe && (a[1] & 0xc0) === 0x80;
}

/** See the module comment. */
export class Udp6Transport implements Transport6 {
  readonly #socks: Sock[] = [];
  #queue: Datagram6[] = [];
  #wake?: () => void;
  #closed = false;
  /** datagrams dropped because the queue was full */
  overflow = 0;
  /** unicast addresses that could not be bound at open (the multicast sockets could) */
  readonly warnings: string[] = [];
  #loopback = false;
  #onSendError: (message: string) => void;

  private constructor(onSendError?: (message: string) => void) {
    this.#onSendError = onSendError ?? (() => {});
  }

  /**
   * Opens the sockets of every served interface (see the module comment). Throws an Error naming the interface
   * when its multicast socket cannot be opened (closing those already open); a unicast address that cannot be
   * bound is left out and reported in `warnings`.
   */
  static async open(opts: Udp6Options): Promise<Udp6Transport> {
    const t = new Udp6Transport(opts.onSendError);
    const port = opts.port ?? 547;
    try {
      for (const itf of opts.interfaces) {
        const where = `[${ALL_DHCP_RELAY_AGENTS_AND_SERVERS}%${itf.name}]:${port}`;
        const s = await t.#bind(`${ALL_DHCP_RELAY_AGENTS_AND_SERVERS}%${itf.name}`, port, where);
        try {
          s.addMembership(ALL_DHCP_RELAY_AGENTS_AND_SERVERS, `::%${itf.name}`);
        } catch (e) {
          throw new Error(`cannot join ${ALL_DHCP_RELAY_AGENTS_AND_SERVERS} on ${itf.name}: ${(e as Error).message}`);
        }
        t.#add(s, itf.name, MCAST, where);
        for (const a of itf.unicast) {
          const text = formatIpv6(a);
          const w = `[${text}]:${port}`;
          try {
            t.#add(await t.#bind(text, port, w), itf.name, a, w);
          } catch (e) {
            // as Kea (service-sockets-require-all: false): serve on, without this address (e.g. still tentative)
            t.warnings.push(`${(e as Error).message}; relayed and unicast queries to ${text} are not received`);
          }
        }
      }
    } catch (e) {
      t.close();
      throw e;
    }
    return t;
  }

  /**
   * The test transport: one socket on [::1]:`port`; every reply goes back to ::1 at the port the query came from
   * (a destination outside ::1 is redirected there), so nothing leaves the host.
   */
  static async openLoopback(port: number, iface = "", onSendError?: (m: string) => void): Promise<Udp6Transport> {
    const t = new Udp6Transport(onSendError);
    t.#loopback = true;
    const lo = parseIpv6("::1")!;
    const w = `[::1]:${port}`;
    t.#add(await t.#bind("::1", port, w), iface, lo, w);
    return t;
  }

  async #bind(address: string, port: number, where: string): Promise<dgram.Socket> {
    // no recvBufferSize: with it, Deno's node:dgram answers ~7x slower (measured: 0.14 → 1 ms per echo on ::1)
    const s = dgram.createSocket({ type: "udp6", reuseAddr: true });
    try {
      await bindAsync(s, address, port);
    } catch (e) {
      s.close();
      throw new Error(`cannot bind a UDP socket to ${where}: ${(e as Error).message}`);
    }
    return s;
  }

  #add(s: dgram.Socket, iface: string, dst: Uint8Array, where: string): void {
    const via = this.#socks.length;
    this.#socks.push({ s, iface, dst, where });
    s.on("error", (e: Error) => this.#onSendError(`socket ${where}: ${e.message}`));
    s.on("message", (msg: Uint8Array, rinfo: { address: string; port: number }) => {
      if (this.#queue.length >= MAX_QUEUE) {
        this.overflow++;
        return;
      }
      const pct = rinfo.address.indexOf("%");
      const src = parseIpv6(pct < 0 ? rinfo.address : rinfo.address.slice(0, pct));
      if (!src) return;
      const data = new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength);
      this.#queue.push({ data, iface, srcAddr: src, srcPort: rinfo.port, dstAddr: dst, via });
      const w = this.#wake;
      this.#wake = undefined;
      w?.();
    });
  }

  /** Returns queued datagrams (up to `max`), waiting for one when the queue is empty; [] once closed. */
  async recvBatch(max: number): Promise<Datagram6[]> {
    while (!this.#queue.length && !this.#closed) {
      await new Promise<void>((r) => this.#wake = r);
    }
    if (this.#closed) return [];
    if (this.#queue.length <= max) {
      const out = this.#queue;
      this.#queue = [];
      return out;
    }
    return this.#queue.splice(0, max);
  }

  /** Sends through the arrival socket; see {@link Transport6.send}. */
  send(arrival: Datagram6, data: Uint8Array, addr: Uint8Array, port: number): void {
    const sock = this.#socks[arrival.via] ?? this.#socks[0];
    if (!sock || this.#closed) return;
    let host: string;
    if (this.#loopback) {
      host = "::1";
      port = arrival.srcPort;
    } else {
      host = formatIpv6(addr);
      if (isLinkLocal6(addr) && sock.iface) host += `%${sock.iface}`;
    }
    const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    sock.s.send(buf, port, host, (err: Error | null) => {
      if (err) this.#onSendError(`send to [${host}]:${port} failed: ${err.message}`);
    });
  }

  /** The bound endpoints, e.g. `[ff02::1:2%eth0]:547`, `[2001:db8:a::1]:547`. */
  endpoints(): string[] {
    return this.#socks.map((s) => s.where);
  }

  /** Wakes the receiver and closes every socket. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of this.#socks) {
      try {
        s.s.close();
      } catch { /* already closed */ }
    }
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
  }
}

/**
 * Kea's `interfaces-config.interfaces` for DHCPv6, resolved against the host: "*" = every interface that is up,
 * not loopback, and has an IPv6 link-local address; a name = that interface (an error when it has no IPv6
 * address); `name/ADDR` adds ADDR as a unicast address to listen on. Each served interface listens on its global
 * addresses (not fe80::/10) too. `host` is `Deno.networkInterfaces()` (passed in so this stays testable).
 */
export function resolveServed6(
  specs: readonly { name: string; unicast?: bigint }[],
  host: readonly Deno.NetworkInterfaceInfo[],
): { served: Served6[]; macs: Map<string, Uint8Array>; addrs: Map<string, Uint8Array[]> } {
  const addrs = new Map<string, Uint8Array[]>();
  const macs = new Map<string, Uint8Array>();
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
    if (!s) served.set(name, s = { name, unicast: list.filter((a) => !isLinkLocal6(a)) });
    if (unicast !== undefined) {
      const b = new Uint8Array(16);
      for (let i = 15, v = unicast; i >= 0; i--, v >>= 8n) b[i] = Number(v & 0xffn);
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
  return { served: [...served.values()], macs, addrs };
}
