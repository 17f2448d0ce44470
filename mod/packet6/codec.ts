/**
 * The DHCPv6 packet codec (RFC 8415 §8, §9, §21): bytes ⇄ {@link Packet6}. Pure: no sockets, no clock, no logging
 * (docs/ARCHITECTURE.md rule 1). Malformed input throws a {@link DecodeError} carrying the absolute byte offset. Decoding is
 * zero-copy (option payloads and addresses are views into the datagram); encoding sizes the message first and
 * writes it into one buffer.
 */
import { toColonHex } from "../wire/addr.ts";
import { DecodeError } from "../wire/errors.ts";
import {
  type Ia,
  type IaAddress,
  type IaPrefix,
  type Message6,
  Opt6,
  type Packet6,
  type RawOption6,
} from "./packet.ts";

/** RFC 8415 §7.6 HOP_COUNT_LIMIT: no more relay layers than this are accepted. */
export const MAX_RELAY_DEPTH = 32;
/** Relay header: msg-type, hop-count, link-address, peer-address (RFC 8415 §9). */
const RELAY_HEADER = 34;
const IA_HEADER = 12, IAADDR_FIXED = 24, IAPREFIX_FIXED = 25;

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const utf8enc = new TextEncoder();

/** Reads the options of [start, end) into a list of views; a header or payload past `end` is a DecodeError. */
function readOptions(b: Uint8Array, start: number, end: number, where: string): RawOption6[] {
  const out: RawOption6[] = [];
  let p = start;
  while (p < end) {
    if (p + 4 > end) throw new DecodeError(`truncated option header in ${where}: ${end - p} byte(s) left, need 4`, p);
    const code = (b[p] << 8) | b[p + 1], len = (b[p + 2] << 8) | b[p + 3];
    if (p + 4 + len > end) {
      throw new DecodeError(
        `option ${code} in ${where} claims ${len} bytes but only ${end - p - 4} remain`,
        p,
      );
    }
    out.push({ code, data: b.subarray(p + 4, p + 4 + len) });
    p += 4 + len;
  }
  return out;
}

const u32 = (b: Uint8Array, o: number) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;

/** The absolute offset of a view into the datagram `root`. */
const at = (root: Uint8Array, v: Uint8Array) => v.byteOffset - root.byteOffset;

/** A STATUS_CODE payload (RFC 8415 §21.13) as code + message, or undefined when the text is not UTF-8. */
function readStatus(root: Uint8Array, d: Uint8Array): { code: number; message: string } | undefined {
  if (d.length < 2) {
    throw new DecodeError(`status-code option of ${d.length} byte(s) is shorter than 2`, at(root, d) - 4);
  }
  try {
    return { code: (d[0] << 8) | d[1], message: utf8.decode(d.subarray(2)) };
  } catch {
    return undefined; // kept raw so that the bytes round-trip
  }
}

/** Decodes an IA_NA (RFC 8415 §21.4) or IA_PD (§21.21) payload with its IAADDR / IAPREFIX / STATUS_CODE. */
function readIa(root: Uint8Array, o: RawOption6): Ia {
  const d = o.data, base = at(root, d), kind = o.code === Opt6.IA_NA ? "na" : "pd";
  const name = kind === "na" ? "IA_NA" : "IA_PD";
  if (d.length < IA_HEADER) throw new DecodeError(`${name} option of ${d.length} byte(s) is shorter than 12`, base - 4);
  const ia: Ia = {
    kind,
    iaid: u32(d, 0),
    t1: u32(d, 4),
    t2: u32(d, 8),
    addresses: [],
    prefixes: [],
    options: [],
    layout: [],
  };
  let seenStatus = false;
  for (const s of readOptions(root, base + IA_HEADER, base + d.length, name)) {
    const sd = s.data, sAt = at(root, sd) - 4;
    ia.layout!.push(s.code);
    if (s.code === Opt6.IAADDR && kind === "na") {
      if (sd.length < IAADDR_FIXED) {
        throw new DecodeError(`IAADDR option of ${sd.length} byte(s) is shorter than 24`, sAt);
      }
      const a: IaAddress = {
        address: sd.subarray(0, 16),
        preferred: u32(sd, 16),
        valid: u32(sd, 20),
        options: readOptions(root, sAt + 4 + IAADDR_FIXED, sAt + 4 + sd.length, "IAADDR"),
      };
      ia.addresses.push(a);
    } else if (s.code === Opt6.IAPREFIX && kind === "pd") {
      if (sd.length < IAPREFIX_FIXED) {
        throw new DecodeError(`IAPREFIX option of ${sd.length} byte(s) is shorter than 25`, sAt);
      }
      if (sd[8] > 128) throw new DecodeError(`IAPREFIX prefix length ${sd[8]} is over 128`, sAt + 12);
      const p: IaPrefix = {
        preferred: u32(sd, 0),
        valid: u32(sd, 4),
        prefixLen: sd[8],
        prefix: sd.subarray(9, 25),
        options: readOptions(root, sAt + 4 + IAPREFIX_FIXED, sAt + 4 + sd.length, "IAPREFIX"),
      };
      ia.prefixes.push(p);
    } else if (s.code === Opt6.STATUS_CODE && !seenStatus) {
      seenStatus = true; // only the first one is decoded; a second stays raw in `options`
      const st = readStatus(root, sd);
      if (st) ia.status = st;
      else ia.options.push(s);
    } else {
      ia.options.push(s);
    }
  }
  return ia;
}

function decodeAt(root: Uint8Array, start: number, end: number, depth: number): Packet6 {
  if (end - start < 1) throw new DecodeError("empty DHCPv6 message", start);
  const type = root[start];
  if (type === 12 || type === 13) {
    if (depth >= MAX_RELAY_DEPTH) {
      throw new DecodeError(`more than ${MAX_RELAY_DEPTH} nested relay messages (RFC 8415 hop limit)`, start);
    }
    if (end - start < RELAY_HEADER) {
      throw new DecodeError(`truncated relay header: ${end - start} byte(s), need ${RELAY_HEADER}`, start);
    }
    const all = readOptions(root, start + RELAY_HEADER, end, "relay message");
    const options: RawOption6[] = [], layout: number[] = [];
    let inner: Packet6 | undefined;
    for (const o of all) {
      layout.push(o.code);
      if (o.code !== Opt6.RELAY_MSG) options.push(o);
      else if (inner) throw new DecodeError("relay message with two relay-message options", at(root, o.data) - 4);
      else {
        const s = at(root, o.data);
        inner = decodeAt(root, s, s + o.data.length, depth + 1);
      }
    }
    if (!inner) throw new DecodeError("relay message without a relay-message option (9)", start);
    return {
      kind: "relay",
      msgType: type as 12 | 13,
      hopCount: root[start + 1],
      linkAddress: root.subarray(start + 2, start + 18),
      peerAddress: root.subarray(start + 18, start + 34),
      options,
      inner,
      layout,
    };
  }
  if (end - start < 4) throw new DecodeError(`truncated message header: ${end - start} byte(s), need 4`, start);
  const m: Message6 = {
    kind: "message",
    msgType: type,
    transactionId: (root[start + 1] << 16) | (root[start + 2] << 8) | root[start + 3],
    ias: [],
    options: [],
    layout: [],
  };
  for (const o of readOptions(root, start + 4, end, "message")) {
    m.layout!.push(o.code);
    if (o.code === Opt6.IA_NA || o.code === Opt6.IA_PD) m.ias.push(readIa(root, o));
    else m.options.push(o);
  }
  return m;
}

/**
 * Decodes a DHCPv6 datagram (RFC 8415 §8 client/server format: msg-type, 24-bit transaction id, options; §9 relay
 * format: msg-type, hop-count, link-address, peer-address, options, with the relayed message in RELAY_MSG decoded
 * recursively, at most {@link MAX_RELAY_DEPTH} layers). IA_NA and IA_PD are decoded with their IAADDR / IAPREFIX
 * and first STATUS_CODE (§21.4, §21.6, §21.13, §21.21, §21.22); every other option, known or not, is kept raw in
 * order. An option whose header or length runs past its enclosing message or option, an IA/IAADDR/IAPREFIX/status
 * shorter than its fixed part, a prefix length over 128, a relay without exactly one RELAY_MSG, all throw a
 * DecodeError with the offset. (Kea 2.2's `LibDHCP::unpackOptions6` instead stops at a truncated option and keeps
 * the options before it; weka refuses the packet, which the server counts as a parse failure.)
 */
export function decode6(bytes: Uint8Array): Packet6 {
  return decodeAt(bytes, 0, bytes.length, 0);
}

type Entry = { code: number; size: number; write: (out: Uint8Array, p: number) => void };

const CANONICAL_BY_CODE = (a: Entry, b: Entry) => a.code - b.code;

/** Kea's order: ascending option code (Kea keeps options in a multimap keyed by code, stable for repeats). */
const byCode = (all: Entry[]) => all.slice().sort(CANONICAL_BY_CODE);

/**
 * Puts entries in wire order: `layout` when it still describes exactly these entries (the decoder's record),
 * otherwise `fallback(all)`.
 */
function ordered(all: Entry[], layout: number[] | undefined, fallback: (all: Entry[]) => Entry[]): Entry[] {
  if (layout && layout.length === all.length) {
    const groups = group(all), next = new Map<number, number>(), out: Entry[] = [];
    let ok = true;
    for (const c of layout) {
      const i = next.get(c) ?? 0, g = groups.get(c);
      if (!g || i >= g.length) {
        ok = false;
        break;
      }
      out.push(g[i]);
      next.set(c, i + 1);
    }
    if (ok) return out;
  }
  return fallback(all);
}

function group(entries: Entry[]): Map<number, Entry[]> {
  const g = new Map<number, Entry[]>();
  for (const e of entries) {
    const l = g.get(e.code);
    if (l) l.push(e);
    else g.set(e.code, [e]);
  }
  return g;
}

function option(
  code: number,
  body: Entry[] | Uint8Array,
  fixed = 0,
  head?: (out: Uint8Array, p: number) => void,
): Entry {
  const isRaw = body instanceof Uint8Array;
  const len = fixed + (isRaw ? body.length : body.reduce((n, e) => n + e.size, 0));
  if (len > 0xffff) throw new RangeError(`option ${code} would be ${len} bytes; an option holds at most 65535`);
  return {
    code,
    size: 4 + len,
    write(out, p) {
      out[p] = code >>> 8;
      out[p + 1] = code & 0xff;
      out[p + 2] = len >>> 8;
      out[p + 3] = len & 0xff;
      p += 4;
      if (head) head(out, p);
      p += fixed;
      if (isRaw) out.set(body, p);
      else {
        for (const e of body) {
          e.write(out, p);
          p += e.size;
        }
      }
    },
  };
}

const raw = (o: RawOption6) => option(o.code, o.data);
const subs = (l: RawOption6[]) => l.map(raw);

function be32(out: Uint8Array, p: number, v: number): void {
  out[p] = v >>> 24;
  out[p + 1] = (v >>> 16) & 0xff;
  out[p + 2] = (v >>> 8) & 0xff;
  out[p + 3] = v & 0xff;
}

function addr16(a: Uint8Array, what: string): Uint8Array {
  if (a.length !== 16) throw new RangeError(`${what} has ${a.length} bytes; an IPv6 address has 16`);
  return a;
}

function iaEntry(ia: Ia): Entry {
  const parts: Entry[] = [];
  for (const a of ia.addresses) {
    const addr = addr16(a.address, "IAADDR address");
    parts.push(option(Opt6.IAADDR, subs(a.options), IAADDR_FIXED, (out, p) => {
      out.set(addr, p);
      be32(out, p + 16, a.preferred);
      be32(out, p + 20, a.valid);
    }));
  }
  if (ia.status) parts.push(raw(encodeStatus(ia.status.code, ia.status.message)));
  for (const x of ia.prefixes) {
    const prefix = addr16(x.prefix, "IAPREFIX prefix");
    parts.push(option(Opt6.IAPREFIX, subs(x.options), IAPREFIX_FIXED, (out, p) => {
      be32(out, p, x.preferred);
      be32(out, p + 4, x.valid);
      out[p + 8] = x.prefixLen;
      out.set(prefix, p + 9);
    }));
  }
  parts.push(...subs(ia.options));
  return option(
    ia.kind === "na" ? Opt6.IA_NA : Opt6.IA_PD,
    ordered(parts, ia.layout, byCode),
    IA_HEADER,
    (out, p) => {
      be32(out, p, ia.iaid);
      be32(out, p + 4, ia.t1);
      be32(out, p + 8, ia.t2);
    },
  );
}

/** The body (header + options) of a message or relay, as one entry with no option header of its own. */
function body(p: Packet6): Entry {
  if (p.kind === "message") {
    if (p.transactionId < 0 || p.transactionId > 0xffffff) {
      throw new RangeError(`transaction id ${p.transactionId} does not fit in 24 bits`);
    }
    const parts = [...p.ias.map(iaEntry), ...subs(p.options)];
    const opts = ordered(parts, p.layout, byCode);
    return frame(4, opts, (out, q) => {
      out[q] = p.msgType;
      out[q + 1] = p.transactionId >>> 16;
      out[q + 2] = (p.transactionId >>> 8) & 0xff;
      out[q + 3] = p.transactionId & 0xff;
    });
  }
  const link = addr16(p.linkAddress, "relay link-address"), peer = addr16(p.peerAddress, "relay peer-address");
  const inner = body(p.inner), parts = subs(p.options);
  const relayMsg = option(Opt6.RELAY_MSG, [inner]);
  // Kea packs the relay's own options, then RELAY_MSG last (Pkt6::packUDP)
  const opts = ordered([...parts, relayMsg], p.layout, (all) => all);
  return frame(RELAY_HEADER, opts, (out, q) => {
    out[q] = p.msgType;
    out[q + 1] = p.hopCount;
    out.set(link, q + 2);
    out.set(peer, q + 18);
  });
}

function frame(fixed: number, opts: Entry[], head: (out: Uint8Array, p: number) => void): Entry {
  return {
    code: -1,
    size: fixed + opts.reduce((n, e) => n + e.size, 0),
    write(out, p) {
      head(out, p);
      p += fixed;
      for (const e of opts) {
        e.write(out, p);
        p += e.size;
      }
    },
  };
}

/**
 * Encodes a packet (the inverse of {@link decode6}; RFC 8415 §8, §9). Options go out in the order the decoder
 * recorded (`layout`), so `encode6(decode6(x))` returns `x`; a packet built by the engine (no layout, or one that
 * no longer matches its lists) gets Kea's order: ascending option code at each level, with a relay's RELAY_MSG
 * last. The size is computed first and the message written into one buffer. A value that cannot be encoded (an
 * option over 65535 bytes, an address that is not 16 bytes, a transaction id over 24 bits) throws a RangeError.
 */
export function encode6(p: Packet6): Uint8Array {
  const e = body(p);
  const out = new Uint8Array(e.size);
  e.write(out, 0);
  return out;
}

/** A STATUS_CODE option (RFC 8415 §21.13): 16-bit code, then the UTF-8 message, not NUL-terminated. */
export function encodeStatus(code: number, message: string): RawOption6 {
  const text = utf8enc.encode(message);
  const data = new Uint8Array(2 + text.length);
  data[0] = code >>> 8;
  data[1] = code & 0xff;
  data.set(text, 2);
  return { code: Opt6.STATUS_CODE, data };
}

/** The client's DUID (OPTION_CLIENTID, RFC 8415 §21.2) as lower-case colon hex, Kea's form; undefined if absent. */
export function duidOf(m: Message6): string | undefined {
  for (const o of m.options) if (o.code === Opt6.CLIENTID) return toColonHex(o.data);
  return undefined;
}

/** The client/server message inside any number of relay layers (RFC 8415 §9: RELAY_MSG nests). */
export function innermost(p: Packet6): Message6 {
  let q = p;
  while (q.kind === "relay") q = q.inner;
  return q;
}
