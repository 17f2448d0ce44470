/**
 * Kea's DHCPv4 allocators behind one `FreeAddressFinder` (Kea: `allocator` per global / shared network / subnet,
 * alloc_engine.cc and iterative_allocator.cc, random_allocator.cc, flq_allocator.cc): each subnet's pools are walked
 * in the order of the subnet's allocator (pool_sources.ts): `iterative` (Kea's default: a cursor per pool, ascending,
 * wrapping), `random` (a random permutation of the pool, without repetition until it is used up) or `flq` (a queue of
 * the pool's free addresses, kept up to date by the store's mutations, so a nearly full pool costs what an empty one
 * costs). An address is free when it has no lease, or its lease is released / expired-reclaimed, or its lease has
 * expired (Kea reuses an expired lease: `allocateUnreservedLease4`), it is not reserved for a host, and no offer holds
 * it (`offer-lifetime`, Kea 2.6). An address merely offered to another client lately is free too, as in Kea 2.2,
 * which stores nothing at OFFER: the search prefers addresses nobody was offered (in any of the pools it may use),
 * and takes the longest-offered one when those are all that is left, so a DISCOVER flood cannot empty a pool. Pure:
 * reads the LeaseView and OfferView only; the random source is injected.
 */
import type { Subnet4 } from "../config/model.ts";
import type { OfferRecord, OfferView } from "./offers.ts";
import { type HostView4, type Lease4, leaseExpire, type LeaseMutation, LeaseState, type LeaseView } from "./types.ts";
import { FlqSource, IterativeSource, type PoolSource, RandomSource } from "./pool_sources.ts";

/** One pool of a subnet, as the allocation steps name it. */
export interface PoolRef {
  subnet: Subnet4;
  poolIndex: number;
}

/** Chooses a free address from pools. It may keep state per pool (a cursor, a permutation, a queue); it never writes leases. */
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

/**
 * Kea's `exclude-first-last-24` (compatibility): in a subnet of /24 or larger, addresses ending in .0 or .255 are
 * never handed out by the allocator.
 */
export function excludedFirstLast24(subnet: Subnet4, address: number): boolean {
  if (!subnet.excludeFirstLast24 || subnet.len > 24) return false;
  const last = address & 0xff;
  return last === 0 || last === 255;
}

/** The allocators' per-pool state, by allocator kind; implements the engine's `FreeAddressFinder`. */
export class PoolAllocator implements FreeAddressFinder {
  /** `${subnet id}/${pool index}` → the pool's candidate source, made on first use */
  private readonly sources = new Map<string, { pool: { start: number; end: number }; src: PoolSource }>();
  /** the free-lease queues, sorted by their pool's first address (for observe) */
  private queues: { pool: { start: number; end: number }; src: PoolSource }[] = [];
  private maxEnd: number[] = [];

  /**
   * Host reservations of Kea's host databases (host_cache4.ts), when configured: their addresses are kept out of
   * dynamic allocation like the configuration's (the edge sets it before the first query).
   */
  hosts?: HostView4;

  /** Whether a host database reserves `addr` in `subnet` (its own hosts, and the global ones when they apply). */
  private dbReserved(subnet: Subnet4, addr: number): boolean {
    const h = this.hosts;
    if (!h) return false;
    if (subnet.reservationsInSubnet !== false && h.reservedFor(subnet.id, addr)?.length) return true;
    return subnet.reservationsGlobal === true && (h.reservedFor(0, addr)?.length ?? 0) > 0;
  }

  /**
   * `random` draws the random allocator's permutations (Math.random by default). When the store can say what it
   * changes (`watch`), the free-lease queues follow it; otherwise flq pools are treated as iterative.
   */
  constructor(
    private readonly leases: LeaseView,
    private readonly offers: OfferView,
    private readonly random: () => number = Math.random,
  ) {}

  /**
   * The next free address of `pools`, each walked in its subnet allocator's order, in the order the pools are given
   * (Kea's allocation engine walks a subnet's pools, then the other subnets of its shared network); undefined when
   * every address is leased, reserved or held (the caller reports the pools as exhausted). The first free address
   * nobody was offered lately wins, in whichever pool. A free address offered to another client is only a fallback:
   * a pool's walk goes on at most STEAL_LOOKAHEAD addresses past the first such one, and when no pool has an
   * unoffered one, the candidate offered longest ago is taken.
   */
  findFree(pools: readonly PoolRef[], now: number): { subnet: Subnet4; address: number } | undefined {
    let steal: OfferRecord | undefined;
    let stealSrc: PoolSource | undefined;
    let stealRef: PoolRef | undefined;
    for (const ref of pools) {
      const { subnet } = ref;
      const pool = subnet.pools[ref.poolIndex];
      if (!pool || pool.end < pool.start) continue;
      const src = this.sourceOf(ref);
      let left = src.begin(now);
      let offeredSeen = false;
      for (let i = 0; i < left; i++) {
        const off = src.next();
        if (off === undefined) break;
        const addr = pool.start + off;
        if (subnet.reservedAddresses.has(addr) || excludedFirstLast24(subnet, addr)) {
          src.unusable(off);
          continue;
        }
        // a host database's reservation may go away: the address stays a candidate for later (flq keeps it queued)
        if (this.dbReserved(subnet, addr)) {
          src.passed(off);
          continue;
        }
        if (!isReusable(this.leases.byAddress(addr), now)) {
          src.unusable(off);
          continue;
        }
        const offer = this.offers.offerOf(addr);
        if (offer === undefined) {
          src.taken(off);
          return { subnet, address: addr };
        }
        src.passed(off);
        if (offer.holdUntil > now) continue;
        if (!offeredSeen) {
          offeredSeen = true;
          left = Math.min(left, i + 1 + STEAL_LOOKAHEAD);
        }
        if (steal === undefined || offer.at < steal.at) {
          steal = offer;
          stealSrc = src;
          stealRef = ref;
        }
      }
    }
    if (steal === undefined || stealSrc === undefined || stealRef === undefined) return undefined;
    stealSrc.taken(steal.address - stealRef.subnet.pools[stealRef.poolIndex].start);
    return { subnet: stealRef.subnet, address: steal.address };
  }

  /**
   * The store's mutations, as they are applied: a lease added or renewed takes its address out of a free-lease queue
   * (lazily), a lease deleted, released or reclaimed puts it back (Kea's FLQ lease-manager callbacks).
   */
  observe(mutations: readonly LeaseMutation[]): void {
    if (this.queues.length === 0) return;
    for (const m of mutations) {
      const lease = m.op === "put" ? m.lease : undefined;
      if (lease && lease.state !== LeaseState.RELEASED && lease.state !== LeaseState.EXPIRED_RECLAIMED) continue;
      const address = m.op === "put" ? m.lease.address : m.address;
      // the queues are sorted by their pool's first address: find the last that starts at or below the address
      let lo = 0, hi = this.queues.length - 1, at = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (this.queues[mid].pool.start <= address) [at, lo] = [mid, mid + 1];
        else hi = mid - 1;
      }
      // pools of different subnets may overlap (Kea allows overlapping subnets): look back while some pool at or
      // before k still reaches the address (maxEnd[k]: the highest end among queues 0..k)
      for (let k = at; k >= 0 && this.maxEnd[k] >= address; k--) {
        const { pool, src } = this.queues[k];
        if (address <= pool.end) src.freed(address - pool.start);
      }
    }
  }

  /** Forgets every pool's state (after a reconfiguration changed the pools; queues are rebuilt on first use). */
  reset(): void {
    this.sources.clear();
    this.queues = [];
    this.maxEnd = [];
  }

  private sourceOf(ref: PoolRef): PoolSource {
    const key = `${ref.subnet.id}/${ref.poolIndex}`;
    const pool = ref.subnet.pools[ref.poolIndex];
    const known = this.sources.get(key);
    if (known && known.pool.start === pool.start && known.pool.end === pool.end) return known.src;
    const size = pool.end - pool.start + 1;
    let src: PoolSource;
    if (ref.subnet.allocator === "random") src = new RandomSource(size, this.random);
    else if (ref.subnet.allocator === "flq") {
      // Kea's FLQ population: no lease, or one that has expired or was released or reclaimed; at run time an
      // expired lease comes back only once it is reclaimed (observe), as in Kea
      const free = (off: number, at: number) => {
        const a = pool.start + off;
        return !ref.subnet.reservedAddresses.has(a) && !excludedFirstLast24(ref.subnet, a) &&
          isReusable(this.leases.byAddress(a), at);
      };
      src = new FlqSource(size, free, this.random);
      const entry = { pool: { start: pool.start, end: pool.end }, src };
      this.queues = [...this.queues.filter((q) => q.src !== known?.src), entry].sort((a, b) =>
        a.pool.start - b.pool.start
      );
      let max = -1;
      this.maxEnd = this.queues.map((q) => (max = Math.max(max, q.pool.end)));
    } else src = new IterativeSource(size);
    this.sources.set(key, { pool: { start: pool.start, end: pool.end }, src });
    return src;
  }
}
