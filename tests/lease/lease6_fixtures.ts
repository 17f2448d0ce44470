/**
 * DHCPv6 leases for the lease6 store and DHCPv6 statistics tests: IA_NA leases on 2001:db8:1::/64 and /56
 * delegated prefixes of 2001:db8:8000::/48, two client DUIDs (RFC 8415 §11). Tests only.
 */
import { LeaseState } from "../../mod/lease/types.ts";
import { type Lease6, Lease6Type } from "../../mod/lease/types6.ts";

export const BASE = 0x20010db8000100000000000000000000n; // 2001:db8:1::
export const PD = 0x20010db8800000000000000000000000n; // 2001:db8:8000::
export const DUID_A = "00:01:00:01:32:9c:a8:8d:02:00:00:66:00:01";
export const DUID_B = "00:03:00:01:02:00:00:66:00:02";

/** An IA_NA lease on 2001:db8:1::x for DUID_A, IAID 1, subnet 1; fields may be overridden. */
export function na(x: number, over: Partial<Lease6> = {}): Lease6 {
  return {
    address: BASE + BigInt(x),
    prefixLen: 128,
    type: Lease6Type.NA,
    duid: DUID_A,
    iaid: 1,
    preferredLifetime: 3000,
    validLifetime: 4000,
    cltt: 1_800_000_000,
    subnetId: 1,
    fqdnFwd: false,
    fqdnRev: false,
    hostname: "",
    hwaddr: "02:00:00:66:00:01",
    state: LeaseState.DEFAULT,
    ...over,
  };
}

/** The n-th /56 of 2001:db8:8000::/48 delegated to DUID_A, IAID 2. */
export function pd(n: number, over: Partial<Lease6> = {}): Lease6 {
  return na(0, { address: PD + (BigInt(n) << 72n), prefixLen: 56, type: Lease6Type.PD, iaid: 2, ...over });
}
