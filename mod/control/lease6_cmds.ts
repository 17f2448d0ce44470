/**
 * The DHCPv6 half of Kea's lease commands hook (hooks-lease-cmds.rst): lease6-add, lease6-update
 * (`force-create`), lease6-del, lease6-wipe and lease6-write, plus `registerLease6Commands`, which also registers
 * lease6-get, lease6-get-all, lease6-get-page and lease6-bulk-apply (lease6_bulk.ts, what an HA partner sends). Every success is durable before it is answered (the answer waits for the KV
 * commit holding the change); a commit that fails answers result 1; an add over an existing lease answers 4. The
 * gauges move as Kea's lease_cmds moves them: `assigned-nas` / `assigned-pds` for a DEFAULT or DECLINED lease,
 * `declined-addresses` for a DECLINED one, globally and per subnet.
 */
import { answer, badArgs, CommandError, ok, Result } from "./answer.ts";
import { findLease6, registerLease6GetCommands } from "./lease6_get_cmds.ts";
import { registerLease6BulkApply } from "./lease6_bulk.ts";
import { address6Arg, lease6FromArgs } from "./lease6_json.ts";
import type { CommandRegistry } from "./registry.ts";
import type { ControlContext } from "./context.ts";
import { writableTarget } from "./safe_write.ts";
import { noSuchLease } from "./lease_cmds.ts";
import { formatKeaCsv6 } from "../lease/kea_csv6.ts";
import { dirname, resolve } from "./posix_path.ts";
import type { Dhcp6Config } from "../config/model6.ts";
import { formatAddress6 } from "../lease/kv_store6.ts";
import { LeaseState } from "../lease/types.ts";
import { type Lease6, type Lease6Mutation, type Lease6Store, Lease6Type } from "../lease/types6.ts";
import type { Stats } from "../stats/stats.ts";

/** The lease6 command names (what libdhcp_lease_cmds.so adds to list-commands of kea-dhcp6). */
export const LEASE6_COMMANDS: readonly string[] = [
  "lease6-add",
  "lease6-bulk-apply",
  "lease6-del",
  "lease6-get",
  "lease6-get-all",
  "lease6-get-page",
  "lease6-resend-ddns",
  "lease6-update",
  "lease6-wipe",
  "lease6-write",
];

/** What the lease6 commands read and change. */
export interface Lease6CmdContext extends Pick<ControlContext, "writeTextFile" | "fs" | "liveFiles"> {
  stats: Stats;
  store: Lease6Store;
  config(): Dhcp6Config;
  /** milliseconds since the epoch */
  now(): number;
  /** queues an add NCR for a stored lease (lease6-resend-ddns); absent while DDNS updates are off */
  resendDdns6?(lease: Lease6): void;
}

/** The gauges a lease counts in (as stats6.ts counts them at start-up). */
function gauges(l: Lease6 | undefined): string[] {
  if (!l || (l.state !== LeaseState.DEFAULT && l.state !== LeaseState.DECLINED)) return [];
  const g = [l.type === Lease6Type.PD ? "assigned-pds" : "assigned-nas"];
  if (l.state === LeaseState.DECLINED) g.push("declined-addresses");
  return g;
}

/** Moves the assigned/declined gauges for one lease changing from `before` to `after` (either may be absent). */
export function lease6ChangeStats(stats: Stats, before: Lease6 | undefined, after: Lease6 | undefined): void {
  for (const g of gauges(before)) {
    stats.add(g, -1);
    stats.add(`subnet[${before!.subnetId}].${g}`, -1);
  }
  for (const g of gauges(after)) {
    stats.add(g, 1);
    stats.add(`subnet[${after!.subnetId}].${g}`, 1);
  }
}

async function durable(ctx: Lease6CmdContext, muts: Lease6Mutation[], what: string): Promise<void> {
  try {
    await ctx.store.apply(muts);
  } catch (e) {
    throw new CommandError(Result.ERROR, `${what} could not be saved to the lease database: ${(e as Error).message}`);
  }
}

const what = (l: Lease6) =>
  l.type === Lease6Type.PD
    ? `prefix ${formatAddress6(l.address)}/${l.prefixLen}`
    : `address ${formatAddress6(l.address)}`;

/** Registers every lease6-* command on `reg`, answering from `ctx`. */
export function registerLease6Commands(reg: CommandRegistry, ctx: Lease6CmdContext): void {
  registerLease6GetCommands(reg, ctx.store);
  registerLease6BulkApply(reg, ctx);
  const now = () => Math.floor(ctx.now() / 1000);

  reg.register("lease6-add", async (args) => {
    const { lease } = lease6FromArgs("lease6-add", args, ctx.config(), now());
    const old = ctx.store.byAddress(lease.address);
    // Kea 2.2 answers 1 (not 4, "conflict") to a lease that exists
    if (old) return answer(Result.ERROR, "IPv6 lease already exists.");
    await durable(ctx, [{ op: "put", lease }], `the lease for ${what(lease)}`);
    lease6ChangeStats(ctx.stats, undefined, lease);
    return ok(`Lease for ${what(lease)}, subnet-id ${lease.subnetId} added.`);
  });

  reg.register("lease6-update", async (args) => {
    const { lease, forceCreate } = lease6FromArgs("lease6-update", args, ctx.config(), now());
    const old = ctx.store.byAddress(lease.address);
    if (!old && !forceCreate) {
      return answer(Result.ERROR, noSuchLease(formatAddress6(lease.address)));
    }
    await durable(ctx, [{ op: "put", lease }], `the lease for ${what(lease)}`);
    lease6ChangeStats(ctx.stats, old, lease);
    return ok(old ? "IPv6 lease updated." : "IPv6 lease added.");
  });

  reg.register("lease6-del", async (args) => {
    const old = findLease6("lease6-del", ctx.store, args);
    if (!old) return answer(Result.EMPTY, "IPv6 lease not found.");
    await durable(ctx, [{ op: "del", address: old.address }], `the deletion of ${what(old)}`);
    lease6ChangeStats(ctx.stats, old, undefined);
    return ok("IPv6 lease deleted.");
  });

  reg.register("lease6-wipe", async (args) => {
    const sid = args?.["subnet-id"] ?? 0;
    if (typeof sid !== "number" || !Number.isInteger(sid) || sid < 0) {
      badArgs("lease6-wipe: 'subnet-id' must be a subnet id, or 0 for every subnet");
    }
    // an unknown subnet has no leases: Kea 2.2 answers 3, "Deleted 0 IPv6 lease(s) from subnet(s) N"
    const gone = [...ctx.store.all()].filter((l) => sid === 0 || l.subnetId === sid);
    const ids = sid === 0 ? ctx.config().subnets.map((s) => s.id) : [sid];
    const text = `Deleted ${gone.length} IPv6 lease(s) from subnet(s) ${ids.join(" ")}`;
    if (gone.length === 0) return answer(Result.EMPTY, text);
    await durable(ctx, gone.map((l) => ({ op: "del", address: l.address })), `the wipe of ${gone.length} lease(s)`);
    for (const l of gone) lease6ChangeStats(ctx.stats, l, undefined);
    return ok(text);
  });

  // Kea 2.2's lease6-resend-ddns (lease_cmds.cc): the address first, then DDNS on, then an IA_NA lease with a name
  // and a direction; an add NCR for the lease as stored
  reg.register("lease6-resend-ddns", (args) => {
    const address = address6Arg("lease6-resend-ddns", args?.["ip-address"]);
    const ip = formatAddress6(address);
    if (!ctx.resendDdns6) return answer(Result.ERROR, "DDNS updating is not enabled");
    const l = ctx.store.byAddress(address);
    if (!l || l.type !== Lease6Type.NA) return answer(Result.EMPTY, `No lease found for: ${ip}`);
    if (!l.hostname) return answer(Result.ERROR, `Lease for: ${ip}, has no hostname, nothing to update`);
    if (!l.fqdnFwd && !l.fqdnRev) {
      return answer(Result.ERROR, `Neither forward nor reverse updates enabled for lease for: ${ip}`);
    }
    ctx.resendDdns6(l);
    return ok(`NCR generated for: ${ip}, hostname: ${l.hostname}`);
  });

  reg.register("lease6-write", async (args) => {
    const name = args?.filename;
    if (typeof name !== "string" || name === "") badArgs("lease6-write: missing mandatory 'filename' parameter");
    const dir = dirname(resolve(ctx.config().lease.path));
    const path = await writableTarget("lease6-write", name, dir, ctx.liveFiles(), ctx.fs);
    try {
      await ctx.writeTextFile(path, formatKeaCsv6(ctx.store.all()));
    } catch (e) {
      return answer(Result.ERROR, `lease6-write: cannot write ${path}: ${(e as Error).message}`);
    }
    return ok(`IPv6 lease database into '${path}'.`);
  });
}
