/**
 * The traffic side of bench:ha (bench/ha_pair.ts): perfdhcp instances on several lab hosts at once, their figures
 * summed, and optional REQUEST→ACK percentiles from captures.
 */
import type { Lab } from "../tests/e2e/lab.ts";
import { perfdhcp, type PerfResult } from "../tests/e2e/perfdhcp.ts";
import { delays, pcapDhcp } from "./latency.ts";

/** BENCH_P99=1: tcpdump on each generator host, REQUEST→ACK p50/p99 from the captures (matched by xid) */
const P99 = Deno.env.get("BENCH_P99") === "1";

/**
 * `n` perfdhcp instances (relayed broadcast) at once from the first `n` of `hosts`, sharing `rate`, with disjoint MAC
 * ranges; sums rates and counts, weights the drop ratios and delays by what each instance sent. With BENCH_P99=1,
 * tcpdump on each of those hosts gives REQUEST→ACK p50/p99 (matched by xid; off by default: tcpdump costs CPU).
 */
export async function generate(
  lab: Lab,
  hosts: readonly string[],
  n: number,
  rate: number,
  seconds: number,
): Promise<PerfResult & { raP50?: number; raP99?: number }> {
  const dir = P99 ? await Deno.makeTempDir({ prefix: "ha-cap-" }) : "";
  const caps = hosts.slice(0, P99 ? n : 0).map((host) =>
    lab.spawn(host, ["tcpdump", "-i", "eth0", "-U", "-w", `${dir}/${host}.pcap`, "udp port 67"])
  );
  if (P99) await new Promise((r) => setTimeout(r, 800));
  const rs = await Promise.all(
    hosts.slice(0, n).map((host, i) =>
      perfdhcp(lab, Math.round(rate / n), seconds, {
        host,
        clients: Math.floor(60000 / n),
        mac: `00:0c:0${i + 1}:00:00:01`,
      })
    ),
  );
  const sent = rs.reduce((a, r) => a + r.sent, 0) || 1;
  const w = (f: (r: PerfResult) => number) => Number((rs.reduce((a, r) => a + f(r) * r.sent, 0) / sent).toFixed(3));
  let ra: number[] = [];
  if (P99) {
    for (const c of caps) await c.stop("SIGINT", 3000);
    for (const host of hosts.slice(0, n)) {
      ra.push(...delays(pcapDhcp(await Deno.readFile(`${dir}/${host}.pcap`)), 3, 5));
    }
    ra = ra.sort((a, b) => a - b);
    await Deno.remove(dir, { recursive: true });
  }
  const pct = (q: number) =>
    ra.length ? Number(ra[Math.min(ra.length - 1, Math.floor(ra.length * q))].toFixed(2)) : undefined;
  return {
    raP50: pct(0.5),
    raP99: pct(0.99),
    rate: rs.reduce((a, r) => a + r.rate, 0),
    asked: rate,
    doDrop: w((r) => r.doDrop),
    raDrop: w((r) => r.raDrop),
    doAvgMs: w((r) => r.doAvgMs),
    raAvgMs: w((r) => r.raAvgMs),
    sent: rs.reduce((a, r) => a + r.sent, 0),
    received: rs.reduce((a, r) => a + r.received, 0),
    report: rs.map((r) => r.report).join("\n"),
  };
}
