/** Runs ISC perfdhcp (Debian kea-admin) in a lab host and parses its report into the figures the tests and bench use. */
import type { Lab } from "./lab.ts";

export interface PerfResult {
  /** achieved 4-way exchanges per second */
  rate: number;
  asked: number;
  /** drop ratios in percent, DISCOVER-OFFER and REQUEST-ACK */
  doDrop: number;
  raDrop: number;
  doAvgMs: number;
  raAvgMs: number;
  sent: number;
  received: number;
  report: string;
}

/**
 * `perfdhcp -4 -l eth0 -r RATE -R CLIENTS -p SECS [SERVER]` from `host` (cli: 198.18.0.100 on LAN A). Without
 * SERVER perfdhcp broadcasts as a relay (giaddr = its address); with SERVER it sends unicast, as a real relay does.
 */
export async function perfdhcp(
  lab: Lab,
  rate: number,
  secs: number,
  opts: { server?: string; clients?: number; host?: string; mac?: string; wrap?: string[] } = {},
): Promise<PerfResult> {
  // -W: after the last query, wait 1 s for the answers still in flight instead of counting them as drops
  const args = [
    "perfdhcp",
    "-4",
    "-l",
    "eth0",
    "-r",
    String(rate),
    "-R",
    String(opts.clients ?? 60000),
    "-p",
    String(secs),
    "-W",
    "1000000",
  ];
  if (opts.mac) args.push("-b", `mac=${opts.mac}`);
  if (opts.server) args.push(opts.server);
  const r = await lab.run(opts.host ?? "cli", [...(opts.wrap ?? []), "timeout", String(secs + 30), ...args]);
  if (!/Rate:/.test(r.stdout + r.stderr)) {
    throw new Error(`perfdhcp gave no report (exit ${r.code}):\n${r.stdout}${r.stderr}`);
  }
  return parsePerfdhcp(r.stdout + r.stderr, rate, secs);
}

/**
 * Parses perfdhcp's text report (the same fields ../shared/lab/perfdhcp.sh extracts). With `secs`, `rate` is the
 * ACKs received per second of sending (perfdhcp's own "Rate" also counts the -W wait after the last query).
 */
export function parsePerfdhcp(report: string, asked: number, secs?: number): PerfResult {
  const num = (re: RegExp, from = report) => Number(re.exec(from)?.[1] ?? NaN);
  const sections = report.split(/Statistics for: /);
  const doSec = sections.find((s) => s.startsWith("DISCOVER-OFFER")) ?? "";
  const raSec = sections.find((s) => s.startsWith("REQUEST-ACK")) ?? "";
  const acks = num(/received packets:\s*(\d+)/, raSec);
  return {
    rate: secs && Number.isFinite(acks) ? acks / secs : num(/^Rate:\s*([\d.]+)/m),
    asked,
    doDrop: num(/drops ratio:\s*([\d.]+)/, doSec),
    raDrop: num(/drops ratio:\s*([\d.]+)/, raSec),
    doAvgMs: num(/avg delay:\s*([\d.]+)/, doSec),
    raAvgMs: num(/avg delay:\s*([\d.]+)/, raSec),
    sent: num(/sent packets:\s*(\d+)/, doSec),
    received: num(/received packets:\s*(\d+)/, doSec),
    report,
  };
}

/** The lab hosts on LAN A that can run a load generator (each has an address there: it becomes perfdhcp's giaddr). */
export const GENERATOR_HOSTS = ["cli", "srv2", "dns", "relay"] as const;

/**
 * `n` perfdhcp instances at once, from different LAN A hosts with different client MAC ranges, sharing `rate`;
 * one perfdhcp process tops out near 8 000 exchanges/s on this machine, below what the servers can take. The
 * result sums rates and packet counts; drop ratios are weighted by what each instance sent.
 */
export async function perfdhcpMany(
  lab: Lab,
  n: number,
  rate: number,
  secs: number,
  server?: string,
): Promise<PerfResult> {
  if (n <= 1) return await perfdhcp(lab, rate, secs, { server });
  const each = Math.round(rate / n);
  const rs = await Promise.all(
    GENERATOR_HOSTS.slice(0, n).map((host, i) =>
      perfdhcp(lab, each, secs, { server, host, clients: Math.floor(60000 / n), mac: `00:0c:0${i + 1}:00:00:01` })
    ),
  );
  const sent = rs.reduce((a, r) => a + r.sent, 0) || 1;
  const w = (f: (r: PerfResult) => number) => rs.reduce((a, r) => a + f(r) * r.sent, 0) / sent;
  return {
    rate: rs.reduce((a, r) => a + r.rate, 0),
    asked: rate,
    doDrop: Number(w((r) => r.doDrop).toFixed(3)),
    raDrop: Number(w((r) => r.raDrop).toFixed(3)),
    doAvgMs: Number(w((r) => r.doAvgMs).toFixed(3)),
    raAvgMs: Number(w((r) => r.raAvgMs).toFixed(3)),
    sent: rs.reduce((a, r) => a + r.sent, 0),
    received: rs.reduce((a, r) => a + r.received, 0),
    report: rs.map((r) => r.report).join("\n"),
  };
}
