/**
 * Kea's iterative allocator (`allocator: "iterative"`, the default; Kea iterative_allocator.cc): each pool keeps a
 * cursor and hands out addresses in ascending order from it, wrapping once round the pool. An address is free when
 * it has no lease, or its lease is released / expired-reclaimed, or its lease has expired (Kea reuses an expired
 * lease: alloc_engine.cc `allocateUnreservedLease4` takes a candidate whose `Lease::expired()` is true), it is not
 * reserved for a host, and no offer holds it (`offer-lifetime`, Kea 2.6). An address merely offered to another
 * client lately is free too, as in Kea 2.2, which stores nothing at OFFER: the allocator prefers addresses nobody
 * was offered, and takes the longest-offered one when those are all that is left, so a DISCOVER flood cannot
 * empty a pool. Pure: reads the LeaseView and OfferView only.
 */
import type { Subnet4 } from "../config/model.ts";
import type { OfferRecord, OfferView } from "./offers.ts";
import { type Lease4, leaseExpire, LeaseState, type LeaseView } from "./types.ts";

/** Chooses a free address from a pool. It may keep a cursor (Kea's iterative allocator); it never writes leases. */
export interface FreeAddressFinder {
  /** the next address in [pool.start, pool.end] that is free (no live lease, not reserved, not held), or undefined */
  findFree(subnet: Subnet4, poolIndex: number, now: number): number | undefined;
}

/**
 * How many more addresses a search examines once it has found a free address that was offered to someone else,
 * looking for one nobody was offered. It bounds the work of a DISCOVER when a flood has had every free address
 * offered (each then costs this many lookups, not a pass over the pool).
 */
export const STEAL_LOOKAHEAD = 64;

/**
 * True when the address held by `lease` may be given to a new client at `now`: no lease, a released or reclaimed
 * one, or one whose expiry has passed (Kea `Lease::expired()`; a declined lease is free again once its probation,
 * stored as its lifetime, has ended).
 */
export function isReusable(lease: Lease4 | undefined, now: number): boolean {
  if (!lease) return true;
  if (lease.state === LeaseState.RELEASED || lease.state === LeaseState.EXPIRED_RECLAIMED) return true;
  return leaseExpire(lease) <= now;
}

/** Per-pool cursors over the lease view; implements the engine's `FreeAddressFinder`. */
export class IterativeAllocator implements FreeAddressFinder {
  /** subnet id → next offset to try, by pool index (no string key built per query) */
  private readonly cursors = new Map<number, number[]>();

  constructor(private readonly leases: LeaseView, private readonly offers: OfferView) {}

  /**
   * The next free address of pool `poolIndex` of `subnet`, scanning from the pool's cursor and wrapping once;
   * undefined when every address is leased, reserved or held (the caller reports the pool as exhausted). The first
   * free address nobody was offered lately wins. A free address offered to another client is only a fallback: the
   * scan goes on at most STEAL_LOOKAHEAD addresses past the first such one, then takes the one among them offered
   * longest ago (in a flooded pool that is the one at the cursor: offers follow the cursor round the pool). The
   * cursor moves past the address returned, as Kea's iterative allocator does.
   */
  findFree(subnet: Subnet4, poolIndex: number, now: number): number | undefined {
    const pool = subnet.pools[poolIndex];
    if (!pool || pool.end < pool.start) return undefined;
    const size = pool.end - pool.start + 1;
    let cursors = this.cursors.get(subnet.id);
    if (!cursors) this.cursors.set(subnet.id, cursors = []);
    let off = cursors[poolIndex] ?? 0;
    if (off >= size) off = 0;
    let steal: OfferRecord | undefined;
    let stealNext = 0;
    let left = size;
    for (let i = 0; i < left; i++) {
      const addr = pool.start + off;
      off = off + 1 === size ? 0 : off + 1;
      if (subnet.reservedAddresses.has(addr)) continue;
      if (!isReusable(this.leases.byAddress(addr), now)) continue;
      const offer = this.offers.offerOf(addr);
      if (offer === undefined) {
        cursors[poolIndex] = off;
        return addr;
      }
      if (offer.holdUntil > now) continue;
      if (steal === undefined) left = Math.min(size, i + 1 + STEAL_LOOKAHEAD);
      if (steal === undefined || offer.at < steal.at) {
        steal = offer;
        stealNext = off;
      }
    }
    cursors[poolIndex] = steal ? stealNext : off;
    return steal?.address;
  }

  /** Forgets every cursor (after a reconfiguration changed the pools). */
  reset(): void {
    this.cursors.clear();
  }
}
