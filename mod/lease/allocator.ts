/**
 * Kea's iterative allocator (`allocator: "iterative"`, the default; Kea iterative_allocator.cc): each pool keeps a
 * cursor and hands out addresses in ascending order from it, wrapping once round the pool. An address is free when
 * it has no lease, or its lease is released / expired-reclaimed, or its lease has expired (Kea reuses an expired
 * lease: alloc_engine.cc `allocateUnreservedLease4` takes a candidate whose `Lease::expired()` is true), and it is
 * neither reserved for a host nor promised by a pending offer. Pure: reads the LeaseView and OfferView only.
 */
import type { Subnet4 } from "../config/model.ts";
import type { FreeAddressFinder, OfferView } from "../dhcp4/engine/types.ts";
import { type Lease4, leaseExpire, LeaseState, type LeaseView } from "./types.ts";

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
   * undefined when every address is taken (the caller reports the pool as exhausted). Each address is examined at
   * most once per call, so a full pool costs one pass and never loops; a mostly free pool answers at the first try.
   * The cursor moves past the address returned, as Kea's iterative allocator does.
   */
  findFree(subnet: Subnet4, poolIndex: number, now: number): number | undefined {
    const pool = subnet.pools[poolIndex];
    if (!pool || pool.end < pool.start) return undefined;
    const size = pool.end - pool.start + 1;
    let cursors = this.cursors.get(subnet.id);
    if (!cursors) this.cursors.set(subnet.id, cursors = []);
    let off = cursors[poolIndex] ?? 0;
    if (off >= size) off = 0;
    for (let i = 0; i < size; i++) {
      const addr = pool.start + off;
      off = off + 1 === size ? 0 : off + 1;
      if (subnet.reservedAddresses.has(addr)) continue;
      if (this.offers.isOffered(addr)) continue;
      if (!isReusable(this.leases.byAddress(addr), now)) continue;
      cursors[poolIndex] = off;
      return addr;
    }
    cursors[poolIndex] = off;
    return undefined;
  }

  /** Forgets every cursor (after a reconfiguration changed the pools). */
  reset(): void {
    this.cursors.clear();
  }
}
