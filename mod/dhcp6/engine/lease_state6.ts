/**
 * Whether a DHCPv6 lease still holds its address or prefix (Kea's `Lease::expired` and lease states): an
 * assigned lease until it expires, a declined one until its probation period ends; released and reclaimed leases
 * hold nothing. An expired lease that was never reclaimed may be reused at once, as Kea reuses it.
 */
import { LeaseState } from "../../lease/types.ts";
import type { Lease6 } from "../../lease/types6.ts";

/** Kea's infinite valid lifetime. */
const INFINITE = 0xffffffff;

/** True when `lease` is live at `now`: assigned or declined, and not yet expired (an infinite lease never is). */
export function holds6(lease: Lease6 | undefined, now: number): boolean {
  if (!lease) return false;
  if (lease.state !== LeaseState.DEFAULT && lease.state !== LeaseState.DECLINED) return false;
  return lease.validLifetime === INFINITE || lease.cltt + lease.validLifetime > now;
}

/**
 * True when a lease on this address is still counted in `assigned-nas`/`assigned-pds` (Kea decreases the gauge
 * only at release or reclamation): an assigned or declined lease that was neither released nor reclaimed.
 */
export function stillCounted6(lease: Lease6 | undefined): boolean {
  return !!lease && (lease.state === LeaseState.DEFAULT || lease.state === LeaseState.DECLINED);
}
