/**
 * Small builders for engine outcomes: drops with Kea's statistic names, statistics in Kea's global and
 * per-subnet forms, and log entries with Kea message ids.
 */
import type { Packet4 } from "../../packet4/packet.ts";
import type { EngineContext, EngineLog, Outcome, StatDelta } from "./types.ts";
import type { ClientInfo } from "./client.ts";

export type LogEntry = EngineLog;
export type DropOutcome = Extract<Outcome, { kind: "drop" }>;

/**
 * Kea's per-subnet statistic name: `subnet[ID].NAME` (StatsMgr::generateName). Names are built once and reused,
 * so the statistics map is looked up with a string whose hash is already known.
 */
export function subnetStat(subnetId: number, name: string): string {
  let byId = SUBNET_STATS.get(name);
  if (!byId) SUBNET_STATS.set(name, byId = new Map());
  let s = byId.get(subnetId);
  if (s === undefined) byId.set(subnetId, s = `subnet[${subnetId}].${name}`);
  return s;
}

const SUBNET_STATS = new Map<string, Map<number, string>>();

/** The global and the per-subnet form of a statistic, both changed by `delta` (Kea keeps both). */
export function bothStats(name: string, subnetId: number, delta: number): StatDelta[] {
  return [[name, delta], [subnetStat(subnetId, name), delta]];
}

/**
 * A dropped query: `reason` is the Kea statistic that explains it (e.g. "pkt4-not-for-us",
 * "pkt4-rfc-violation"); "pkt4-receive-drop" is always bumped too, as Kea counts every dropped packet there.
 * `received` is the per-type receive statistic already due for this query.
 */
export function drop(
  reason: string,
  received: StatDelta[],
  log: LogEntry[],
  extra: StatDelta[] = [],
  forgetOffer?: string,
): DropOutcome {
  const stats: StatDelta[] = [...received, ...extra, ["pkt4-receive-drop", 1]];
  if (reason !== "pkt4-receive-drop" && !extra.some(([n]) => n === reason)) stats.push([reason, 1]);
  const out: DropOutcome = { kind: "drop", reason, stats, log };
  if (forgetOffer !== undefined) out.forgetOffer = forgetOffer;
  return out;
}

/** One query being handled: the packet, the engine context, who sent it and its receive statistic. */
export interface Exchange {
  query: Packet4;
  ctx: EngineContext;
  client: ClientInfo;
  /** the per-type receive statistic, e.g. [["pkt4-discover-received", 1]] */
  received: StatDelta[];
  /** the client classes of the query (absent when the configuration uses no classes) */
  classes?: Set<string>;
  /** a BOOTP query made a DHCPREQUEST by the built-in libdhcp_bootp.so (bootp.ts): its lease never expires */
  bootp?: true;
}
