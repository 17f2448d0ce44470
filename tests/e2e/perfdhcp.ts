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
  opts: { server?: string; clients?: number; host?: string } = {},
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
  if (opts.server) args.push(opts.server);
  const r = await lab.run(opts.host ?? "cli", ["timeout", String(secs + 30), ...args]);
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
