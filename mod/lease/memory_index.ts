/**
 * The in-memory working set of IPv4 leases (docs/ARCHITECTURE.md "The lease store"): indexes by address, by hardware address
 * + subnet, by client-id + subnet, and two expiry heaps, like the multi-index container of Kea's memfile backend
 * (memfile_lease_mgr.h: address, hwaddr+subnet, clientid+subnet and expiration indexes). Pure: no Deno.*.
 *
 * Several leases may share one identifier in a subnet (a client's expired-reclaimed lease next to its new one);
 * the identifier lookups then return the most useful one: a DEFAULT lease before a reclaimed/released one before a
 * declined one, and among equals the one that expires last.
 */
import { AddressOrder } from "./address_order.ts";
import { ExpiryHeap } from "./expiry_heap.ts";
import {
  INFINITE_LIFETIME,
  type Lease4,
  leaseExpire,
  type LeaseMutation,
  LeaseState,
  type LeaseView,
} from "./types.ts";

/** one address, or the set of addresses when several leases share an identifier (rare) */
type Slot = number | Set<number>;
/**
 * subnet id → identifier → slot. Two levels instead of one "id|identifier" key: a lookup then hashes the caller's
 * identifier string (whose hash V8 caches) instead of building and hashing a new string per query.
 */
type IdIndex = Map<number, Map<string, Slot>>;

function rank(l: Lease4): number {
  switch (l.state) {
    case LeaseState.DEFAULT:
      return 3;
    case LeaseState.EXPIRED_RECLAIMED:
    case LeaseState.RELEASED:
      return 2;
    default:
      return 1;
  }
}

/** In-memory lease indexes; `LeaseView` for the engine plus the expiry queries of `LeaseStore`. */
export class LeaseIndex implements LeaseView {
  private readonly byAddr = new Map<number, Lease4>();
  private readonly byHw: IdIndex = new Map();
  private readonly byCid: IdIndex = new Map();
  /** DEFAULT and DECLINED leases by expiry (candidates for reclamation) */
  private readonly active = new ExpiryHeap();
  /** RELEASED and EXPIRED_RECLAIMED leases by expiry (candidates for flush) */
  private readonly reclaimed = new ExpiryHeap();
  /** the leased addresses in ascending order (lease4-get-page, exports) */
  private readonly order = new AddressOrder();

  /** The lease of an address, if any. */
  byAddress(address: number): Lease4 | undefined {
    return this.byAddr.get(address);
  }

  /** The lease of a hardware address in a subnet (Kea memfile `getLease4(hwaddr, subnet_id)`). */
  byHwAddr(hwaddr: string, subnetId: number): Lease4 | undefined {
    return this.pick(this.byHw.get(subnetId)?.get(hwaddr));
  }

  /** The lease of a client identifier in a subnet (Kea memfile `getLease4(clientid, subnet_id)`). */
  byClientId(clientId: string, subnetId: number): Lease4 | undefined {
    return this.pick(this.byCid.get(subnetId)?.get(clientId));
  }

  /**
   * Inserts or replaces the lease of `lease.address`, re-indexing the identifiers that changed and the expiry heaps.
   * An identifier that stays (a renewal, a reclamation: same subnet, same hardware address / client-id) is left
   * alone rather than removed and added again: each removal leaves a hole in a V8 Map that only a rehash of the
   * whole table reclaims, and at a million leases that rehash held every packet back ~90 ms (bench:scale).
   */
  put(lease: Lease4): void {
    const old = this.byAddr.get(lease.address);
    if (old) {
      rekey(this.byHw, old.subnetId, old.hwaddr, lease.subnetId, lease.hwaddr, lease.address);
      rekey(this.byCid, old.subnetId, old.clientId, lease.subnetId, lease.clientId, lease.address);
    } else {
      this.order.add(lease.address);
      if (lease.hwaddr) add(this.byHw, lease.subnetId, lease.hwaddr, lease.address);
      if (lease.clientId) add(this.byCid, lease.subnetId, lease.clientId, lease.address);
    }
    this.byAddr.set(lease.address, lease);
    const exp = leaseExpire(lease);
    if (lease.state === LeaseState.DEFAULT || lease.state === LeaseState.DECLINED) {
      this.reclaimed.delete(lease.address);
      if (lease.validLifetime === INFINITE_LIFETIME) this.active.delete(lease.address);
      else this.active.set(lease.address, exp);
    } else {
      this.active.delete(lease.address);
      if (lease.validLifetime === INFINITE_LIFETIME) this.reclaimed.delete(lease.address);
      else this.reclaimed.set(lease.address, exp);
    }
  }

  /** Removes the lease of an address; returns whether there was one. */
  delete(address: number): boolean {
    const old = this.byAddr.get(address);
    if (!old) return false;
    this.unindex(old);
    this.byAddr.delete(address);
    this.active.delete(address);
    this.reclaimed.delete(address);
    this.order.delete(address);
    return true;
  }

  /** Applies mutations in order (put = insert or replace, del = remove). */
  apply(mutations: readonly LeaseMutation[]): void {
    for (const m of mutations) {
      if (m.op === "put") this.put(m.lease);
      else this.delete(m.address);
    }
  }

  /**
   * DEFAULT and DECLINED leases with expire <= now, oldest first, at most `limit` (Kea `getExpiredLeases4`, which
   * skips leases already in the expired-reclaimed state). Infinite leases never appear.
   */
  expired(now: number, limit: number): Lease4[] {
    return this.active.upTo(now, limit).map((a) => this.byAddr.get(a)!);
  }

  /**
   * RELEASED and EXPIRED_RECLAIMED leases whose expire + holdSeconds <= now, oldest first, at most `limit` (Kea
   * `deleteExpiredReclaimedLeases4(secs)`, run by the flush-reclaimed timer).
   */
  reclaimedOlderThan(now: number, holdSeconds: number, limit: number): Lease4[] {
    return this.reclaimed.upTo(now - holdSeconds, limit).map((a) => this.byAddr.get(a)!);
  }

  /** Every lease, ascending by address (the order of Kea memfile's `lease4-get-page`). */
  all(): Iterable<Lease4> {
    return this.after(-1);
  }

  /**
   * The leases of the addresses above `address` (-1: all), ascending: where a `lease4-get-page` from `address`
   * starts, found in one step however many leases lie below it (Kea memfile's ordered address index).
   */
  *after(address: number): Iterable<Lease4> {
    for (const a of this.order.after(address)) {
      const l = this.byAddr.get(a);
      if (l) yield l;
    }
  }

  /** Number of leases held. */
  size(): number {
    return this.byAddr.size;
  }

  private unindex(old: Lease4): void {
    if (old.hwaddr) remove(this.byHw, old.subnetId, old.hwaddr, old.address);
    if (old.clientId) remove(this.byCid, old.subnetId, old.clientId, old.address);
  }

  private pick(slot: Slot | undefined): Lease4 | undefined {
    if (slot === undefined) return undefined;
    if (typeof slot === "number") return this.byAddr.get(slot);
    let best: Lease4 | undefined;
    for (const a of slot) {
      const l = this.byAddr.get(a)!;
      if (!best || rank(l) > rank(best) || (rank(l) === rank(best) && leaseExpire(l) > leaseExpire(best))) best = l;
    }
    return best;
  }
}

/** Moves `address` from identifier (oldSid, oldKey) to (sid, key) ("" = none); nothing when they are the same. */
function rekey(index: IdIndex, oldSid: number, oldKey: string, sid: number, key: string, address: number): void {
  if (oldKey === key && oldSid === sid) return;
  if (oldKey) remove(index, oldSid, oldKey, address);
  if (key) add(index, sid, key, address);
}

function add(index: IdIndex, subnetId: number, key: string, address: number): void {
  let map = index.get(subnetId);
  if (!map) index.set(subnetId, map = new Map());
  const s = map.get(key);
  if (s === undefined) map.set(key, address);
  else if (typeof s === "number") {
    if (s !== address) map.set(key, new Set([s, address]));
  } else s.add(address);
}

function remove(index: IdIndex, subnetId: number, key: string, address: number): void {
  const map = index.get(subnetId);
  const s = map?.get(key);
  if (!map || s === undefined) return;
  if (typeof s === "number") {
    if (s === address) map.delete(key);
    return;
  }
  s.delete(address);
  if (s.size === 1) map.set(key, s.values().next().value!);
}
