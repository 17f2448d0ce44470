/**
 * Domain names in wire format (RFC 1035 §3.1, §4.1.4): text ⇄ labels, compression pointers on reading, and an
 * optional compression table for writing. Names are handled as absolute text with a trailing dot ("a.b.")
 * and compared case-insensitively (RFC 4343). The text forms (absolute, canonical, labels) live in
 * mod/wire/dns_name.ts, which the configuration shares, and are re-exported here for the codec's callers.
 */
import type { Reader, Writer } from "../../wire/bytes.ts";
import { DecodeError } from "../../wire/errors.ts";
import { absoluteName, canonicalName, nameLabels, nameProblem, nonAscii } from "../../wire/dns_name.ts";

const enc = new TextEncoder();
// ignoreBOM: a label is data, so a leading U+FEFF is kept (the default decoder would drop it and empty the label)
const dec = new TextDecoder("utf-8", { ignoreBOM: true });

export { absoluteName, canonicalName, nameLabels, nameProblem };

/** Label bytes; plain ASCII (the usual case) skips TextEncoder, which costs microseconds per call in Deno. */
function labelBytes(l: string): Uint8Array {
  if (nonAscii(l)) return enc.encode(l);
  const b = new Uint8Array(l.length);
  for (let i = 0; i < l.length; i++) b[i] = l.charCodeAt(i);
  return b;
}

/** What writing a name needs, worked out once per name text: see {@link infoOf}. */
interface NameInfo {
  /** uncompressed wire form (RFC 1035 §3.1) in the text's own case */
  wire: Uint8Array;
  /** where label i starts in `wire` (one entry per label, then the root label's offset) */
  at: number[];
  /** compression-table key of the suffix from label i: its labels joined by dots, lower-cased */
  keys: string[];
}

/**
 * Names seen lately (D2 writes the same zone, owner and PTR target several times per NCR). Bounded (rule 8): a
 * name text is cached at most once and the whole cache is dropped when it reaches {@link NAME_CACHE_MAX} entries.
 */
const infoCache = new Map<string, NameInfo>();
const NAME_CACHE_MAX = 512;

/** The labels, wire form and suffix keys of `name`; throws as {@link nameLabels} does for a name that cannot be written. */
function infoOf(name: string): NameInfo {
  let info = infoCache.get(name);
  if (info) return info;
  const labels = nameLabels(name);
  const bytes = labels.map(labelBytes);
  let n = 1;
  for (const b of bytes) n += b.length + 1;
  const wire = new Uint8Array(n);
  const at: number[] = [];
  let o = 0;
  for (const b of bytes) {
    at.push(o);
    wire[o] = b.length;
    wire.set(b, o + 1);
    o += b.length + 1;
  }
  at.push(o); // the last octet is already the root label 0
  // the suffix starting at label i is a slice of the lower-cased dotted name (no trailing dot); a few non-ASCII
  // characters change length when lower-cased: those names build each suffix key separately
  const joined = labels.join("."), lower = joined.toLowerCase();
  const keys: string[] = [];
  for (let i = 0, c = 0; i < labels.length; c += labels[i].length + 1, i++) {
    keys.push(lower.length === joined.length ? lower.slice(c) : labels.slice(i).join(".").toLowerCase());
  }
  info = { wire, at, keys };
  if (infoCache.size >= NAME_CACHE_MAX) infoCache.clear();
  infoCache.set(name, info);
  return info;
}

/** The uncompressed wire form of a name (RFC 1035 §3.1); `lower` gives the canonical form of RFC 4034 §6.2. */
export function nameToWire(name: string, lower = false): Uint8Array {
  return infoOf(lower ? name.toLowerCase() : name).wire.slice();
}

/**
 * Writes a name, using and filling a compression table (RFC 1035 §4.1.4) when one is given: each suffix is looked
 * up case-insensitively; the first time a suffix is written its offset (if < 0x4000) is remembered.
 */
export function writeName(w: Writer, name: string, table?: Map<string, number>): void {
  const { wire, at, keys } = infoOf(name);
  if (!table) {
    w.bytes(wire);
    return;
  }
  const start = w.pos;
  for (let i = 0; i < keys.length; i++) {
    const ptr = table.get(keys[i]);
    if (ptr !== undefined) {
      w.bytes(wire.subarray(0, at[i])).u16(0xc000 | ptr);
      return;
    }
    if (start + at[i] < 0x4000) table.set(keys[i], start + at[i]);
  }
  w.bytes(wire);
}

/**
 * Reads a possibly compressed name at the reader's position (RFC 1035 §4.1.4) and leaves the reader after it.
 * Pointers must point backwards; loops and names over 255 octets throw a DecodeError.
 */
export function readName(r: Reader): string {
  const buf = r.buf;
  const labels: string[] = [];
  let pos = r.pos;
  let jumped = false;
  let total = 1;
  let hops = 0;
  for (;;) {
    if (pos >= r.end) throw new DecodeError("truncated domain name", pos);
    const len = buf[pos];
    if (len === 0) {
      pos += 1;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= r.end) throw new DecodeError("truncated compression pointer", pos);
      const target = ((len & 0x3f) << 8) | buf[pos + 1];
      if (target >= pos || ++hops > 127) throw new DecodeError("compression pointer loop or forward pointer", pos);
      if (!jumped) r.pos = pos + 2;
      jumped = true;
      pos = target;
      continue;
    }
    if (len & 0xc0) throw new DecodeError(`unsupported label type 0x${len.toString(16)}`, pos);
    if (pos + 1 + len > r.end) throw new DecodeError("truncated label", pos);
    total += len + 1;
    if (total > 255) throw new DecodeError("domain name longer than 255 octets", pos);
    labels.push(labelText(buf, pos + 1, len));
    pos += 1 + len;
  }
  if (!jumped) r.pos = pos;
  return labels.length ? labels.join(".") + "." : ".";
}

/** Label text; ASCII bytes are converted directly (TextDecoder costs microseconds per call in Deno). */
function labelText(buf: Uint8Array, at: number, len: number): string {
  let ascii = true;
  for (let i = 0; i < len; i++) {
    if (buf[at + i] > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (!ascii) return dec.decode(buf.subarray(at, at + len));
  let t = "";
  for (let i = at; i < at + len; i++) t += String.fromCharCode(buf[i]);
  return t;
}

/** True when two names are equal ignoring case and the trailing dot (RFC 4343). */
export function sameName(a: string, b: string): boolean {
  return canonicalName(a) === canonicalName(b);
}
