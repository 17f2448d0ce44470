/**
 * TSIG (RFC 8945, algorithms of RFC 4635): signing a request and verifying a response over the exact message bytes.
 * HMAC (RFC 2104) runs on each key's prepared HMAC (mod/ddns/dns/hmac.ts: the pad states saved once, the message
 * fed in pieces without a copy; measured against node:crypto and WebCrypto in bench/hmac_bench.ts). Truncated MACs (`digest-bits`, RFC 8945 §5.2.2.1) are
 * written and accepted. The keys and the algorithm table are the configuration's vocabulary
 * (mod/config/tsig_algorithms.ts): D2 signs with the keys its compiled configuration holds.
 */
import { Reader, Writer } from "../../wire/bytes.ts";
import { Rcode, RRClass, RRType } from "./constants.ts";
import { type DecodedMessage, decodeMessage } from "./message.ts";
import { canonicalName, nameToWire, readName, sameName } from "./name.ts";
import type { TsigKey } from "../../config/tsig_algorithms.ts";
import { type Hmac, prepareHmac } from "./hmac.ts";

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

const EMPTY = new Uint8Array(0);

/** Equal lengths and octets, in time independent of where they differ (a MAC comparison, RFC 8945 §5.2.2). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
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

/** What signing with a key needs every time: its prepared HMAC and the wire forms of the key and algorithm names. */
interface KeyCache {
  hmac: Hmac;
  owner: Uint8Array;
  algorithm: Uint8Array;
}

/** Per compiled key, computed once (a reload compiles new key objects, which get their own). */
const keyCache = new WeakMap<TsigKey, KeyCache>();

function cacheOf(key: TsigKey): KeyCache {
  let p = keyCache.get(key);
  if (!p) {
    p = {
      hmac: prepareHmac(key.algorithm.hash, key.secret),
      owner: nameToWire(key.name),
      algorithm: nameToWire(key.algorithm.dnsName),
    };
    keyCache.set(key, p);
  }
  return p;
}

/** Scratch for the patched header and the TSIG variables' fixed tail (one computation at a time). */
const scratch = new Uint8Array(12);

/**
 * RFC 8945 §4.3.3 digest input: [request MAC] + message without TSIG + TSIG variables, HMAC'ed (RFC 2104) with
 * the key's prepared HMAC, fed in pieces (nothing is copied into one buffer). `msgLen` bytes of `msg` are used;
 * `originalId` and `arDelta`, when given, patch the header as it is fed (the ID back to the original ID and
 * ARCOUNT minus the TSIG RR, §4.3.1) so a received message needs no copy of its own. Writes the full MAC into
 * `out` at `at`.
 */
function computeMacInto(
  key: TsigKey,
  msg: Uint8Array,
  msgLen: number,
  t: TsigRecord,
  out: Uint8Array,
  at: number,
  requestMac?: Uint8Array,
  originalId?: number,
  arDelta = 0,
): void {
  const { hmac } = cacheOf(key);
  const m = hmac.begin();
  if (requestMac) m.byte(requestMac.length >>> 8).byte(requestMac.length & 0xff).update(requestMac);
  if (originalId !== undefined || arDelta) {
    scratch.set(msg.subarray(0, 12));
    if (originalId !== undefined) {
      scratch[0] = originalId >>> 8;
      scratch[1] = originalId & 0xff;
    }
    const ar = ((scratch[10] << 8) | scratch[11]) + arDelta;
    scratch[10] = ar >>> 8;
    scratch[11] = ar & 0xff;
    m.update(scratch, 0, 12).update(msg, 12, msgLen - 12);
  } else {
    m.update(msg, 0, msgLen);
  }
  m.update(variablesPrefix(t.keyName, t.algorithm));
  // time signed (48 bits), fudge, error, other len, other data
  const hi = Math.floor(t.timeSigned / 0x100000000) & 0xffff, lo = t.timeSigned % 0x100000000;
  scratch[0] = hi >>> 8;
  scratch[1] = hi & 0xff;
  scratch[2] = lo >>> 24;
  scratch[3] = (lo >>> 16) & 0xff;
  scratch[4] = (lo >>> 8) & 0xff;
  scratch[5] = lo & 0xff;
  scratch[6] = t.fudge >>> 8;
  scratch[7] = t.fudge & 0xff;
  scratch[8] = t.error >>> 8;
  scratch[9] = t.error & 0xff;
  scratch[10] = t.otherData.length >>> 8;
  scratch[11] = t.otherData.length & 0xff;
  m.update(scratch, 0, 12).update(t.otherData);
  hmac.endInto(out, at);
}

/** The full MAC as a new array (see {@link computeMacInto}). */
function computeMac(
  key: TsigKey,
  msg: Uint8Array,
  msgLen: number,
  t: TsigRecord,
  requestMac?: Uint8Array,
  originalId?: number,
  arDelta = 0,
): Uint8Array {
  const out = new Uint8Array(cacheOf(key).hmac.size);
  computeMacInto(key, msg, msgLen, t, out, 0, requestMac, originalId, arDelta);
  return out;
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
  const otherData = opts.otherData ?? EMPTY;
  const t: TsigRecord = {
    keyName: key.name,
    algorithm: key.algorithm.dnsName,
    timeSigned: opts.now,
    fudge: opts.fudge ?? 300,
    mac: EMPTY,
    originalId: (msg[0] << 8) | msg[1],
    error: opts.error ?? 0,
    otherData,
  };
  const cached = cacheOf(key);
  const full = computeMac(key, msg, msg.length, t, opts.requestMac);
  const mac = key.digestBits > 0 ? full.subarray(0, key.digestBits / 8) : full;
  // the message, then the TSIG RR (RFC 8945 §4.2): owner, type, class ANY, TTL 0, rdlength, rdata
  const rdLen = cached.algorithm.length + 16 + mac.length + otherData.length;
  const out = new Uint8Array(msg.length + cached.owner.length + 10 + rdLen);
  out.set(msg, 0);
  const ar = ((msg[10] << 8) | msg[11]) + 1;
  out[10] = ar >>> 8;
  out[11] = ar & 0xff;
  let o = msg.length;
  out.set(cached.owner, o);
  o += cached.owner.length;
  const put16 = (v: number) => {
    out[o++] = v >>> 8;
    out[o++] = v & 0xff;
  };
  put16(RRType.TSIG);
  put16(RRClass.ANY);
  put16(0);
  put16(0);
  put16(rdLen);
  out.set(cached.algorithm, o);
  o += cached.algorithm.length;
  put16(Math.floor(t.timeSigned / 0x100000000) & 0xffff);
  put16(Math.floor(t.timeSigned / 0x10000) & 0xffff);
  put16(t.timeSigned & 0xffff);
  put16(t.fudge);
  put16(mac.length);
  out.set(mac, o);
  o += mac.length;
  put16(t.originalId);
  put16(t.error);
  put16(otherData.length);
  out.set(otherData, o);
  return { bytes: out, mac };
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
  if (!sameBytes(mac, tsig.mac)) return { ok: false, rcode: Rcode.BADSIG, reason: "MAC does not match", tsig };
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
