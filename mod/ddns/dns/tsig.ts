/**
 * TSIG (RFC 8945, algorithms of RFC 4635): signing a request and verifying a response over the exact message bytes.
 * HMAC (RFC 2104) is built on node:crypto one-shot hashes with each key's pads computed once (WebCrypto has no
 * MD5; a createHmac per message cost twice as much). Truncated MACs (`digest-bits`, RFC 8945 §5.2.2.1) are
 * written and accepted. The keys and the algorithm table are the configuration's vocabulary
 * (mod/config/tsig_algorithms.ts): D2 signs with the keys its compiled configuration holds.
 */
import { createHash, hash as nodeHash, timingSafeEqual } from "node:crypto";
import { Reader, Writer } from "../../wire/bytes.ts";
import { Rcode, RRClass, RRType } from "./constants.ts";
import { type DecodedMessage, decodeMessage } from "./message.ts";
import { canonicalName, nameToWire, readName, sameName } from "./name.ts";
import type { TsigKey } from "../../config/tsig_algorithms.ts";

/** The fields of TSIG rdata (RFC 8945 §4.2). */
export interface TsigRecord {
  keyName: string;
  algorithm: string;
  timeSigned: number;
  fudge: number;
  mac: Uint8Array;
  originalId: number;
  error: number;
  otherData: Uint8Array;
}

/** Reads TSIG rdata (RFC 8945 §4.2); the algorithm name is never compressed. */
export function parseTsigRdata(keyName: string, rdata: Uint8Array): TsigRecord {
  const r = new Reader(rdata);
  const algorithm = readName(r);
  const hi = r.u16(), lo = r.u32();
  const fudge = r.u16();
  const mac = r.bytes(r.u16(), "TSIG MAC");
  const originalId = r.u16(), error = r.u16();
  const otherData = r.bytes(r.u16(), "TSIG other data");
  return { keyName, algorithm, timeSigned: hi * 0x100000000 + lo, fudge, mac, originalId, error, otherData };
}

function time48(w: Writer, t: number): void {
  w.u16(Math.floor(t / 0x100000000) & 0xffff).u32(t % 0x100000000);
}

const prefixCache = new Map<string, Uint8Array>();

/** The constant head of the TSIG variables: key name and algorithm in canonical form, class ANY, TTL 0 (cached). */
function variablesPrefix(keyName: string, algorithm: string): Uint8Array {
  const k = `${keyName}\n${algorithm}`;
  let p = prefixCache.get(k);
  if (!p) {
    const w = new Writer(128);
    w.bytes(nameToWire(keyName, true)).u16(RRClass.ANY).u32(0).bytes(nameToWire(algorithm, true));
    p = w.finish();
    if (prefixCache.size < 1024) prefixCache.set(k, p);
  }
  return p;
}

/** HMAC block sizes in octets (RFC 2104 §2 "B"): 64 for MD5 … SHA-256, 128 for SHA-384 and SHA-512. */
const BLOCK: Record<string, number> = { md5: 64, sha1: 64, sha224: 64, sha256: 64, sha384: 128, sha512: 128 };

/** One-shot digest: node:crypto's `hash()` where the runtime has it (one op call), else createHash. */
const oneShot: (alg: string, data: Uint8Array) => Uint8Array = typeof nodeHash === "function"
  ? (alg, data) => nodeHash(alg, data, "buffer") as unknown as Uint8Array
  : (alg, data) => createHash(alg).update(data).digest();

/** A key's RFC 2104 pads (key XOR ipad, key XOR opad), computed once per key and kept with it. */
const padCache = new WeakMap<TsigKey, KeyCache>();

/** What signing with a key needs every time: the HMAC pads and the wire forms of the key and algorithm names. */
interface KeyCache {
  ipad: Uint8Array;
  opad: Uint8Array;
  owner: Uint8Array;
  algorithm: Uint8Array;
}

function padsOf(key: TsigKey): KeyCache {
  let p = padCache.get(key);
  if (!p) {
    const b = BLOCK[key.algorithm.hash] ?? 64;
    // RFC 2104 §2: a key longer than the block is hashed first
    const k = key.secret.length > b ? oneShot(key.algorithm.hash, key.secret) : key.secret;
    const ipad = new Uint8Array(b).fill(0x36), opad = new Uint8Array(b).fill(0x5c);
    for (let i = 0; i < k.length; i++) {
      ipad[i] ^= k[i];
      opad[i] ^= k[i];
    }
    p = { ipad, opad, owner: nameToWire(key.name), algorithm: nameToWire(key.algorithm.dnsName) };
    padCache.set(key, p);
  }
  return p;
}

/**
 * RFC 8945 §4.3.3 digest input: [request MAC] + message without TSIG + TSIG variables, HMAC'ed (RFC 2104) with
 * the key's cached pads in two one-shot hashes. `msgLen` bytes of `msg` are used; `originalId` and `arDelta`, when
 * given, patch the copied header (the ID back to the original ID and ARCOUNT minus the TSIG RR, §4.3.1) so a
 * received message needs no copy of its own.
 */
function computeMac(
  key: TsigKey,
  msg: Uint8Array,
  msgLen: number,
  t: TsigRecord,
  requestMac?: Uint8Array,
  originalId?: number,
  arDelta = 0,
): Uint8Array {
  const { ipad, opad } = padsOf(key);
  const prefix = variablesPrefix(t.keyName, t.algorithm);
  const macPart = requestMac ? 2 + requestMac.length : 0;
  const buf = new Uint8Array(ipad.length + macPart + msgLen + prefix.length + 12 + t.otherData.length);
  buf.set(ipad, 0);
  let o = ipad.length;
  if (requestMac) {
    buf[o] = requestMac.length >>> 8;
    buf[o + 1] = requestMac.length & 0xff;
    buf.set(requestMac, o + 2);
    o += macPart;
  }
  buf.set(msgLen === msg.length ? msg : msg.subarray(0, msgLen), o);
  if (originalId !== undefined) {
    buf[o] = originalId >>> 8;
    buf[o + 1] = originalId & 0xff;
  }
  if (arDelta) {
    const ar = ((buf[o + 10] << 8) | buf[o + 11]) + arDelta;
    buf[o + 10] = ar >>> 8;
    buf[o + 11] = ar & 0xff;
  }
  o += msgLen;
  buf.set(prefix, o);
  o += prefix.length;
  // time signed (48 bits), fudge, error, other len, other data
  const hi = Math.floor(t.timeSigned / 0x100000000) & 0xffff, lo = t.timeSigned % 0x100000000;
  buf[o] = hi >>> 8;
  buf[o + 1] = hi & 0xff;
  buf[o + 2] = lo >>> 24;
  buf[o + 3] = (lo >>> 16) & 0xff;
  buf[o + 4] = (lo >>> 8) & 0xff;
  buf[o + 5] = lo & 0xff;
  buf[o + 6] = t.fudge >>> 8;
  buf[o + 7] = t.fudge & 0xff;
  buf[o + 8] = t.error >>> 8;
  buf[o + 9] = t.error & 0xff;
  buf[o + 10] = t.otherData.length >>> 8;
  buf[o + 11] = t.otherData.length & 0xff;
  buf.set(t.otherData, o + 12);
  const inner = oneShot(key.algorithm.hash, buf);
  const outer = new Uint8Array(opad.length + inner.length);
  outer.set(opad, 0);
  outer.set(inner, opad.length);
  return new Uint8Array(oneShot(key.algorithm.hash, outer));
}

/** Options for {@link signMessage}: unix seconds, fudge (default 300 as BIND and Kea use), and for a response the request MAC. */
export interface SignOptions {
  now: number;
  fudge?: number;
  requestMac?: Uint8Array;
  error?: number;
  otherData?: Uint8Array;
}

/**
 * Signs encoded message bytes (RFC 8945 §5.1 for requests, §5.3 with `requestMac` for responses): computes the
 * MAC over the bytes and the TSIG variables, truncates it to `digestBits` when set, appends the TSIG RR
 * (uncompressed, class ANY, TTL 0) and increments ARCOUNT. Returns the signed bytes and the full-or-truncated MAC.
 */
export function signMessage(msg: Uint8Array, key: TsigKey, opts: SignOptions): { bytes: Uint8Array; mac: Uint8Array } {
  const t: TsigRecord = {
    keyName: key.name,
    algorithm: key.algorithm.dnsName,
    timeSigned: opts.now,
    fudge: opts.fudge ?? 300,
    mac: new Uint8Array(0),
    originalId: (msg[0] << 8) | msg[1],
    error: opts.error ?? 0,
    otherData: opts.otherData ?? new Uint8Array(0),
  };
  let mac = computeMac(key, msg, msg.length, t, opts.requestMac);
  if (key.digestBits > 0) mac = mac.slice(0, key.digestBits / 8);
  const w = new Writer(msg.length + 128);
  w.bytes(msg);
  const ar = ((msg[10] << 8) | msg[11]) + 1;
  w.buf[10] = ar >>> 8;
  w.buf[11] = ar & 0xff;
  const cached = padsOf(key);
  w.bytes(cached.owner).u16(RRType.TSIG).u16(RRClass.ANY).u32(0);
  const rd = new Writer(64);
  rd.bytes(cached.algorithm);
  time48(rd, t.timeSigned);
  rd.u16(t.fudge).u16(mac.length).bytes(mac).u16(t.originalId).u16(t.error).u16(t.otherData.length);
  rd.bytes(t.otherData);
  const rdata = rd.finish();
  w.u16(rdata.length).bytes(rdata);
  return { bytes: w.finish(), mac };
}

/** Result of {@link verifyMessage}: `rcode` is the TSIG error a server would answer (RFC 8945 §5.2) or 0. */
export type TsigVerdict =
  | { ok: true; tsig: TsigRecord; mac: Uint8Array }
  | { ok: false; rcode: number; reason: string; tsig?: TsigRecord };

/**
 * Verifies the TSIG RR of a received message (RFC 8945 §5.2 for requests, §5.3.2 for responses with
 * `requestMac`; `decoded` saves decoding `bytes` again): key name and algorithm must match the key, the MAC (possibly truncated within the §5.2.2.1
 * limits) must match, and the signing time must lie within fudge of `now`. An unsigned or malformed message is refused (FORMERR).
 */
export function verifyMessage(
  bytes: Uint8Array,
  key: TsigKey,
  opts: { now: number; requestMac?: Uint8Array; decoded?: DecodedMessage },
): TsigVerdict {
  let msg = opts.decoded;
  try {
    msg ??= decodeMessage(bytes);
  } catch (e) {
    return { ok: false, rcode: Rcode.FORMERR, reason: `malformed message: ${(e as Error).message}` };
  }
  if (msg.tsigOffset === undefined) return { ok: false, rcode: Rcode.FORMERR, reason: "message is not TSIG-signed" };
  const rr = msg.additional[msg.additional.length - 1];
  const tsig = parseTsigRdata(rr.name, rr.rdata);
  if (!sameName(rr.name, key.name) || canonicalName(tsig.algorithm) !== key.algorithm.dnsName) {
    return {
      ok: false,
      rcode: Rcode.BADKEY,
      reason: `signed with key ${rr.name} (${tsig.algorithm}), expected ${key.name}`,
      tsig,
    };
  }
  if (tsig.error !== 0 && tsig.mac.length === 0) {
    return { ok: false, rcode: tsig.error, reason: `the server reported TSIG error ${tsig.error}`, tsig };
  }
  const full = key.algorithm.size;
  const min = Math.max(10, Math.ceil(full / 2), key.digestBits / 8);
  if (tsig.mac.length > full || tsig.mac.length < min) {
    return {
      ok: false,
      rcode: Rcode.BADTRUNC,
      reason: `MAC of ${tsig.mac.length} octets (allowed ${min}..${full})`,
      tsig,
    };
  }
  const mac = computeMac(key, bytes, msg.tsigOffset, tsig, opts.requestMac, tsig.originalId, -1)
    .subarray(0, tsig.mac.length);
  if (!timingSafeEqual(mac, tsig.mac)) return { ok: false, rcode: Rcode.BADSIG, reason: "MAC does not match", tsig };
  if (Math.abs(opts.now - tsig.timeSigned) > tsig.fudge) {
    return {
      ok: false,
      rcode: Rcode.BADTIME,
      reason: `signed at ${tsig.timeSigned}, now ${opts.now}, fudge ${tsig.fudge}`,
      tsig,
    };
  }
  if (tsig.error !== 0) {
    return { ok: false, rcode: tsig.error, reason: `the server reported TSIG error ${tsig.error}`, tsig };
  }
  return { ok: true, tsig, mac: tsig.mac };
}
