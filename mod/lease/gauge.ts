/** Which Kea address gauge a lease counts in: a live DEFAULT lease is assigned, a live DECLINED one declined. */
import { type Lease4, leaseExpire, LeaseState } from "./types.ts";

/** `assigned-addresses`, `declined-addresses`, or undefined (expired, released, reclaimed, or no lease). */
export function leaseGauge(
  l: Lease4 | undefined,
  now: number,
): "assigned-addresses" | "declined-addresses" | undefined {
  if (!l || leaseExpire(l) <= now) return undefined;
  if (l.state === LeaseState.DEFAULT) return "assigned-addresses";
  if (l.state === LeaseState.DECLINED) return "declined-addresses";
  return undefined;
}
