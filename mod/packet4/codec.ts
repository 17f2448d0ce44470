/**
 * The DHCPv4 packet codec (RFC 2131 §2, RFC 2132, RFC 3396): bytes ⇄ {@link Packet4}. Pure: no sockets, no clock,
 * no logging (docs/ARCHITECTURE.md rule 1). Malformed input throws a {@link DecodeError} carrying the byte offset.
 */
import { DecodeError } from "../wire/errors.ts";
import { Opt, type Packet4 } from "./packet.ts";
import { fragments, optionWireLength, type RawOptions, readOptionArea, spread, writeOption } from "./codec_options.ts";

/** Fixed BOOTP header length (op … file), RFC 2131 §2 figure 1. */
export const BOOTP_HEADER_LEN = 236;
/** RFC 1542 §3.4 / Kea: a BOOTP message is never shorter than 300 bytes; shorter ones are zero-padded. */
export const BOOTP_MIN_LEN = 300;
const COOKIE = [99, 130, 83, 99];
const SNAME_OFF = 44, SNAME_LEN = 64, FILE_OFF = 108, FILE_LEN = 128;

const utf8 = new TextDecoder("utf-8", { fatal: true });
const latin1 = new TextDecoder("latin1");
const utf8enc = new TextEncoder();

/** Options for {@link decode4}. */
export interface Decode4Options {
  /** Kea 2.2 behaviour: an option whose length runs past the end is dropped instead of failing the packet */
  lenient?: boolean;
}

function zText(b: Uint8Array): string {
  if (b[0] === 0) return ""; // the usual case: an empty field
  let n = b.indexOf(0);
  if (n < 0) n = b.length;
  const t = b.subarray(0, n);
  try {
    return utf8.decode(t);
  } catch {
    return latin1.decode(t);
  }
}

const u32 = (b: Uint8Array, o: number) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;

/**
 * Decodes a DHCPv4/BOOTP message (RFC 2131 §2): the 236-byte header, the magic cookie 99.130.83.99 (RFC 2132 §2;
 * missing or wrong → DecodeError at byte 236, where Kea's `Pkt4::unpack` also gives up), then the options. When
 * option 52 is present the `file` (value 1), `sname` (2) or both (3) fields carry options too and are read after
 * the options field, file before sname (RFC 2132 §9.3, RFC 3396 §5); those fields then decode as "". Several
 * instances of one code are concatenated in order (RFC 3396). An option 52 with another value is ignored, as Kea
 * does. PAD, END and 52 are not kept in `options`. Bytes after END are ignored (Kea: trailing padding).
 * Zero-copy: `chaddr` and the option payloads are views into `bytes` (only a code sent in several instances gets
 * a buffer of its own), so the caller must not overwrite `bytes` while the packet is in use.
 */
export function decode4(bytes: Uint8Array, opts: Decode4Options = {}): Packet4 {
  if (bytes.length < BOOTP_HEADER_LEN) {
    throw new DecodeError(`truncated BOOTP header: ${bytes.length} bytes, need ${BOOTP_HEADER_LEN}`, bytes.length);
  }
  const op = bytes[0];
  if (op !== 1 && op !== 2) throw new DecodeError(`bad op ${op}: neither BOOTREQUEST (1) nor BOOTREPLY (2)`, 0);
  if (bytes.length < BOOTP_HEADER_LEN + 4) throw new DecodeError("missing DHCP magic cookie", BOOTP_HEADER_LEN);
  for (let i = 0; i < 4; i++) {
    if (bytes[BOOTP_HEADER_LEN + i] !== COOKIE[i]) {
      throw new DecodeError("bad DHCP magic cookie (want 99.130.83.99)", BOOTP_HEADER_LEN);
    }
  }
  const raw: RawOptions = new Map();
  readOptionArea(bytes, BOOTP_HEADER_LEN + 4, bytes.length, raw, opts.lenient);
  const ov = raw.get(Opt.OVERLOAD);
  const overload = ov && ov.length >= 1 && ov[0] >= 1 && ov[0] <= 3 ? ov[0] : 0;
  if (overload & 1) readOptionArea(bytes, FILE_OFF, FILE_OFF + FILE_LEN, raw, opts.lenient);
  if (overload & 2) readOptionArea(bytes, SNAME_OFF, SNAME_OFF + SNAME_LEN, raw, opts.lenient);
  if (ov !== undefined) raw.delete(Opt.OVERLOAD);
  return {
    op: op as 1 | 2,
    htype: bytes[1],
    hlen: bytes[2],
    hops: bytes[3],
    xid: u32(bytes, 4),
    secs: (bytes[8] << 8) | bytes[9],
    flags: (bytes[10] << 8) | bytes[11],
    ciaddr: u32(bytes, 12),
    yiaddr: u32(bytes, 16),
    siaddr: u32(bytes, 20),
    giaddr: u32(bytes, 24),
    chaddr: bytes.subarray(28, 44),
    sname: overload & 2 ? "" : zText(bytes.subarray(SNAME_OFF, SNAME_OFF + SNAME_LEN)),
    file: overload & 1 ? "" : zText(bytes.subarray(FILE_OFF, FILE_OFF + FILE_LEN)),
    options: raw,
  };
}

/** Options for {@link encode4}. */
export interface Encode4Options {
  /** the largest whole DHCP message (BOOTP header + options) the client accepts: option 57 minus IP/UDP headers */
  maxSize?: number;
  /**
   * a scratch buffer to encode into: when the message fits, the result is a view of its start, valid until the
   * next use of the buffer (the server edge hands it straight to the socket), and no buffer is allocated
   */
  into?: Uint8Array;
}

/** Thrown by {@link encode4} when a message cannot be built within the limits the client set. */
export class EncodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EncodeError";
  }
}

const NO_TEXT = new Uint8Array(0);

function textField(s: string, len: number, what: string): Uint8Array {
  if (s === "") return NO_TEXT;
  const b = utf8enc.encode(s);
  if (b.length > len) throw new EncodeError(`${what} '${s}' is ${b.length} bytes; the field holds ${len}`);
  return b;
}

/** True for the codes encode4 never copies from the map: PAD, END and OVERLOAD (computed). */
const skipped = (code: number) => code === Opt.PAD || code === Opt.END || code === Opt.OVERLOAD;

function wireOrder(options: Map<number, Uint8Array>): Uint8Array[] {
  const order: number[] = [];
  if (options.has(Opt.MESSAGE_TYPE)) order.push(Opt.MESSAGE_TYPE);
  if (options.has(Opt.SERVER_ID)) order.push(Opt.SERVER_ID);
  for (const code of options.keys()) {
    if (code === Opt.MESSAGE_TYPE || code === Opt.SERVER_ID || code === Opt.RELAY_AGENT_INFO) continue;
    if (skipped(code)) continue;
    order.push(code);
  }
  if (options.has(Opt.RELAY_AGENT_INFO)) order.push(Opt.RELAY_AGENT_INFO);
  return order.flatMap((c) => fragments(c, options.get(c)!));
}

/**
 * Encodes a message (RFC 2131 §2): header, cookie, options, END, zero padding up to 300 bytes (RFC 1542 §3.4, as
 * Kea pads). Option order: 53 first, then 54, then the map's order, with 82 last (RFC 3046 §2.1, Kea's
 * `packOptions4`); codes 0, 52 and 255 in the map are ignored (52 is computed). Options over 255 bytes become
 * several instances (RFC 3396). When `maxSize` is smaller than the result, options move, in order and whole, into
 * the free `file` and then `sname` fields and option 52 says so (RFC 2132 §9.3); if even that is too small, an
 * {@link EncodeError} gives the size needed and the limit. When everything fits (the usual case) the options are
 * written straight into the one output buffer, with no intermediate fragments (into `opts.into` when given).
 */
export function encode4(p: Packet4, opts: Encode4Options = {}): Uint8Array {
  const sname = textField(p.sname, SNAME_LEN, "server host name (sname)");
  const file = textField(p.file, FILE_LEN, "boot file name (file)");
  const o = p.options;
  let optLen = 0;
  for (const [code, v] of o) if (!skipped(code)) optLen += optionWireLength(v);
  const limit = opts.maxSize ?? Infinity;
  if (BOOTP_HEADER_LEN + 4 + optLen + 1 > limit) return encodeOverloaded(p, sname, file, optLen, limit);
  const total = Math.max(BOOTP_MIN_LEN, BOOTP_HEADER_LEN + 4 + optLen + 1);
  let out: Uint8Array;
  if (opts.into && opts.into.length >= total) {
    out = opts.into.subarray(0, total);
    out.fill(0);
  } else {
    out = new Uint8Array(total);
  }
  writeHeader(out, p);
  out.set(sname, SNAME_OFF);
  out.set(file, FILE_OFF);
  let off = BOOTP_HEADER_LEN + 4;
  const mt = o.get(Opt.MESSAGE_TYPE), sid = o.get(Opt.SERVER_ID), rai = o.get(Opt.RELAY_AGENT_INFO);
  if (mt !== undefined) off = writeOption(out, off, Opt.MESSAGE_TYPE, mt);
  if (sid !== undefined) off = writeOption(out, off, Opt.SERVER_ID, sid);
  for (const [code, v] of o) {
    if (code === Opt.MESSAGE_TYPE || code === Opt.SERVER_ID || code === Opt.RELAY_AGENT_INFO) continue;
    if (!skipped(code)) off = writeOption(out, off, code, v);
  }
  if (rai !== undefined) off = writeOption(out, off, Opt.RELAY_AGENT_INFO, rai);
  out[off] = Opt.END;
  return out;
}

/** The fixed header (op … chaddr) and the magic cookie, big-endian (RFC 2131 §2); sname/file are left to the caller. */
function writeHeader(out: Uint8Array, p: Packet4): void {
  out[0] = p.op;
  out[1] = p.htype;
  out[2] = p.hlen;
  out[3] = p.hops;
  be32(out, 4, p.xid);
  out[8] = (p.secs >>> 8) & 0xff;
  out[9] = p.secs & 0xff;
  out[10] = (p.flags >>> 8) & 0xff;
  out[11] = p.flags & 0xff;
  be32(out, 12, p.ciaddr);
  be32(out, 16, p.yiaddr);
  be32(out, 20, p.siaddr);
  be32(out, 24, p.giaddr);
  out.set(p.chaddr.length <= 16 ? p.chaddr : p.chaddr.subarray(0, 16), 28);
  out[BOOTP_HEADER_LEN] = COOKIE[0];
  out[BOOTP_HEADER_LEN + 1] = COOKIE[1];
  out[BOOTP_HEADER_LEN + 2] = COOKIE[2];
  out[BOOTP_HEADER_LEN + 3] = COOKIE[3];
}

function be32(out: Uint8Array, at: number, v: number): void {
  out[at] = v >>> 24;
  out[at + 1] = (v >>> 16) & 0xff;
  out[at + 2] = (v >>> 8) & 0xff;
  out[at + 3] = v & 0xff;
}

/** The slow path of {@link encode4}: the options do not fit `limit` in the options field alone (RFC 2132 §9.3). */
function encodeOverloaded(
  p: Packet4,
  sname: Uint8Array,
  file: Uint8Array,
  optLen: number,
  limit: number,
): Uint8Array {
  const frags = wireOrder(p.options);
  const room = limit - BOOTP_HEADER_LEN - 4 - 1 - 3;
  const lay = room > 0 ? spread(frags, room, p.file === "", p.sname === "") : undefined;
  if (!lay) {
    throw new EncodeError(
      `reply needs ${BOOTP_HEADER_LEN + 4 + optLen + 1} bytes but the client accepts at most ${limit} ` +
        `(option 57), even using the file/sname fields for options`,
    );
  }
  let { main } = lay;
  const { file: fileOpts, sname: snameOpts, overload } = lay;
  if (overload) {
    main = [
      ...main.slice(0, mainHead(main)),
      Uint8Array.of(Opt.OVERLOAD, 1, overload),
      ...main.slice(mainHead(main)),
    ];
  }
  const mainLen = main.reduce((n, f) => n + f.length, 0);
  const total = Math.max(BOOTP_MIN_LEN, BOOTP_HEADER_LEN + 4 + mainLen + 1);
  const out = new Uint8Array(total);
  writeHeader(out, p);
  writeArea(out, SNAME_OFF, overload & 2 ? snameOpts : null, sname);
  writeArea(out, FILE_OFF, overload & 1 ? fileOpts : null, file);
  let off = BOOTP_HEADER_LEN + 4;
  for (const f of main) {
    out.set(f, off);
    off += f.length;
  }
  out[off] = Opt.END;
  return out;
}

/** How many leading fragments are 53/54, after which option 52 is placed. */
function mainHead(main: Uint8Array[]): number {
  let i = 0;
  while (i < main.length && (main[i][0] === Opt.MESSAGE_TYPE || main[i][0] === Opt.SERVER_ID)) i++;
  return i;
}

function writeArea(out: Uint8Array, at: number, opts: Uint8Array[] | null, text: Uint8Array): void {
  if (!opts) {
    out.set(text, at);
    return;
  }
  let off = at;
  for (const f of opts) {
    out.set(f, off);
    off += f.length;
  }
  out[off] = Opt.END;
}
