/**
 * DHCPv6 lease reclamation (Kea's `expired-leases-processing`, lease-expiration.rst; alloc_engine.cc
 * `reclaimExpiredLeases6`, `reclaimDeclined(Lease6Ptr)`, `deleteExpiredReclaimedLeases6`): the pure plan (the shared
 * `reclaimLeases` of reclaim_plan.ts; flushing is the shared `planFlush`) and the
 * `ReclaimFamily` that lets the shared `Reclaimer` (reclaim.ts) run them on Kea's timers over a `Lease6Store`.
 */
import type { ExpiredLeasesProcessing } from "../config/model.ts";
import type { StatDelta } from "../stats/stats.ts";
import { leaseAffinity, planFlush, Reclaimer, type ReclaimerDeps, type ReclaimFamily } from "./reclaim.ts";
import { reclaimLeases } from "./reclaim_plan.ts";
import { type Lease6, type Lease6Mutation, type Lease6Store, Lease6Type } from "./types6.ts";

/** What a reclamation did to one DHCPv6 lease; `lease` is the lease BEFORE reclamation (for DDNS removal). */
export interface ReclaimEvent6 {
  kind: "expired" | "declined-recovered";
  lease: Lease6;
  /** true when the lease was deleted rather than kept as expired-reclaimed */
  removed: boolean;
}

/** A DHCPv6 reclamation plan: mutations to commit, then the statistics and events to report once durable. */
export interface ReclaimPlan6 {
  mutations: Lease6Mutation[];
  stats: StatDelta[];
  events: ReclaimEvent6[];
}

/**
 * Plans one DHCPv6 reclamation cycle at `now`: the oldest expired DEFAULT/DECLINED leases, at most
 * `max-reclaim-leases` (0 = all). As Kea's `reclaimExpiredLease(Lease6Ptr)`: a DEFAULT lease becomes
 * EXPIRED_RECLAIMED (state 2) with hostname and FQDN flags cleared, DUID/IAID kept, or is deleted when lease
 * affinity is off or `remove` is asked (`leases-reclaim {"remove": true}`); a DECLINED lease is deleted with
 * `declined-addresses` −1 and `reclaimed-declined-addresses` +1. Every reclaimed lease moves `assigned-nas` (IA_NA,
 * IA_TA) or `assigned-pds` (IA_PD) by −1 and `reclaimed-leases` by +1, globally and in `subnet[id]`.
 */
export function planReclaim6(
  view: Pick<Lease6Store, "expired">,
  now: number,
  cfg: ExpiredLeasesProcessing,
  remove = !leaseAffinity(cfg),
): ReclaimPlan6 {
  const limit = cfg.maxReclaimLeases > 0 ? cfg.maxReclaimLeases : Number.MAX_SAFE_INTEGER;
  return reclaimLeases(
    view.expired(now, limit),
    remove,
    (l) => l.type === Lease6Type.PD ? "assigned-pds" : "assigned-nas",
  );
}

/** The DHCPv6 lease family of the shared `Reclaimer` (log ids ALLOC_ENGINE_V6_…). */
export function reclaimFamily6(store: Lease6Store): ReclaimFamily<ReclaimEvent6> {
  return {
    logPrefix: "ALLOC_ENGINE_V6",
    plan: (now, cfg, remove) => planReclaim6(store, now, cfg, remove),
    flush: (now, cfg, limit) => planFlush(store, now, cfg, limit),
    apply: (m) => store.apply(m as Lease6Mutation[]),
    more: (now) => store.expired(now, 1).length > 0,
    ...(store.refreshExpired
      ? { before: (now, cfg) => store.refreshExpired!(now, cfg.maxReclaimLeases || 1000, cfg.holdReclaimedTime) }
      : {}),
  };
}

/**
 * A `Reclaimer` over a DHCPv6 lease store: Kea's reclaim and flush timers (reclaim-timer-wait-time,
 * flush-reclaimed-timer-wait-time, unwarned-reclaim-cycles) and `leases-reclaim` via `reclaimNow(remove)`.
 */
export function reclaimer6(
  store: Lease6Store,
  deps: Omit<ReclaimerDeps<ReclaimEvent6>, "store" | "family">,
): Reclaimer<ReclaimEvent6> {
  return new Reclaimer<ReclaimEvent6>({ ...deps, family: reclaimFamily6(store) });
}
