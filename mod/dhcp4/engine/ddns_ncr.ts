/**
 * NameChangeRequests of the DHCPv4 engine, as Kea generates them (src/lib/dhcpsrv/ncr_generator.cc `queueNCR`,
 * Dhcpv4Srv::createNameChangeRequests): an add when a lease with a name and a DNS direction is granted, a remove
 * when such a lease is released, declined, reclaimed or renamed. The DHCID (RFC 4701) is computed from the lease's
 * client identifier, else its hardware address; `lease-length` carries the DNS TTL and `lease-expires-on` cltt + TTL
 * (mod/ddns/ncr/generate.ts, shared with DHCPv6). Pure.
 */
import type { DdnsParams, Dhcp4Config, Subnet4 } from "../../config/model.ts";
import { defaultDdnsParams } from "../../config/compile_ddns4.ts";
import { type Lease4, LeaseState } from "../../lease/types.ts";
import type { NameChangeRequest } from "../../ddns/ncr/ncr.ts";
import { dhcidForV4 } from "../../ddns/dns/dhcid.ts";
import { hasDns, leaseNcrOf, ncrNameProblem } from "../../ddns/ncr/generate.ts";
import { formatIpv4, parseHex } from "../../wire/addr.ts";
import { poolIndexOf } from "./address.ts";

const FALLBACK = defaultDdnsParams();

/**
 * The DDNS parameters that apply to `address` in `subnet` (Kea ≥ 2.7.6: a pool's `ddns-*` keys win over its
 * subnet's, which win over the global ones). Hand-built models without DDNS get Kea's defaults.
 */
export function ddnsParamsFor(config: Dhcp4Config, subnet: Subnet4 | undefined, address: number): DdnsParams {
  if (!subnet) return config.ddns ?? FALLBACK;
  const pi = poolIndexOf(subnet, address);
  return (pi >= 0 ? subnet.pools[pi].ddns : undefined) ?? subnet.ddns ?? config.ddns ?? FALLBACK;
}

/** Kea's `getEnableUpdates()`: `dhcp-ddns.enable-updates` and the scope's `ddns-send-updates` are both true. */
export function ddnsEnabled(config: Dhcp4Config, p: DdnsParams): boolean {
  return (config.dhcpDdns?.enableUpdates ?? false) && p.sendUpdates;
}

export { ddnsTtl, ncrTime } from "../../ddns/ncr/generate.ts";

/** True when a lease has DNS records to remove (Kea: a host name and a forward or reverse flag). */
export function leaseHasDns(l: Lease4): boolean {
  return hasDns(l);
}

/**
 * Why a lease's host name cannot be an NCR's FQDN (a name made outside the engine: lease4-add, an HA partner, a
 * CSV import), as an operator-readable text with the name escaped and cut short; undefined when it can, or when
 * the lease has no DNS records at all. Kea's `queueNCR` logs DHCP4_NCR_CREATION_FAILED for such a lease.
 */
export function leaseNameProblem(lease: Lease4): string | undefined {
  return ncrNameProblem(lease);
}

/**
 * One NCR for a lease (Kea's `queueNCR`, mod/ddns/ncr/generate.ts), or undefined when the lease has no host name,
 * no DNS direction, or no identifier to build a DHCID from. The DHCID uses the client-id when the lease keeps one
 * (RFC 4701 §3.3 type 1, or the DUID of an RFC 4361 client-id), else Ethernet htype + chaddr (type 0). A host name
 * that is no DNS name (a lease made by lease4-add, an HA partner or a CSV import: the engine's own names are
 * checked when they are made) gets no NCR either, as Kea's `queueNCR` logs its failure and goes on: nothing here
 * throws.
 */
export function leaseNcr(change: "add" | "remove", lease: Lease4, p: DdnsParams): NameChangeRequest | undefined {
  const cid = lease.clientId ? parseHex(lease.clientId) : undefined;
  const hw = lease.hwaddr ? parseHex(lease.hwaddr) : undefined;
  if (!cid?.length && !hw?.length) return undefined;
  return leaseNcrOf(
    change,
    { ...lease, ip: formatIpv4(lease.address) },
    (fqdn) => dhcidForV4(1, hw ?? new Uint8Array(0), cid, fqdn),
    p,
  );
}

/** A remove for a lease leaving DNS (release, decline, reclamation), when DDNS is on and the lease has records. */
export function removeNcrs(config: Dhcp4Config, lease: Lease4): NameChangeRequest[] {
  if (!config.dhcpDdns?.enableUpdates || lease.state !== LeaseState.DEFAULT) return [];
  const subnet = config.subnets.find((s) => s.id === lease.subnetId);
  const n = leaseNcr("remove", lease, ddnsParamsFor(config, subnet, lease.address));
  return n ? [n] : [];
}

function sameName(a: Lease4, b: Lease4): boolean {
  return a.hostname.toLowerCase() === b.hostname.toLowerCase() && a.fqdnFwd === b.fqdnFwd &&
    a.fqdnRev === b.fqdnRev;
}

/**
 * The NCRs of an ACK (Kea's `createNameChangeRequests`): `prev` is the lease the address had, `replaced` the
 * client's lease at another address that the grant deletes. A renewal whose name and directions are unchanged sends
 * nothing unless `ddns-update-on-renew`; a changed name removes the old records first; then the new lease's add.
 */
export function grantNcrs(
  config: Dhcp4Config,
  p: DdnsParams,
  lease: Lease4,
  prev: Lease4 | undefined,
  replaced: Lease4 | undefined,
  renewal: boolean,
): NameChangeRequest[] {
  if (!config.dhcpDdns?.enableUpdates) return [];
  const out: NameChangeRequest[] = [];
  if (replaced && replaced.address !== lease.address) out.push(...removeNcrs(config, replaced));
  if (prev && prev.state === LeaseState.DEFAULT && leaseHasDns(prev)) {
    if (renewal && sameName(prev, lease)) {
      if (!p.updateOnRenew) return out;
    } else {
      out.push(...removeNcrs(config, prev));
    }
  }
  const add = leaseNcr("add", lease, p);
  if (add) out.push(add);
  return out;
}
