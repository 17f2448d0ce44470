/**
 * `lease6-bulk-apply` (Kea's lease_cmds hook, lease6BulkApplyHandler; what a kea-dhcp6 HA partner sends for every
 * query's lease changes): `deleted-leases` and `leases` in one command. Every lease is parsed first — a malformed
 * one refuses the whole command (result 1) with nothing changed, as Kea does; then each deleted lease that exists is
 * deleted (one that does not is listed in `failed-deleted-leases` with result 3) and each lease is added or
 * replaced (force-create), all in ONE durable commit before the answer. The answer is Kea's: result 0 "Bulk apply
 * of N IPv6 leases completed." (3 when nothing was applied), with the failed lists in `arguments` when there are
 * any. The gauges move as for lease6-update / lease6-del.
 */
import { answer, CommandError, Result } from "./answer.ts";
import { address6Arg, LEASE6_TYPE_NAMES, lease6FromArgs, lease6TypeArg } from "./lease6_json.ts";
import type { CommandRegistry } from "./registry.ts";
import type { Lease6, Lease6Mutation } from "../lease/types6.ts";
import { formatAddress6 } from "../lease/kv_store6.ts";
import type { Lease6CmdContext } from "./lease6_cmds.ts";
import { lease6ChangeStats } from "./lease6_cmds.ts";

/** At most this many leases in one bulk apply (a partner sends a query's few; a hostile caller is refused). */
export const MAX_BULK_LEASES = 4096;

function list(args: Record<string, unknown> | undefined, key: string): Record<string, unknown>[] {
  const v = args?.[key];
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new CommandError(Result.ERROR, `lease6-bulk-apply: '${key}' must be a list of leases`);
  if (v.length > MAX_BULK_LEASES) {
    throw new CommandError(Result.ERROR, `lease6-bulk-apply: more than ${MAX_BULK_LEASES} leases in '${key}'`);
  }
  return v.map((l, i) => {
    if (l === null || typeof l !== "object" || Array.isArray(l)) {
      throw new CommandError(Result.ERROR, `lease6-bulk-apply: ${key}[${i}] is not a lease map`);
    }
    return l as Record<string, unknown>;
  });
}

/** Registers lease6-bulk-apply on `reg`. */
export function registerLease6BulkApply(reg: CommandRegistry, ctx: Lease6CmdContext): void {
  reg.register("lease6-bulk-apply", async (args) => {
    const now = Math.floor(ctx.now() / 1000);
    const config = ctx.config();
    // parse everything first: a malformed lease changes nothing
    const gone = list(args, "deleted-leases").map((j) => ({
      address: address6Arg("lease6-bulk-apply", j["ip-address"]),
      type: lease6TypeArg("lease6-bulk-apply", j.type),
    }));
    const put = list(args, "leases").map((j) => lease6FromArgs("lease6-bulk-apply", j, config, now).lease);
    const mutations: Lease6Mutation[] = [];
    const changes: [Lease6 | undefined, Lease6 | undefined][] = [];
    const failedDeleted: Record<string, unknown>[] = [];
    for (const d of gone) {
      const old = ctx.store.byAddress(d.address);
      if (!old || old.type !== d.type) {
        failedDeleted.push({
          "ip-address": formatAddress6(d.address),
          type: LEASE6_TYPE_NAMES[d.type],
          result: Result.EMPTY,
          "error-message": "lease not found",
        });
        continue;
      }
      mutations.push({ op: "del", address: d.address });
      changes.push([old, undefined]);
    }
    for (const l of put) {
      mutations.push({ op: "put", lease: l });
      changes.push([ctx.store.byAddress(l.address), l]);
    }
    if (mutations.length) {
      try {
        await ctx.store.apply(mutations);
      } catch (e) {
        return answer(
          Result.ERROR,
          `lease6-bulk-apply could not be saved to the lease database: ${(e as Error).message}`,
        );
      }
      for (const [before, after] of changes) lease6ChangeStats(ctx.stats, before, after);
    }
    const text = `Bulk apply of ${mutations.length} IPv6 leases completed.`;
    const out = failedDeleted.length ? { "failed-deleted-leases": failedDeleted } : undefined;
    return answer(mutations.length ? Result.SUCCESS : Result.EMPTY, text, out);
  });
}
