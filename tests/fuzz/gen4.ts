/**
 * Mutated DHCPv4 queries for the fuzzers (issue 9 item 9): each case first builds a plausible query aimed at the
 * fuzz configuration (tests/fuzz/configs.ts: its servers, relays, pools, reserved clients; a small pool of client
 * MACs so leases, offers, renewals and releases meet again), with options drawn from a palette of what clients,
 * relays and attackers send (host names and FQDNs with hostile text, client-ids up to 255 bytes, vendor and user
 * classes, relay agent sub-options, vendor-identifying options, overload, random codes, overlong payloads), then
 * often damages it: bit flips, truncation, option length lies, random bytes, noise. Seeded: `packet4(new
 * Rng(caseSeed(seed, i)))` rebuilds case i exactly. Tests and benchmarks only.
 */
import type { Rng } from "./rng.ts";
import { hostileBytes, hostileString, hostileWireName } from "./hostile_text.ts";
import { WORLD4 } from "./configs.ts";

const enc = new TextEncoder();

/** How a query reached the server, for the in-process fuzzer's Arrival (the lab sends for real). */
export interface Aim4 {
  /** "eth0" or "eth1" for a direct client, "eth0" with a giaddr for a relayed one */
  iface: string;
  /** the relay address when relayed, else 0 */
  giaddr: number;
}

const u32 = (v: number) => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];

function addressIn(rng: Rng): number {
  const k = rng.int(10);
  if (k < 6) {
    const [a, b] = rng.pick(WORLD4.pools);
    return a + rng.int(b - a + 1);
  }
  if (k < 8) return rng.pick([...WORLD4.servers, ...WORLD4.relays, 0xc612000a, 0xc612000b, 0xc612000d]);
  return rng.u32();
}

/** A client MAC: the reserved ones, a population of 192, and now and then (0.5 %) a random one. */
function mac(rng: Rng): number[] {
  if (rng.chance(0.1)) return rng.pick(WORLD4.reservedMacs);
  if (rng.chance(0.005)) return [...rng.bytes(6)];
  return [2, 0, 0, 0xf0, rng.int(4), rng.int(48)];
}

type Opt = [code: number, payload: number[]];

function text(s: string): number[] {
  return [...enc.encode(s)].slice(0, 255);
}

/** Option 81: flags (sometimes N and S both), rcodes, a wire or ASCII name, normal or hostile. */
function fqdn(rng: Rng): number[] {
  const e = rng.chance(0.7);
  const flags = (rng.chance(0.6) ? 1 : 0) | (e ? 4 : 0) | (rng.chance(0.1) ? 8 : 0) | (rng.chance(0.05) ? 0xf0 : 0);
  const name = e
    ? (rng.chance(0.5) ? [4, ...text("cli1"), 3, ...text("lab"), 4, ...text("test"), 0] : [...hostileWireName(rng)])
    : rng.chance(0.5)
    ? text("cli1.lab.test.")
    : [...hostileBytes(rng, 240)];
  return [flags, rng.pick([0, 0, 255]), rng.pick([0, 0, 255]), ...name].slice(0, 255);
}

/** Option 82: sub-options 1, 2, 5, 11, 19, 151 and random ones, some with lying lengths. */
function relayAgent(rng: Rng): number[] {
  const out: number[] = [];
  for (let i = rng.range(1, 5); i > 0; i--) {
    const code = rng.pick([1, 1, 2, 5, 11, 19, 151, 152, rng.int(256)]);
    let data: number[];
    if (code === 1) data = text(rng.pick(["eth0/1", "eth0/9", hostileString(rng, 60)]));
    else if (code === 5 || code === 11) data = rng.chance(0.8) ? u32(addressIn(rng)) : [...rng.bytes(rng.int(9))];
    else if (code === 19) data = [...rng.bytes(rng.pick([2, 2, 0, 3]))];
    else data = [...rng.bytes(rng.int(40))];
    const len = rng.chance(0.1) ? rng.int(256) : data.length;
    out.push(code, len, ...data);
  }
  return out.slice(0, 255);
}

/** Options 124/125: enterprise numbers (4491 CableLabs, 3561 Broadband Forum, random) with tuples or sub-options. */
function vendorIdentifying(rng: Rng): number[] {
  const out: number[] = [];
  for (let i = rng.range(1, 3); i > 0; i--) {
    out.push(...u32(rng.pick([4491, 3561, 311, rng.u32()])));
    const data = [...rng.bytes(rng.int(30))];
    out.push(rng.chance(0.2) ? rng.int(256) : data.length, ...data);
  }
  return rng.chance(0.2) ? out.slice(0, rng.int(out.length + 1)) : out.slice(0, 255);
}

/** One option from the palette. */
function option(rng: Rng, aim: Aim4): Opt {
  switch (rng.int(22)) {
    case 0: // client-id: type 1 + MAC, a population of RFC 4361 ids, odd lengths; rarely random (0.5 %)
      return [
        61,
        rng.chance(0.6)
          ? [1, ...mac(rng)]
          : rng.chance(0.99)
          ? [0xff, 0, 0, 0, rng.int(4), 0, 3, 0, 1, 2, 0, 0, 0xf2, rng.int(4), rng.int(32)].slice(
            0,
            rng.pick([15, 15, 1, 2, 7]),
          )
          : [...rng.bytes(rng.pick([0, 1, 2, 7, 19, 64, 255]))],
      ];
    case 1:
      return [50, rng.chance(0.9) ? u32(addressIn(rng)) : [...rng.bytes(rng.int(8))]];
    case 2:
      return [54, rng.chance(0.9) ? u32(rng.pick([...WORLD4.servers, addressIn(rng)])) : [...rng.bytes(rng.int(8))]];
    case 3:
    case 4:
      return [12, rng.chance(0.4) ? text(`host-${rng.int(1000)}`) : [...hostileBytes(rng)]];
    case 5:
    case 6:
      return [81, fqdn(rng)];
    case 7:
      return [55, [...rng.bytes(rng.int(60))]];
    case 8:
      return [57, rng.chance(0.8) ? [rng.int(256), rng.int(256)] : [...rng.bytes(rng.int(5))]];
    case 9:
      return [
        60,
        rng.chance(0.6)
          ? text(rng.pick(["PXEClient:Arch:00000:UNDI:002001", "MSFT 5.0", "evil-drop", "docsis3.0"]))
          : [...hostileBytes(rng)],
      ];
    case 10:
      return [77, rng.chance(0.5) ? text("iPXE") : [...rng.bytes(rng.int(40))]];
    case 11:
      return aim.giaddr || rng.chance(0.3) ? [82, relayAgent(rng)] : [118, u32(addressIn(rng))];
    case 12:
      return [rng.pick([124, 125]), vendorIdentifying(rng)];
    case 13:
      return [43, [...rng.bytes(rng.int(60))]];
    case 14:
      return [51, rng.chance(0.8) ? u32(rng.pick([0, 1, 60, 600, 0xffffffff, rng.u32()])) : [...rng.bytes(3)]];
    case 15:
      return [rng.pick([93, 94, 97]), [...rng.bytes(rng.pick([2, 3, 17, 0, 40]))]];
    case 16:
      return [118, rng.chance(0.8) ? u32(addressIn(rng)) : [...rng.bytes(rng.int(6))]];
    case 17:
      return [rng.pick([1, 3, 6, 15, 28, 33, 42, 66, 67, 119, 121, 150, 175, 222, 223, 224]), [
        ...rng.bytes(rng.int(30)),
      ]];
    case 18:
      return [rng.int(256), [...rng.bytes(rng.pick([0, 1, 4, 255]))]];
    case 19:
      return [rng.range(1, 254), [...rng.bytes(255)]]; // an overlong option
    case 20:
      return [53, [rng.pick([1, 3, 4, 7, 8, rng.int(20)])]]; // a second message type
    default:
      return [52, [rng.pick([1, 2, 3, 0, 7])]]; // overload: sname/file hold options (garbage when mangled)
  }
}

const TYPES = [1, 1, 1, 3, 3, 3, 3, 4, 7, 8];

/**
 * One plausible query: header, magic cookie, option 53 (absent in a BOOTP query), palette options (sometimes split into two instances,
 * RFC 3396), END; and where it is aimed (`aim`: direct on eth0/eth1 or relayed through LAN C's relay).
 */
export function query4(rng: Rng): { bytes: Uint8Array; aim: Aim4 } {
  const relayed = rng.chance(0.3);
  const aim: Aim4 = { iface: rng.chance(0.8) ? "eth0" : "eth1", giaddr: relayed ? rng.pick(WORLD4.relays) : 0 };
  const p = new Uint8Array(rng.chance(0.9) ? 548 : 1500);
  p[0] = rng.chance(0.97) ? 1 : rng.int(256);
  p[1] = rng.chance(0.95) ? 1 : rng.int(256);
  p[2] = rng.chance(0.9) ? 6 : rng.pick([0, 16, 17, 255]);
  p[3] = relayed ? rng.range(1, 3) : 0;
  p.set(rng.bytes(4), 4); // xid
  p[10] = rng.chance(0.5) ? 0x80 : 0; // broadcast flag
  if (rng.chance(0.25)) p.set(u32(addressIn(rng)), 12); // ciaddr
  if (rng.chance(0.05)) p.set(u32(addressIn(rng)), 16); // yiaddr
  if (relayed) p.set(u32(aim.giaddr), 24);
  p.set(mac(rng), 28);
  if (rng.chance(0.1)) p.set(rng.bytes(192), 44); // sname + file: garbage (an overload reads it)
  p.set(rng.chance(0.98) ? [99, 130, 83, 99] : [...rng.bytes(4)], 236);
  // now and then a BOOTP query: no message type (the fuzz config loads libdhcp_bootp.so)
  const opts: Opt[] = rng.chance(0.04) ? [] : [[53, [rng.pick(TYPES)]]];
  for (let n = rng.range(0, 9); n > 0; n--) opts.push(option(rng, aim));
  let at = 240;
  for (const [code, payload] of opts) {
    const split = payload.length > 8 && rng.chance(0.05) ? rng.range(1, payload.length - 1) : payload.length;
    for (const part of [payload.slice(0, split), payload.slice(split)]) {
      if (!part.length && split !== 0) continue;
      if (at + 2 + part.length >= p.length - 1) break;
      p[at++] = code;
      p[at++] = part.length;
      p.set(part, at);
      at += part.length;
      if (rng.chance(0.03)) p[at++] = 0; // a pad between options
    }
  }
  if (rng.chance(0.95)) p[at++] = 255;
  const end = rng.chance(0.1) ? Math.min(p.length, at + rng.int(60)) : Math.max(at, 300);
  if (end > at) p.set(rng.bytes(end - at).map((b, i) => (i === 0 || rng.chance(0.9) ? 0 : b)), at);
  return { bytes: p.subarray(0, end), aim };
}

/** Damages a query in place or returns a shorter copy: bit flips, length lies, random bytes, truncation, noise. */
export function damage4(rng: Rng, b: Uint8Array): Uint8Array {
  const k = rng.int(12);
  if (k < 4) return b; // a quarter of the cases stay well-formed: they reach the deepest paths
  const out = b.slice();
  if (k < 6) {
    for (let n = rng.range(1, 8); n > 0; n--) out[rng.int(out.length)] ^= 1 << rng.int(8);
  } else if (k < 8) {
    // an option length byte that lies: walk the options and change one length
    let at = 240, seen = 0;
    const target = rng.int(8);
    while (at + 1 < out.length && out[at] !== 255) {
      if (out[at] === 0) {
        at++;
        continue;
      }
      if (seen++ === target) {
        out[at + 1] = rng.pick([0, 1, 255, rng.int(256), out[at + 1] + 1, Math.max(0, out[at + 1] - 1)]);
        break;
      }
      at += 2 + out[at + 1];
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
export function packet4(rng: Rng): { bytes: Uint8Array; aim: Aim4 } {
  const q = query4(rng);
  return { bytes: damage4(rng, q.bytes), aim: q.aim };
}
