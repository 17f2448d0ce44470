/**
 * The rows a receive batch asks about, read from the raw datagrams without decoding them (RFC 2131 §2 fixed
 * header: `hlen` at 2, `ciaddr` at 12, `chaddr` at 28, the magic cookie at 236, options from 240): each query's
 * hardware address, its client identifier (option 61 payload, RFC 2132 §9.14), its requested address (option 50)
 * and `ciaddr`. A shared (SQL) lease store re-reads those rows in one query before the engine runs, so a lease
 * another server wrote is seen by the next query (issue 15). Malformed input yields what could be read; never
 * throws. Pure.
 */
import type { LeaseKeys4 } from "../lease/types.ts";

const hex = (b: Uint8Array, from: number, to: number): string => {
  let s = "";
  for (let i = from; i < to; i++) s += (i > from ? ":" : "") + b[i].toString(16).padStart(2, "0");
  return s;
};

const u32 = (b: Uint8Array, at: number): number =>
  ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;

/** The keys of a batch of DHCPv4 queries (duplicates removed; at most `max` of each kind). */
export function prefetchKeys4(datagrams: readonly { data: Uint8Array }[], max = 512): LeaseKeys4 {
  const addresses = new Set<number>(), hws = new Set<string>(), cids = new Set<string>();
  for (const { data: b } of datagrams) {
    if (b.length < 240 || b[0] !== 1) continue;
    const hlen = b[2];
    if (hlen > 0 && hlen <= 16) hws.add(hex(b, 28, 28 + hlen));
    const ciaddr = u32(b, 12);
    if (ciaddr) addresses.add(ciaddr);
    if (u32(b, 236) !== 0x63825363) continue;
    for (let i = 240; i < b.length;) {
      const code = b[i];
      if (code === 0) {
        i++;
        continue;
      }
      if (code === 255 || i + 1 >= b.length) break;
      const len = b[i + 1], start = i + 2, end = start + len;
      if (end > b.length) break;
      if (code === 50 && len === 4) addresses.add(u32(b, start));
      if (code === 61 && len > 0) cids.add(hex(b, start, end));
      i = end;
    }
  }
  const cap = <T>(s: Set<T>) => [...s].slice(0, max);
  return { addresses: cap(addresses), hwaddrs: cap(hws), clientIds: cap(cids) };
}
