/**
 * Test builders for the DHCPv4 engine: Dhcp4Config/Subnet4 objects, queries, and in-memory fakes of the
 * lease view; the real offer table and allocator. Tests only.
 */
import { MsgType, Opt, type Packet4 } from "../../../mod/packet4/packet.ts";
import type { Dhcp4Config, OptionValue, Pool4, Reservation4, Subnet4 } from "../../../mod/config/model.ts";
import { type HostView4, type Lease4, LeaseState, type LeaseView } from "../../../mod/lease/types.ts";
import type { Arrival, EngineContext, Outcome, StatDelta } from "../../../mod/dhcp4/engine/types.ts";
import { OfferTable } from "../../../mod/lease/offers.ts";
import { PoolAllocator } from "../../../mod/lease/allocator.ts";
import { ipv4Bytes, parseCidr4, parseHex, parseIpv4, prefixMask } from "../../../mod/wire/addr.ts";

/** Dotted quad → u32 (throws on typos so tables stay honest). */
export function ip(text: string): number {
  const v = parseIpv4(text);
  if (v === undefined) throw new Error(`bad address in test: ${text}`);
  return v;
}

export const NOW = 1_700_000_000;
export const MAC_A = "aa:bb:cc:00:00:01";
export const MAC_B = "aa:bb:cc:00:00:02";

/** An option value as the config compiler would produce it. */
export function optVal(code: number, data: Uint8Array, flags: Partial<OptionValue> = {}): OptionValue {
  return { code, space: "dhcp4", data, alwaysSend: false, neverSend: false, ...flags };
}

export interface SubnetSpec {
  id: number;
  prefix: string;
  pools?: [string, string][];
  iface?: string;
  relay?: string[];
  options?: OptionValue[];
  reservations?: { hw: string; ip?: string; hostname?: string; options?: OptionValue[]; nextServer?: string }[];
  authoritative?: boolean;
  matchClientId?: boolean;
  timers?: Partial<Subnet4["timers"]>;
  poolOptions?: OptionValue[][];
  nextServer?: string;
  bootFileName?: string;
}

/** A compiled Subnet4 from a compact spec (valid-lifetime 7200 within [3600, 10800] unless overridden). */
export function subnet4(s: SubnetSpec): Subnet4 {
  const c = parseCidr4(s.prefix)!;
  const pools: Pool4[] = (s.pools ?? []).map(([a, b], i) => ({
    start: ip(a),
    end: ip(b),
    poolId: 0,
    options: new Map((s.poolOptions?.[i] ?? []).map((o) => [o.code, o])),
  }));
  const reservations = new Map<string, Reservation4>();
  const reservedAddresses = new Map<number, string>();
  for (const r of s.reservations ?? []) {
    const res: Reservation4 = { hwaddr: r.hw, options: new Map((r.options ?? []).map((o) => [o.code, o])) };
    if (r.ip) {
      res.ipAddress = ip(r.ip);
      reservedAddresses.set(res.ipAddress, r.hw);
    }
    if (r.hostname) res.hostname = r.hostname;
    if (r.nextServer) res.nextServer = ip(r.nextServer);
    reservations.set(r.hw, res);
  }
  return {
    id: s.id,
    prefix: s.prefix,
    network: c.network,
    len: c.len,
    mask: prefixMask(c.len),
    pools,
    interface: s.iface,
    relayAddresses: (s.relay ?? []).map(ip),
    options: new Map((s.options ?? []).map((o) => [o.code, o])),
    reservations,
    reservedAddresses,
    timers: {
      validLifetime: 7200,
      minValidLifetime: 3600,
      maxValidLifetime: 10800,
      calculateTeeTimes: false,
      t1Percent: 0.5,
      t2Percent: 0.875,
      ...s.timers,
    },
    authoritative: s.authoritative ?? false,
    matchClientId: s.matchClientId ?? true,
    nextServer: s.nextServer ? ip(s.nextServer) : 0,
    serverHostname: "",
    bootFileName: s.bootFileName ?? "",
  };
}

/** A Dhcp4Config with Kea's defaults around the given subnets. */
export function config4(subnets: Subnet4[], over: Partial<Dhcp4Config> = {}): Dhcp4Config {
  return {
    interfaces: [{ name: "*" }],
    socketType: "raw",
    lease: { type: "memfile", path: "/tmp/x.kv", persist: false },
    subnets,
    options: new Map(),
    echoClientId: true,
    declineProbationPeriod: 86400,
    expired: {
      reclaimTimerWaitTime: 10,
      flushReclaimedTimerWaitTime: 25,
      holdReclaimedTime: 3600,
      maxReclaimLeases: 100,
      maxReclaimTime: 250,
      unwarnedReclaimCycles: 5,
    },
    loggers: [],
    hooks: [],
    hookParameters: new Map(),
    controlSockets: [],
    raw: {},
    ...over,
  };
}

/** The standard lab: a LAN on eth0, a relayed network, an authoritative LAN on eth1. */
export function lab(): Subnet4[] {
  return [
    subnet4({
      id: 1,
      prefix: "192.0.2.0/24",
      iface: "eth0",
      pools: [["192.0.2.100", "192.0.2.102"]],
      options: [
        optVal(Opt.ROUTERS, ipv4Bytes(ip("192.0.2.1"))),
        optVal(Opt.DNS_SERVERS, ipv4Bytes(ip("192.0.2.53"))),
        optVal(42, ipv4Bytes(ip("192.0.2.123"))), // NTP: sent only when asked
      ],
      reservations: [{ hw: "aa:bb:cc:00:00:99", ip: "192.0.2.50", hostname: "Printer" }],
    }),
    subnet4({ id: 2, prefix: "198.51.100.0/24", relay: ["10.9.9.9"], pools: [["198.51.100.10", "198.51.100.20"]] }),
    subnet4({
      id: 3,
      prefix: "203.0.113.0/24",
      iface: "eth1",
      authoritative: true,
      pools: [["203.0.113.50", "203.0.113.60"]],
    }),
  ];
}

export interface QuerySpec {
  mac?: string;
  xid?: number;
  ciaddr?: string;
  giaddr?: string;
  flags?: number;
  hops?: number;
  op?: 1 | 2;
  hlen?: number;
  /** extra options: [code, payload] in order */
  options?: [number, Uint8Array][];
  /** omit option 53 */
  noType?: boolean;
}

/** A decoded query as the codec would hand it over. */
export function query(type: number, q: QuerySpec = {}): Packet4 {
  const hw = parseHex(q.mac ?? MAC_A)!;
  const chaddr = new Uint8Array(16);
  chaddr.set(hw);
  const options = new Map<number, Uint8Array>();
  if (!q.noType) options.set(Opt.MESSAGE_TYPE, new Uint8Array([type]));
  for (const [c, d] of q.options ?? []) options.set(c, d);
  return {
    op: q.op ?? 1,
    htype: 1,
    hlen: q.hlen ?? hw.length,
    hops: q.hops ?? (q.giaddr ? 1 : 0),
    xid: q.xid ?? 0x1234abcd,
    secs: 3,
    flags: q.flags ?? 0,
    ciaddr: q.ciaddr ? ip(q.ciaddr) : 0,
    yiaddr: 0,
    siaddr: 0,
    giaddr: q.giaddr ? ip(q.giaddr) : 0,
    chaddr,
    sname: "",
    file: "",
    options,
  };
}

/** Option payload helpers for queries. */
export const o = {
  addr: (code: number, a: string): [number, Uint8Array] => [code, ipv4Bytes(ip(a))],
  u32: (code: number, v: number): [number, Uint8Array] => [code, ipv4Bytes(v)],
  prl: (...codes: number[]): [number, Uint8Array] => [Opt.PARAM_REQUEST_LIST, new Uint8Array(codes)],
  cid: (hex: string): [number, Uint8Array] => [Opt.CLIENT_ID, parseHex(hex)!],
  text: (code: number, s: string): [number, Uint8Array] => [code, new TextEncoder().encode(s)],
  /** option 82 from sub-options */
  rai: (...subs: [number, Uint8Array][]): [number, Uint8Array] => {
    const parts: number[] = [];
    for (const [c, d] of subs) parts.push(c, d.length, ...d);
    return [Opt.RELAY_AGENT_INFO, new Uint8Array(parts)];
  },
};

/** In-memory LeaseView keyed like the real store. */
export class MemLeases implements LeaseView {
  readonly byAddr = new Map<number, Lease4>();
  put(...ls: Lease4[]): this {
    for (const l of ls) this.byAddr.set(l.address, l);
    return this;
  }
  byAddress(a: number) {
    return this.byAddr.get(a);
  }
  byHwAddr(hw: string, subnetId: number) {
    for (const l of this.byAddr.values()) if (l.hwaddr === hw && l.subnetId === subnetId) return l;
    return undefined;
  }
  byClientId(cid: string, subnetId: number) {
    for (const l of this.byAddr.values()) if (cid && l.clientId === cid && l.subnetId === subnetId) return l;
    return undefined;
  }
}

/**
 * The real offer table (mod/lease/offers.ts) with a test shorthand: `add` records an offer made at NOW (or `at`),
 * held for `hold` seconds (`offer-lifetime`; 0 = a hint only).
 */
export class MemOffers extends OfferTable {
  add(key: string, subnetId: number, addr: number, hold = 0, at = NOW): this {
    this.remember(key, subnetId, addr, at, hold);
    return this;
  }
}

/** A lease for tests: assigned to MAC_A in subnet 1 for 7200 s from NOW-100 unless overridden. */
export function lease(addr: string, over: Partial<Lease4> = {}): Lease4 {
  return {
    address: ip(addr),
    hwaddr: MAC_A,
    clientId: "",
    validLifetime: 7200,
    cltt: NOW - 100,
    subnetId: 1,
    fqdnFwd: false,
    fqdnRev: false,
    hostname: "",
    state: LeaseState.DEFAULT,
    ...over,
  };
}

/** Arrival of a broadcast on eth0 (server 192.0.2.1) unless overridden. */
export function arrival(over: Partial<Arrival> = {}): Arrival {
  return {
    iface: "eth0",
    localAddr: ip("192.0.2.1"),
    ifaceAddrs: [ip("192.0.2.1")],
    srcAddr: 0,
    srcPort: 68,
    dstAddr: 0xffffffff,
    ...over,
  };
}

export interface World {
  config: Dhcp4Config;
  leases: MemLeases;
  offers: MemOffers;
  arrival: Arrival;
  /** host reservations of a host database (absent: none configured) */
  hosts?: HostView4;
}

/** A fresh world on the standard lab. */
export function world(over: Partial<World> = {}): World {
  return {
    config: over.config ?? config4(lab()),
    leases: over.leases ?? new MemLeases(),
    offers: over.offers ?? new MemOffers(),
    arrival: over.arrival ?? arrival(),
  };
}

/** The engine context for a world at NOW. */
export function ctxOf(w: World, now = NOW): EngineContext {
  const allocator = new PoolAllocator(w.leases, w.offers);
  allocator.hosts = w.hosts;
  return {
    config: w.config,
    arrival: w.arrival,
    leases: w.leases,
    offers: w.offers,
    allocator,
    now,
    ...(w.hosts ? { hosts: w.hosts } : {}),
  };
}

/** Applies an outcome's mutations and offer bookkeeping to the world, as the edge would (at `now`). */
export function apply(w: World, out: Outcome, now = NOW): void {
  if (out.forgetOffer) w.offers.forget(out.forgetOffer);
  if (out.kind === "drop") return;
  for (const m of out.mutations) {
    m.op === "put" ? w.leases.byAddr.set(m.lease.address, m.lease) : w.leases.byAddr.delete(m.address);
  }
  if (out.kind === "reply" && out.offer) {
    const o = out.offer;
    w.offers.remember(o.clientKey, o.subnetId, o.address, now, o.holdSeconds ?? 0);
  }
}

/** The value a statistic changes by in an outcome (sum of its deltas), 0 when absent. */
export function stat(stats: StatDelta[], name: string): number {
  return stats.filter(([n]) => n === name).reduce((a, [, d]) => a + d, 0);
}

/** The message type of a reply outcome, or undefined. */
export function replyType(out: Outcome): number | undefined {
  return out.kind === "reply" ? out.reply.options.get(Opt.MESSAGE_TYPE)?.[0] : undefined;
}

export { MsgType, Opt };
