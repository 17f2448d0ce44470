/**
 * The rows a receive batch of DHCPv6 queries asks about (issue 15), for a shared (SQL) lease store to re-read in
 * one query before the engine runs, so a lease another server wrote is seen by the next query: each query's client
 * DUID (OPTION_CLIENTID, RFC 8415 §21.2) and the addresses and prefixes its IA_NA / IA_PD options name (IAADDR
 * §21.6, IAPREFIX §21.22), inside any number of relay layers. A datagram that does not decode adds nothing (the
 * edge drops it anyway); at most `max` of each kind. Pure.
 */
import { decode6, duidOf, innermost } from "../packet6/codec.ts";
import type { HostKeys6, LeaseKeys6 } from "../lease/types6.ts";
import type { HostIdType6 } from "../config/model6.ts";
import { unwrap6 } from "./engine/relay6.ts";
import { identifyClient6 } from "./engine/client6.ts";

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

/**
 * The host lookups of a batch of DHCPv6 queries, for Kea's host databases (mod/lease/host_cache6.ts): each query's
 * host keys as the engine will build them (identifyClient6: the DUID, the hardware address from option 79, the
 * DUID or the link-local address, in `host-reservation-identifiers` order), and the addresses and prefixes its
 * IAs name (so a reservation of one is known exactly before the engine decides). At most `max` of each. Pure.
 */
export function hostKeys6(
  datagrams: readonly { data: Uint8Array; srcAddr: Uint8Array }[],
  idTypes: readonly HostIdType6[],
  max = 512,
): HostKeys6 {
  const ids = new Map<string, string>(), addresses = new Set<bigint>();
  for (const { data, srcAddr } of datagrams) {
    let un;
    try {
      un = unwrap6(decode6(data));
    } catch {
      continue;
    }
    if (!un) continue;
    for (const key of identifyClient6(un.msg, un.relays, srcAddr, idTypes).hostKeys) {
      ids.set(key, key.slice(key.indexOf("=") + 1));
    }
    for (const ia of un.msg.ias) {
      for (const a of ia.addresses) addresses.add(big(a.address));
      for (const p of ia.prefixes) addresses.add(big(p.prefix));
    }
  }
  return {
    ids: [...ids].slice(0, max).map(([key, value]) => ({ key, value })),
    addresses: [...addresses].slice(0, max),
  };
}
