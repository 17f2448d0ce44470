/**
 * Kea's statistics hook, libdhcp_stat_cmds.so (hooks-stat-cmds.rst), built in: `stat-lease4-get` answers, per
 * subnet, the address counts of the lease database — total addresses of the subnet's pools, the cumulative
 * assignments since start-up, and the leases assigned and declined now, counted from the lease store (Kea counts
 * them in the database, not in the statistics manager) — as Kea's result set: `columns`, `rows`, `timestamp`.
 * `subnet-id` picks one subnet, `subnet-range` (`first-subnet-id`, `last-subnet-id`) an id range; no subnet
 * matching answers 3 with empty arguments, as Kea does.
 */
import { answer, badArgs, ok, Result } from "./answer.ts";
import type { CommandRegistry } from "./registry.ts";
import type { Stats } from "../stats/stats.ts";
import { keaTimestamp } from "../stats/stats.ts";
import { type Lease4, LeaseState } from "../lease/types.ts";

/** Kea's file name of the statistics hook. */
export const STAT_CMDS_HOOK = "libdhcp_stat_cmds.so";

/** The columns of stat-lease4-get's result set, in Kea's order. */
export const STAT_LEASE4_COLUMNS = [
  "subnet-id",
  "total-addresses",
  "cumulative-assigned-addresses",
  "assigned-addresses",
  "declined-addresses",
] as const;

/** What stat-lease4-get reads. */
export interface StatLease4Context {
  stats: Stats;
  /** the configured subnet ids, ascending */
  subnetIds(): number[];
  /** every lease (the store's current table) */
  leases(): Iterable<Lease4>;
  /** ms since the epoch */
  now(): number;
}

/** The subnets a request selects, and the text Kea puts in brackets. */
function selection(args: Record<string, unknown> | undefined, ids: number[]): { ids: number[]; what: string } {
  const id = args?.["subnet-id"], range = args?.["subnet-range"];
  if (id !== undefined && range !== undefined) badArgs("cannot specify both subnet-id and subnet-range");
  if (id !== undefined) {
    if (typeof id !== "number" || !Number.isInteger(id) || id < 1) badArgs("'subnet-id' must be a positive integer");
    return { ids: ids.filter((s) => s === id), what: `subnet-id=${id}` };
  }
  if (range !== undefined) {
    const r = range as Record<string, unknown>;
    const first = r?.["first-subnet-id"], last = r?.["last-subnet-id"];
    if (typeof first !== "number" || typeof last !== "number" || first > last) {
      badArgs("'subnet-range' needs 'first-subnet-id' and 'last-subnet-id', first not above last");
    }
    return { ids: ids.filter((s) => s >= first && s <= last), what: `subnets ${first} through ${last}` };
  }
  return { ids, what: "all subnets" };
}

/** Registers stat-lease4-get on `reg`. */
export function registerStatLease4(reg: CommandRegistry, ctx: StatLease4Context): void {
  reg.register("stat-lease4-get", (args) => {
    const { ids, what } = selection(args, ctx.subnetIds());
    if (!ids.length) {
      const why = args?.["subnet-id"] !== undefined ? `, subnet-id: ${args["subnet-id"]} does not exist` : "";
      return answer(Result.EMPTY, `stat-lease4-get[${what}]: no matching data${why}`, {});
    }
    const assigned = new Map<number, number>(), declined = new Map<number, number>();
    for (const l of ctx.leases()) {
      const m = l.state === LeaseState.DEFAULT ? assigned : l.state === LeaseState.DECLINED ? declined : undefined;
      m?.set(l.subnetId, (m.get(l.subnetId) ?? 0) + 1);
    }
    const rows = ids.map((id) => [
      id,
      ctx.stats.get(`subnet[${id}].total-addresses`),
      ctx.stats.get(`subnet[${id}].cumulative-assigned-addresses`),
      assigned.get(id) ?? 0,
      declined.get(id) ?? 0,
    ]);
    return ok(`stat-lease4-get[${what}]: ${rows.length} rows found`, {
      "result-set": { columns: [...STAT_LEASE4_COLUMNS], rows, timestamp: keaTimestamp(ctx.now()) },
    });
  });
}
