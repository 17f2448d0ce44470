/**
 * Kea's kea-leases6.csv, as `lease6-write` dumps it (csv_lease_file6.cc, Kea 2.2's column set plus `pool_id` of
 * newer versions, which Kea 2.2 reads as an unknown trailing column): one row per lease, the last row for an
 * address winning when Kea loads the file. Pure.
 */
import { formatIpv6Big } from "../config/addr6.ts";
import { escapeCsvField, keaJsonStr } from "./kea_csv.ts";
import type { Lease6 } from "./types6.ts";

/** The kea-leases6.csv header, exactly as Kea writes it. */
export const KEA_CSV6_HEADER = "address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,iaid," +
  "prefix_len,fqdn_fwd,fqdn_rev,hostname,hwaddr,state,user_context,hwtype,hwaddr_source,pool_id";

/**
 * Formats leases as a complete kea-leases6.csv (header + one row per lease, "\n" line ends). A lease whose
 * hardware address is known is written with hwtype 1 (Ethernet) and hwaddr_source 0 (unknown), as Kea does for
 * addresses it did not learn from a named source; without one both columns are empty.
 */
export function formatKeaCsv6(leases: Iterable<Lease6>): string {
  const lines = [KEA_CSV6_HEADER];
  for (const l of leases) {
    lines.push([
      formatIpv6Big(l.address),
      l.duid,
      l.validLifetime,
      l.cltt + l.validLifetime,
      l.subnetId,
      l.preferredLifetime,
      l.type,
      l.iaid,
      l.prefixLen,
      l.fqdnFwd ? 1 : 0,
      l.fqdnRev ? 1 : 0,
      escapeCsvField(l.hostname),
      l.hwaddr,
      l.state,
      l.userContext ? escapeCsvField(keaJsonStr(l.userContext)) : "",
      l.hwaddr ? 1 : "",
      l.hwaddr ? 0 : "",
      l.poolId ?? 0,
    ].join(","));
  }
  return lines.join("\n") + "\n";
}
