/**
 * TSIG (RFC 8945, algorithms of RFC 4635): signing a request and verifying a response over the exact message bytes.
 * HMAC comes from node:crypto for every algorithm (WebCrypto has no MD5). Truncated MACs (`digest-bits`,
 * RFC 8945 §5.2.2.1) are written and accepted.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { Reader, Writer } from "../../wire/bytes.ts";
import { Rcode, RRClass, RRType } from "./constants.ts";
import { type DecodedMessage, decodeMessage } from "./message.ts";
import { canonicalName, nameToWire, readName, sameName } from "./name.ts";

/** One algorithm: its DNS name (RFC 8945 §6), node:crypto hash name and full MAC length in octets. */
export interface TsigAlgorithm {
  /** the name Kea's config uses: "HMAC-MD5" … "HMAC-SHA512" */
  name: string;
  dnsName: string;
  hash: string;
  size: number;
}

const ALGORITHMS: TsigAlgorithm[] = [
  { name: "HMAC-MD5", dnsName: "hmac-md5.sig-alg.reg.int.", hash: "md5", size: 16 },
  { name: "HMAC-SHA1", dnsName: "hmac-sha1.", hash: "sha1", size: 20 },
  { name: "HMAC-SHA224", dnsName: "hmac-sha224.", hash: "sha224", size: 28 },
  { name: "HMAC-SHA256", dnsName: "hmac-sha256.", hash: "sha256", size: 32 },
  { name: "HMAC-SHA384", dnsName: "hmac-sha384.", hash: "sha384", size: 48 },
  { name: "HMAC-SHA512", dnsName: "hmac-sha512.", hash: "sha512", size: 64 },
];

/**
 * Looks an algorithm up by Kea's config name (case-insensitive, as Kea accepts "hmac-md5") or by its DNS name
 * (RFC 8945 §6 table); undefined when unknown.
 */
export function findTsigAlgorithm(name: string): TsigAlgorithm | undefined {
  const n = name.toLowerCase();
  return ALGORITHMS.find((a) => a.name.toLowerCase() === n || a.dnsName === canonicalName(n));
}

/** A key as D2 uses it: `digestBits` 0 means the full MAC (Kea's `digest-bits` default). */
export interface TsigKey {
  name: string;
  algorithm: TsigAlgorithm;
  secret: Uint8Array;
  digestBits: number;
}

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

/** RFC 8945 §4.3.3 digest input: [request MAC] + message without TSIG + TSIG variables. */
function computeMac(key: TsigKey, msg: Uint8Array, t: TsigRecord, requestMac?: Uint8Array): Uint8Array {
  const h = createHmac(key.algorithm.hash, key.secret);
  if (requestMac) {
    h.update(new Uint8Array([requestMac.length >>> 8, requestMac.length & 0xff]));
    h.update(requestMac);
  }
  h.update(msg);
  const v = new Writer(128);
  v.bytes(variablesPrefix(t.keyName, t.algorithm));
  time48(v, t.timeSigned);
  v.u16(t.fudge).u16(t.error).u16(t.otherData.length).bytes(t.otherData);
  h.update(v.finish());
  return new Uint8Array(h.digest());
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
  let mac = computeMac(key, msg, t, opts.requestMac);
  if (key.digestBits > 0) mac = mac.slice(0, key.digestBits / 8);
  const w = new Writer(msg.length + 128);
  w.bytes(msg);
  const ar = ((msg[10] << 8) | msg[11]) + 1;
  w.buf[10] = ar >>> 8;
  w.buf[11] = ar & 0xff;
  w.bytes(nameToWire(key.name)).u16(RRType.TSIG).u16(RRClass.ANY).u32(0);
  const rd = new Writer(64);
  rd.bytes(nameToWire(t.algorithm));
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
  const unsigned = bytes.slice(0, msg.tsigOffset);
  unsigned[0] = tsig.originalId >>> 8;
  unsigned[1] = tsig.originalId & 0xff;
  const ar = ((unsigned[10] << 8) | unsigned[11]) - 1;
  unsigned[10] = ar >>> 8;
  unsigned[11] = ar & 0xff;
  const mac = computeMac(key, unsigned, tsig, opts.requestMac).subarray(0, tsig.mac.length);
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
