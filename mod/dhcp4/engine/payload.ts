/**
 * The few option payload readers and writers the DHCPv4 engine needs (RFC 2132 formats): 32-bit integers
 * (options 51, 58, 59), IPv4 addresses (50, 54, 118), the parameter request list (55), text (12) and the
 * relay agent information sub-options (RFC 3046 §2.0). Pure functions over raw payloads; the full option
 * table lives in mod/options.
 */
import { ipv4At, ipv4Bytes } from "../../wire/addr.ts";

/** Reads a 4-byte payload as a u32 (RFC 2132 §9.2 lease time, §9.11/§9.12 T1/T2); undefined when not 4 bytes. */
export function readU32(p: Uint8Array | undefined): number | undefined {
  if (!p || p.length !== 4) return undefined;
  return ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0;
}

/**
 * Encodes a u32 as a 4-byte option payload (RFC 2132 §9.2, §9.11, §9.12). The few values a server sends over
 * and over (lease time, T1, T2) come from a small cache, so the hot path allocates nothing for them; the payload
 * is therefore shared and must never be modified.
 */
export function u32Payload(v: number): Uint8Array {
  v = v >>> 0;
  let b = U32_CACHE.get(v);
  if (b === undefined) {
    b = ipv4Bytes(v);
    if (U32_CACHE.size >= 256) U32_CACHE.clear();
    U32_CACHE.set(v, b);
  }
  return b;
}

const U32_CACHE = new Map<number, Uint8Array>();

/**
 * The one-byte option 53 payload of a message type (RFC 2132 §9.6), shared per type so replies allocate nothing
 * for it; never modify it.
 */
export function msgTypePayload(type: number): Uint8Array {
  return MSG_TYPE_PAYLOADS[type] ??= Uint8Array.of(type);
}

const MSG_TYPE_PAYLOADS: Uint8Array[] = [];

/**
 * Reads a single IPv4 address payload (RFC 2132 §9.1 requested address, §9.7 server identifier, RFC 3011
 * subnet selection); undefined unless it is exactly 4 bytes, as Kea rejects a malformed address option.
 */
export function readAddr(p: Uint8Array | undefined): number | undefined {
  if (!p || p.length !== 4) return undefined;
  return ipv4At(p, 0);
}

/** Reads an address list payload (RFC 2132 §3.5 routers and the like): every whole 4-byte group. */
export function readAddrList(p: Uint8Array | undefined): number[] {
  const out: number[] = [];
  if (!p) return out;
  for (let i = 0; i + 4 <= p.length; i += 4) out.push(ipv4At(p, i));
  return out;
}

/** Reads the parameter request list (option 55, RFC 2132 §9.8) as a set of option codes. */
export function readPrl(p: Uint8Array | undefined): Set<number> {
  return new Set(p ?? []);
}

/** Decodes a text payload (RFC 2132 §3.14 host name) as UTF-8, dropping trailing NULs some clients send. */
export function readText(p: Uint8Array | undefined): string {
  if (!p) return "";
  let end = p.length;
  while (end > 0 && p[end - 1] === 0) end--;
  return DECODER.decode(p.subarray(0, end));
}

const DECODER = new TextDecoder("utf-8", { ignoreBOM: true }); // a leading U+FEFF is the client's, kept
const ENCODER = new TextEncoder();

/** Encodes text as an option payload (UTF-8). */
export function textPayload(s: string): Uint8Array {
  return ENCODER.encode(s);
}

/**
 * Splits a relay agent information payload (option 82, RFC 3046 §2.0) into sub-options by code: 1 circuit-id,
 * 2 remote-id, 5 link-selection (RFC 3527), 11 server-id-override (RFC 5107), 19 relay-port (RFC 8357).
 * A truncated trailing sub-option is ignored, as Kea skips what it cannot parse. Without option 82 (most
 * queries) the answer is one shared empty map, hence read-only.
 */
export function parseRai(p: Uint8Array | undefined): ReadonlyMap<number, Uint8Array> {
  if (!p || p.length === 0) return NO_RAI;
  const out = new Map<number, Uint8Array>();
  let i = 0;
  while (i + 2 <= p.length) {
    const code = p[i], len = p[i + 1];
    if (i + 2 + len > p.length) break;
    if (!out.has(code)) out.set(code, p.subarray(i + 2, i + 2 + len));
    i += 2 + len;
  }
  return out;
}

const NO_RAI: ReadonlyMap<number, Uint8Array> = new Map();

/** RAI sub-option codes the engine reads (RFC 3527, RFC 5107, RFC 8357). */
export const RaiSub = { LINK_SELECTION: 5, SERVER_ID_OVERRIDE: 11, RELAY_PORT: 19 } as const;
