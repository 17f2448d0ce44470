/**
 * Parsing of Kea pool specifications: `"A.B.C.D - E.F.G.H"` (spaces optional) or a prefix `"A.B.C.D/N"`, which
 * covers the whole prefix, network and broadcast addresses included (Kea's Pool4 from a prefix).
 */

import { parseCidr4, parseIpv4, prefixMask } from "../wire/addr.ts";

/** An inclusive address range (u32 bounds). */
export interface Range4 {
  start: number;
  end: number;
}

/**
 * Parses a pool string into its first and last address, or undefined when it is neither a range nor a prefix.
 * The order of the bounds is not checked here (validate4 reports `start > end` with both addresses).
 */
export function parsePool4(text: string): Range4 | undefined {
  const dash = text.indexOf("-");
  if (dash >= 0) {
    const start = parseIpv4(text.slice(0, dash));
    const end = parseIpv4(text.slice(dash + 1));
    return start === undefined || end === undefined ? undefined : { start, end };
  }
  const c = parseCidr4(text);
  if (!c) return undefined;
  return { start: c.network, end: (c.network | ~prefixMask(c.len)) >>> 0 };
}
