/**
 * Text a hostile or broken client puts where a name or a label is expected: labels over 63 octets, names over
 * 255, empty labels, control characters that forge log lines, terminal escapes, bidi overrides, bytes that are not
 * UTF-8, NULs, format strings, quotes and JSON breakers. Used by every fuzzer's generator.
 */
import type { Rng } from "./rng.ts";

const enc = new TextEncoder();

const PIECES = [
  "host",
  "kiosk-7",
  "printer",
  "lab.test",
  "example.org.",
  ".",
  "..",
  "\n",
  "\r\n2026-01-01 00:00:00.000 INFO  [kea-dhcp4/1] DHCP4_LEASE_ALLOC forged",
  "\x1b[2J",
  "\x07",
  "\x00",
  "\u202e",
  "\u2028",
  "\ufeff",
  "é",
  "日本",
  "😀",
  "%s%n%x",
  "'\"\\",
  '{"a":1}',
  "_",
  " ",
  "-",
  "*",
];

/** A hostile string of up to about `max` characters built from risky pieces and long runs. */
export function hostileString(rng: Rng, max = 300): string {
  let s = "";
  const parts = rng.range(1, 6);
  for (let i = 0; i < parts && s.length < max; i++) {
    const k = rng.int(10);
    if (k < 5) s += rng.pick(PIECES);
    else if (k < 8) s += rng.pick(["a", "x", "0", "k"]).repeat(rng.pick([1, 62, 63, 64, 65, 127, 200, 255]));
    else s += Array.from({ length: rng.range(2, 40) }, () => rng.pick(["ab", "c", "", "d".repeat(60)])).join(".");
  }
  return s.slice(0, max);
}

/** Hostile bytes of at most `max`: a hostile string as UTF-8, sometimes with raw non-UTF-8 bytes mixed in. */
export function hostileBytes(rng: Rng, max = 255): Uint8Array {
  const b = enc.encode(hostileString(rng, max));
  if (rng.chance(0.3)) {
    for (let i = 0; i < 3 && b.length; i++) b[rng.int(b.length)] = rng.pick([0x80, 0xc0, 0xff, 0xfe, 0xed]);
  }
  return b.subarray(0, max);
}

/** A DNS wire-form name built from hostile labels: length bytes may lie, labels may be long, the root may be absent. */
export function hostileWireName(rng: Rng, max = 252): Uint8Array {
  const out: number[] = [];
  const labels = rng.range(0, 8);
  for (let i = 0; i < labels && out.length < max; i++) {
    const text = enc.encode(rng.chance(0.5) ? rng.pick(["host", "lab", "test", "a"]) : hostileString(rng, 80));
    const len = rng.chance(0.1) ? rng.int(256) : Math.min(text.length, 255);
    out.push(len, ...text.subarray(0, Math.min(len, text.length)));
  }
  if (rng.chance(0.6)) out.push(0);
  if (rng.chance(0.05)) out.push(0xc0, rng.int(256)); // a compression pointer, never valid in an option
  return new Uint8Array(out.slice(0, max));
}
