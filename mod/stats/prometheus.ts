/**
 * Prometheus text exposition (format 0.0.4) of the DHCPv4 and DHCPv6 statistics, with the metric names and labels
 * the Stork agent's Kea exporter uses (promkeaexporter.go), so Grafana dashboards and alerts written for Stork work
 * unchanged. DHCPv4:
 * `kea_dhcp4_packets_received_total{operation="discover"}` (… "drop", "parse-failed"),
 * `kea_dhcp4_packets_sent_total{operation="ack"}`, and per subnet `kea_dhcp4_addresses_total`,
 * `kea_dhcp4_addresses_assigned_total`, `kea_dhcp4_addresses_declined_total`,
 * `kea_dhcp4_addresses_declined_reclaimed_total`, `kea_dhcp4_addresses_reclaimed_total`,
 * `kea_dhcp4_cumulative_addresses_assigned_total`, `kea_dhcp4_allocations_failed_total` and
 * `kea_dhcp4_leases_reused_total`, labelled `subnet` (the id, as Stork labels it), `subnet_id` and `prefix`.
 * DHCPv6 (kea-dhcp6): `kea_dhcp6_packets_received_total{operation="solicit"}` (… "drop", "parse-failed"),
 * `kea_dhcp6_packets_sent_total{operation="reply"}`, DHCPv4-over-DHCPv6 `kea_dhcp6_packets_{received,sent}_dhcp4_total`,
 * and per subnet `kea_dhcp6_na_total`, `kea_dhcp6_na_assigned_total`, `kea_dhcp6_pd_total`,
 * `kea_dhcp6_pd_assigned_total`, `kea_dhcp6_addresses_declined_total`, `kea_dhcp6_addresses_declined_reclaimed_total`,
 * `kea_dhcp6_addresses_reclaimed_total`, `kea_dhcp6_cumulative_nas_assigned_total`,
 * `kea_dhcp6_cumulative_pds_assigned_total`. Stork types all of them gauge; weka types the counters `counter` and
 * the levels (pool sizes, assigned and declined addresses) `untyped`, so `promtool check metrics` passes with Stork's
 * names (Kind). `pkt4-not-for-us` / `pkt6-not-for-us` are `packets_received_total{operation="not-for-us"}`.
 * Statistics without a Stork name are exported as gauges `kea_dhcp4_<name>` / `kea_dhcp6_<name>` (dashes →
 * underscores) so nothing is hidden. Pure.
 */
import type { Stats } from "./stats.ts";

/** A subnet as the exporter labels it. */
export interface SubnetLabel {
  id: number;
  prefix: string;
}

/** A server family's Stork names: packet counters by operation, and per-subnet families. */
interface Family {
  received: Record<string, string>;
  sent: Record<string, string>;
  /** DHCPv4-over-DHCPv6 counters (kea-dhcp6 only) */
  received4o6?: Record<string, string>;
  sent4o6?: Record<string, string>;
  /** per-subnet statistic → [Stork's metric name, help, what it measures] */
  subnet: Record<string, [string, string, Kind]>;
}

/**
 * What a Stork family measures: a `counter` only grows (until a statistic-reset); a `level` goes up and down
 * (pool sizes, assigned and declined addresses). Stork names both with `_total` and types them all gauge, which
 * `promtool check metrics` refuses for the levels ("non-counter metrics should not have _total suffix"): weka keeps
 * Stork's names, types the counters `counter` and the levels `untyped` (promtool accepts `_total` there, and PromQL
 * queries and dashboards read the series the same whatever the type).
 */
type Kind = "counter" | "level";

const DHCP4: Family = {
  received: {
    "pkt4-discover-received": "discover",
    "pkt4-offer-received": "offer",
    "pkt4-request-received": "request",
    "pkt4-ack-received": "ack",
    "pkt4-nak-received": "nak",
    "pkt4-release-received": "release",
    "pkt4-decline-received": "decline",
    "pkt4-inform-received": "inform",
    "pkt4-unknown-received": "unknown",
    "pkt4-receive-drop": "drop",
    "pkt4-parse-failed": "parse-failed",
    // not in Stork's map; its generic name (…_not_for_us) reads to promtool as a unit ("us"), so it joins here
    "pkt4-not-for-us": "not-for-us",
  },
  sent: { "pkt4-offer-sent": "offer", "pkt4-ack-sent": "ack", "pkt4-nak-sent": "nak" },
  subnet: {
    "total-addresses": ["kea_dhcp4_addresses_total", "Size of subnet address pool", "level"],
    "assigned-addresses": ["kea_dhcp4_addresses_assigned_total", "Assigned addresses", "level"],
    "declined-addresses": ["kea_dhcp4_addresses_declined_total", "Declined counts", "level"],
    "reclaimed-declined-addresses": [
      "kea_dhcp4_addresses_declined_reclaimed_total",
      "Declined addresses that were reclaimed",
      "counter",
    ],
    "reclaimed-leases": ["kea_dhcp4_addresses_reclaimed_total", "Expired addresses that were reclaimed", "counter"],
    "cumulative-assigned-addresses": [
      "kea_dhcp4_cumulative_addresses_assigned_total",
      "Cumulative number of assigned addresses since server startup",
      "counter",
    ],
    "v4-allocation-fail": ["kea_dhcp4_allocations_failed_total", "Allocation fail count", "counter"],
    "v4-lease-reuses": [
      "kea_dhcp4_leases_reused_total",
      "Number of times an IPv4 lease has been renewed in memory",
      "counter",
    ],
  },
};

/** The Stork agent's kea-dhcp6 names (promkeaexporter.go: pktStatsMap and adr6StatsMap). */
const DHCP6: Family = {
  received: {
    "pkt6-solicit-received": "solicit",
    "pkt6-advertise-received": "advertise",
    "pkt6-request-received": "request",
    "pkt6-reply-received": "reply",
    "pkt6-renew-received": "renew",
    "pkt6-rebind-received": "rebind",
    "pkt6-release-received": "release",
    "pkt6-decline-received": "decline",
    "pkt6-infrequest-received": "infrequest",
    "pkt6-unknown-received": "unknown",
    "pkt6-receive-drop": "drop",
    "pkt6-parse-failed": "parse-failed",
    "pkt6-not-for-us": "not-for-us",
  },
  sent: { "pkt6-advertise-sent": "advertise", "pkt6-reply-sent": "reply" },
  received4o6: { "pkt6-dhcpv4-query-received": "query", "pkt6-dhcpv4-response-received": "response" },
  sent4o6: { "pkt6-dhcpv4-response-sent": "response" },
  subnet: {
    "total-nas": ["kea_dhcp6_na_total", "Size of non-temporary address pool", "level"],
    "assigned-nas": ["kea_dhcp6_na_assigned_total", "Assigned non-temporary addresses (IA_NA)", "level"],
    "total-pds": ["kea_dhcp6_pd_total", "Size of prefix delegation pool", "level"],
    "assigned-pds": ["kea_dhcp6_pd_assigned_total", "Assigned prefix delegations (IA_PD)", "level"],
    "reclaimed-leases": ["kea_dhcp6_addresses_reclaimed_total", "Expired addresses that were reclaimed", "counter"],
    "declined-addresses": ["kea_dhcp6_addresses_declined_total", "Declined counts", "level"],
    "reclaimed-declined-addresses": [
      "kea_dhcp6_addresses_declined_reclaimed_total",
      "Declined addresses that were reclaimed",
      "counter",
    ],
    "cumulative-assigned-nas": [
      "kea_dhcp6_cumulative_nas_assigned_total",
      "Cumulative number of assigned NA addresses since server startup",
      "counter",
    ],
    "cumulative-assigned-pds": [
      "kea_dhcp6_cumulative_pds_assigned_total",
      "Cumulative number of assigned PD prefixes since server startup",
      "counter",
    ],
  },
};

/** The server families /metrics renders: kea-dhcp4's and kea-dhcp6's. */
export type MetricsFamily = "dhcp4" | "dhcp6";

const esc = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
const labels = (l: Record<string, string>) =>
  "{" + Object.entries(l).map(([k, v]) => `${k}="${esc(v)}"`).join(",") + "}";

/**
 * Renders every statistic as Prometheus text: Stork's families first (one `# HELP`/`# TYPE` block each), then the
 * remaining statistics under generic names. `subnets` supplies the `prefix` label.
 */
export function renderPrometheus(
  stats: Stats,
  subnets: readonly SubnetLabel[],
  family: MetricsFamily = "dhcp4",
): string {
  const fam = family === "dhcp6" ? DHCP6 : DHCP4;
  const ns = `kea_${family}`;
  const families = new Map<string, { help: string; type: string; lines: string[] }>();
  const emit = (name: string, help: string, l: Record<string, string>, value: number, kind?: Kind) => {
    let f = families.get(name);
    const type = kind === "counter" ? "counter" : kind === "level" ? "untyped" : "gauge";
    if (!f) families.set(name, f = { help, type, lines: [] });
    f.lines.push(`${name}${Object.keys(l).length ? labels(l) : ""} ${value}`);
  };
  const prefixes = new Map(subnets.map((s) => [s.id, s.prefix]));
  for (const name of stats.names().sort()) {
    const value = stats.get(name);
    if (fam.received[name]) {
      emit(`${ns}_packets_received_total`, "Packets received", { operation: fam.received[name] }, value, "counter");
      continue;
    }
    if (fam.sent[name]) {
      emit(`${ns}_packets_sent_total`, "Packets sent", { operation: fam.sent[name] }, value, "counter");
      continue;
    }
    if (fam.received4o6?.[name]) {
      const help = "DHCPv4-over-DHCPv6 Packets received";
      emit(`${ns}_packets_received_dhcp4_total`, help, { operation: fam.received4o6[name] }, value, "counter");
      continue;
    }
    if (fam.sent4o6?.[name]) {
      const help = "DHCPv4-over-DHCPv6 Packets sent";
      emit(`${ns}_packets_sent_dhcp4_total`, help, { operation: fam.sent4o6[name] }, value, "counter");
      continue;
    }
    const m = name.match(/^subnet\[(\d+)\]\.([a-z0-9-]+)$/);
    if (m && fam.subnet[m[2]]) {
      const [metric, help, kind] = fam.subnet[m[2]];
      emit(metric, help, { subnet: m[1], subnet_id: m[1], prefix: prefixes.get(Number(m[1])) ?? "" }, value, kind);
      continue;
    }
    if (m) {
      const metric = `${ns}_subnet_${m[2].replace(/[^a-z0-9]/g, "_")}`;
      emit(metric, `Kea statistic subnet[id].${m[2]}`, {
        subnet: m[1],
        subnet_id: m[1],
        prefix: prefixes.get(Number(m[1])) ?? "",
      }, value);
      continue;
    }
    if (/^[a-z0-9-]+$/.test(name)) {
      emit(`${ns}_${name.replace(/-/g, "_")}`, `Kea statistic ${name}`, {}, value);
    }
  }
  const out: string[] = [];
  for (const [name, f] of families) {
    out.push(`# HELP ${name} ${f.help}`, `# TYPE ${name} ${f.type}`, ...f.lines);
  }
  return out.join("\n") + "\n";
}
