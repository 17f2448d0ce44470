/**
 * Kea's lease JSON for DHCPv4 (Lease4::toElement, hooks-lease-cmds.rst) and the parsing of the
 * lease given to lease4-add / lease4-update: `ip-address`, `hw-address`, optional `client-id`, `subnet-id` (0 or
 * absent = the subnet that contains the address), `valid-lft` (default: the subnet's), `expire` or `cltt`,
 * `fqdn-fwd`, `fqdn-rev`, `hostname`, `state` (0–3), `user-context`, `pool-id`. Pure.
 */
import * as v from "valibot";
import type { Dhcp4Config, Subnet4 } from "../config/model.ts";
import { type Lease4, LeaseState } from "../lease/types.ts";
import { formatIpv4, parseHex, parseIpv4, toColonHex } from "../wire/addr.ts";
import { badArgs } from "./answer.ts";
import { checkArgs, jsonMap, uint32 } from "./args.ts";

/** One lease as Kea's lease commands print it. */
export function leaseToJson(l: Lease4): Record<string, unknown> {
  const out: Record<string, unknown> = {
    "ip-address": formatIpv4(l.address),
    "hw-address": l.hwaddr,
  };
  if (l.clientId) out["client-id"] = l.clientId;
  out["valid-lft"] = l.validLifetime;
  out.cltt = l.cltt;
  out["subnet-id"] = l.subnetId;
  if (l.poolId !== undefined) out["pool-id"] = l.poolId;
  out["fqdn-fwd"] = l.fqdnFwd;
  out["fqdn-rev"] = l.fqdnRev;
  out.hostname = l.hostname;
  out.state = l.state;
  if (l.userContext) out["user-context"] = l.userContext;
  return out;
}

/** The IPv4 address argument `name`, or a result-1 error naming it. */
export function addressArg(cmd: string, value: unknown, name = "ip-address"): number {
  if (value === undefined) badArgs(`${cmd}: missing mandatory '${name}' parameter`);
  const a = typeof value === "string" ? parseIpv4(value) : undefined;
  if (a === undefined) badArgs(`${cmd}: '${name}' is not a valid IPv4 address (got ${JSON.stringify(value)})`);
  return a;
}

/** A colon-hex identifier argument (hw-address, client-id), normalised to lower-case colon hex. */
export function hexArg(cmd: string, value: unknown, name: string, maxBytes: number): string {
  const b = typeof value === "string" ? parseHex(value) : undefined;
  if (!b || b.length === 0 || b.length > maxBytes) {
    badArgs(
      `${cmd}: '${name}' must be 1..${maxBytes} hexadecimal bytes such as "aa:bb:cc" (got ${JSON.stringify(value)})`,
    );
  }
  return toColonHex(b);
}

/** The lease arguments lease4-* and lease6-* add/update share (Kea's lease_cmds parser). */
export const COMMON_LEASE_ARGS = {
  "ip-address": v.string("must be a string"),
  "hw-address": v.optional(v.string("must be a string")),
  "subnet-id": v.optional(uint32),
  "valid-lft": v.optional(uint32),
  expire: v.optional(v.pipe(v.number("must be a number"), v.integer("must be an integer"), v.minValue(0))),
  cltt: v.optional(v.pipe(v.number("must be a number"), v.integer("must be an integer"), v.minValue(0))),
  "fqdn-fwd": v.optional(v.boolean("must be true or false")),
  "fqdn-rev": v.optional(v.boolean("must be true or false")),
  hostname: v.optional(v.string("must be a string")),
  state: v.optional(
    v.pipe(uint32, v.maxValue(3, "must be 0 (default), 1 (declined), 2 (expired-reclaimed) or 3 (released)")),
  ),
  "user-context": v.optional(jsonMap),
  "pool-id": v.optional(uint32),
  "force-create": v.optional(v.boolean("must be true or false")),
  "update-ddns": v.optional(v.boolean("must be true or false")),
  comment: v.optional(v.string()),
};

const LeaseArgs = v.object({
  ...COMMON_LEASE_ARGS,
  "client-id": v.optional(v.string("must be a string")),
});

/** The subnet that contains `address`, if any. */
export function subnetFor(config: Dhcp4Config, address: number): Subnet4 | undefined {
  return config.subnets.find((s) => ((address & s.mask) >>> 0) === s.network);
}

/** A subnet as the lease commands need it (Subnet4 and Subnet6 both are). */
interface LeaseSubnet {
  id: number;
  prefix: string;
  timers: { validLifetime: number };
}

/** The fields of a lease argument map that do not depend on the family, checked and with Kea's defaults. */
export interface CommonLeaseFields<S> {
  subnet: S;
  validLifetime: number;
  cltt: number;
  fqdnFwd: boolean;
  fqdnRev: boolean;
  hostname: string;
  state: LeaseState;
  userContext?: Record<string, unknown>;
  poolId?: number;
  forceCreate: boolean;
}

/**
 * Kea's lease_cmds rules shared by lease4-* and lease6-* add/update: the subnet is the one named by `subnet-id`
 * (which must exist and, when `mustContain`, contain the address) or, when 0 or absent, the one containing the
 * address; `valid-lft` defaults to the subnet's; `expire` sets cltt = expire − valid-lft, otherwise cltt is
 * `cltt` or now; the host name is lower-cased. Throws a result-1 CommandError naming the bad argument.
 */
export function commonLeaseFields<S extends LeaseSubnet>(
  cmd: string,
  a: v.InferOutput<v.ObjectSchema<typeof COMMON_LEASE_ARGS, undefined>>,
  where: { family: "IPv4" | "IPv6"; subnets: readonly S[]; contains: (s: S) => boolean; text: string },
  now: number,
  mustContain = true,
): CommonLeaseFields<S> {
  let subnet: S | undefined;
  if (!a["subnet-id"]) {
    subnet = where.subnets.find(where.contains);
    if (!subnet) badArgs(`${cmd}: subnet-id not specified and failed to find a subnet for address: ${where.text}`);
  } else {
    subnet = where.subnets.find((s) => s.id === a["subnet-id"]);
    if (!subnet) {
      badArgs(
        `${cmd}: Invalid subnet-id: no ${where.family} subnet with subnet-id=${a["subnet-id"]} currently configured.`,
      );
    }
    if (mustContain && !where.contains(subnet)) {
      badArgs(`${cmd}: The address ${where.text} does not belong to subnet ${subnet.prefix}, subnet-id=${subnet.id}`);
    }
  }
  const validLifetime = a["valid-lft"] ?? subnet.timers.validLifetime;
  let cltt = a.cltt ?? now;
  if (a.expire !== undefined) {
    if (a.expire < validLifetime) {
      badArgs(`${cmd}: 'expire' (${a.expire}) must not be before valid-lft seconds after 1970`);
    }
    cltt = a.expire - validLifetime;
  }
  const out: CommonLeaseFields<S> = {
    subnet,
    validLifetime,
    cltt,
    fqdnFwd: a["fqdn-fwd"] ?? false,
    fqdnRev: a["fqdn-rev"] ?? false,
    hostname: (a.hostname ?? "").toLowerCase(),
    state: (a.state ?? LeaseState.DEFAULT) as LeaseState,
    forceCreate: a["force-create"] ?? false,
  };
  if (a["user-context"]) out.userContext = a["user-context"];
  if (a["pool-id"] !== undefined) out.poolId = a["pool-id"];
  return out;
}

/**
 * Builds the lease a lease4-add / lease4-update command describes: the family-neutral rules of
 * {@link commonLeaseFields}, and `hw-address` mandatory except for a declined lease. Returns the lease and the
 * `force-create` flag; throws a result-1 CommandError naming the bad argument.
 */
export function leaseFromArgs(
  cmd: string,
  args: Record<string, unknown> | undefined,
  config: Dhcp4Config,
  now: number,
): { lease: Lease4; forceCreate: boolean } {
  const a = checkArgs(cmd, LeaseArgs, args);
  const address = addressArg(cmd, a["ip-address"]);
  const contains = (s: Subnet4) => ((address & s.mask) >>> 0) === s.network;
  const { subnet, forceCreate, ...f } = commonLeaseFields(cmd, a, {
    family: "IPv4",
    subnets: config.subnets,
    contains,
    text: formatIpv4(address),
  }, now);
  let hwaddr = "";
  if (a["hw-address"] !== undefined && a["hw-address"] !== "") hwaddr = hexArg(cmd, a["hw-address"], "hw-address", 20);
  else if (f.state !== LeaseState.DECLINED) badArgs(`${cmd}: missing mandatory 'hw-address' parameter`);
  const clientId = a["client-id"] ? hexArg(cmd, a["client-id"], "client-id", 255) : "";
  return { lease: { address, hwaddr, clientId, subnetId: subnet.id, ...f }, forceCreate };
}
