/**
 * The read side of Kea's lease commands hook for DHCPv6 (hooks-lease-cmds.rst): lease6-get (by `ip-address` and
 * optional `type`, or by `identifier-type` "duid" + `identifier` + `iaid` + `subnet-id` + optional `type`),
 * lease6-get-all (optionally `subnets`) and lease6-get-page (`from` "start" or an address, `limit`; ascending by
 * address like memfile). A lookup that finds nothing answers result 3. Pure (reads the in-memory store).
 */
import { type Answer, answer, badArgs, ok, Result } from "./answer.ts";
import { address6Arg, lease6ToJson, lease6TypeArg } from "./lease6_json.ts";
import { hexArg } from "./lease_json.ts";
import type { CommandRegistry } from "./registry.ts";
import type { Lease6, Lease6View } from "../lease/types6.ts";
import { uint32Arg } from "./lease6_args.ts";

/** The get-all answer shape: "N IPv6 lease(s) found." with `{leases}`; result 3 when there are none. */
export function lease6List(leases: Lease6[]): Answer {
  return answer(leases.length ? Result.SUCCESS : Result.EMPTY, `${leases.length} IPv6 lease(s) found.`, {
    leases: leases.map(lease6ToJson),
  });
}

/**
 * Finds one lease by address (+ type) or by DUID + IAID + subnet-id (+ type), for lease6-get and lease6-del (Kea
 * `getLease6(type, addr)` / `getLease6(type, duid, iaid, subnet_id)`). Throws a result-1 error on bad arguments.
 */
export function findLease6(
  cmd: string,
  store: Lease6View,
  args: Record<string, unknown> | undefined,
): Lease6 | undefined {
  if (!args) {
    badArgs(`${cmd}: missing 'arguments' (give 'ip-address', or 'identifier-type', 'identifier', 'iaid', 'subnet-id')`);
  }
  const type = lease6TypeArg(cmd, args.type);
  if (args["ip-address"] !== undefined) {
    const l = store.byAddress(address6Arg(cmd, args["ip-address"]));
    return l && l.type === type ? l : undefined;
  }
  const idType = args["identifier-type"];
  if (idType === undefined) {
    badArgs(`${cmd}: give 'ip-address', or 'identifier-type', 'identifier', 'iaid' and 'subnet-id'`);
  }
  if (idType !== "duid") {
    badArgs(`${cmd}: 'identifier-type' must be "duid" for IPv6 (got ${JSON.stringify(idType)})`);
  }
  if (args.identifier === undefined) badArgs(`${cmd}: missing mandatory 'identifier' parameter`);
  if (args.iaid === undefined) badArgs(`${cmd}: missing mandatory 'iaid' parameter`);
  if (args["subnet-id"] === undefined) badArgs(`${cmd}: missing mandatory 'subnet-id' parameter`);
  const duid = hexArg(cmd, args.identifier, "identifier", 130);
  const iaid = uint32Arg(cmd, "iaid", args.iaid);
  const subnetId = uint32Arg(cmd, "subnet-id", args["subnet-id"], 1);
  return store.byIa(duid, iaid, type, subnetId)[0];
}

/** Registers lease6-get, lease6-get-all and lease6-get-page on `reg`. */
export function registerLease6GetCommands(reg: CommandRegistry, store: Lease6View & { all(): Iterable<Lease6> }): void {
  reg.register("lease6-get", (args) => {
    const l = findLease6("lease6-get", store, args);
    return l ? ok("IPv6 lease found.", lease6ToJson(l)) : answer(Result.EMPTY, "Lease not found.");
  });
  reg.register("lease6-get-all", (args) => {
    const subnets = args?.subnets;
    if (subnets === undefined) return lease6List([...store.all()]);
    if (!Array.isArray(subnets)) badArgs("lease6-get-all: 'subnets' must be a list of subnet ids");
    const ids = new Set(subnets.map((s) => uint32Arg("lease6-get-all", "subnet-id", s, 1)));
    return lease6List([...store.all()].filter((l) => ids.has(l.subnetId)));
  });
  reg.register("lease6-get-page", (args) => {
    const from = args?.from, limit = args?.limit;
    if (from === undefined) badArgs("lease6-get-page: missing mandatory 'from' parameter");
    if (limit === undefined) badArgs("lease6-get-page: missing mandatory 'limit' parameter");
    let start = -1n;
    if (from !== "start") {
      if (typeof from !== "string" || !from.includes(":")) {
        badArgs("lease6-get-page: 'from' parameter value is neither 'start' keyword nor a valid IPv6 address");
      }
      start = address6Arg("lease6-get-page", from, "from");
    }
    if (limit === 0) badArgs("page size of retrieved leases must not be 0");
    const size = uint32Arg("lease6-get-page", "limit", limit, 1);
    const page: Lease6[] = [];
    for (const l of store.all()) {
      if (l.address <= start) continue;
      page.push(l);
      if (page.length >= size) break;
    }
    return answer(page.length ? Result.SUCCESS : Result.EMPTY, `${page.length} IPv6 lease(s) found.`, {
      leases: page.map(lease6ToJson),
      count: page.length,
    });
  });
}
