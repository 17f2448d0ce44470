/**
 * Domain names in DNS wire form (RFC 1035 §3.1), as the `fqdn` option data type carries them: a sequence of
 * length-prefixed labels ending with a zero byte. Used by domain-search (RFC 3397), the client FQDN option
 * (RFC 4702 §2.3) and every other fqdn-typed option.
 */
import { OptionDataError } from "./types.ts";
import { DecodeError } from "../wire/errors.ts";

const enc = new TextEncoder();
// ignoreBOM: a label is data, so a leading U+FEFF is kept (the default decoder would drop it and empty the label)
const dec = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * Encodes "host.example.org" or "host.example.org." as wire labels. `partial` leaves out the final zero byte
 * (RFC 4702 §2.3.1, a partial name). Labels must be 1..63 bytes and the whole name at most 255 bytes (RFC 1035
 * §2.3.4), as Kea's `isc::dns::Name` enforces; "." alone is the root name (one zero byte).
 */
export function encodeName(text: string, partial = false): Uint8Array {
  let t = text.trim();
  if (t === "." || (t === "" && !partial)) {
    if (t === "" && !partial) throw new OptionDataError(`'' is not a domain name (empty)`);
    return new Uint8Array([0]);
  }
  if (t.endsWith(".")) t = t.slice(0, -1);
  const out: number[] = [];
  if (t !== "") {
    for (const label of t.split(".")) {
      const b = enc.encode(label);
      if (b.length === 0) throw new OptionDataError(`'${text}' is not a domain name (empty label)`);
      if (b.length > 63) {
        throw new OptionDataError(`'${text}' is not a domain name (label '${label}' is over 63 bytes)`);
      }
      out.push(b.length, ...b);
    }
  }
  if (!partial) out.push(0);
  if (out.length > 255) throw new OptionDataError(`'${text}' is not a domain name (over 255 bytes)`);
  return new Uint8Array(out);
}

/** A name read from wire form: its text (with a trailing "." when it ended with the root label) and the next offset. */
export interface WireName {
  name: string;
  /** true when the name ran to the end of the data without a root label (RFC 4702 partial name) */
  partial: boolean;
  next: number;
}

/**
 * Reads one wire name at `off` in `b[0, end)`. Compression pointers (RFC 1035 §4.1.4) are followed within `b`, as
 * RFC 3397 §2 allows in domain-search; a loop, a bad pointer or a label past the end throws a {@link DecodeError}
 * with the offset. With `allowPartial`, running out of data ends a partial name instead of failing.
 */
export function readName(b: Uint8Array, off: number, end = b.length, allowPartial = false): WireName {
  const labels: string[] = [];
  let i = off, next = -1, jumps = 0;
  for (;;) {
    if (i >= end) {
      if (allowPartial && next < 0) return { name: labels.join("."), partial: true, next: i };
      throw new DecodeError("domain name runs past the end of the option", i);
    }
    const n = b[i];
    if (n === 0) {
      if (next < 0) next = i + 1;
      return { name: labels.join(".") + ".", partial: false, next };
    }
    if ((n & 0xc0) === 0xc0) {
      if (i + 1 >= end) throw new DecodeError("truncated compression pointer in domain name", i);
      const target = ((n & 0x3f) << 8) | b[i + 1];
      if (next < 0) next = i + 2;
      if (target >= end || ++jumps > 64) throw new DecodeError("bad compression pointer in domain name", i);
      i = target;
      continue;
    }
    if (n > 63) throw new DecodeError(`bad label length ${n} in domain name`, i);
    if (i + 1 + n > end) {
      throw new DecodeError("domain name label runs past the end of the option", i);
    }
    labels.push(dec.decode(b.subarray(i + 1, i + 1 + n)));
    i += 1 + n;
  }
}
