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

/** The uncompressed wire form of a name (RFC 1035 §3.1); `lower` gives the canonical form of RFC 4034 §6.2. */
export function nameToWire(name: string, lower = false): Uint8Array {
  const labels = nameLabels(lower ? name.toLowerCase() : name);
  const bytes = labels.map(labelBytes);
  let n = 1;
  for (const b of bytes) n += b.length + 1;
  const out = new Uint8Array(n);
  let o = 0;
  for (const b of bytes) {
    out[o] = b.length;
    out.set(b, o + 1);
    o += b.length + 1;
  }
  return out; // the last octet is already the root label 0
}

/** Writes one label (length octet + bytes); ASCII characters go straight into the writer. */
function writeLabel(w: Writer, l: string): void {
  if (nonAscii(l)) {
    const b = enc.encode(l);
    w.u8(b.length).bytes(b);
    return;
  }
  w.u8(l.length);
  for (let i = 0; i < l.length; i++) w.u8(l.charCodeAt(i));
}

/**
 * Writes a name, using and filling a compression table (RFC 1035 §4.1.4) when one is given: each suffix is looked
 * up case-insensitively; the first time a suffix is written its offset (if < 0x4000) is remembered.
 */
export function writeName(w: Writer, name: string, table?: Map<string, number>): void {
  const labels = nameLabels(name);
  // the suffix starting at label i is a slice of the lower-cased dotted name (no trailing dot)
  const joined = table && labels.length ? labels.join(".") : "";
  const lower = joined.toLowerCase();
  // a few non-ASCII characters change length when lower-cased: those names build each suffix key separately
  const sliceable = lower.length === joined.length;
  let at = 0;
  for (let i = 0; i < labels.length; i++) {
    if (table) {
      const key = sliceable ? lower.slice(at) : labels.slice(i).join(".").toLowerCase();
      const ptr = table.get(key);
      if (ptr !== undefined) {
        w.u16(0xc000 | ptr);
        return;
      }
      if (w.pos < 0x4000) table.set(key, w.pos);
      at += labels[i].length + 1;
    }
    writeLabel(w, labels[i]);
  }
  w.u8(0);
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
  return ascii ? String.fromCharCode(...buf.subarray(at, at + len)) : dec.decode(buf.subarray(at, at + len));
}

/** True when two names are equal ignoring case and the trailing dot (RFC 4343). */
export function sameName(a: string, b: string): boolean {
  return canonicalName(a) === canonicalName(b);
}
