/**
 * IPv6 prefix arithmetic for `prefix6 LOW HIGH / LEN` (dhcpd.conf(5)): the range of delegated /LEN prefixes from
 * LOW to HIGH is covered by the fewest aligned CIDR blocks, each of which becomes a Kea pd-pool
 * (`prefix`/`prefix-len`/`delegated-len`, Kea ARM "Subnet and Prefix Delegation Pools").
 */
import { formatIpv6, parseIpv6 } from "../wire/ipv6.ts";

/** An IPv6 address as a 128-bit integer (text parsed by the shared codec in mod/wire/ipv6.ts; invalid text → 0). */
function toBig(a: string): bigint {
  const b = parseIpv6(a) ?? new Uint8Array(16);
  return b.reduce((acc, x) => (acc << 8n) | BigInt(x), 0n);
}

/** Formats a 128-bit value as RFC 5952 text (longest zero run compressed). */
export function formatV6(v: bigint): string {
  const b = new Uint8Array(16);
  for (let i = 15; i >= 0; i--, v >>= 8n) b[i] = Number(v & 0xffn);
  return formatIpv6(b);
}

/**
 * Splits the delegated prefixes LOW … HIGH (each /dlen) into aligned blocks; undefined when LOW or HIGH is not
 * a /dlen boundary or HIGH < LOW. One block starting at LOW keeps LOW's original spelling.
 */
export function pdBlocks(lo: string, hi: string, dlen: number): { prefix: string; len: number }[] | undefined {
  const step = 1n << BigInt(128 - dlen);
  const a = toBig(lo), b = toBig(hi);
  if (a % step !== 0n || b % step !== 0n || b < a) return undefined;
  const end = b + step; // exclusive
  const out: { prefix: string; len: number }[] = [];
  let cur = a;
  while (cur < end) {
    let len = dlen;
    while (len > 0) {
      const size = 1n << BigInt(128 - (len - 1));
      if (cur % size !== 0n || cur + size > end) break;
      len--;
    }
    out.push({ prefix: out.length === 0 && cur === a ? lo : formatV6(cur), len });
    cur += 1n << BigInt(128 - len);
    if (out.length > 64) return undefined;
  }
  return out;
}
