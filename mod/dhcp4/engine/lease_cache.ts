/**
 * Kea's lease caching for DHCPv4 (`cache-threshold`, `cache-max-age`; Kea `AllocEngine::setLeaseReusable`): a
 * client renewing its live lease soon after it was last written gets the same lease back without a write: the
 * reply carries the remaining lifetime, no DNS update follows, and `v4-lease-reuses` counts it. The lease is
 * "soon" when its age is below `cache-threshold` × its lifetime and below `cache-max-age` (each when set; with
 * neither, or a max-age of 0, nothing is cached), and reusable only when the new lease would be the same.
 */
import type { Subnet4 } from "../../config/model.ts";
import { type Lease4, leaseExpire } from "../../lease/types.ts";

/**
 * The remaining lifetime to hand out when `prev` may be reused instead of writing `next` (same address, same
 * client and attributes, only cltt/lifetime newer), or undefined when the lease must be written.
 */
export function reusableLifetime(subnet: Subnet4, prev: Lease4, next: Lease4, now: number): number | undefined {
  const threshold = subnet.cacheThreshold, maxAge = subnet.cacheMaxAge;
  if (threshold === undefined && maxAge === undefined) return undefined;
  if (maxAge === 0 || (threshold !== undefined && (threshold <= 0 || threshold > 1))) return undefined;
  if (leaseExpire(prev) <= now || prev.cltt > now) return undefined;
  const age = now - prev.cltt;
  if (threshold !== undefined && age >= threshold * prev.validLifetime) return undefined;
  if (maxAge !== undefined && age >= maxAge) return undefined;
  const same = prev.hwaddr === next.hwaddr && prev.clientId === next.clientId && prev.subnetId === next.subnetId &&
    prev.hostname === next.hostname && prev.fqdnFwd === next.fqdnFwd && prev.fqdnRev === next.fqdnRev &&
    prev.validLifetime === next.validLifetime && prev.poolId === next.poolId &&
    JSON.stringify(prev.userContext ?? null) === JSON.stringify(next.userContext ?? null);
  return same ? prev.validLifetime - age : undefined;
}
