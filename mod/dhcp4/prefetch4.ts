/**
 * The rows a receive batch asks about, read from the raw datagrams without decoding them (RFC 2131 §2 fixed
 * header: `hlen` at 2, `ciaddr` at 12, `chaddr` at 28, the magic cookie at 236, options from 240): each query's
 * hardware address, its client identifier (option 61 payload, RFC 2132 §9.14), its requested address (option 50)
 * and `ciaddr`. A shared (SQL) lease store re-reads those rows in one query before the engine runs, so a lease
 * another server wrote is seen by the next query (issue 15); the host identifiers of the same queries are fetched
 * from Kea's host databases the same way. Malformed input yields what could be read; never throws. Pure.
 */
import type { HostKeys4, LeaseKeys4 } from "../lease/types.ts";
import type { HostIdType } from "../config/model.ts";
import { hostKey } from "../config/host_ids4.ts";

const hex = (b: Uint8Array, from: number, to: number): string => {
  let s = "";
  for (let i = from; i < to; i++) s += (i > from ? ":" : "") + b[i].toString(16).padStart(2, "0");
  return s;
};

const u32 = (b: Uint8Array, at: number): number =>
  ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;

/** Calls `visit(code, start, end)` for each option of a query with the magic cookie (stops at a malformed one). */
function eachOption(b: Uint8Array, visit: (code: number, start: number, end: number) => void): void {
  if (u32(b, 236) !== 0x63825363) return;
  for (let i = 240; i < b.length;) {
    const code = b[i];
    if (code === 0) {
      i++;
      continue;
    }
    if (code === 255 || i + 1 >= b.length) break;
    const len = b[i + 1], start = i + 2, end = start + len;
    if (end > b.length) break;
    visit(code, start, end);
    i = end;
  }
}

const isQuery = (b: Uint8Array) => b.length >= 240 && b[0] === 1;
const cap = <T>(s: Set<T>, max: number) => [...s].slice(0, max);

/** The keys of a batch of DHCPv4 queries (duplicates removed; at most `max` of each kind). */
export function prefetchKeys4(datagrams: readonly { data: Uint8Array }[], max = 512): LeaseKeys4 {
  const addresses = new Set<number>(), hws = new Set<string>(), cids = new Set<string>();
  for (const { data: b } of datagrams) {
    if (!isQuery(b)) continue;
    const hlen = b[2];
    if (hlen > 0 && hlen <= 16) hws.add(hex(b, 28, 28 + hlen));
    const ciaddr = u32(b, 12);
    if (ciaddr) addresses.add(ciaddr);
    eachOption(b, (code, start, end) => {
      if (code === 50 && end - start === 4) addresses.add(u32(b, start));
      if (code === 61 && end > start) cids.add(hex(b, start, end));
    });
  }
  return { addresses: cap(addresses, max), hwaddrs: cap(hws, max), clientIds: cap(cids, max) };
}

/**
 * The host lookups of a batch (Kea's DHCPv4 host identifiers, as the engine's reservation.ts computes them):
 * hw-address = chaddr, client-id = the whole option 61 payload, duid = the DUID of an RFC 4361 client identifier
 * (type 255, a 4-byte IAID, then at least one byte), circuit-id = sub-option 1 of option 82 (RFC 3046 §2.0); and
 * the requested addresses (option 50, ciaddr) whose reservations must be known exactly. Each identifier comes with
 * its host key (config/host_ids4.ts). The flex-id, an expression's value, is added by the caller. Pure.
 */
export function hostKeys4(datagrams: readonly { data: Uint8Array }[], max = 512): HostKeys4 {
  const ids = new Map<string, string>(), addresses = new Set<number>();
  const add = (type: HostIdType, value: string) => ids.size < max && ids.set(hostKey(type, value), value);
  for (const { data: b } of datagrams) {
    if (!isQuery(b)) continue;
    const hlen = b[2];
    if (hlen > 0 && hlen <= 16) add("hw-address", hex(b, 28, 28 + hlen));
    const ciaddr = u32(b, 12);
    if (ciaddr) addresses.add(ciaddr);
    eachOption(b, (code, start, end) => {
      if (code === 50 && end - start === 4) addresses.add(u32(b, start));
      if (code === 61 && end > start) {
        add("client-id", hex(b, start, end));
        if (b[start] === 255 && end - start > 5) add("duid", hex(b, start + 5, end));
      }
      if (code === 82) {
        for (let i = start; i + 1 < end;) {
          const sub = b[i], len = b[i + 1];
          if (i + 2 + len > end) break;
          if (sub === 1 && len > 0) add("circuit-id", hex(b, i + 2, i + 2 + len));
          i += 2 + len;
        }
      }
    });
  }
  return { ids: [...ids].map(([key, value]) => ({ key, value })), addresses: cap(addresses, max) };
}
