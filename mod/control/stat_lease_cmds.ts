/**
 * Kea's statistics hook, libdhcp_stat_cmds.so (hooks-stat-cmds.rst), built in: `stat-lease4-get` answers, per
 * subnet, the address counts of the lease database — total addresses of the subnet's pools, the cumulative
 * assignments since start-up, and the leases assigned and declined now, counted from the lease store (Kea counts
 * them in the database, not in the statistics manager) — as Kea's result set: `columns`, `rows`, `timestamp`.
 * `subnet-id` picks one subnet, `subnet-range` (`first-subnet-id`, `last-subnet-id`) an id range; no subnet
 * matching answers 3 with empty arguments, as Kea does. `stat-lease6-get` (a DHCPv6 server) answers Kea's eight
 * columns: the NA pool size, cumulative NA assignments, NAs assigned and declined now, then the same for prefixes
 * (Kea 2.2's stat_cmds.cc, `addValueRow6`: declined counts only addresses, prefixes are never declined).
 */
import { answer, badArgs, ok, Result } from "./answer.ts";
import type { CommandRegistry } from "./registry.ts";
import type { Stats } from "../stats/stats.ts";
import { keaTimestamp } from "../stats/stats.ts";
import { type Lease4, LeaseState } from "../lease/types.ts";
import { type Lease6, Lease6Type } from "../lease/types6.ts";

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

/** The columns of stat-lease6-get's result set, in Kea's order. */
export const STAT_LEASE6_COLUMNS = [
  "subnet-id",
  "total-nas",
  "cumulative-assigned-nas",
  "assigned-nas",
  "declined-nas",
  "total-pds",
  "cumulative-assigned-pds",
  "assigned-pds",
] as const;

/** What stat-lease4-get (L = Lease4) or stat-lease6-get (L = Lease6) reads. */
export interface StatLeaseContext<L = Lease4> {
  stats: Stats;
  /** the configured subnet ids, ascending */
  subnetIds(): number[];
  /** every lease (the store's current table) */
  leases(): Iterable<L>;
  /** ms since the epoch */
  now(): number;
}

/** What stat-lease4-get reads. */
export type StatLease4Context = StatLeaseContext<Lease4>;

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

/** Counts per subnet: `key(lease)` names the counter a lease adds to (or undefined). */
function countBy<L extends { subnetId: number }>(leases: Iterable<L>, key: (l: L) => string | undefined) {
  const n = new Map<string, number>();
  for (const l of leases) {
    const k = key(l);
    if (k !== undefined) n.set(`${l.subnetId}/${k}`, (n.get(`${l.subnetId}/${k}`) ?? 0) + 1);
  }
  return (id: number, k: string) => n.get(`${id}/${k}`) ?? 0;
}

/** One stat-lease*-get command: `row(id, count)` builds a subnet's row from the lease counts. */
function registerStatLease<L extends { subnetId: number }>(
  reg: CommandRegistry,
  name: string,
  ctx: StatLeaseContext<L>,
  columns: readonly string[],
  key: (l: L) => string | undefined,
  row: (id: number, count: (id: number, k: string) => number) => number[],
): void {
  reg.register(name, (args) => {
    const { ids, what } = selection(args, ctx.subnetIds());
    if (!ids.length) {
      const why = args?.["subnet-id"] !== undefined ? `, subnet-id: ${args["subnet-id"]} does not exist` : "";
      return answer(Result.EMPTY, `${name}[${what}]: no matching data${why}`, {});
    }
    const count = countBy(ctx.leases(), key);
    const rows = ids.map((id) => row(id, count));
    return ok(`${name}[${what}]: ${rows.length} rows found`, {
      "result-set": { columns: [...columns], rows, timestamp: keaTimestamp(ctx.now()) },
    });
  });
}

/** Registers stat-lease4-get on `reg`. */
export function registerStatLease4(reg: CommandRegistry, ctx: StatLease4Context): void {
  const stat = (id: number, n: string) => ctx.stats.get(`subnet[${id}].${n}`);
  registerStatLease(
    reg,
    "stat-lease4-get",
    ctx,
    STAT_LEASE4_COLUMNS,
    (l) => l.state === LeaseState.DEFAULT ? "assigned" : l.state === LeaseState.DECLINED ? "declined" : undefined,
    (id, count) => [
      id,
      stat(id, "total-addresses"),
      stat(id, "cumulative-assigned-addresses"),
      count(id, "assigned"),
      count(id, "declined"),
    ],
  );
}

/** Registers stat-lease6-get on `reg` (a DHCPv6 server's registry). */
export function registerStatLease6(reg: CommandRegistry, ctx: StatLeaseContext<Lease6>): void {
  const stat = (id: number, n: string) => ctx.stats.get(`subnet[${id}].${n}`);
  const key = (l: Lease6) => {
    const kind = l.type === Lease6Type.PD ? "pd" : l.type === Lease6Type.NA ? "na" : undefined;
    if (!kind) return undefined;
    return l.state === LeaseState.DEFAULT
      ? `assigned-${kind}`
      : l.state === LeaseState.DECLINED
      ? "declined"
      : undefined;
  };
  registerStatLease(reg, "stat-lease6-get", ctx, STAT_LEASE6_COLUMNS, key, (id, count) => [
    id,
    stat(id, "total-nas"),
    stat(id, "cumulative-assigned-nas"),
    count(id, "assigned-na"),
    count(id, "declined"),
    stat(id, "total-pds"),
    stat(id, "cumulative-assigned-pds"),
    count(id, "assigned-pd"),
  ]);
}
