/**
 * NameChangeRequests of the DHCPv6 engine, as kea-dhcp6 2.2 sends them (Dhcpv6Srv::createNameChangeRequests,
 * AllocEngine::extendLease6 / updateLeaseData, releaseIA_NA, declineLease, reclaimExpiredLease; ncr_generator.cc
 * `queueNCR`), byte for byte (tests/dhcp6/ddns/kea_ncr6_test.ts): only IA_NA leases have DNS records (a delegated
 * prefix never does); the DHCID is built from the client's DUID (RFC 4701 §3.3, identifier type 2). An add for the
 * first address of each IA_NA of a REPLY whose name and directions ask for DNS, with `lease-expires-on` 0 and the
 * TTL of the address's valid lifetime; a remove (`lease-expires-on` = cltt + TTL) for the previous lease of an
 * address whose name or directions changed — or every renewal with `ddns-update-on-renew` — and for a lease
 * released, declined, withdrawn or reclaimed. Pure.
 */
import type { Dhcp6Config } from "../../config/model6.ts";
import type { DdnsParams } from "../../config/model.ts";
import { defaultDdnsParams } from "../../config/compile_ddns4.ts";
import { LeaseState } from "../../lease/types.ts";
import { type Lease6, type Lease6Mutation, Lease6Type, type Lease6View } from "../../lease/types6.ts";
import type { NameChangeRequest } from "../../ddns/ncr/ncr.ts";
import { computeDhcid, DhcidType } from "../../ddns/dns/dhcid.ts";
import { hasDns, leaseNcrOf } from "../../ddns/ncr/generate.ts";
import { formatIpv6Big } from "../../config/addr6.ts";
import { parseHex } from "../../wire/addr.ts";

const FALLBACK = defaultDdnsParams();

/** The DDNS parameters of a lease's subnet (the global ones when the subnet is gone). */
export function leaseDdnsParams6(config: Dhcp6Config, lease: Lease6): DdnsParams {
  return config.subnets.find((s) => s.id === lease.subnetId)?.ddns ?? config.ddns ?? FALLBACK;
}

/**
 * Kea's `queueNCR(type, Lease6)`: one request for an IA_NA lease with a host name, a DNS direction and a DUID;
 * undefined otherwise (a prefix, a declined lease's "00" DUID, a host name that is no DNS name). `expiresOn0` gives
 * the add of createNameChangeRequests, whose `lease-expires-on` Kea 2.2 leaves at 0.
 */
export function lease6Ncr(
  change: "add" | "remove",
  lease: Lease6,
  p: DdnsParams,
  expiresOn0 = false,
): NameChangeRequest | undefined {
  if (lease.type === Lease6Type.PD) return undefined;
  const duid = parseHex(lease.duid);
  if (!duid || duid.length < 2) return undefined;
  const n = leaseNcrOf(
    change,
    { ...lease, ip: formatIpv6Big(lease.address) },
    (fqdn) => computeDhcid(DhcidType.DUID, duid, fqdn),
    p,
  );
  if (n && expiresOn0) n.leaseExpiresOn = "19700101000000";
  return n;
}

/** A remove for a lease leaving DNS (release, decline, reclamation), when DDNS is on and it has records. */
export function removeNcrs6(config: Dhcp6Config, lease: Lease6): NameChangeRequest[] {
  if (!config.dhcpDdns?.enableUpdates || lease.state !== LeaseState.DEFAULT) return [];
  const n = lease6Ncr("remove", lease, leaseDdnsParams6(config, lease));
  return n ? [n] : [];
}

function identicalFqdn(a: Lease6, b: Lease6): boolean {
  return a.hostname.toLowerCase() === b.hostname.toLowerCase() && a.fqdnFwd === b.fqdnFwd && a.fqdnRev === b.fqdnRev;
}

/**
 * The NCRs of one committed outcome, from its mutations and the leases as they were before (`before`, the
 * engine's view, not yet changed). `firsts` are the first addresses of each IA_NA of the reply (Kea adds one
 * request per IA_NA); `params` the exchange's DDNS parameters for the adds.
 */
export function outcomeNcrs6(
  config: Dhcp6Config,
  before: Lease6View,
  mutations: readonly Lease6Mutation[],
  firsts: ReadonlySet<bigint>,
  params: DdnsParams,
): NameChangeRequest[] {
  if (!config.dhcpDdns?.enableUpdates) return [];
  const out: NameChangeRequest[] = [];
  for (const m of mutations) {
    const address = m.op === "put" ? m.lease.address : m.address;
    const prev = before.byAddress(address);
    const prevDns = prev && prev.state === LeaseState.DEFAULT && prev.type !== Lease6Type.PD && hasDns(prev);
    if (m.op === "del" || m.lease.state !== LeaseState.DEFAULT) {
      if (prevDns) out.push(...removeNcrs6(config, prev!));
      continue;
    }
    const l = m.lease;
    if (l.type === Lease6Type.PD) continue;
    const own = !!prev && prev.duid === l.duid && prev.iaid === l.iaid && prev.type === l.type;
    const renewal = own && prevDns && identicalFqdn(prev!, l);
    if (prevDns && (!renewal || params.updateOnRenew)) out.push(...removeNcrs6(config, prev!));
    if (!firsts.has(l.address) || (renewal && !params.updateOnRenew)) continue;
    const add = lease6Ncr("add", l, params, true);
    if (add) out.push(add);
  }
  return out;
}
