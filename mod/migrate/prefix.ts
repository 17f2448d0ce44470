/**
 * IPv6 prefix arithmetic for `prefix6 LOW HIGH / LEN` (dhcpd.conf(5)): the range of delegated /LEN prefixes from
 * LOW to HIGH is covered by the fewest aligned CIDR blocks, each of which becomes a Kea pd-pool
 * (`prefix`/`prefix-len`/`delegated-len`, Kea ARM "Subnet and Prefix Delegation Pools").
 */

function toBig(a: string): bigint {
  const [h, t] = a.includes("::") ? a.split("::") : [a, undefined];
  const hs = h ? h.split(":") : [];
  const ts = t ? t.split(":") : [];
  const groups = t === undefined ? hs : [...hs, ...Array(8 - hs.length - ts.length).fill("0"), ...ts];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g || "0", 16)), 0n);
}

/** Formats a 128-bit value as RFC 5952 text (longest zero run compressed). */
export function formatV6(v: bigint): string {
  const g: number[] = [];
  for (let i = 7; i >= 0; i--) g.push(Number((v >> BigInt(i * 16)) & 0xffffn));
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLen).join(":")}`;
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
