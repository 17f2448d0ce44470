/**
 * Kea's `sanity-checks.lease-checks` at start-up (mod/lease/sanity.ts) for `weka dhcp4` and `weka dhcp6`: the
 * leases loaded from the lease database are checked against the configured subnets, the findings logged with Kea's
 * message ids, and the corrections (a subnet-id fixed, a lease dropped) made durable before the server serves.
 */
import type { Dhcp4Config } from "../config/model.ts";
import type { Dhcp6Config } from "../config/model6.ts";
import { formatIpv6Big, prefixOf6 } from "../config/addr6.ts";
import { checkLeases, type SanityResult } from "../lease/sanity.ts";
import type { LeaseStore } from "../lease/types.ts";
import type { Lease6Store } from "../lease/types6.ts";
import type { Log } from "../log/logger.ts";
import { formatIpv4 } from "../wire/addr.ts";

function logResult<L>(r: SanityResult<L>, log: Log): void {
  for (const l of r.log) log[l.level](l.id, l.text);
}

/** Checks the DHCPv4 leases of `store` against `config`'s subnets and applies the corrections. */
export async function leaseSanity4(store: LeaseStore, config: Dhcp4Config, log: Log): Promise<void> {
  const subnets = config.subnets.map((s) => ({
    id: s.id,
    contains: (a: number) => ((a & s.mask) >>> 0) === s.network,
  }));
  const r = checkLeases(store.all(), subnets, config.tuning?.leaseChecks ?? "warn", formatIpv4, (l, id) => ({
    ...l,
    subnetId: id,
  }));
  logResult(r, log);
  const changes = [
    ...r.fixed.map((lease) => ({ op: "put" as const, lease })),
    ...r.dropped.map((l) => ({ op: "del" as const, address: l.address })),
  ];
  if (changes.length) await store.apply(changes);
}

/** Checks the DHCPv6 leases (addresses and delegated prefixes) against `config`'s subnets; applies the corrections. */
export async function leaseSanity6(store: Lease6Store, config: Dhcp6Config, log: Log): Promise<void> {
  const subnets = config.subnets.map((s) => ({
    id: s.id,
    contains: (a: bigint) => prefixOf6(a, s.len).network === s.network,
  }));
  const r = checkLeases([...store.all()], subnets, config.tuning?.leaseChecks ?? "warn", formatIpv6Big, (l, id) => ({
    ...l,
    subnetId: id,
  }));
  logResult(r, log);
  const changes = [
    ...r.fixed.map((lease) => ({ op: "put" as const, lease })),
    ...r.dropped.map((l) => ({ op: "del" as const, address: l.address })),
  ];
  if (changes.length) await store.apply(changes);
}
