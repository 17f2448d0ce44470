/**
 * The write side of Kea's lease commands hook (hooks-lease-cmds.rst): lease4-add, lease4-update
 * (`force-create`), lease4-del, lease4-wipe and lease4-write, plus `registerLeaseCommands`, which also registers the
 * lease4-get* family. Every success is durable before it is answered (the answer waits for the KV commit that holds
 * the change); a change whose commit fails answers result 1. An add over an existing lease answers 4 (conflict).
 * Checks and the in-memory change happen in one synchronous step, so two concurrent commands cannot both pass the
 * same check.
 */
import { dirname, resolve } from "./posix_path.ts";
import { type Answer, answer, badArgs, CommandError, ok, Result } from "./answer.ts";
import type { ControlContext } from "./context.ts";
import { findLease, registerLeaseGetCommands } from "./lease_get_cmds.ts";
import { addressArg, leaseFromArgs } from "./lease_json.ts";
import { leaseChangeStats } from "./lease_stats.ts";
import type { CommandRegistry } from "./registry.ts";
import { writableTarget } from "./safe_write.ts";
import { formatKeaCsv4 } from "../lease/kea_csv.ts";
import type { Lease4, LeaseMutation } from "../lease/types.ts";
import { formatIpv4 } from "../wire/addr.ts";

/** The lease command names (what libdhcp_lease_cmds.so adds to list-commands). */
export const LEASE_COMMANDS: readonly string[] = [
  "lease4-add",
  "lease4-del",
  "lease4-get",
  "lease4-get-all",
  "lease4-get-by-client-id",
  "lease4-get-by-hostname",
  "lease4-get-by-hw-address",
  "lease4-get-page",
  "lease4-update",
  "lease4-wipe",
  "lease4-write",
  "lease4-resend-ddns",
];

async function durable(ctx: ControlContext, muts: LeaseMutation[], what: string): Promise<void> {
  try {
    await ctx.store.apply(muts);
  } catch (e) {
    throw new CommandError(Result.ERROR, `${what} could not be saved to the lease database: ${(e as Error).message}`);
  }
}

/** Registers every lease4-* command on `reg`, answering from `ctx`. */
export function registerLeaseCommands(reg: CommandRegistry, ctx: ControlContext): void {
  registerLeaseGetCommands(reg, ctx.store);
  const now = () => Math.floor(ctx.now() / 1000);

  reg.register("lease4-add", async (args) => {
    const { lease } = leaseFromArgs("lease4-add", args, ctx.config(), now());
    const ip = formatIpv4(lease.address);
    const old = ctx.store.byAddress(lease.address);
    // Kea 2.2 answers 1 (not 4, "conflict") to a lease that exists
    if (old) return answer(Result.ERROR, "IPv4 lease already exists.");
    await durable(ctx, [{ op: "put", lease }], `the lease for ${ip}`);
    leaseChangeStats(ctx.stats, undefined, lease, now());
    return ok(`Lease for address ${ip}, subnet-id ${lease.subnetId} added.`);
  });

  reg.register("lease4-update", async (args) => {
    const { lease, forceCreate } = leaseFromArgs("lease4-update", args, ctx.config(), now());
    const ip = formatIpv4(lease.address);
    const old = ctx.store.byAddress(lease.address);
    if (!old && !forceCreate) {
      return answer(Result.ERROR, noSuchLease(ip));
    }
    await durable(ctx, [{ op: "put", lease }], `the lease for ${ip}`);
    leaseChangeStats(ctx.stats, old, lease, now());
    return ok(old ? "IPv4 lease updated." : "IPv4 lease added.");
  });

  reg.register("lease4-del", async (args) => {
    const old = findLease("lease4-del", ctx.store, args);
    if (!old) return answer(Result.EMPTY, "IPv4 lease not found.");
    await durable(ctx, [{ op: "del", address: old.address }], `the deletion of ${formatIpv4(old.address)}`);
    leaseChangeStats(ctx.stats, old, undefined, now());
    return ok("IPv4 lease deleted.");
  });

  reg.register("lease4-wipe", async (args) => {
    const sid = args?.["subnet-id"] ?? 0;
    if (typeof sid !== "number" || !Number.isInteger(sid) || sid < 0) {
      badArgs("lease4-wipe: 'subnet-id' must be a subnet id, or 0 for every subnet");
    }
    // an unknown subnet has no leases: Kea 2.2 answers 3, "Deleted 0 IPv4 lease(s) from subnet(s) N"
    const gone: Lease4[] = [];
    for (const l of ctx.store.all()) if (sid === 0 || l.subnetId === sid) gone.push(l);
    const ids = sid === 0 ? ctx.config().subnets.map((s) => s.id) : [sid];
    const text = `Deleted ${gone.length} IPv4 lease(s) from subnet(s) ${ids.join(" ")}`;
    if (gone.length === 0) return answer(Result.EMPTY, text);
    const muts = gone.map((l) => ({ op: "del" as const, address: l.address }));
    await durable(ctx, muts, `the wipe of ${gone.length} lease(s)`);
    const t = now();
    for (const l of gone) leaseChangeStats(ctx.stats, l, undefined, t);
    return ok(text);
  });

  reg.register("lease4-write", (args) => lease4Write(ctx, args));
  // Kea's lease4-resend-ddns: an add NCR for the lease as stored (its host name and forward/reverse flags)
  reg.register("lease4-resend-ddns", (args) => {
    if (!ctx.resendDdns) return answer(Result.ERROR, "DDNS updating is not enabled");
    const ip = formatIpv4(addressArg("lease4-resend-ddns", args?.["ip-address"]));
    const l = ctx.store.byAddress(addressArg("lease4-resend-ddns", args?.["ip-address"]));
    if (!l) return answer(Result.EMPTY, `No lease found for: ${ip}`);
    if (!l.hostname) return answer(Result.ERROR, `Lease for: ${ip}, has no hostname, nothing to update`);
    if (!l.fqdnFwd && !l.fqdnRev) {
      return answer(Result.ERROR, `Neither forward nor reverse updates enabled for lease for: ${ip}`);
    }
    ctx.resendDdns(l);
    return ok(`NCR generated for: ${ip}, hostname: ${l.hostname}`);
  });
}

/**
 * lease4-write {filename}: dumps the lease database as Kea's kea-leases4.csv. As in Kea since 2.7.9 the file must
 * be in the lease database's directory; weka also resolves the real path and refuses the live database, its
 * journal files and the server's other files (mod/control/safe_write.ts).
 */
async function lease4Write(ctx: ControlContext, args: Record<string, unknown> | undefined): Promise<Answer> {
  const name = args?.filename;
  if (typeof name !== "string" || name === "") badArgs("lease4-write: missing mandatory 'filename' parameter");
  const dir = dirname(resolve(ctx.config().lease.path));
  const path = await writableTarget("lease4-write", name, dir, ctx.liveFiles(), ctx.fs);
  try {
    await ctx.writeTextFile(path, formatKeaCsv4(ctx.store.all()));
  } catch (e) {
    return answer(Result.ERROR, `lease4-write: cannot write ${path}: ${(e as Error).message}`);
  }
  return ok(`IPv4 lease database into '${path}'.`);
}

/** Kea 2.2's answer to an update of a lease that does not exist (lease_cmds.cc, result 1). */
export function noSuchLease(ip: string): string {
  return `failed to update the lease with address ${ip} either because the lease has been deleted or it has ` +
    "changed in the database, in both cases a retry might succeed";
}
