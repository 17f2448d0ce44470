/**
 * Mutated DHCPv6 queries for the fuzzers (issue 9 item 9): each case builds a plausible client message aimed at the
 * fuzz configuration (tests/fuzz/configs.ts: LAN A, LAN C behind a relay; a small pool of DUIDs so bindings meet
 * again) — client and server ids of every length, IA_NA / IA_TA / IA_PD with addresses, prefixes, odd prefix
 * lengths and nested status codes, ORO, elapsed time, rapid commit, user / vendor classes and vendor options with
 * lying lengths, the Client FQDN option (39) with hostile names, random and overlong options — then often wraps it
 * in RELAY-FORW layers (up to past the 32-hop limit; interface-id, remote-id, subscriber-id, client link-layer
 * address options; sometimes no or two relay-message options) and damages it: bit flips, truncation, TLV length
 * lies, noise. Seeded as gen4.ts. Tests and benchmarks only.
 */
import type { Rng } from "./rng.ts";
import { hostileBytes, hostileWireName } from "./hostile_text.ts";
import { WORLD6 } from "./configs.ts";
import { parseIpv6 } from "../../mod/wire/ipv6.ts";

/** How a query reached the server, for the in-process fuzzer's Arrival6 (the lab sends for real). */
export interface Aim6 {
  /** the outermost layer is a RELAY-FORW */
  relayed: boolean;
  /** sent to ff02::1:2 (true) or to a unicast address of the server */
  multicast: boolean;
}

const PREFIXES = WORLD6.prefixes.map((p) => parseIpv6(p)!);
const SERVER_DUID = [...WORLD6.serverDuid.match(/../g)!.map((h) => parseInt(h, 16))];

function u16(v: number): number[] {
  return [(v >>> 8) & 255, v & 255];
}
function u32(v: number): number[] {
  return [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
}
function tlv(code: number, data: number[]): number[] {
  return [...u16(code), ...u16(data.length), ...data];
}

/** An address in one of the world's prefixes (or anywhere). */
function address(rng: Rng): number[] {
  if (rng.chance(0.15)) return [...rng.bytes(16)];
  const a = [...rng.pick(PREFIXES)];
  if (rng.chance(0.7)) a.splice(14, 2, rng.pick([0x10, 0x20, 0x30, 0x00]), rng.int(256));
  else a.splice(8, 8, ...rng.bytes(8));
  return a;
}

/** A DUID: LLT/LL/EN/UUID from a small pool of clients, the reserved one, or random of any length. */
function duid(rng: Rng): number[] {
  const k = rng.int(10);
  if (k < 7) return [0, 3, 0, 1, 2, 0, 0, 0xf0, rng.int(4), rng.int(64)]; // DUID-LL, a pool of 256 clients
  if (k < 8) return [0, 3, 0, 1, 2, 0, 0, 0, 0, 0x10]; // the reserved DUID
  if (k < 9) return [0, 1, 0, 1, 0, 0, 0, rng.int(4), 2, 0, 0, 0xf1, rng.int(4), rng.int(64)]; // DUID-LLT
  // odd lengths (refused), and now and then (1 %) a random client
  if (rng.chance(0.9)) return [...rng.bytes(rng.pick([0, 1, 2, 129, 200, 1000, 3000]))];
  return [...rng.bytes(rng.pick([3, 18, 128]))];
}

function iaAddr(rng: Rng): number[] {
  const sub = rng.chance(0.1) ? tlv(13, [...u16(rng.int(8)), ...hostileBytes(rng, 40)]) : [];
  const body = [
    ...address(rng),
    ...u32(rng.pick([0, 300, 0xffffffff, rng.u32()])),
    ...u32(rng.pick([0, 600, rng.u32()])),
    ...sub,
  ];
  return tlv(5, rng.chance(0.05) ? body.slice(0, rng.int(body.length)) : body);
}

function iaPrefix(rng: Rng): number[] {
  const len = rng.pick([56, 56, 48, 64, 0, 128, 129, 255, rng.int(256)]);
  const body = [...u32(rng.u32()), ...u32(rng.pick([0, 600, rng.u32()])), len, ...address(rng)];
  if (rng.chance(0.1)) body.push(...tlv(rng.pick([13, 67, rng.int(100)]), [...rng.bytes(rng.int(20))]));
  return tlv(26, rng.chance(0.05) ? body.slice(0, rng.int(body.length)) : body);
}

/** IA_NA (3), IA_TA (4) or IA_PD (25) with IAID, T1, T2 and some addresses or prefixes. */
function ia(rng: Rng): number[] {
  const code = rng.pick([3, 3, 25, 25, 4]);
  const body = [...u32(rng.pick([0, 1, 7, rng.u32()]))];
  if (code !== 4) body.push(...u32(rng.pick([0, 100, rng.u32()])), ...u32(rng.pick([0, 200, rng.u32()])));
  for (let n = rng.int(3); n > 0; n--) body.push(...(code === 25 ? iaPrefix(rng) : iaAddr(rng)));
  if (rng.chance(0.05)) body.push(...tlv(rng.int(100), [...rng.bytes(rng.int(30))]));
  return tlv(code, rng.chance(0.05) ? body.slice(0, rng.int(body.length)) : body);
}

/** Tuples (2-byte length + data) with lengths that sometimes lie, after an enterprise number when `ent`. */
function tuples(rng: Rng, ent: boolean): number[] {
  const out: number[] = ent ? u32(rng.pick([4491, 311, 3561, rng.u32()])) : [];
  for (let n = rng.int(4); n > 0; n--) {
    const d = rng.chance(0.5)
      ? [...new TextEncoder().encode(rng.pick(["iPXE", "docsis3.0", "MSFT 5.0"]))]
      : [...hostileBytes(rng, 60)];
    out.push(...u16(rng.chance(0.1) ? rng.int(65536) : d.length), ...d);
  }
  return out;
}

/** One option of a client message from the palette. */
function option(rng: Rng): number[] {
  switch (rng.int(16)) {
    case 0:
      return rng.chance(0.3) ? tlv(1, duid(rng)) : tlv(8, [0, rng.int(256)]); // sometimes a second client-id
    case 1:
      return rng.chance(0.3) ? tlv(2, rng.chance(0.6) ? SERVER_DUID : duid(rng)) : tlv(20, []);
    case 2:
    case 3:
    case 4:
      return ia(rng);
    case 5:
      return tlv(6, [...rng.bytes(rng.pick([0, 1, 2, 4, 8, 9, 40]))]);
    case 6:
      return tlv(8, [...rng.bytes(rng.pick([2, 2, 0, 3]))]);
    case 7:
      return tlv(14, rng.chance(0.9) ? [] : [...rng.bytes(3)]);
    case 8:
      return tlv(15, tuples(rng, false));
    case 9:
      return tlv(16, tuples(rng, true));
    case 10:
      return tlv(17, [...u32(rng.pick([4491, rng.u32()])), ...rng.bytes(rng.int(40))]);
    case 11:
    case 12:
      return tlv(39, [rng.int(8) | (rng.chance(0.05) ? 0xf8 : 0), ...hostileWireName(rng)]);
    case 13:
      return tlv(rng.pick([20, 21, 23, 24, 65001, 65002, rng.int(65536)]), [...rng.bytes(rng.int(60))]);
    case 14:
      return tlv(rng.range(1, 200), [...rng.bytes(rng.pick([255, 1000]))]); // overlong
    default:
      return tlv(rng.pick([11, 12, 13, 19, 79]), [...rng.bytes(rng.int(30))]); // options a client should not send
  }
}

/** Message types, weighted as a LAN sends them, with a few a server must refuse (ADVERTISE, REPLY, RELAY-REPL…). */
const TYPES = [1, 1, 1, 1, 1, 1, 3, 3, 3, 5, 5, 5, 6, 6, 8, 8, 9, 4, 11, 11, 2, 7, 10, 13, 255];
const NEEDS_SERVER_ID = new Set([3, 5, 8, 9]);

/**
 * A client message: type, transaction id, usually one client-id, the server's id where the type needs it, an IA
 * for most types, then palette options in random order.
 */
function message(rng: Rng): number[] {
  const type = rng.pick(TYPES);
  const out = [type, ...rng.bytes(3)];
  if (rng.chance(0.95)) out.push(...tlv(1, duid(rng)));
  if (NEEDS_SERVER_ID.has(type) && rng.chance(0.9)) out.push(...tlv(2, SERVER_DUID));
  if (type !== 11 && rng.chance(0.85)) out.push(...ia(rng));
  for (let n = rng.range(0, 6); n > 0; n--) out.push(...option(rng));
  return out;
}

/** Wraps `inner` in one RELAY-FORW layer: hop count, link and peer address, relay options, relay-message(s). */
function relayForw(rng: Rng, inner: number[], hops: number): number[] {
  const out = [rng.chance(0.97) ? 12 : 13, rng.chance(0.9) ? hops : rng.int(256)];
  out.push(...(rng.chance(0.7) ? parseIpv6(rng.pick(WORLD6.relays))! : address(rng)), ...address(rng));
  const opts: number[][] = [];
  if (rng.chance(0.4)) {
    opts.push(tlv(18, rng.chance(0.5) ? [...new TextEncoder().encode("ethx")] : [...rng.bytes(rng.int(40))]));
  }
  if (rng.chance(0.3)) opts.push(tlv(37, [...u32(3561), ...hostileBytes(rng, 40)]));
  if (rng.chance(0.2)) opts.push(tlv(38, [...hostileBytes(rng, 40)]));
  if (rng.chance(0.3)) {
    opts.push(tlv(79, [...u16(rng.pick([1, 1, 6, rng.int(65536)])), ...rng.bytes(rng.pick([6, 6, 0, 20, 21, 300]))]));
  }
  const msgs = rng.chance(0.97) ? 1 : rng.pick([0, 2]);
  for (let i = 0; i < msgs; i++) opts.splice(rng.int(opts.length + 1), 0, tlv(9, inner));
  for (const o of opts) out.push(...o);
  return out;
}

/** One plausible query and where it is aimed: a client message, relayed through 0..34 RELAY-FORW layers. */
export function query6(rng: Rng): { bytes: Uint8Array; aim: Aim6 } {
  let bytes = message(rng);
  const layers = rng.chance(0.6) ? 0 : rng.chance(0.9) ? rng.range(1, 3) : rng.range(4, 34);
  for (let i = 0; i < layers; i++) bytes = relayForw(rng, bytes, layers - 1 - i);
  return {
    bytes: new Uint8Array(bytes),
    aim: { relayed: layers > 0, multicast: layers === 0 ? rng.chance(0.9) : rng.chance(0.2) },
  };
}

/** Damages a query: bit flips, a TLV length that lies, random bytes, truncation, noise (a quarter stays intact). */
export function damage6(rng: Rng, b: Uint8Array): Uint8Array {
  const k = rng.int(12);
  if (k < 3) return b;
  const out = b.slice();
  if (k < 6) {
    for (let n = rng.range(1, 8); n > 0; n--) out[rng.int(out.length)] ^= 1 << rng.int(8);
  } else if (k < 8) {
    // overwrite a 16-bit length somewhere after a plausible option header (offsets 4+ in a message)
    for (let n = rng.range(1, 3); n > 0 && out.length > 8; n--) {
      const at = rng.range(4, out.length - 2);
      out[at] = rng.pick([0, 0xff, out[at] + 1]);
      out[at + 1] = rng.int(256);
    }
  } else if (k < 9) {
    for (let n = rng.range(1, 16); n > 0; n--) out[rng.int(out.length)] = rng.int(256);
  } else if (k < 11) {
    return out.subarray(0, rng.int(out.length));
  } else {
    return rng.bytes(rng.int(700));
  }
  return out;
}

/** Case `rng`: a query, damaged or not, and where it is aimed. */
export function packet6(rng: Rng): { bytes: Uint8Array; aim: Aim6 } {
  const q = query6(rng);
  return { bytes: damage6(rng, q.bytes), aim: q.aim };
}
