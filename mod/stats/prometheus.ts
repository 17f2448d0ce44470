/**
 * Prometheus text exposition (format 0.0.4) of the DHCPv4 statistics, with the metric names and labels the Stork
 * agent's Kea exporter uses, so Grafana dashboards and alerts written for Stork work unchanged:
 * `kea_dhcp4_packets_received_total{operation="discover"}` (… "drop", "parse-failed"),
 * `kea_dhcp4_packets_sent_total{operation="ack"}`, and per subnet `kea_dhcp4_addresses_total`,
 * `kea_dhcp4_addresses_assigned_total`, `kea_dhcp4_addresses_declined_total`,
 * `kea_dhcp4_addresses_declined_reclaimed_total`, `kea_dhcp4_addresses_reclaimed_total`,
 * `kea_dhcp4_cumulative_addresses_assigned_total`, `kea_dhcp4_allocations_failed_total` and
 * `kea_dhcp4_leases_reused_total`, labelled `subnet` (the id, as Stork labels it), `subnet_id` and `prefix`.
 * Stork exports all of them as gauges. Statistics without a Stork name are exported as
 * `kea_dhcp4_<name>` (dashes → underscores) so nothing is hidden. Pure.
 */
import type { Stats } from "./stats.ts";

/** A subnet as the exporter labels it. */
export interface SubnetLabel {
  id: number;
  prefix: string;
}

const RECEIVED: Record<string, string> = {
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
};
const SENT: Record<string, string> = { "pkt4-offer-sent": "offer", "pkt4-ack-sent": "ack", "pkt4-nak-sent": "nak" };
const SUBNET: Record<string, [string, string]> = {
  "total-addresses": ["kea_dhcp4_addresses_total", "Size of subnet address pool"],
  "assigned-addresses": ["kea_dhcp4_addresses_assigned_total", "Assigned addresses"],
  "declined-addresses": ["kea_dhcp4_addresses_declined_total", "Declined counts"],
  "reclaimed-declined-addresses": [
    "kea_dhcp4_addresses_declined_reclaimed_total",
    "Declined addresses that were reclaimed",
  ],
  "reclaimed-leases": ["kea_dhcp4_addresses_reclaimed_total", "Expired addresses that were reclaimed"],
  "cumulative-assigned-addresses": [
    "kea_dhcp4_cumulative_addresses_assigned_total",
    "Cumulative number of assigned addresses since server startup",
  ],
  "v4-allocation-fail": ["kea_dhcp4_allocations_failed_total", "Allocation fail count"],
  "v4-lease-reuses": ["kea_dhcp4_leases_reused_total", "Number of times an IPv4 lease has been renewed in memory"],
};

const esc = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
const labels = (l: Record<string, string>) =>
  "{" + Object.entries(l).map(([k, v]) => `${k}="${esc(v)}"`).join(",") + "}";

/**
 * Renders every statistic as Prometheus text: Stork's families first (one `# HELP`/`# TYPE` block each), then the
 * remaining statistics under generic names. `subnets` supplies the `prefix` label.
 */
export function renderPrometheus(stats: Stats, subnets: readonly SubnetLabel[]): string {
  const families = new Map<string, { help: string; lines: string[] }>();
  const emit = (name: string, help: string, l: Record<string, string>, value: number) => {
    let f = families.get(name);
    if (!f) families.set(name, f = { help, lines: [] });
    f.lines.push(`${name}${Object.keys(l).length ? labels(l) : ""} ${value}`);
  };
  const prefixes = new Map(subnets.map((s) => [s.id, s.prefix]));
  for (const name of stats.names().sort()) {
    const value = stats.get(name);
    if (RECEIVED[name]) {
      emit("kea_dhcp4_packets_received_total", "Packets received", { operation: RECEIVED[name] }, value);
      continue;
    }
    if (SENT[name]) {
      emit("kea_dhcp4_packets_sent_total", "Packets sent", { operation: SENT[name] }, value);
      continue;
    }
    const m = name.match(/^subnet\[(\d+)\]\.([a-z0-9-]+)$/);
    if (m && SUBNET[m[2]]) {
      const [metric, help] = SUBNET[m[2]];
      emit(metric, help, { subnet: m[1], subnet_id: m[1], prefix: prefixes.get(Number(m[1])) ?? "" }, value);
      continue;
    }
    if (m) {
      const metric = `kea_dhcp4_subnet_${m[2].replace(/[^a-z0-9]/g, "_")}`;
      emit(metric, `Kea statistic subnet[id].${m[2]}`, {
        subnet: m[1],
        subnet_id: m[1],
        prefix: prefixes.get(Number(m[1])) ?? "",
      }, value);
      continue;
    }
    if (/^[a-z0-9-]+$/.test(name)) {
      emit(`kea_dhcp4_${name.replace(/-/g, "_")}`, `Kea statistic ${name}`, {}, value);
    }
  }
  const out: string[] = [];
  for (const [name, f] of families) {
    out.push(`# HELP ${name} ${f.help}`, `# TYPE ${name} gauge`, ...f.lines);
  }
  return out.join("\n") + "\n";
}
