/**
 * One codec per option data type (docs/ARCHITECTURE.md rule 4; Kea `OptionDataTypeUtil` and `OptionDefinition::writeToBuffer`):
 * text value → wire bytes, and wire bytes → text value. Standard and custom `option-def` definitions share them.
 * Errors are {@link OptionDataError}s that quote the value; callers prefix the option label.
 */
import { formatIpv4, ipv4At, ipv4Bytes, parseHex, parseIpv4, toColonHex } from "../wire/addr.ts";
import { DecodeError } from "../wire/errors.ts";
import { encodeName, readName } from "./fqdn_wire.ts";
import { formatIpv6, parseIpv6 } from "../wire/ipv6.ts";
import { OptionDataError, type OptionDataType } from "./types.ts";

/** Per-value context: the tuple length width (DHCPv4: 1 byte, except option 143; DHCPv6: 2 bytes). */
export interface ValueCtx {
  tupleLength: 1 | 2;
}

/** A data type codec. `read` consumes one value at `off` (variable-length types consume up to `end`). */
export interface TypeCodec {
  /** fixed wire size, or 0 when variable */
  size: number;
  write(text: string, ctx: ValueCtx): Uint8Array;
  read(b: Uint8Array, off: number, end: number, ctx: ValueCtx): { text: string; next: number };
}

const enc = new TextEncoder();
const dec = new TextDecoder();
const bad = (v: string, what: string) => new OptionDataError(`'${v}' is not ${what}`);

function int(bytes: 1 | 2 | 4, signed: boolean): TypeCodec {
  const bits = bytes * 8;
  const min = signed ? -(2 ** (bits - 1)) : 0;
  const max = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  const typeName = `${signed ? "int" : "uint"}${bits} (${min}..${max})`;
  const what = `${signed ? "an" : "a"} ${typeName}`;
  return {
    size: bytes,
    write(text) {
      const t = text.trim();
      // Kea's lexicalCastWithRangeCheck: decimal, or hexadecimal with a 0x prefix
      let v: number;
      if (/^0x[0-9a-f]+$/i.test(t)) v = parseInt(t.slice(2), 16);
      else if (/^[-+]?\d+$/.test(t)) v = Number(t);
      else throw bad(t, what);
      if (v < min || v > max) throw new OptionDataError(`'${t}' is out of range for ${typeName}`);
      const out = new Uint8Array(bytes);
      for (let i = bytes - 1, x = v < 0 ? 2 ** bits + v : v; i >= 0; i--, x = Math.floor(x / 256)) out[i] = x % 256;
      return out;
    },
    read(b, off, end) {
      if (off + bytes > end) throw new DecodeError(`truncated ${signed ? "int" : "uint"}${bits}`, off);
      let v = 0;
      for (let i = 0; i < bytes; i++) v = v * 256 + b[off + i];
      if (signed && v > max) v -= 2 ** bits;
      return { text: String(v), next: off + bytes };
    },
  };
}

const rest = (b: Uint8Array, off: number, end: number) => b.subarray(off, end);

/** The codec table: one entry per Kea data type that has a generic wire form ("record" and "internal" do not). */
export const TYPE_CODECS: Partial<Record<OptionDataType, TypeCodec>> = {
  "uint8": int(1, false),
  "uint16": int(2, false),
  "uint32": int(4, false),
  "int8": int(1, true),
  "int16": int(2, true),
  "int32": int(4, true),
  "boolean": {
    size: 1,
    write(text) {
      const t = text.trim().toLowerCase();
      if (t === "true" || t === "1") return Uint8Array.of(1);
      if (t === "false" || t === "0") return Uint8Array.of(0);
      throw bad(text.trim(), "a boolean (true, false, 1 or 0)");
    },
    read(b, off, end) {
      if (off >= end) throw new DecodeError("truncated boolean", off);
      if (b[off] > 1) throw new DecodeError(`boolean value ${b[off]} is neither 0 nor 1`, off);
      return { text: b[off] ? "true" : "false", next: off + 1 };
    },
  },
  "ipv4-address": {
    size: 4,
    write(text) {
      const v = parseIpv4(text.trim());
      if (v === undefined) throw bad(text.trim(), "an IPv4 address");
      return ipv4Bytes(v);
    },
    read(b, off, end) {
      if (off + 4 > end) throw new DecodeError("truncated IPv4 address", off);
      return { text: formatIpv4(ipv4At(b, off)), next: off + 4 };
    },
  },
  "ipv6-address": {
    size: 16,
    write(text) {
      const v = parseIpv6(text);
      if (!v) throw bad(text.trim(), "an IPv6 address");
      return v;
    },
    read(b, off, end) {
      if (off + 16 > end) throw new DecodeError("truncated IPv6 address", off);
      return { text: formatIpv6(b.subarray(off, off + 16)), next: off + 16 };
    },
  },
  "ipv6-prefix": {
    size: 0,
    // Kea OptionDataTypeUtil::writePrefix: the length byte, then only the significant bytes of the prefix
    write(text) {
      const m = /^(.+)\/(\d{1,3})$/.exec(text.trim());
      const a = m ? parseIpv6(m[1]) : undefined;
      if (!m || !a || Number(m[2]) > 128) throw bad(text.trim(), "an IPv6 prefix (2001:db8::/48)");
      const len = Number(m[2]);
      const n = Math.ceil(len / 8);
      const out = new Uint8Array(1 + n);
      out[0] = len;
      out.set(a.subarray(0, n), 1);
      if (len % 8) out[n] &= (0xff << (8 - (len % 8))) & 0xff;
      return out;
    },
    read(b, off, end) {
      if (off >= end || b[off] > 128) throw new DecodeError("bad IPv6 prefix length", off);
      const len = b[off], n = Math.ceil(len / 8);
      if (off + 1 + n > end) throw new DecodeError("truncated IPv6 prefix", off);
      const a = new Uint8Array(16);
      a.set(b.subarray(off + 1, off + 1 + n));
      return { text: `${formatIpv6(a)}/${len}`, next: off + 1 + n };
    },
  },
  "psid": {
    size: 3,
    // Kea writePsid (RFC 7597 §5.1): PSID-len byte, then the PSID left-aligned in 16 bits; text "psid/psid-len"
    write(text) {
      const m = /^(\d+)\s*\/\s*(\d+)$/.exec(text.trim());
      if (!m) throw bad(text.trim(), "a PSID ('psid/psid-len', e.g. 3/4)");
      const psid = Number(m[1]), len = Number(m[2]);
      if (len > 16) throw new OptionDataError(`'${text.trim()}': PSID length ${len} is over 16`);
      if (psid > 0xffff) throw new OptionDataError(`'${text.trim()}': PSID ${psid} is over 65535`);
      if (len > 0 && len < 16 && psid >= 2 ** len) {
        throw new OptionDataError(`'${text.trim()}': PSID ${psid} does not fit in ${len} bits`);
      }
      const v = len === 0 ? 0 : (psid << (16 - len)) & 0xffff;
      return Uint8Array.of(len, v >> 8, v & 0xff);
    },
    read(b, off, end) {
      if (off + 3 > end) throw new DecodeError("truncated PSID", off);
      const len = b[off], v = (b[off + 1] << 8) | b[off + 2];
      if (len > 16) throw new DecodeError(`PSID length ${len} is over 16`, off);
      return { text: `${len === 0 ? 0 : v >> (16 - len)}/${len}`, next: off + 3 };
    },
  },
  "string": {
    size: 0,
    write(text) {
      const t = text.trim();
      if (t === "") throw new OptionDataError("a string value must not be empty");
      return enc.encode(t);
    },
    read(b, off, end) {
      // Kea OptionString::unpack: trailing NULs some clients send are dropped
      let e = end;
      while (e > off && b[e - 1] === 0) e--;
      return { text: dec.decode(b.subarray(off, e)), next: end };
    },
  },
  "binary": {
    size: 0,
    write(text) {
      const t = text.trim();
      const q = /^'(.*)'$/s.exec(t) ?? /^"(.*)"$/s.exec(t);
      if (q) return enc.encode(q[1]);
      // Kea's csv binary also takes hex split by whitespace anywhere ("0003 6162 63"): it drops the blanks
      const joined = t.replace(/\s+/g, "");
      const v = parseHex(t) ?? (/^([0-9a-f]{2})+$/i.test(joined) ? parseHex(joined) : undefined);
      if (!v) throw bad(t, "hexadecimal data (e.g. 0a:0b:0c or 0A0B0C)");
      return v;
    },
    read(b, off, end) {
      return { text: toColonHex(rest(b, off, end)), next: end };
    },
  },
  "fqdn": {
    size: 0,
    write(text) {
      return encodeName(text);
    },
    read(b, off, end) {
      const n = readName(b, off, end);
      return { text: n.name, next: n.next };
    },
  },
  "tuple": {
    size: 0,
    // Kea OpaqueDataTuple: a length field (1 byte in DHCPv4; 2 for option 143, RFC 8572) and the text
    write(text, ctx) {
      const v = enc.encode(text.trim());
      const max = ctx.tupleLength === 1 ? 255 : 65535;
      if (v.length > max) throw new OptionDataError(`'${text.trim()}' is over ${max} bytes, too long for a tuple`);
      const out = new Uint8Array(ctx.tupleLength + v.length);
      if (ctx.tupleLength === 2) out[0] = v.length >> 8;
      out[ctx.tupleLength - 1] = v.length & 0xff;
      out.set(v, ctx.tupleLength);
      return out;
    },
    read(b, off, end, ctx) {
      if (off + ctx.tupleLength > end) throw new DecodeError("truncated tuple length", off);
      const n = ctx.tupleLength === 1 ? b[off] : (b[off] << 8) | b[off + 1];
      const s = off + ctx.tupleLength;
      if (s + n > end) throw new DecodeError(`tuple of ${n} bytes runs past the end`, off);
      return { text: dec.decode(b.subarray(s, s + n)), next: s + n };
    },
  },
  "empty": {
    size: 0,
    write(text) {
      if (text.trim() !== "") throw new OptionDataError(`'${text.trim()}' given, but the option carries no data`);
      return new Uint8Array(0);
    },
    read(_b, off, end) {
      if (end > off) throw new DecodeError("data present in an option that carries none", off);
      return { text: "", next: end };
    },
  },
};
