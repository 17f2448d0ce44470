/**
 * The statistics a Kea DHCPv6 server keeps (dhcp6-srv.rst "Statistics in the DHCPv6 Server"): the global packet
 * counters, created at 0 at start-up so statistic-get-all lists them before the first packet, and the per-subnet
 * lease gauges (`total-nas`, `assigned-nas`, `total-pds`, `assigned-pds`, `declined-addresses`, …) set from the
 * lease database at start-up and after a reload, as Kea recounts them.
 */
import type { Dhcp6Config } from "../config/model6.ts";
import type { Lease6Store } from "../lease/types6.ts";
import { Lease6Type } from "../lease/types6.ts";
import { LeaseState } from "../lease/types.ts";
import type { Stats } from "../stats/stats.ts";

/** Kea's global DHCPv6 packet statistics. */
export const PKT6_STATS: readonly string[] = [
  "pkt6-received",
  ...[
    "solicit",
    "advertise",
    "request",
    "reply",
    "renew",
    "rebind",
    "release",
    "decline",
    "confirm",
    "infrequest",
    "dhcpv4-query",
    "dhcpv4-response",
    "unknown",
  ].map((t) => `pkt6-${t}-received`),
  "pkt6-sent",
  "pkt6-advertise-sent",
  "pkt6-reply-sent",
  "pkt6-dhcpv4-response-sent",
  "pkt6-receive-drop",
  "pkt6-parse-failed",
  "pkt6-rfc-violation",
  "pkt6-processing-failed",
];

/** Statistics Kea keeps both globally and per subnet. */
export const LEASE6_STATS: readonly string[] = [
  "assigned-nas",
  "assigned-pds",
  "cumulative-assigned-nas",
  "cumulative-assigned-pds",
  "declined-addresses",
  "reclaimed-declined-addresses",
  "reclaimed-leases",
  "v6-allocation-fail",
  "v6-ia-na-lease-reuses",
  "v6-ia-pd-lease-reuses",
];

/** 2^63 − 1 as a number: Kea's int64 statistics saturate there (a /64 pool has more addresses than that). */
const INT64_MAX = 9223372036854775807;

function capped(n: bigint): number {
  return n > BigInt(INT64_MAX) ? INT64_MAX : Number(n);
}

/**
 * Creates every DHCPv6 statistic at 0 (existing ones are kept), then sets `subnet[id].total-nas` / `total-pds`
 * from the pools and the assigned/declined gauges from the leases in `store` (global and per subnet).
 */
export function initialLease6Stats(stats: Stats, config: Dhcp6Config, store: Lease6Store): void {
  for (const n of [...PKT6_STATS, ...LEASE6_STATS]) stats.add(n, 0);
  const count = new Map<string, number>();
  const inc = (k: string) => count.set(k, (count.get(k) ?? 0) + 1);
  for (const l of store.all()) {
    if (l.state === LeaseState.DECLINED) inc(`${l.subnetId}/declined-addresses`);
    if (l.state === LeaseState.DEFAULT || l.state === LeaseState.DECLINED) {
      inc(`${l.subnetId}/${l.type === Lease6Type.PD ? "assigned-pds" : "assigned-nas"}`);
    }
  }
  const totals = { "assigned-nas": 0, "assigned-pds": 0, "declined-addresses": 0 };
  for (const s of config.subnets) {
    for (const n of LEASE6_STATS) stats.add(`subnet[${s.id}].${n}`, 0);
    const nas = s.pools.reduce((n, p) => n + (p.end - p.start + 1n), 0n);
    const pds = s.pdPools.reduce((n, p) => n + (1n << BigInt(Math.max(0, p.delegatedLen - p.prefixLen))), 0n);
    stats.set(`subnet[${s.id}].total-nas`, capped(nas));
    stats.set(`subnet[${s.id}].total-pds`, capped(pds));
    for (const k of Object.keys(totals) as (keyof typeof totals)[]) {
      const v = count.get(`${s.id}/${k}`) ?? 0;
      stats.set(`subnet[${s.id}].${k}`, v);
      totals[k] += v;
    }
  }
  for (const [k, v] of Object.entries(totals)) stats.set(k, v);
}
