/**
 * IPv6 address text ⇄ 16 bytes (RFC 4291 §2.2, including "::" and an embedded dotted IPv4 tail), for AAAA rdata
 * and ip6.arpa reverse names. Kept here because mod/wire has IPv4 helpers only.
 */
import { parseIpv4 } from "../../wire/addr.ts";

/** Parses an IPv6 address ("2001:db8::1", "::ffff:192.0.2.1") into 16 bytes, or undefined when invalid. */
export function parseIpv6(text: string): Uint8Array | undefined {
  let t = text.trim();
  const pct = t.indexOf("%");
  if (pct >= 0) t = t.slice(0, pct);
  if (!t.includes(":")) return undefined;
  const groups: number[] = [];
  const parseGroups = (part: string, allowV4: boolean): number[] | undefined => {
    if (part === "") return [];
    const out: number[] = [];
    const items = part.split(":");
    for (let i = 0; i < items.length; i++) {
      const it = items[i];
      if (allowV4 && i === items.length - 1 && it.includes(".")) {
        const v4 = parseIpv4(it);
        if (v4 === undefined) return undefined;
        out.push(v4 >>> 16, v4 & 0xffff);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(it)) {
        out.push(parseInt(it, 16));
      } else return undefined;
    }
    return out;
  };
  const dbl = t.split("::");
  if (dbl.length > 2) return undefined;
  if (dbl.length === 2) {
    const head = parseGroups(dbl[0], false), tail = parseGroups(dbl[1], true);
    if (!head || !tail || head.length + tail.length > 7) return undefined;
    groups.push(...head, ...new Array(8 - head.length - tail.length).fill(0), ...tail);
  } else {
    const all = parseGroups(t, true);
    if (!all || all.length !== 8) return undefined;
    groups.push(...all);
  }
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >>> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** Formats 16 bytes as RFC 5952 text (lower case, longest run of ≥ 2 zero groups shortened to "::"). */
export function formatIpv6(b: Uint8Array): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((b[2 * i] << 8) | b[2 * i + 1]);
  let bestAt = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [bestAt, bestLen] = [i, j - i];
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (bestAt < 0) return hex.join(":");
  return hex.slice(0, bestAt).join(":") + "::" + hex.slice(bestAt + bestLen).join(":");
}
