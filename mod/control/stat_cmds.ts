/**
 * Kea's statistics commands (stats.rst): statistic-get, statistic-get-all,
 * statistic-global-get-all, statistic-reset, statistic-reset-all, statistic-remove, statistic-remove-all,
 * statistic-sample-count-set[-all] and statistic-sample-age-set[-all] (per-statistic sample limits); and
 * `ensureKeaStats`, which creates every DHCPv4 statistic Kea creates at start-up (dhcp4-srv.rst "Statistics in the
 * DHCPv4 Server") at 0, so statistic-get-all and /metrics list them before the first packet.
 */
import { badArgs, CommandError, ok, Result } from "./answer.ts";
import type { CommandRegistry } from "./registry.ts";
import type { Stats } from "../stats/stats.ts";

/** Kea's global DHCPv4 packet statistics. */
export const PKT4_STATS: readonly string[] = [
  "pkt4-received",
  ...["discover", "offer", "request", "ack", "nak", "release", "decline", "inform", "lease-query", "unknown"]
    .map((t) => `pkt4-${t}-received`),
  "pkt4-sent",
  "pkt4-offer-sent",
  "pkt4-ack-sent",
  "pkt4-nak-sent",
  "pkt4-lease-query-response-unassigned-sent",
  "pkt4-lease-query-response-unknown-sent",
  "pkt4-lease-query-response-active-sent",
  "pkt4-receive-drop",
  ...[
    "service-disabled",
    "parse-failed",
    "queue-full",
    "duplicate",
    "rfc-violation",
    "admin-filtered",
    "not-for-us",
    "processing-failed",
    "limit-exceeded",
  ].map((t) => `pkt4-${t}`),
];

/** Statistics Kea keeps both globally and per subnet (`subnet[id].X`). */
export const ADDRESS_STATS: readonly string[] = [
  "assigned-addresses",
  "cumulative-assigned-addresses",
  "declined-addresses",
  "reclaimed-declined-addresses",
  "reclaimed-leases",
  "v4-allocation-fail",
  "v4-allocation-fail-shared-network",
  "v4-allocation-fail-subnet",
  "v4-allocation-fail-no-pools",
  "v4-allocation-fail-classes",
  "v4-lease-reuses",
  "v4-reservation-conflicts",
];

/** Creates, at 0, every statistic Kea creates for a DHCPv4 server with these subnets (existing ones are kept). */
export function ensureKeaStats(stats: Stats, subnetIds: readonly number[]): void {
  for (const n of [...PKT4_STATS, ...ADDRESS_STATS]) stats.add(n, 0);
  for (const id of subnetIds) {
    stats.add(`subnet[${id}].total-addresses`, 0);
    for (const n of ADDRESS_STATS) stats.add(`subnet[${id}].${n}`, 0);
  }
}

function statName(args: Record<string, unknown> | undefined): string {
  const name = args?.name;
  if (typeof name !== "string" || name === "") badArgs("'name' parameter not specified or not a string");
  return name;
}

/** Registers the statistics commands on `reg`. */
export function registerStatCommands(reg: CommandRegistry, stats: Stats): void {
  reg.register("statistic-get", (args) => ok(undefined, stats.samples(statName(args))));
  reg.register("statistic-get-all", () => ok(undefined, stats.all()));
  reg.register("statistic-global-get-all", () => {
    const all = stats.all();
    for (const k of Object.keys(all)) if (k.startsWith("subnet[")) delete all[k];
    return ok(undefined, all);
  });
  reg.register("statistic-reset", (args) => {
    const name = statName(args);
    if (!stats.reset(name)) throw new CommandError(Result.ERROR, `No '${name}' statistic found`);
    return ok(`Statistic '${name}' reset.`);
  });
  reg.register("statistic-reset-all", () => {
    for (const n of stats.names()) stats.reset(n);
    return ok("All statistics reset to neutral values.");
  });
  reg.register("statistic-remove", (args) => {
    const name = statName(args);
    if (!stats.remove(name)) throw new CommandError(Result.ERROR, `No '${name}' statistic found`);
    return ok(`Statistic '${name}' removed.`);
  });
  reg.register("statistic-remove-all", () => {
    for (const n of stats.names()) stats.remove(n);
    return ok("All statistics removed.");
  });
  reg.register("statistic-sample-count-set", (args) => {
    const name = statName(args);
    if (!stats.setSampleCount(sampleCount(args), name)) {
      throw new CommandError(Result.ERROR, `No '${name}' statistic found`);
    }
    return ok(`Statistic '${name}' count limit is set.`);
  });
  reg.register("statistic-sample-count-set-all", (args) => {
    stats.setSampleCount(sampleCount(args));
    return ok("All statistics count limit are set.");
  });
  reg.register("statistic-sample-age-set", (args) => {
    const name = statName(args);
    if (!stats.setSampleAge(sampleAge(args), name)) {
      throw new CommandError(Result.ERROR, `No '${name}' statistic found`);
    }
    return ok(`Statistic '${name}' duration limit is set.`);
  });
  reg.register("statistic-sample-age-set-all", (args) => {
    stats.setSampleAge(sampleAge(args));
    return ok("All statistics duration limit are set.");
  });
}

/** `max-samples` of the count commands: a positive integer. */
function sampleCount(args: Record<string, unknown> | undefined): number {
  const n = args?.["max-samples"];
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1) {
    badArgs("'max-samples' parameter not specified or not a positive integer");
  }
  return n;
}

/** `duration` of the age commands, seconds: a non-negative integer; returned in ms. */
function sampleAge(args: Record<string, unknown> | undefined): number {
  const n = args?.duration;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0) {
    badArgs("'duration' parameter not specified or not a number of seconds");
  }
  return n * 1000;
}
