/**
 * The DHCPv6 lease JSON exchanged between HA partners (Kea 2.2's CommandCreator::createLease6BulkApply,
 * command_creator.cc): each lease as lease6-get prints it (Lease6::toElement) with `cltt` replaced by `expire`
 * (= cltt + valid-lft); one `lease6-bulk-apply` per query carries the query's deleted leases (`deleted-leases`)
 * and its new or changed ones (`leases`), with `origin: "ha-partner"`. Also the reverse: reading a lease from a
 * partner's lease6-get-page answer during synchronisation (Lease6::fromElement). Pure.
 */
import { LEASE6_TYPE_NAMES, lease6ToJson } from "../control/lease6_json.ts";
import { LeaseState } from "../lease/types.ts";
import type { Lease6, Lease6Type } from "../lease/types6.ts";
import { parseHex, toColonHex } from "../wire/addr.ts";
import { formatIpv6, parseIpv6 } from "../wire/ipv6.ts";

/** A lease's JSON with `expire` instead of `cltt` (CommandCreator::insertLeaseExpireTime). */
export function lease6WithExpire(lease: Lease6): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(lease6ToJson(lease))) {
    if (k === "cltt") out.expire = lease.cltt + lease.validLifetime;
    else out[k] = v;
  }
  return out;
}

/** The arguments of one query's `lease6-bulk-apply` (createLease6BulkApply). */
export function bulkApplyArgs(leases: readonly Lease6[], deleted: readonly Lease6[]): Record<string, unknown> {
  return {
    "deleted-leases": deleted.map(lease6WithExpire),
    leases: leases.map(lease6WithExpire),
    origin: "ha-partner",
  };
}

function int(v: unknown, what: string, max = 0xffffffff): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > max) {
    throw new Error(`'${what}' must be an integer 0..${max} (got ${JSON.stringify(v)})`);
  }
  return v;
}

function hex(v: unknown, what: string): string {
  if (v === undefined || v === "") return "";
  const b = typeof v === "string" ? parseHex(v) : undefined;
  if (!b) throw new Error(`'${what}' must be colon-separated hexadecimal bytes (got ${JSON.stringify(v)})`);
  return toColonHex(b);
}

/**
 * Reads one lease from a partner's lease JSON (Lease6::fromElement, as Kea's HA sync reads lease6-get-page
 * answers): `ip-address`, `type` ("IA_NA" when absent), `prefix-len` (IA_PD), `duid`, `iaid`, `subnet-id`,
 * `valid-lft`, `preferred-lft`, `cltt` (or `expire`), `fqdn-fwd`, `fqdn-rev`, `hostname`, `hw-address`, `state`,
 * `user-context`?, `pool-id`?. Throws an Error naming the lease and the bad field.
 */
export function lease6FromPartnerJson(j: Record<string, unknown>): Lease6 {
  const b = typeof j["ip-address"] === "string" ? parseIpv6(j["ip-address"]) : undefined;
  if (!b) throw new Error(`'ip-address' is not an IPv6 address (got ${JSON.stringify(j["ip-address"])})`);
  const ip = formatIpv6(b);
  try {
    let address = 0n;
    for (const x of b) address = (address << 8n) | BigInt(x);
    const type = (j.type === undefined ? 0 : LEASE6_TYPE_NAMES.indexOf(j.type as "IA_NA")) as Lease6Type | -1;
    if (type === -1) throw new Error(`'type' must be "IA_NA", "IA_TA" or "IA_PD" (got ${JSON.stringify(j.type)})`);
    const validLifetime = int(j["valid-lft"], "valid-lft");
    const cltt = j.cltt !== undefined
      ? int(j.cltt, "cltt", Number.MAX_SAFE_INTEGER)
      : int(j.expire, "expire", Number.MAX_SAFE_INTEGER) - validLifetime;
    const duid = hex(j.duid, "duid");
    if (!duid) throw new Error("'duid' is missing");
    const lease: Lease6 = {
      address,
      prefixLen: type === 2 ? int(j["prefix-len"], "prefix-len", 128) : 128,
      type,
      duid,
      iaid: int(j.iaid, "iaid"),
      preferredLifetime: int(j["preferred-lft"] ?? 0, "preferred-lft"),
      validLifetime,
      cltt,
      subnetId: int(j["subnet-id"], "subnet-id"),
      fqdnFwd: j["fqdn-fwd"] === true,
      fqdnRev: j["fqdn-rev"] === true,
      hostname: typeof j.hostname === "string" ? j.hostname : "",
      hwaddr: hex(j["hw-address"], "hw-address"),
      state: int(j.state ?? LeaseState.DEFAULT, "state", 3) as LeaseState,
    };
    const uc = j["user-context"];
    if (uc !== undefined && uc !== null) {
      if (typeof uc !== "object" || Array.isArray(uc)) throw new Error("'user-context' must be a map");
      lease.userContext = uc as Record<string, unknown>;
    }
    if (j["pool-id"] !== undefined) lease.poolId = int(j["pool-id"], "pool-id");
    return lease;
  } catch (e) {
    throw new Error(`lease ${ip}: ${(e as Error).message}`);
  }
}
