/**
 * The read side of Kea's lease commands hook (hooks-lease-cmds.rst): lease4-get (by address, or
 * by identifier-type/identifier/subnet-id), lease4-get-all (optionally `subnets`), lease4-get-page (`from`,
 * `limit`; ascending by address like memfile), lease4-get-by-hw-address, lease4-get-by-client-id and
 * lease4-get-by-hostname. A lookup that finds nothing answers result 3 (empty). Pure (reads the in-memory store).
 */
import { Result } from "./answer.ts";
import { answer, badArgs, ok } from "./answer.ts";
import { addressArg, hexArg, leaseToJson } from "./lease_json.ts";
import type { CommandRegistry } from "./registry.ts";
import type { Lease4, LeaseStore } from "../lease/types.ts";
import { parseIpv4 } from "../wire/addr.ts";

/** The get-all answer shape: "N IPv4 lease(s) found." with `{leases}`; result 3 when there are none. */
export function leaseList(leases: Lease4[]): ReturnType<typeof answer> {
  return answer(
    leases.length ? Result.SUCCESS : Result.EMPTY,
    `${leases.length} IPv4 lease(s) found.`,
    { leases: leases.map(leaseToJson) },
  );
}

function subnetIdArg(cmd: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > 0xffffffff) {
    badArgs(`${cmd}: 'subnet-id' must be a subnet id 1..4294967295 (got ${JSON.stringify(v)})`);
  }
  return v;
}

/** Finds one lease by address or by identifier, for lease4-get and lease4-del. Throws a result-1 error on bad args. */
export function findLease(
  cmd: string,
  store: LeaseStore,
  args: Record<string, unknown> | undefined,
): Lease4 | undefined {
  if (!args) {
    badArgs(`${cmd}: missing 'arguments' (give 'ip-address', or 'identifier-type', 'identifier', 'subnet-id')`);
  }
  if (args["ip-address"] !== undefined) return store.byAddress(addressArg(cmd, args["ip-address"]));
  const type = args["identifier-type"];
  if (type === undefined) {
    badArgs(`${cmd}: give 'ip-address', or 'identifier-type', 'identifier' and 'subnet-id'`);
  }
  if (args.identifier === undefined) badArgs(`${cmd}: missing mandatory 'identifier' parameter`);
  if (args["subnet-id"] === undefined) badArgs(`${cmd}: missing mandatory 'subnet-id' parameter`);
  const subnetId = subnetIdArg(cmd, args["subnet-id"]);
  if (type === "hw-address") return store.byHwAddr(hexArg(cmd, args.identifier, "identifier", 20), subnetId);
  if (type === "client-id") return store.byClientId(hexArg(cmd, args.identifier, "identifier", 255), subnetId);
  return badArgs(
    `${cmd}: 'identifier-type' must be "hw-address" or "client-id" for IPv4 (got ${JSON.stringify(type)})`,
  );
}

/**
 * The leases with address > `from`, ascending, at most `limit` (memfile's getLeases4(lower_bound, page_size)): the
 * store's ordered walk starts at `from` (a page costs its own size, not the leases before it); a store without one
 * is filtered from the start.
 */
export function leasePage(store: LeaseStore, from: number, limit: number): Lease4[] {
  const out: Lease4[] = [];
  for (const l of store.after ? store.after(from) : store.all()) {
    if (l.address <= from) continue;
    out.push(l);
    if (out.length >= limit) break;
  }
  return out;
}

function filterAll(store: LeaseStore, keep: (l: Lease4) => boolean): Lease4[] {
  const out: Lease4[] = [];
  for (const l of store.all()) if (keep(l)) out.push(l);
  return out;
}

/** Registers the lease4-get* commands on `reg`. */
export function registerLeaseGetCommands(reg: CommandRegistry, store: LeaseStore): void {
  reg.register("lease4-get", (args) => {
    const l = findLease("lease4-get", store, args);
    return l ? ok("IPv4 lease found.", leaseToJson(l)) : answer(Result.EMPTY, "Lease not found.");
  });
  reg.register("lease4-get-all", (args) => {
    const subnets = args?.subnets;
    if (subnets === undefined) return leaseList([...store.all()]);
    if (!Array.isArray(subnets)) badArgs("lease4-get-all: 'subnets' must be a list of subnet ids");
    const ids = new Set(subnets.map((s) => subnetIdArg("lease4-get-all", s)));
    return leaseList(filterAll(store, (l) => ids.has(l.subnetId)));
  });
  reg.register("lease4-get-page", (args) => {
    const from = args?.from, limit = args?.limit;
    if (from === undefined) badArgs("lease4-get-page: missing mandatory 'from' parameter");
    if (limit === undefined) badArgs("lease4-get-page: missing mandatory 'limit' parameter");
    const start = from === "start" ? -1 : typeof from === "string" ? parseIpv4(from) ?? NaN : NaN;
    if (Number.isNaN(start)) {
      badArgs("lease4-get-page: 'from' parameter value is neither 'start' keyword nor a valid IPv4 address");
    }
    if (limit === 0) badArgs("page size of retrieved leases must not be 0");
    if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > 0xffffffff) {
      badArgs("lease4-get-page: 'limit' must be a page size of at least 1");
    }
    const page = leasePage(store, start, limit);
    return answer(page.length ? Result.SUCCESS : Result.EMPTY, `${page.length} IPv4 lease(s) found.`, {
      leases: page.map(leaseToJson),
      count: page.length,
    });
  });
  reg.register("lease4-get-by-hw-address", (args) => {
    if (args?.["hw-address"] === undefined) {
      badArgs("lease4-get-by-hw-address: missing mandatory 'hw-address' parameter");
    }
    const hw = hexArg("lease4-get-by-hw-address", args["hw-address"], "hw-address", 20);
    return leaseList(filterAll(store, (l) => l.hwaddr === hw));
  });
  reg.register("lease4-get-by-client-id", (args) => {
    if (args?.["client-id"] === undefined) badArgs("lease4-get-by-client-id: missing mandatory 'client-id' parameter");
    const cid = hexArg("lease4-get-by-client-id", args["client-id"], "client-id", 255);
    return leaseList(filterAll(store, (l) => l.clientId === cid));
  });
  reg.register("lease4-get-by-hostname", (args) => {
    const h = args?.hostname;
    if (typeof h !== "string" || h === "") {
      badArgs("lease4-get-by-hostname: 'hostname' parameter must be a non-empty string");
    }
    const want = h.toLowerCase();
    return leaseList(filterAll(store, (l) => l.hostname.toLowerCase() === want));
  });
}
