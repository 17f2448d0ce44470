/**
 * Making a NameChangeRequest from a lease, the family-neutral part of Kea's ncr_generator.cc (`queueNCRCommon`),
 * shared by the DHCPv4 engine (DHCID from the client-id or hardware address) and the DHCPv6 engine (DHCID from the
 * DUID, RFC 4701 §3.3): the DNS TTL (`calculateDdnsTtl`), Kea's `lease-expires-on` (cltt + TTL, as Kea 2.2 writes
 * it) and the check that the lease's host name can be a DNS name at all. Pure.
 */
import type { DdnsParams } from "../../config/model.ts";
import type { NameChangeRequest } from "./ncr.ts";
import { nameProblem } from "../dns/name.ts";
import { printable } from "../../wire/printable.ts";

/**
 * The DNS TTL for a lease lifetime (Kea's `calculateDdnsTtl`): a fixed `ddns-ttl` wins; else `ddns-ttl-percent` of
 * the lifetime; else RFC 4702 §5's lifetime/3 with a floor of 600 s; then `ddns-ttl-min` / `ddns-ttl-max` clamp.
 */
export function ddnsTtl(lifetime: number, p: DdnsParams): number {
  if (p.ttl !== undefined) return p.ttl;
  let ttl = p.ttlPercent ? Math.round(p.ttlPercent * lifetime) : Math.max(600, Math.floor(lifetime / 3));
  if (p.ttlMin !== undefined && ttl < p.ttlMin) ttl = p.ttlMin;
  if (p.ttlMax !== undefined && ttl > p.ttlMax) ttl = p.ttlMax;
  return ttl;
}

/** Unix seconds → "YYYYMMDDHHMMSS" in UTC, the `lease-expires-on` format of Kea's NCRs (0 → 19700101000000). */
export function ncrTime(unix: number): string {
  return new Date(Math.min(Math.max(0, unix), 253402300799) * 1000).toISOString().replace(/[-:T]/g, "").slice(0, 14);
}

/** What an NCR is made from, whatever the family. */
export interface NcrLease {
  hostname: string;
  fqdnFwd: boolean;
  fqdnRev: boolean;
  /** the address as text (IPv4 dotted quad or RFC 5952 IPv6) */
  ip: string;
  cltt: number;
  validLifetime: number;
}

/** True when a lease has DNS records (Kea: a host name and a forward or reverse flag). */
export function hasDns(l: { hostname: string; fqdnFwd: boolean; fqdnRev: boolean }): boolean {
  return l.hostname !== "" && (l.fqdnFwd || l.fqdnRev);
}

/** The lease's host name as an NCR's absolute FQDN. */
export function ncrFqdn(hostname: string): string {
  return hostname.endsWith(".") ? hostname : hostname + ".";
}

/**
 * Why a lease's host name cannot be an NCR's FQDN (a name made outside the engine: a lease command, an HA partner,
 * a CSV import), as operator-readable text with the name escaped and cut short; undefined when it can, or when the
 * lease has no DNS records. Kea's `queueNCR` logs DHCP4_NCR_CREATION_FAILED / DHCP6_NCR_CREATION_FAILED then.
 */
export function ncrNameProblem(l: { hostname: string; fqdnFwd: boolean; fqdnRev: boolean }): string | undefined {
  if (!hasDns(l)) return undefined;
  const fqdn = ncrFqdn(l.hostname);
  const problem = nameProblem(fqdn) ?? nameProblem(fqdn.toLowerCase());
  return problem ? `invalid domain name "${printable(fqdn, 64)}": ${problem}` : undefined;
}

/**
 * Kea's `queueNCRCommon` for one lease: undefined when the lease has no DNS records or a host name that is no DNS
 * name; else the request with the directions and host name of the lease, the DHCID `dhcid(fqdn)` computes, the TTL
 * of its lifetime and `lease-expires-on` = cltt + TTL (Kea 2.2's value, kept for byte-equal requests).
 */
export function leaseNcrOf(
  change: "add" | "remove",
  l: NcrLease,
  dhcid: (fqdn: string) => Uint8Array,
  p: DdnsParams,
): NameChangeRequest | undefined {
  if (!hasDns(l) || ncrNameProblem(l)) return undefined;
  const fqdn = ncrFqdn(l.hostname);
  const ttl = ddnsTtl(l.validLifetime, p);
  return {
    changeType: change,
    forwardChange: l.fqdnFwd,
    reverseChange: l.fqdnRev,
    fqdn,
    ipAddress: l.ip,
    dhcid: dhcid(fqdn),
    leaseExpiresOn: ncrTime(l.cltt + ttl),
    leaseLength: ttl,
    conflictResolutionMode: p.conflictResolutionMode,
  };
}
