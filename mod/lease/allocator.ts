/**
 * Kea's iterative allocator (`allocator: "iterative"`, the default; Kea iterative_allocator.cc): each pool keeps a
 * cursor and hands out addresses in ascending order from it, wrapping once round the pool. An address is free when
 * it has no lease, or its lease is released / expired-reclaimed, or its lease has expired (Kea reuses an expired
 * lease: alloc_engine.cc `allocateUnreservedLease4` takes a candidate whose `Lease::expired()` is true), it is not
 * reserved for a host, and no offer holds it (`offer-lifetime`, Kea 2.6). An address merely offered to another
 * client lately is free too, as in Kea 2.2, which stores nothing at OFFER: the allocator prefers addresses nobody
 * was offered (in any of the pools it may use), and takes the longest-offered one when those are all that is left,
 * so a DISCOVER flood cannot empty a pool. Pure: reads the LeaseView and OfferView only.
 */
import type { Subnet4 } from "../config/model.ts";
import type { OfferRecord, OfferView } from "./offers.ts";
import { type HostView4, type Lease4, leaseExpire, LeaseState, type LeaseView } from "./types.ts";

/** One pool of a subnet, as the allocation steps name it. */
export interface PoolRef {
  subnet: Subnet4;
  poolIndex: number;
}

/** Chooses a free address from pools. It may keep a cursor (Kea's iterative allocator); it never writes leases. */
export interface FreeAddressFinder {
  /**
   * A free address (no live lease, not reserved, not held) of one of `pools`, preferring, in their order, one that
   * nobody was offered; undefined when they have none.
   */
  findFree(pools: readonly PoolRef[], now: number): { subnet: Subnet4; address: number } | undefined;
}

/**
 * How many more addresses a pool's search examines once it has found a free address that was offered to someone
 * else, looking for one nobody was offered. It bounds the work of a DISCOVER when a flood has had every free
 * address offered (each pool then costs this many lookups, not a pass over the pool).
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

  /**
   * Host reservations of Kea's host databases (host_cache4.ts), when configured: their addresses are kept out of
   * dynamic allocation like the configuration's (the edge sets it before the first query).
   */
  hosts?: HostView4;

  constructor(private readonly leases: LeaseView, private readonly offers: OfferView) {}

  /** Whether a host database reserves `addr` in `subnet` (its own hosts, and the global ones when they apply). */
  private dbReserved(subnet: Subnet4, addr: number): boolean {
    const h = this.hosts;
    if (!h) return false;
    if (subnet.reservationsInSubnet !== false && h.reservedFor(subnet.id, addr)?.length) return true;
    return subnet.reservationsGlobal === true && (h.reservedFor(0, addr)?.length ?? 0) > 0;
  }

  /**
   * The next free address of `pools`, each scanned from its cursor and wrapping once, in the order given (Kea's
   * allocation engine walks a subnet's pools, then the other subnets of its shared network); undefined when every
   * address is leased, reserved or held (the caller reports the pools as exhausted). The first free address nobody
   * was offered lately wins, in whichever pool. A free address offered to another client is only a fallback: a
   * pool's scan goes on at most STEAL_LOOKAHEAD addresses past the first such one, and when no pool has an
   * unoffered one, the candidate offered longest ago is taken (in a flooded pool that is the one at the cursor:
   * offers follow the cursor round the pool). The cursor moves past the address returned, as Kea's iterative
   * allocator does; a pool that gave nothing keeps its cursor.
   */
  findFree(pools: readonly PoolRef[], now: number): { subnet: Subnet4; address: number } | undefined {
    let steal: OfferRecord | undefined;
    let stealRef: PoolRef | undefined;
    let stealNext = 0;
    for (const ref of pools) {
      const { subnet, poolIndex } = ref;
      const pool = subnet.pools[poolIndex];
      if (!pool || pool.end < pool.start) continue;
      const size = pool.end - pool.start + 1;
      const cursors = this.cursorsOf(subnet.id);
      let off = cursors[poolIndex] ?? 0;
      if (off >= size) off = 0;
      let left = size;
      let offeredSeen = false;
      for (let i = 0; i < left; i++) {
        const addr = pool.start + off;
        off = off + 1 === size ? 0 : off + 1;
        if (subnet.reservedAddresses.has(addr) || this.dbReserved(subnet, addr)) continue;
        if (!isReusable(this.leases.byAddress(addr), now)) continue;
        const offer = this.offers.offerOf(addr);
        if (offer === undefined) {
          cursors[poolIndex] = off;
          return { subnet, address: addr };
        }
        if (offer.holdUntil > now) continue;
        if (!offeredSeen) {
          offeredSeen = true;
          left = Math.min(size, i + 1 + STEAL_LOOKAHEAD);
        }
        if (steal === undefined || offer.at < steal.at) {
          steal = offer;
          stealRef = ref;
          stealNext = off;
        }
      }
    }
    if (steal === undefined || stealRef === undefined) return undefined;
    this.cursorsOf(stealRef.subnet.id)[stealRef.poolIndex] = stealNext;
    return { subnet: stealRef.subnet, address: steal.address };
  }

  private cursorsOf(subnetId: number): number[] {
    let cursors = this.cursors.get(subnetId);
    if (!cursors) this.cursors.set(subnetId, cursors = []);
    return cursors;
  }

  /** Forgets every cursor (after a reconfiguration changed the pools). */
  reset(): void {
    this.cursors.clear();
  }
}
