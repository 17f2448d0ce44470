/**
 * IPv6 addresses as 128-bit integers (bigint) for the Dhcp6 configuration: prefixes, pool ranges and pd-pool
 * arithmetic. Text parsing and formatting reuse mod/wire/ipv6.ts (RFC 4291 §2.2 input, RFC 5952 §4 output).
 */

import { formatIpv6, parseIpv6 } from "../wire/ipv6.ts";
import { parsePoolWith } from "./pool_range.ts";

/** All 128 bits set. */
export const ALL_ONES6 = (1n << 128n) - 1n;

/** An inclusive IPv6 address range (128-bit bounds). */
export interface Range6 {
  start: bigint;
  end: bigint;
}

/** An IPv6 prefix: the network (host bits cleared), its last address and its length. */
export interface Cidr6 {
  network: bigint;
  last: bigint;
  len: number;
}

/** Parses IPv6 text (no zone) into a 128-bit integer, or undefined (RFC 4291 §2.2 forms). */
export function parseIpv6Big(text: string): bigint | undefined {
  const b = parseIpv6(text);
  if (!b) return undefined;
  let n = 0n;
  for (const x of b) n = (n << 8n) | BigInt(x);
  return n;
}

/** Formats a 128-bit integer as RFC 5952 text (lower case, longest zero run as "::"). */
export function formatIpv6Big(n: bigint): string {
  const b = new Uint8Array(16);
  for (let i = 15; i >= 0; i--) {
    b[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return formatIpv6(b);
}

/** The host-bit mask of a prefix length (the bits a /len leaves free). */
export function hostMask6(len: number): bigint {
  return (1n << BigInt(128 - len)) - 1n;
}

/** The prefix `network/len` of an address: its first and last address (Kea's firstAddrInPrefix/lastAddrInPrefix). */
export function prefixOf6(addr: bigint, len: number): Cidr6 {
  const network = addr & (ALL_ONES6 ^ hostMask6(len));
  return { network, last: network | hostMask6(len), len };
}

/**
 * Parses `ADDR/LEN` (LEN 0..128). Host bits may be set, as Kea accepts them in a subnet; the result is the
 * prefix they belong to. Undefined when the text is not an IPv6 prefix.
 */
export function parseCidr6(text: string): Cidr6 | undefined {
  const m = /^\s*([0-9a-fA-F:.]+)\s*\/\s*(\d{1,3})\s*$/.exec(text);
  if (!m || Number(m[2]) > 128) return undefined;
  const a = parseIpv6Big(m[1]);
  return a === undefined ? undefined : prefixOf6(a, Number(m[2]));
}

/**
 * Parses a Dhcp6 pool, `"ADDR - ADDR"` (spaces optional) or `"ADDR/LEN"` (the whole prefix, as Kea's Pool6 from a
 * prefix), into its first and last address. The order of the bounds is not checked here (validate6 does).
 */
export function parsePool6(text: string): Range6 | undefined {
  return parsePoolWith(text, parseIpv6Big, (t) => {
    const c = parseCidr6(t);
    return c ? { start: c.network, end: c.last } : undefined;
  });
}
