/**
 * Address questions the allocation steps ask (Kea's allocation engine checks): is an address in a pool of
 * the subnet, is a lease still live, may this client have that address right now, and was it offered to another.
 */
import type { Subnet4 } from "../../config/model.ts";
import { type Lease4, leaseExpire, LeaseState } from "../../lease/types.ts";
import type { EngineContext } from "./types.ts";
import { type ClientInfo, ownsLease } from "./client.ts";
import { isReserved, isReservedFor } from "./reservation.ts";

/** Index of the pool of `subnet` holding `addr` (pools are inclusive ranges), or -1. */
export function poolIndexOf(subnet: Subnet4, addr: number): number {
  for (let i = 0; i < subnet.pools.length; i++) {
    const p = subnet.pools[i];
    if (addr >= p.start && addr <= p.end) return i;
  }
  return -1;
}

/**
 * True when a lease still holds its address: an assigned (state 0) or declined (state 1, probation) lease
 * that has not expired. Released and reclaimed leases, and expired ones, leave the address free for reuse.
 */
export function isLive(lease: Lease4, now: number): boolean {
  if (lease.state !== LeaseState.DEFAULT && lease.state !== LeaseState.DECLINED) return false;
  return leaseExpire(lease) > now;
}

/**
 * True when `addr` may be given to this client: no other client's live lease holds it, it is not reserved for
 * another hardware address, and no offer *holds* it for another client (key `key`; only with `offer-lifetime`).
 * An address merely offered to another client is available, as in Kea 2.2, which stores nothing at OFFER: a
 * REQUEST for it is granted, and a DISCOVER flood cannot make a pool look exhausted.
 */
export function isAvailableFor(
  addr: number,
  client: ClientInfo,
  key: string,
  subnet: Subnet4,
  ctx: EngineContext,
): boolean {
  const lease = ctx.leases.byAddress(addr);
  if (lease && isLive(lease, ctx.now) && !ownsLease(lease, client, subnet.matchClientId)) return false;
  if (isReserved(subnet, addr, ctx.hosts) && !isReservedFor(subnet, addr, client, ctx.hosts)) return false;
  const offer = ctx.offers.offerOf(addr);
  return offer === undefined || offer.holdUntil <= ctx.now || offer.key === key;
}

/**
 * True when another client than `key` was offered `addr` lately (held or not). The allocation steps use it as a
 * preference only: an address a client merely asks for (option 50 in a DISCOVER) is not taken from a client that
 * is probably about to request it while other addresses are free; the pool allocator still gives it out when
 * nothing else is left (allocator.ts).
 */
export function offeredToOther(addr: number, key: string, ctx: EngineContext): boolean {
  const offer = ctx.offers.offerOf(addr);
  return offer !== undefined && offer.key !== key;
}
