/**
 * Helpers for the DHCPv6 engine tests: a compiled Dhcp6 model from a JSON map (through the real loader), an
 * in-memory Lease6View that applies mutations, the engine context, and builders for Packet6 queries (no codec:
 * the engine works on decoded packets) and for reading replies.
 */
import assert from "node:assert/strict";
import { parseConfigText } from "../../../mod/config/load.ts";
import type { Dhcp6Config } from "../../../mod/config/model6.ts";
import { formatIpv6Big, parseIpv6Big } from "../../../mod/config/addr6.ts";
import {
  getOption6,
  type Ia,
  type Message6,
  MsgType6,
  Opt6,
  type Packet6,
  type RawOption6,
  type Relay6,
} from "../../../mod/packet6/packet.ts";
import type { HostView6, Lease6, Lease6Mutation, Lease6Type, Lease6View } from "../../../mod/lease/types6.ts";
import { IterativeAllocator6 } from "../../../mod/dhcp6/engine/allocator6.ts";
import { handle6 } from "../../../mod/dhcp6/engine/handle6.ts";
import type { Arrival6, Engine6Context, Outcome6 } from "../../../mod/dhcp6/engine/types.ts";

export { MsgType6, Opt6 };

/** Loads `{ "Dhcp6": dhcp6 }` and returns the compiled model. */
export function load6(dhcp6: Record<string, unknown>): Dhcp6Config {
  const r = parseConfigText(JSON.stringify({ Dhcp6: dhcp6 }), "t.json", (p) => {
    throw new Error(`unexpected include ${p}`);
  });
  assert.ok(r.dhcp6);
  return r.dhcp6;
}

/** IPv6 text → 16 bytes. */
export function ip6(text: string): Uint8Array {
  let v = parseIpv6Big(text);
  assert.ok(v !== undefined, text);
  const out = new Uint8Array(16);
  for (let i = 15; i >= 0; i--) {
    out[i] = Number(v! & 0xffn);
    v = v! >> 8n;
  }
  return out;
}

/** 16 bytes → IPv6 text. */
export function text6(b: Uint8Array): string {
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return formatIpv6Big(v);
}

export const big6 = (t: string): bigint => parseIpv6Big(t)!;

/** Colon hex → bytes. */
export function hexBytes(h: string): Uint8Array {
  return Uint8Array.from(h.split(":").map((x) => parseInt(x, 16)));
}

/**
 * An in-memory lease view with the store's semantics (put replaces by address, del removes). Keyed by the
 * address's hex text: V8 hashes a BigInt by its low 64 bits, so a Map keyed by delegated prefixes (low 64 bits
 * all zero) degrades to a linear scan.
 */
export class MemLeases6 implements Lease6View {
  map = new Map<string, Lease6>();
  byAddress(a: bigint): Lease6 | undefined {
    return this.map.get(a.toString(16));
  }
  byIa(duid: string, iaid: number, type: Lease6Type, subnetId: number): Lease6[] {
    return [...this.map.values()].filter((l) =>
      l.duid === duid && l.iaid === iaid && l.type === type && l.subnetId === subnetId
    );
  }
  byDuid(duid: string): Lease6[] {
    return [...this.map.values()].filter((l) => l.duid === duid);
  }
  apply(ms: readonly Lease6Mutation[]): void {
    for (const m of ms) {
      if (m.op === "put") this.map.set(m.lease.address.toString(16), m.lease);
      else this.map.delete(m.address.toString(16));
    }
  }
}

export const SERVER_DUID = hexBytes("00:02:00:00:09:bf:01:02");
export const CLIENT_DUID = "00:01:00:01:2a:00:00:01:52:54:00:aa:bb:cc";
export const ALL_SERVERS = ip6("ff02::1:2");

/** A test bed: config, leases, allocator, a fixed clock; `run` applies a reply's mutations like the edge would. */
export class Bed {
  leases = new MemLeases6();
  allocator = new IterativeAllocator6();
  now = 1_800_000_000;
  arrival: Arrival6 = { iface: "eth0", srcAddr: ip6("fe80::5054:ff:feaa:bbcc"), dstAddr: ALL_SERVERS, localAddrs: [] };
  /** a host database's view (mod/lease/host_cache6.ts), when the test has one */
  hosts?: HostView6;
  constructor(public config: Dhcp6Config) {}
  ctx(): Engine6Context {
    return {
      config: this.config,
      arrival: this.arrival,
      leases: this.leases,
      allocator: this.allocator,
      serverDuid: SERVER_DUID,
      now: this.now,
      ...(this.hosts ? { hosts: this.hosts } : {}),
    };
  }
  run(q: Packet6): Outcome6 {
    const out = handle6(q, this.ctx());
    if (out.kind === "reply") this.leases.apply(out.mutations);
    return out;
  }
}

/** An IA_NA with the given addresses as hints (lifetimes as given, default 0/0 = no preference). */
export function iaNa(iaid: number, addrs: string[] = [], pref = 0, valid = 0): Ia {
  return {
    kind: "na",
    iaid,
    t1: 0,
    t2: 0,
    addresses: addrs.map((a) => ({ address: ip6(a), preferred: pref, valid, options: [] })),
    prefixes: [],
    options: [],
  };
}

/** An IA_PD with the given prefixes (`2001:db8::/56`) as hints. */
export function iaPd(iaid: number, prefixes: string[] = [], pref = 0, valid = 0): Ia {
  return {
    kind: "pd",
    iaid,
    t1: 0,
    t2: 0,
    addresses: [],
    prefixes: prefixes.map((p) => {
      const [a, l] = p.split("/");
      return { preferred: pref, valid, prefixLen: Number(l), prefix: ip6(a), options: [] };
    }),
    options: [],
  };
}

/** An option with a 16-bit-code list payload (ORO). */
export function oro(...codes: number[]): RawOption6 {
  const d = new Uint8Array(codes.length * 2);
  codes.forEach((c, i) => [d[2 * i], d[2 * i + 1]] = [c >> 8, c & 255]);
  return { code: Opt6.ORO, data: d };
}

/** A client message: client id (CLIENT_DUID unless `duid` is given or null), IAs, other options. */
export function msg(
  type: number,
  ias: Ia[] = [],
  options: RawOption6[] = [],
  duid: string | null = CLIENT_DUID,
  tid = 0xabcdef,
): Message6 {
  const opts: RawOption6[] = duid === null ? [] : [{ code: Opt6.CLIENTID, data: hexBytes(duid) }];
  return { kind: "message", msgType: type, transactionId: tid, ias, options: [...opts, ...options] };
}

/** SERVERID carrying our DUID (or another). */
export const sid = (duid = SERVER_DUID): RawOption6 => ({ code: Opt6.SERVERID, data: duid });

/** A RELAY-FORW around `inner`. */
export function relay(inner: Packet6, link: string, peer: string, options: RawOption6[] = [], hop = 0): Relay6 {
  return { kind: "relay", msgType: 12, hopCount: hop, linkAddress: ip6(link), peerAddress: ip6(peer), options, inner };
}

/** The reply outcome (fails the test on a drop) and its innermost message. */
export function replyOf(o: Outcome6): { out: Extract<Outcome6, { kind: "reply" }>; m: Message6 } {
  assert.equal(o.kind, "reply", o.kind === "drop" ? o.log.map((l) => l.text).join("; ") : "");
  const out = o as Extract<Outcome6, { kind: "reply" }>;
  let p: Packet6 = out.reply;
  while (p.kind === "relay") p = p.inner;
  return { out, m: p };
}

/** A top-level status code of a message: [code, text], or undefined. */
export function status(m: Message6): [number, string] | undefined {
  const d = getOption6(m.options, Opt6.STATUS_CODE);
  return d ? [(d[0] << 8) | d[1], new TextDecoder().decode(d.subarray(2))] : undefined;
}

/** The value of a stat delta in an outcome (sum), 0 when absent. */
export function stat(o: Outcome6, name: string): number {
  return o.stats.filter(([n]) => n === name).reduce((s, [, d]) => s + d, 0);
}

/** A basic config: subnet 1 on eth0 with a small NA pool and a PD pool. */
export function basic(extra: Record<string, unknown> = {}, subnet: Record<string, unknown> = {}): Dhcp6Config {
  return load6({
    "preferred-lifetime": 3000,
    "valid-lifetime": 4000,
    "option-data": [{ name: "dns-servers", data: "2001:db8::53" }],
    subnet6: [{
      id: 1,
      subnet: "2001:db8:1::/64",
      interface: "eth0",
      pools: [{ pool: "2001:db8:1::10 - 2001:db8:1::12" }],
      "pd-pools": [{ prefix: "2001:db8:8::", "prefix-len": 62, "delegated-len": 64 }],
      ...subnet,
    }],
    ...extra,
  });
}

export { MsgType6 as T };
