/**
 * Mutated NameChangeRequest datagrams for the D2 fuzzers (issue 9 item 9): a valid NCR in Kea's JSON (fields as
 * kea-dhcp4 writes them; see validNcr for the zones) whose fields are then replaced by wrong
 * types, absurd numbers, hostile names, bad addresses, odd or huge DHCIDs, unknown and prototype-polluting keys;
 * whose JSON text is cut, flipped or buried in nesting; and whose 2-byte length prefix lies or disappears. Seeded
 * as gen4.ts. Tests and benchmarks only.
 */
import type { Rng } from "./rng.ts";
import { hostileString } from "./hostile_text.ts";

const enc = new TextEncoder();

/**
 * A valid NCR object as Kea 2.2's kea-dhcp4 sends it, for client `n` of a pool. Most name fuzz.invalid. and an
 * address of 203.0.113.0/24 (zones the lab's D2 does not serve: it drops them at once, so a flood does not turn
 * into a flood of UPDATEs against the lab's BIND); 3 % name lab.test. and 198.18.0.0/16, which it does serve.
 */
export function validNcr(rng: Rng, n = rng.int(200)): Record<string, unknown> {
  const dhcid = Array.from(rng.bytes(32), (b) => b.toString(16).padStart(2, "0")).join("").toUpperCase();
  const served = rng.chance(0.03);
  return {
    "change-type": rng.int(2),
    "forward-change": rng.chance(0.9),
    "reverse-change": rng.chance(0.8),
    fqdn: served ? `fz${n}.lab.test.` : `fz${n}.fuzz.invalid.`,
    "ip-address": served ? `198.18.${1 + (n >> 8)}.${n & 255}` : `203.0.113.${n & 255}`,
    dhcid: "000101" + dhcid, // identifier type 1, digest type 1 (SHA-256), 32-octet digest (RFC 4701 §3)
    "lease-expires-on": "20301127180000",
    "lease-length": rng.pick([600, 1200, 3600]),
    "use-conflict-resolution": rng.chance(0.8),
  };
}

/** A wrong value of any JSON type, or an absurd one. */
function junkValue(rng: Rng): unknown {
  switch (rng.int(12)) {
    case 0:
      return null;
    case 1:
      return rng.pick([true, false]);
    case 2:
      return rng.pick([-1, 0, 1, 2, 1e308, -1e308, 4294967296, 0.5, -0, 2 ** 53 + 1]);
    case 3:
      return hostileString(rng, 300);
    case 4:
      return [];
    case 5:
      return { nested: { deeper: [1, "2", null] } };
    case 6:
      return "x".repeat(rng.pick([0, 1, 256, 5000]));
    default:
      return rng.pick(["", "0", "1", "true", "add", "remove", "::", "0.0.0.0"]);
  }
}

/** Replaces fields of a valid NCR with hostile or wrong values (the JSON stays well-formed). */
function mangleFields(rng: Rng, o: Record<string, unknown>): void {
  for (let n = rng.range(1, 3); n > 0; n--) {
    switch (rng.int(10)) {
      case 0:
        o.fqdn = rng.chance(0.5) ? hostileString(rng, 400) : `${"a".repeat(rng.pick([63, 64]))}.fuzz.invalid.`;
        break;
      case 1:
        o["ip-address"] = rng.pick([
          "198.18.1.300",
          "198.18.1",
          "::ffff:198.18.1.1",
          "2001:db8:a::1",
          "2001:db8::1::2",
          "fe80::1%eth0",
          "1.2.3.4\n",
          hostileString(rng, 60),
        ]);
        break;
      case 2:
        o.dhcid = rng.pick(["", "0", "ABC", "zz", "00".repeat(rng.pick([1, 3, 5000, 30000]))]);
        break;
      case 3:
        o["lease-expires-on"] = rng.pick(["", "2030", "99999999999999", "20301301250000", hostileString(rng, 20)]);
        break;
      case 4:
        o["conflict-resolution-mode"] = rng.pick(["check-with-dhcid", "no-check-without-dhcid", "bogus", 7]);
        break;
      case 5:
        delete o[rng.pick(Object.keys(o))];
        break;
      case 6:
        o[rng.pick(["__proto__", "constructor", "prototype", "toString", hostileString(rng, 20)])] = junkValue(rng);
        break;
      default:
        o[rng.pick(Object.keys(validNcr(rng)))] = junkValue(rng);
    }
  }
}

/** JSON text damage: truncation, flipped or inserted characters, deep nesting, a second document, noise. */
function mangleText(rng: Rng, t: string): string {
  switch (rng.int(7)) {
    case 0:
      return t.slice(0, rng.int(t.length));
    case 1: {
      const i = rng.int(t.length);
      return t.slice(0, i) + rng.pick(['"', "}", "{", ",", "\\", "\u0000", "\ud800", "]", ":"]) + t.slice(i + 1);
    }
    case 2:
      return "[".repeat(rng.pick([100, 5000, 20000])) + t;
    case 3:
      return t + t;
    case 4:
      return rng.pick(["", "null", "[]", "0", '""', "{}", "true", "\ufeff" + t]);
    case 5:
      return t.replace(/"/g, rng.pick(["'", ""]));
    default:
      return hostileString(rng, 500);
  }
}

/** Frames `body` with a 2-byte length prefix that usually tells the truth, sometimes lies, sometimes is missing. */
function frame(rng: Rng, body: Uint8Array): Uint8Array {
  const k = rng.int(10);
  if (k === 0) return body; // no prefix at all
  const len = k === 1 ? rng.int(65536) : k === 2 ? Math.max(0, body.length - rng.range(1, 10)) : body.length;
  const out = new Uint8Array(body.length + 2);
  out[0] = (len >>> 8) & 255;
  out[1] = len & 255;
  out.set(body, 2);
  return out;
}

/**
 * One datagram for D2: a valid NCR (a third of the cases), or one with mangled fields, mangled JSON text, broken
 * UTF-8, a lying length prefix, or pure noise.
 */
export function ncrDatagram(rng: Rng): Uint8Array {
  const o = validNcr(rng);
  const k = rng.int(12);
  if (k >= 4 && k < 8) mangleFields(rng, o);
  let text = JSON.stringify(o);
  if (k >= 8 && k < 10) text = mangleText(rng, text);
  let body = enc.encode(text).subarray(0, 65000);
  if (k === 10) {
    body = body.slice();
    for (let n = rng.range(1, 4); n > 0 && body.length; n--) {
      body[rng.int(body.length)] = rng.pick([0x80, 0xff, 0xc3, 0]);
    }
  }
  if (k === 11) return rng.bytes(rng.int(600));
  return k < 4 ? withPrefix(body) : frame(rng, body);
}

/** Kea's framing: the 2-byte big-endian length of the body, then the body. */
function withPrefix(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 2);
  out[0] = body.length >>> 8;
  out[1] = body.length & 255;
  out.set(body, 2);
  return out;
}
