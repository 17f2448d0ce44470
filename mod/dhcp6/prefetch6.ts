/**
 * The rows a receive batch of DHCPv6 queries asks about (issue 15), for a shared (SQL) lease store to re-read in
 * one query before the engine runs, so a lease another server wrote is seen by the next query: each query's client
 * DUID (OPTION_CLIENTID, RFC 8415 §21.2) and the addresses and prefixes its IA_NA / IA_PD options name (IAADDR
 * §21.6, IAPREFIX §21.22), inside any number of relay layers. A datagram that does not decode adds nothing (the
 * edge drops it anyway); at most `max` of each kind. Pure.
 */
import { decode6, duidOf, innermost } from "../packet6/codec.ts";
import type { LeaseKeys6 } from "../lease/types6.ts";

const big = (b: Uint8Array): bigint => {
  let n = 0n;
  for (const x of b) n = (n << 8n) | BigInt(x);
  return n;
};

/** The keys of a batch of DHCPv6 queries (see the file comment). */
export function prefetchKeys6(datagrams: readonly { data: Uint8Array }[], max = 512): LeaseKeys6 {
  const addresses = new Set<bigint>(), duids = new Set<string>();
  for (const { data } of datagrams) {
    let m;
    try {
      m = innermost(decode6(data));
    } catch {
      continue;
    }
    const duid = duidOf(m);
    if (duid) duids.add(duid);
    for (const ia of m.ias) {
      for (const a of ia.addresses) addresses.add(big(a.address));
      for (const p of ia.prefixes) addresses.add(big(p.prefix));
    }
  }
  return { addresses: [...addresses].slice(0, max), duids: [...duids].slice(0, max) };
}
