/** Start-up statistics (Kea sets total-addresses and assigned-addresses from the lease database) and the summary logged at shutdown. */
import type { Dhcp4Config } from "../config/model.ts";
import type { LeaseStore } from "../lease/types.ts";
import { leaseGauge } from "../lease/gauge.ts";
import type { Stats } from "../stats/stats.ts";

/** Sets `subnet[id].total-addresses` and the assigned/declined gauges from the leases in the store. */
export function initialLeaseStats(stats: Stats, config: Dhcp4Config, store: LeaseStore, now: number): void {
  const assigned = new Map<number, number>();
  const declined = new Map<number, number>();
  for (const l of store.all()) {
    const g = leaseGauge(l, now);
    const m = g === "assigned-addresses" ? assigned : g === "declined-addresses" ? declined : undefined;
    m?.set(l.subnetId, (m.get(l.subnetId) ?? 0) + 1);
  }
  let a = 0, d = 0;
  for (const s of config.subnets) {
    const total = s.pools.reduce((n, p) => n + (p.end - p.start + 1), 0);
    stats.set(`subnet[${s.id}].total-addresses`, total);
    stats.set(`subnet[${s.id}].assigned-addresses`, assigned.get(s.id) ?? 0);
    stats.set(`subnet[${s.id}].declined-addresses`, declined.get(s.id) ?? 0);
    a += assigned.get(s.id) ?? 0;
    d += declined.get(s.id) ?? 0;
  }
  stats.set("assigned-addresses", a);
  stats.set("declined-addresses", d);
}

/** One grep-able line of the non-zero global counters: `pkt4-received=10 pkt4-ack-sent=4 …`. */
export function statsSummary(stats: Stats): string {
  return stats.names().filter((n) => !n.startsWith("subnet[") && stats.get(n) !== 0).sort()
    .map((n) => `${n}=${stats.get(n)}`).join(" ");
}
