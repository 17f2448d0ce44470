/**
 * Pure planning of lease reclamation and flushing, per Kea's `expired-leases-processing`
 * (lease-expiration.rst; alloc_engine.cc `reclaimExpiredLeases4`, `reclaimExpiredLease`, `reclaimDeclined`,
 * `reclaimLeaseInDatabase`, `deleteExpiredReclaimedLeases4`). The edge (`Reclaimer`) runs the plans.
 */
import type { ExpiredLeasesProcessing } from "../config/model.ts";
import type { StatDelta } from "../stats/stats.ts";
import { type Lease4, type LeaseMutation, LeaseState, type LeaseStore } from "./types.ts";

/** What a reclamation did to one lease; `lease` is the lease BEFORE reclamation (for DDNS removal and logs). */
export interface ReclaimEvent {
  kind: "expired" | "declined-recovered";
  lease: Lease4;
  /**
   * the reclamation's `remove` flag (Kea's REMOVE_LEASE): true when expired leases are deleted rather than kept as
   * expired-reclaimed (a declined lease leaves the database either way)
   */
  removed: boolean;
}

/** A reclamation plan: the mutations to commit, then the statistics and events to report once they are durable. */
export interface ReclaimPlan {
  mutations: LeaseMutation[];
  stats: StatDelta[];
  events: ReclaimEvent[];
}

/**
 * Lease affinity (Kea 2.x): reclaimed leases are kept in the expired-reclaimed state only when both
 * `flush-reclaimed-timer-wait-time` and `hold-reclaimed-time` are non-zero; otherwise they are deleted.
 */
export function leaseAffinity(cfg: ExpiredLeasesProcessing): boolean {
  return cfg.flushReclaimedTimerWaitTime > 0 && cfg.holdReclaimedTime > 0;
}

/**
 * Plans one reclamation cycle at `now`: the oldest expired DEFAULT/DECLINED leases, at most `max-reclaim-leases`
 * (0 = all). As in Kea's `reclaimExpiredLease`:
 * - a DEFAULT lease becomes EXPIRED_RECLAIMED with hostname and FQDN flags cleared (the DNS removal is the caller's,
 *   from the event) and hardware address / client-id kept, so the client can get it back; or it is deleted when
 *   lease affinity is off or `remove` is asked (command `leases-reclaim {"remove": true}`);
 * - a DECLINED lease whose probation ended is always deleted, with `declined-addresses` −1 and
 *   `reclaimed-declined-addresses` +1 (`reclaimDeclined`);
 * - every reclaimed lease: `subnet[id].assigned-addresses` −1 (Kea leaves it counted while declined),
 *   `reclaimed-leases` +1, `subnet[id].reclaimed-leases` +1. The global `assigned-addresses` also drops by one.
 * `max-reclaim-time` is the edge's (reclaim.ts checks it between the batches it plans here).
 */
export function planReclaim(
  view: Pick<LeaseStore, "expired">,
  now: number,
  cfg: ExpiredLeasesProcessing,
  remove = !leaseAffinity(cfg),
): ReclaimPlan {
  const limit = cfg.maxReclaimLeases > 0 ? cfg.maxReclaimLeases : Number.MAX_SAFE_INTEGER;
  return reclaimLeases(view.expired(now, limit), remove, () => "assigned-addresses");
}

/** The fields reclamation reads and clears, common to DHCPv4 and DHCPv6 leases. */
export interface ReclaimableLease<A> {
  address: A;
  subnetId: number;
  state: LeaseState;
  hostname: string;
  fqdnFwd: boolean;
  fqdnRev: boolean;
}

/**
 * Kea's reclamation of a batch of expired leases of either family (alloc_engine.cc `reclaimExpiredLease`,
 * `reclaimDeclined`, `reclaimLeaseInDatabase`): the rules `planReclaim` documents, with `assigned` naming the gauge a
 * lease counts in ("assigned-addresses" for DHCPv4; "assigned-nas" / "assigned-pds" for DHCPv6).
 */
export function reclaimLeases<A, L extends ReclaimableLease<A>>(
  expired: readonly L[],
  remove: boolean,
  assigned: (lease: L) => string,
): {
  mutations: ({ op: "put"; lease: L } | { op: "del"; address: A })[];
  stats: StatDelta[];
  events: { kind: "expired" | "declined-recovered"; lease: L; removed: boolean }[];
} {
  const stats = new StatSum();
  const mutations: ({ op: "put"; lease: L } | { op: "del"; address: A })[] = [];
  const events: { kind: "expired" | "declined-recovered"; lease: L; removed: boolean }[] = [];
  for (const lease of expired) {
    const sid = lease.subnetId;
    if (lease.state === LeaseState.DECLINED) {
      mutations.push({ op: "del", address: lease.address });
      events.push({ kind: "declined-recovered", lease, removed: remove });
      stats.add("declined-addresses", -1).add(`subnet[${sid}].declined-addresses`, -1);
      stats.add("reclaimed-declined-addresses", 1).add(`subnet[${sid}].reclaimed-declined-addresses`, 1);
    } else if (remove) {
      mutations.push({ op: "del", address: lease.address });
      events.push({ kind: "expired", lease, removed: true });
    } else {
      mutations.push({
        op: "put",
        lease: { ...lease, state: LeaseState.EXPIRED_RECLAIMED, hostname: "", fqdnFwd: false, fqdnRev: false },
      });
      events.push({ kind: "expired", lease, removed: false });
    }
    const gauge = assigned(lease);
    stats.add(gauge, -1).add(`subnet[${sid}].${gauge}`, -1);
    stats.add("reclaimed-leases", 1).add(`subnet[${sid}].reclaimed-leases`, 1);
  }
  return { mutations, stats: stats.list(), events };
}

/**
 * Plans one flush at `now` (DHCPv4 or DHCPv6 store): deletes released and expired-reclaimed leases whose expiry is at least
 * `hold-reclaimed-time` seconds old (Kea `deleteExpiredReclaimedLeases4(hold-reclaimed-time)`), at most `limit`.
 * Kea flushes only expired-reclaimed leases; released leases are flushed here too because the store's expiry
 * query never hands them to `planReclaim` (their `assigned-addresses` was already decremented at RELEASE).
 */
export function planFlush<A = number>(
  view: { reclaimedOlderThan(now: number, holdSeconds: number, limit: number): { address: A }[] },
  now: number,
  cfg: ExpiredLeasesProcessing,
  limit = 10000,
): { op: "del"; address: A }[] {
  return view.reclaimedOlderThan(now, cfg.holdReclaimedTime, limit).map((l) => ({ op: "del", address: l.address }));
}

class StatSum {
  private readonly m = new Map<string, number>();
  add(name: string, d: number): this {
    this.m.set(name, (this.m.get(name) ?? 0) + d);
    return this;
  }
  list(): StatDelta[] {
    return [...this.m];
  }
}
