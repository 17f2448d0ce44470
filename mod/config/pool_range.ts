/**
 * Kea pool specifications, for both universes: `"FIRST - LAST"` (spaces optional) or a prefix `"ADDR/LEN"`, which
 * covers the whole prefix, network and broadcast addresses included (Kea's Pool4 / Pool6 from a prefix), and
 * Kea's checks of a subnet's pool list (start not after end, inside the subnet, no overlap). DHCPv4 bounds are
 * u32 numbers, DHCPv6 bounds 128-bit bigints (addr6.ts).
 */

import { formatIpv4, parseCidr4, parseIpv4, prefixMask } from "../wire/addr.ts";
import type { JsonPath, Problems } from "./errors.ts";

/** An inclusive address range. */
export interface Range<T extends number | bigint> {
  start: T;
  end: T;
}

/** An inclusive address range (u32 bounds). */
export type Range4 = Range<number>;

/**
 * Parses a pool string with the universe's address and prefix parsers: `FIRST - LAST`, or a prefix as the range
 * it covers. Undefined when it is neither. The order of the bounds is not checked here.
 */
export function parsePoolWith<T extends number | bigint>(
  text: string,
  address: (s: string) => T | undefined,
  prefix: (s: string) => Range<T> | undefined,
): Range<T> | undefined {
  const dash = text.indexOf("-");
  if (dash >= 0) {
    const start = address(text.slice(0, dash));
    const end = address(text.slice(dash + 1));
    return start === undefined || end === undefined ? undefined : { start, end };
  }
  return prefix(text);
}

/**
 * Parses a pool string into its first and last address, or undefined when it is neither a range nor a prefix.
 * The order of the bounds is not checked here (validate4 reports `start > end` with both addresses).
 */
export function parsePool4(text: string): Range4 | undefined {
  return parsePoolWith(text, parseIpv4, (t) => {
    const c = parseCidr4(t);
    return c ? { start: c.network, end: (c.network | ~prefixMask(c.len)) >>> 0 } : undefined;
  });
}

/** How one universe parses, formats and shows its pools in messages. */
export interface PoolFamily<T extends number | bigint> {
  parse: (text: string) => Range<T> | undefined;
  format: (a: T) => string;
  /** the accepted forms, for the message of an unparsable pool */
  forms: string;
}

/** DHCPv4 pools. */
export const POOLS4: PoolFamily<number> = {
  parse: parsePool4,
  format: formatIpv4,
  forms: '"A.B.C.D - E.F.G.H" or "A.B.C.D/N"',
};

/**
 * Kea's checks of a subnet's `pools` (Pool4/Pool6 and CfgSubnets: a pool's start is not after its end, it lies
 * inside the subnet `[lo, hi]`, and it overlaps no earlier pool of the subnet). Each problem is recorded at
 * `…pools[j].pool`; the pools that pass are returned in order.
 */
export function checkPools<T extends number | bigint>(
  pools: readonly { pool: string }[] | undefined,
  subnetPath: JsonPath,
  subnet: { lo: T; hi: T; text: string },
  family: PoolFamily<T>,
  problems: Problems,
): Range<T>[] {
  const fmt = family.format;
  const out: Range<T>[] = [];
  (pools ?? []).forEach((p, j) => {
    const pp: JsonPath = [...subnetPath, "pools", j, "pool"];
    const r = family.parse(p.pool);
    if (!r) {
      problems.add(pp, `'${p.pool}' is not a pool (expected ${family.forms})`);
      return;
    }
    const text = `${fmt(r.start)}-${fmt(r.end)}`;
    if (r.start > r.end) {
      problems.add(pp, `pool start ${fmt(r.start)} is after its end ${fmt(r.end)}`);
      return;
    }
    if (r.start < subnet.lo || r.end > subnet.hi) {
      problems.add(pp, `pool ${text} is not inside subnet ${subnet.text}`);
      return;
    }
    const k = out.findIndex((q) => q.start <= r.end && r.start <= q.end);
    if (k >= 0) {
      problems.add(pp, `pool ${text} overlaps pool ${fmt(out[k].start)}-${fmt(out[k].end)}`);
      return;
    }
    out.push(r);
  });
  return out;
}
