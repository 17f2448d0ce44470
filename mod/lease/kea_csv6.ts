/**
 * Kea's memfile lease file for DHCPv6, `kea-leases6.csv` (csv_lease_file6.cc, lease_file_loader.h), for import,
 * export (`lease6-write`, `weka leases export`) and the take-over of a Kea site's file at first start. Pure.
 *
 * - Header (Kea 2.2, schema 4.0): address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,iaid,
 *   prefix_len,fqdn_fwd,fqdn_rev,hostname,hwaddr,state,user_context,hwtype,hwaddr_source; newer Kea adds pool_id
 *   (5.0), which weka writes. Older files with fewer trailing columns (1.0 stops at hostname, 2.0 at hwaddr, 3.0 at
 *   state, 3.1 at user_context) are read with Kea's defaults for the missing ones.
 * - `expire` = cltt + valid_lifetime; duid and hwaddr are colon-hex; lease_type 0 (IA_NA), 1 (IA_TA), 2 (IA_PD).
 * - Loading: memfile appends a row at every change, so the last row for an address wins; a row whose
 *   valid_lifetime is 0 deletes the address, except a RELEASED lease (as for DHCPv4).
 */
import { formatIpv6Big, parseIpv6Big } from "../config/addr6.ts";
import {
  type CsvRowError,
  escapeCsvField,
  flag,
  hex,
  keaJsonStr,
  uint,
  unescapeCsvField,
  userContext,
} from "./kea_csv.ts";
import { LeaseState } from "./types.ts";
import type { Lease6, Lease6Type } from "./types6.ts";

/** The kea-leases6.csv header, exactly as Kea (5.0 schema, with pool_id) writes it. */
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

const COLUMNS6 = KEA_CSV6_HEADER.split(",");
/** columns every schema version has (1.0) */
const MIN_COLUMNS6 = 12;

/** Result of {@link parseKeaCsv6}: the leases (ascending by address) and the rows that were skipped. */
export interface KeaCsv6Result {
  leases: Lease6[];
  errors: CsvRowError[];
}

/**
 * Parses a kea-leases6.csv. Rows that cannot be read are reported with their line number and skipped (Kea counts
 * them against `max-row-errors`); the last row for an address wins, and a zero valid_lifetime deletes, as Kea's
 * lease file loader does. A missing or foreign header is reported as an error on line 1 with no leases.
 */
export function parseKeaCsv6(text: string): KeaCsv6Result {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? "").split(",");
  if (header.length < MIN_COLUMNS6 || header.some((h, i) => h !== COLUMNS6[i])) {
    return {
      leases: [],
      errors: [{ line: 1, message: `not a kea-leases6.csv header: expected "${KEA_CSV6_HEADER}" (or a prefix of it)` }],
    };
  }
  const errors: CsvRowError[] = [];
  const byAddr = new Map<bigint, Lease6>();
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === "") continue;
    const fields = lines[i].split(",");
    if (fields.length !== header.length) {
      errors.push({ line: i + 1, message: `expected ${header.length} columns, found ${fields.length}` });
      continue;
    }
    try {
      const lease = readRow6(fields);
      if (lease.validLifetime === 0 && lease.state !== LeaseState.RELEASED) byAddr.delete(lease.address);
      else byAddr.set(lease.address, lease);
    } catch (e) {
      errors.push({ line: i + 1, message: (e as Error).message });
    }
  }
  const leases = [...byAddr.values()].sort((a, b) => a.address < b.address ? -1 : a.address > b.address ? 1 : 0);
  return { leases, errors };
}

function readRow6(f: string[]): Lease6 {
  const address = parseIpv6Big(f[0]);
  if (address === undefined) throw new Error(`address "${f[0]}" is not an IPv6 address`);
  const validLifetime = uint(f[2], "valid_lifetime", 0xffffffff);
  const expire = uint(f[3], "expire", Number.MAX_SAFE_INTEGER);
  const type = uint(f[6], "lease_type", 2) as Lease6Type;
  const prefixLen = uint(f[8], "prefix_len", 128);
  if (type !== 2 && prefixLen !== 128) throw new Error(`lease ${f[0]} of type ${type} has prefix_len ${prefixLen}`);
  const state = f.length > 13 ? uint(f[13], "state", LeaseState.RELEASED) as LeaseState : LeaseState.DEFAULT;
  const duid = hex(f[1], "duid");
  if (!duid) throw new Error(`lease ${f[0]} has no duid`);
  const lease: Lease6 = {
    address,
    prefixLen,
    type,
    duid,
    iaid: uint(f[7], "iaid", 0xffffffff),
    preferredLifetime: uint(f[5], "pref_lifetime", 0xffffffff),
    validLifetime,
    cltt: expire - validLifetime,
    subnetId: uint(f[4], "subnet_id", 0xffffffff),
    fqdnFwd: flag(f[9], "fqdn_fwd"),
    fqdnRev: flag(f[10], "fqdn_rev"),
    hostname: unescapeCsvField(f[11]),
    hwaddr: f.length > 12 ? hex(f[12], "hwaddr") : "",
    state,
  };
  if (f.length > 14 && f[14] !== "") lease.userContext = userContext(f[14], f[0]);
  if (f.length > 17) lease.poolId = uint(f[17], "pool_id", 0xffffffff);
  return lease;
}
