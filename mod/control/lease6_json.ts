/**
 * Kea's lease JSON for DHCPv6 (Lease6::toElement, hooks-lease-cmds.rst) and the parsing of the lease given to
 * lease6-add / lease6-update: `ip-address`, `duid`, `iaid`, `type` ("IA_NA" default, "IA_TA", "IA_PD"),
 * `prefix-len` (IA_PD), `subnet-id` (0 or absent = the subnet that contains the address), `valid-lft` and
 * `preferred-lft` (default: the subnet's), `expire` or `cltt`, `hw-address`, `fqdn-fwd`, `fqdn-rev`, `hostname`,
 * `state` (0–3), `user-context`, `pool-id`, `force-create`. Pure.
 */
import * as v from "valibot";
import type { Dhcp6Config, Subnet6 } from "../config/model6.ts";
import { type Lease6, Lease6Type } from "../lease/types6.ts";
import { formatAddress6 } from "../lease/kv_store6.ts";
import { parseIpv6 } from "../wire/ipv6.ts";
import { badArgs } from "./answer.ts";
import { checkArgs, uint32 } from "./args.ts";
import { COMMON_LEASE_ARGS, commonLeaseFields, hexArg } from "./lease_json.ts";

/** Kea's lease type names, by Lease6Type. */
export const LEASE6_TYPE_NAMES = ["IA_NA", "IA_TA", "IA_PD"] as const;

/** One lease as Kea's lease commands print it (`prefix-len` only for IA_PD, `hw-address` only when known). */
export function lease6ToJson(l: Lease6): Record<string, unknown> {
  const out: Record<string, unknown> = {
    "ip-address": formatAddress6(l.address),
    type: LEASE6_TYPE_NAMES[l.type],
  };
  if (l.type === Lease6Type.PD) out["prefix-len"] = l.prefixLen;
  out.iaid = l.iaid;
  out.duid = l.duid;
  out["subnet-id"] = l.subnetId;
  if (l.poolId !== undefined) out["pool-id"] = l.poolId;
  out.cltt = l.cltt;
  out["preferred-lft"] = l.preferredLifetime;
  out["valid-lft"] = l.validLifetime;
  out["fqdn-fwd"] = l.fqdnFwd;
  out["fqdn-rev"] = l.fqdnRev;
  out.hostname = l.hostname;
  if (l.hwaddr) out["hw-address"] = l.hwaddr;
  out.state = l.state;
  if (l.userContext) out["user-context"] = l.userContext;
  return out;
}

/** The IPv6 address argument `name` as a 128-bit integer, or a result-1 error naming it. */
export function address6Arg(cmd: string, value: unknown, name = "ip-address"): bigint {
  if (value === undefined) badArgs(`${cmd}: missing mandatory '${name}' parameter`);
  const b = typeof value === "string" ? parseIpv6(value) : undefined;
  if (!b) badArgs(`${cmd}: '${name}' is not a valid IPv6 address (got ${JSON.stringify(value)})`);
  let a = 0n;
  for (const x of b) a = (a << 8n) | BigInt(x);
  return a;
}

/** The `type` argument ("IA_NA" when absent), or a result-1 error. */
export function lease6TypeArg(cmd: string, value: unknown): Lease6Type {
  if (value === undefined) return Lease6Type.NA;
  const i = LEASE6_TYPE_NAMES.indexOf(value as "IA_NA");
  if (i < 0) badArgs(`${cmd}: 'type' must be "IA_NA", "IA_TA" or "IA_PD" (got ${JSON.stringify(value)})`);
  return i as Lease6Type;
}

/** Whether `address` lies in the subnet's prefix. */
export function inSubnet6(s: Subnet6, address: bigint): boolean {
  const shift = BigInt(128 - s.len);
  return (address >> shift) === (s.network >> shift);
}

const Lease6Args = v.object({
  ...COMMON_LEASE_ARGS,
  duid: v.string("must be a string"),
  iaid: uint32,
  type: v.optional(v.string("must be a string")),
  "prefix-len": v.optional(v.pipe(uint32, v.minValue(1, "must be 1..128"), v.maxValue(128, "must be 1..128"))),
  "preferred-lft": v.optional(uint32),
});

/**
 * Builds the lease a lease6-add / lease6-update command describes, with Kea's rules: the subnet must exist
 * (subnet-id 0 or absent picks the subnet containing the address) and contain an IA_NA/IA_TA address; `duid` and
 * `iaid` are mandatory; an IA_PD lease needs `prefix-len`; `expire` sets cltt = expire − valid-lft, otherwise cltt
 * is `cltt` or now. Returns the lease and `force-create`; throws a result-1 CommandError naming the bad argument.
 */
export function lease6FromArgs(
  cmd: string,
  args: Record<string, unknown> | undefined,
  config: Dhcp6Config,
  now: number,
): { lease: Lease6; forceCreate: boolean } {
  const a = checkArgs(cmd, Lease6Args, args);
  const address = address6Arg(cmd, a["ip-address"]);
  const type = lease6TypeArg(cmd, a.type);
  const { subnet, forceCreate, ...f } = commonLeaseFields(
    cmd,
    a,
    {
      family: "IPv6",
      subnets: config.subnets,
      contains: (s: Subnet6) => inSubnet6(s, address),
      text: formatAddress6(address),
    },
    now,
    type !== Lease6Type.PD,
  );
  let prefixLen = 128;
  if (type === Lease6Type.PD) {
    if (a["prefix-len"] === undefined) badArgs(`${cmd}: missing mandatory 'prefix-len' parameter for an IA_PD lease`);
    prefixLen = a["prefix-len"];
  }
  const lease: Lease6 = {
    address,
    prefixLen,
    type,
    duid: hexArg(cmd, a.duid, "duid", 130),
    iaid: a.iaid,
    preferredLifetime: a["preferred-lft"] ?? subnet.timers.preferredLifetime,
    subnetId: subnet.id,
    hwaddr: a["hw-address"] ? hexArg(cmd, a["hw-address"], "hw-address", 20) : "",
    ...f,
  };
  return { lease, forceCreate };
}
