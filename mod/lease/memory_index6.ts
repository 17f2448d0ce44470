/**
 * The in-memory working set of DHCPv6 leases: indexes by address (or delegated prefix), by client IA (DUID + IAID +
 * lease type + subnet) and by DUID, like the multi-index container of Kea's memfile backend for Lease6
 * (memfile_lease_mgr.h: address index, DUID/IAID/type index, DUID index). Pure: no Deno.*.
 *
 * An address holds at most one lease (Kea's address index is unique); an IA or a DUID may hold several.
 * Keys are the address in hex, not the bigint: V8 hashes a BigInt by its low 64 bits, so delegated prefixes (low
 * bits all zero) would share one hash bucket and turn every lookup into a scan (20 000 prefixes: 2.7 s vs 30 ms).
 */
import { ExpiryHeap } from "./expiry_heap.ts";
import { INFINITE_LIFETIME, LeaseState } from "./types.ts";
import type { Lease6, Lease6Mutation, Lease6Type, Lease6View } from "./types6.ts";

/** The expiry time (unix seconds) of a DHCPv6 lease; infinite leases never expire. */
export function lease6Expire(l: Lease6): number {
  return l.validLifetime === INFINITE_LIFETIME ? Number.MAX_SAFE_INTEGER : l.cltt + l.validLifetime;
}

/** The key of an IA: the client's DUID, its IAID, the lease type and the subnet. */
function iaKey(duid: string, iaid: number, type: Lease6Type, subnetId: number): string {
  return `${subnetId}|${type}|${iaid}|${duid}`;
}

const k = (address: bigint): string => address.toString(16);

/** Ascending by address (bigint compare). */
const byAddressOrder = (a: Lease6, b: Lease6) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0);

/** In-memory DHCPv6 lease indexes; the engine's `Lease6View`. */
export class Lease6Index implements Lease6View {
  private readonly byAddr = new Map<string, Lease6>();
  private readonly ias = new Map<string, Set<string>>();
  private readonly duids = new Map<string, Set<string>>();
  private sorted: Lease6[] | null = null;
  /** expiry heaps over small integer slots (ExpiryHeap keys are numbers; addresses are 128-bit) */
  private readonly slotOf = new Map<string, number>();
  private readonly keyOf = new Map<number, string>();
  private nextSlot = 0;
  /** DEFAULT and DECLINED leases by expiry */
  private readonly active = new ExpiryHeap();
  /** EXPIRED_RECLAIMED and RELEASED leases by expiry */
  private readonly reclaimed = new ExpiryHeap();

  /** The lease of an address or delegated prefix (Kea memfile `getLease6(type, addr)`). */
  byAddress(address: bigint): Lease6 | undefined {
    return this.byAddr.get(k(address));
  }

  /**
   * The leases of one IA of a client in a subnet, ascending by address (Kea memfile
   * `getLeases6(type, duid, iaid, subnet_id)`).
   */
  byIa(duid: string, iaid: number, type: Lease6Type, subnetId: number): Lease6[] {
    return this.collect(this.ias.get(iaKey(duid, iaid, type, subnetId)));
  }

  /** Every lease of a DUID, all subnets and IAs, ascending by address (Kea memfile `getLeases6(duid)`). */
  byDuid(duid: string): Lease6[] {
    return this.collect(this.duids.get(duid));
  }

  /** Inserts or replaces the lease of `lease.address`, re-indexing its IA and DUID. */
  put(lease: Lease6): void {
    const key = k(lease.address);
    const old = this.byAddr.get(key);
    if (old) this.unindex(old);
    this.sorted = null;
    this.byAddr.set(key, lease);
    add(this.ias, iaKey(lease.duid, lease.iaid, lease.type, lease.subnetId), key);
    add(this.duids, lease.duid, key);
    let slot = this.slotOf.get(key);
    if (slot === undefined) {
      slot = this.nextSlot++;
      this.slotOf.set(key, slot);
      this.keyOf.set(slot, key);
    }
    const live = lease.state === LeaseState.DEFAULT || lease.state === LeaseState.DECLINED;
    const exp = lease6Expire(lease);
    if (live && exp !== Number.MAX_SAFE_INTEGER) this.active.set(slot, exp);
    else this.active.delete(slot);
    if (live) this.reclaimed.delete(slot);
    else this.reclaimed.set(slot, exp);
  }

  /**
   * DEFAULT and DECLINED leases whose expiry is <= now, oldest first, at most `limit` (Kea memfile
   * `getExpiredLeases6`, which skips leases already expired-reclaimed). Infinite leases never appear.
   */
  expired(now: number, limit: number): Lease6[] {
    return this.active.upTo(now, limit).map((s) => this.byAddr.get(this.keyOf.get(s)!)!);
  }

  /**
   * EXPIRED_RECLAIMED and RELEASED leases whose expiry + holdSeconds <= now, oldest first, at most `limit` (Kea
   * memfile `deleteExpiredReclaimedLeases6(secs)`, run by the flush-reclaimed timer).
   */
  reclaimedOlderThan(now: number, holdSeconds: number, limit: number): Lease6[] {
    return this.reclaimed.upTo(now - holdSeconds, limit).map((s) => this.byAddr.get(this.keyOf.get(s)!)!);
  }

  /** Removes the lease of an address; returns whether there was one. */
  delete(address: bigint): boolean {
    const key = k(address);
    const old = this.byAddr.get(key);
    if (!old) return false;
    this.unindex(old);
    this.byAddr.delete(key);
    this.sorted = null;
    const slot = this.slotOf.get(key)!;
    this.slotOf.delete(key);
    this.keyOf.delete(slot);
    this.active.forget(slot); // slots are never reused: their keys must leave the heaps
    this.reclaimed.forget(slot);
    return true;
  }

  /** Applies mutations in order (put = insert or replace, del = remove). */
  apply(mutations: readonly Lease6Mutation[]): void {
    for (const m of mutations) {
      if (m.op === "put") this.put(m.lease);
      else this.delete(m.address);
    }
  }

  /** Every lease, ascending by address (the order of Kea's `lease6-get-page`). */
  *all(): Iterable<Lease6> {
    if (!this.sorted) this.sorted = [...this.byAddr.values()].sort(byAddressOrder);
    yield* this.sorted;
  }

  /** Number of leases held. */
  size(): number {
    return this.byAddr.size;
  }

  private unindex(old: Lease6): void {
    remove(this.ias, iaKey(old.duid, old.iaid, old.type, old.subnetId), k(old.address));
    remove(this.duids, old.duid, k(old.address));
  }

  private collect(set: Set<string> | undefined): Lease6[] {
    if (!set) return [];
    const out: Lease6[] = [];
    for (const a of set) out.push(this.byAddr.get(a)!);
    return out.length > 1 ? out.sort(byAddressOrder) : out;
  }
}

function add(index: Map<string, Set<string>>, key: string, address: string): void {
  const s = index.get(key);
  if (s) s.add(address);
  else index.set(key, new Set([address]));
}

function remove(index: Map<string, Set<string>>, key: string, address: string): void {
  const s = index.get(key);
  if (!s) return;
  s.delete(address);
  if (s.size === 0) index.delete(key);
}
