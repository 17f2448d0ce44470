/**
 * Kea's lease sanity checks (`sanity-checks.lease-checks`, Kea 2.2 sanity_checker.cc), run on the leases a server
 * loads at start-up: a lease whose subnet-id names no subnet, or a subnet that does not contain its address, is
 * warned about (`warn`, Kea's default), moved to the subnet that contains its address (`fix`; warned about when
 * there is none), moved or else dropped (`fix-del`), or dropped (`del`), with Kea's message ids and texts. Pure:
 * leases and subnets in, log lines and lease changes out, for both universes.
 */

/** What the checks need of a lease: its address and subnet-id. */
export interface CheckedLease<A> {
  address: A;
  subnetId: number;
}

/** What the checks need of a subnet: its id and whether it contains an address. */
export interface CheckedSubnet<A> {
  id: number;
  contains(address: A): boolean;
}

/** The outcome of the checks: the leases to move to another subnet or to drop, and one log line per finding. */
export interface SanityResult<L> {
  /** leases to store again with the corrected subnet-id */
  fixed: L[];
  /** leases to delete */
  dropped: L[];
  log: { level: "warn" | "info"; id: string; text: string }[];
}

/**
 * Runs Kea's `checkLeaseInternal` over `leases` with `mode` (`none` does nothing). `format` prints an address;
 * `withSubnet` makes the corrected copy of a lease. The first subnet that contains an address is its right subnet
 * (Kea's `selectSubnet(address)`).
 */
export function checkLeases<A, L extends CheckedLease<A>>(
  leases: Iterable<L>,
  subnets: readonly CheckedSubnet<A>[],
  mode: "none" | "warn" | "fix" | "fix-del" | "del",
  format: (a: A) => string,
  withSubnet: (lease: L, id: number) => L,
): SanityResult<L> {
  const out: SanityResult<L> = { fixed: [], dropped: [], log: [] };
  if (mode === "none") return out;
  const byId = new Map(subnets.map((s) => [s.id, s]));
  for (const lease of leases) {
    const own = byId.get(lease.subnetId);
    if (own && own.contains(lease.address)) continue;
    const id = subnets.find((s) => s.contains(lease.address))?.id ?? 0;
    if (lease.subnetId === id) continue;
    const why = id !== 0
      ? `the lease should have subnet-id ${id}`
      : "the lease IP address did not belong to a configured subnet";
    const addr = format(lease.address);
    const fail = () =>
      out.log.push({
        level: "warn",
        id: "DHCPSRV_LEASE_SANITY_FAIL",
        text: `The lease ${addr} with subnet-id ${lease.subnetId} failed subnet-id checks (${why}).`,
      });
    const fix = () => {
      out.log.push({
        level: "info",
        id: "DHCPSRV_LEASE_SANITY_FIXED",
        text:
          `The lease ${addr} with subnet-id ${lease.subnetId} failed subnet-id checks, but was corrected to subnet-id ${id}.`,
      });
      out.fixed.push(withSubnet(lease, id));
    };
    const drop = () => {
      out.log.push({
        level: "info",
        id: "DHCPSRV_LEASE_SANITY_FAIL_DISCARD",
        text: `The lease ${addr} with subnet-id ${lease.subnetId} failed subnet-id checks (${why}) and was dropped.`,
      });
      out.dropped.push(lease);
    };
    if (mode === "warn") fail();
    else if (mode === "fix") id !== 0 ? fix() : fail();
    else if (mode === "fix-del") id !== 0 ? fix() : drop();
    else drop();
  }
  return out;
}
