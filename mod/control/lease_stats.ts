/**
 * Keeps the assigned/declined gauges right when a lease command changes a lease behind the engine's back, as
 * Kea's lease_cmds does (it bumps `assigned-addresses` and `declined-addresses`, global and per subnet, on add,
 * update, delete and wipe). Pure.
 */
import type { Lease4 } from "../lease/types.ts";
import { leaseGauge as gauge } from "../lease/gauge.ts";
import type { Stats } from "../stats/stats.ts";

/** Adjusts the gauges for one lease changing from `before` to `after` (either may be absent). */
export function leaseChangeStats(
  stats: Stats,
  before: Lease4 | undefined,
  after: Lease4 | undefined,
  now: number,
): void {
  const b = gauge(before, now), a = gauge(after, now);
  if (b === a && before?.subnetId === after?.subnetId) return;
  if (b && before) {
    stats.add(b, -1);
    stats.add(`subnet[${before.subnetId}].${b}`, -1);
  }
  if (a && after) {
    stats.add(a, 1);
    stats.add(`subnet[${after.subnetId}].${a}`, 1);
  }
}
