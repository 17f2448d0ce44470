/**
 * The lease JSON exchanged between HA partners (Kea's CommandCreator, src/hooks/dhcp/high_availability/
 * command_creator.cc): a lease update is the lease as lease4-get prints it (Lease4::toElement)
 * with `cltt` replaced by `expire` (= cltt + valid-lft), plus `"force-create": true` and `"origin": "ha-partner"`;
 * a lease delete is the same lease JSON (with `expire`) and `"origin": "ha-partner"`, without `force-create`.
 * Also the reverse: reading a lease from a partner's lease4-get-page answer during synchronisation. Pure.
 */
import { leaseToJson } from "../control/lease_json.ts";
import type { Lease4, LeaseState } from "../lease/types.ts";
import { formatIpv4, parseHex, parseIpv4, toColonHex } from "../wire/addr.ts";

/** The lease JSON with `expire` instead of `cltt` (CommandCreator::insertLeaseExpireTime). */
function withExpire(lease: Lease4): Record<string, unknown> {
  const j = leaseToJson(lease);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(j)) {
    if (k === "cltt") out.expire = lease.cltt + lease.validLifetime;
    else out[k] = v;
  }
  return out;
}

/**
 * The arguments of the `lease4-update` a server sends its partner for a new or changed lease
 * (CommandCreator::createLease4Update): the lease JSON with `expire`, `force-create: true`, `origin: "ha-partner"`.
 */
export function leaseUpdateArgs(lease: Lease4): Record<string, unknown> {
  return { ...withExpire(lease), "force-create": true, origin: "ha-partner" };
}

/**
 * The arguments of the `lease4-del` a server sends its partner for a deleted lease
 * (CommandCreator::createLease4Delete): the lease JSON with `expire` and `origin: "ha-partner"`.
 */
export function leaseDeleteArgs(lease: Lease4): Record<string, unknown> {
  return { ...withExpire(lease), origin: "ha-partner" };
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
 * Reads one lease from a partner's lease JSON (Lease4::fromElement as Kea's HA sync reads lease4-get-page answers):
 * `ip-address`, `hw-address`, `client-id`?, `subnet-id`, `valid-lft`, `cltt` (or `expire`), `fqdn-fwd`,
 * `fqdn-rev`, `hostname`, `state`, `user-context`?, `pool-id`?. Throws an Error naming the bad field.
 */
export function leaseFromPartnerJson(j: Record<string, unknown>): Lease4 {
  const address = typeof j["ip-address"] === "string" ? parseIpv4(j["ip-address"]) : undefined;
  if (address === undefined) {
    throw new Error(`'ip-address' is not an IPv4 address (got ${JSON.stringify(j["ip-address"])})`);
  }
  const ip = formatIpv4(address);
  try {
    const validLifetime = int(j["valid-lft"], "valid-lft");
    let cltt: number;
    if (j.cltt !== undefined) cltt = int(j.cltt, "cltt", Number.MAX_SAFE_INTEGER);
    else cltt = int(j.expire, "expire", Number.MAX_SAFE_INTEGER) - validLifetime;
    const lease: Lease4 = {
      address,
      hwaddr: hex(j["hw-address"], "hw-address"),
      clientId: hex(j["client-id"], "client-id"),
      validLifetime,
      cltt,
      subnetId: int(j["subnet-id"], "subnet-id"),
      fqdnFwd: j["fqdn-fwd"] === true,
      fqdnRev: j["fqdn-rev"] === true,
      hostname: typeof j.hostname === "string" ? j.hostname : "",
      state: int(j.state ?? 0, "state", 3) as LeaseState,
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
