/**
 * `deno run -A bench/bench6.ts [SECONDS] [RATES…]`: DHCPv6 SOLICIT-ADVERTISE-REQUEST-REPLY throughput of weka and
 * of real Kea 2.2 (kea-dhcp6, memfile persisted) under ISC `perfdhcp -6`, in the project's namespace lab (prefix
 * `wkb6-`). perfdhcp runs on LAN A hosts and multicasts to ff02::1:2 on eth0, as real clients do; the server runs
 * on srv1's eth0 (subnet 2001:db8:a::/64). For each rate of the ladder weka and Kea run alternately (a fresh lease
 * database each time), and the best rate with < 0.5 % drops in both exchanges is printed for each, with the
 * ratio weka / Kea (DESIGN.md: Kea 2.2's DHCPv6 reaches ~6 000 exchanges/s here).
 * BENCH_SERVERS=weka (or kea) runs only that server; BENCH_GENERATORS=N splits each step over N perfdhcp
 * instances on different LAN A hosts (default 3, at most 4); each step prints what the generators actually sent
 * per second, so a step where they fell short of the asked rate (the generator capped, not the server) shows.
 * Then BENCH_LATENCY (default 1000; 0 skips it) exchanges/s for SECONDS for each server with tcpdump on the
 * generator: the client-side SOLICIT→ADVERTISE and REQUEST→REPLY delays, p50/p99, and the p99 ratio weka / Kea.
 * Needs root, iproute2, tcpdump, kea-admin and kea-dhcp6-server.
 */
import { Lab } from "../tests/e2e/lab.ts";
import { MAIN } from "../tests/e2e/weka_proc.ts";
import { delays6, pcapDhcp6, pct } from "./latency6.ts";

type Server = "weka" | "kea";
const DROP_LIMIT = 0.5;
const secs = Number(Deno.args[0] ?? 10);
const GENERATORS = Math.min(4, Number(Deno.env.get("BENCH_GENERATORS") ?? 3));
const LATENCY_RATE = Number(Deno.env.get("BENCH_LATENCY") ?? 1000);
const HOSTS = ["cli", "cli1", "srv2", "dns"];
const rates = Deno.args.length > 1 ? Deno.args.slice(1).map(Number) : [1000, 2000, 3000, 4000, 5000, 6000, 8000, 10000];

interface Perf6 {
  rate: number;
  saDrop: number;
  rrDrop: number;
  saAvgMs: number;
  rrAvgMs: number;
  sent: number;
}

function config(server: Server, dir: string): Record<string, unknown> {
  const leaseDb = server === "kea"
    ? { type: "memfile", persist: true, name: `${dir}/kea-leases6.csv`, "lfc-interval": 0 }
    : { type: "memfile", name: `${dir}/weka-leases6.csv` };
  return {
    Dhcp6: {
      "interfaces-config": { interfaces: ["eth0"] },
      "lease-database": leaseDb,
      "data-directory": dir,
      "preferred-lifetime": 3000,
      "valid-lifetime": 4000,
      "renew-timer": 1000,
      "rebind-timer": 2000,
      subnet6: [{
        id: 1,
        subnet: "2001:db8:a::/64",
        interface: "eth0",
        pools: [{ pool: "2001:db8:a::1:0 - 2001:db8:a::ff:ffff" }],
        "option-data": [{ name: "dns-servers", data: "2001:db8:a::53" }],
      }],
      loggers: [{ name: "kea-dhcp6", "output_options": [{ output: `${dir}/${server}.log` }], severity: "WARN" }],
    },
  };
}

/** Parses perfdhcp -6's report: its SOLICIT-ADVERTISE and REQUEST-REPLY sections. */
function parse(report: string): Perf6 {
  const num = (re: RegExp, from: string) => Number(re.exec(from)?.[1] ?? NaN);
  const sections = report.split(/Statistics for: /);
  const sa = sections.find((s) => s.startsWith("SOLICIT-ADVERTISE")) ?? "";
  const rr = sections.find((s) => s.startsWith("REQUEST-REPLY")) ?? "";
  return {
    rate: num(/received packets:\s*(\d+)/, rr) / secs,
    saDrop: num(/drops ratio:\s*([\d.]+)/, sa),
    rrDrop: num(/drops ratio:\s*([\d.]+)/, rr),
    saAvgMs: num(/avg delay:\s*([\d.]+)/, sa),
    rrAvgMs: num(/avg delay:\s*([\d.]+)/, rr),
    sent: num(/sent packets:\s*(\d+)/, sa),
  };
}

async function perfdhcp6(lab: Lab, host: string, rate: number, clients: number): Promise<Perf6> {
  // -W: wait 1 s after the last query for answers in flight instead of counting them as drops
  const args = ["perfdhcp", "-6", "-l", "eth0", "-r", String(rate), "-R", String(clients), "-p", String(secs)];
  const r = await lab.run(host, ["timeout", String(secs + 30), ...args, "-W", "1000000"]);
  const text = r.stdout + r.stderr;
  if (!/SOLICIT-ADVERTISE/.test(text)) throw new Error(`perfdhcp -6 on ${host} gave no report:\n${text}`);
  return parse(text);
}

async function step(lab: Lab, server: Server, rate: number, capture?: (dir: string) => Promise<void>): Promise<Perf6> {
  const dir = await Deno.makeTempDir({ prefix: `bench6-${server}-` });
  const cfg = `${dir}/${server}.json`;
  await Deno.writeTextFile(cfg, JSON.stringify(config(server, dir)));
  await Deno.mkdir("/run/kea", { recursive: true });
  const cmd = server === "kea" ? ["kea-dhcp6", "-c", cfg] : ["deno", "run", "-A", MAIN, "dhcp6", "-c", cfg];
  const p = lab.spawn("srv1", cmd, { env: { KEA_PIDFILE_DIR: dir, KEA_LOCKFILE_DIR: dir } });
  try {
    for (let i = 0; i < 150; i++) {
      const ss = await lab.run("srv1", ["ss", "-Hlun", "sport", "=", ":547"]);
      if (ss.stdout.trim()) break;
      if (p.exited) throw new Error(`${server} exited: ${p.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 300));
    if (capture) {
      const cap = lab.spawn("cli", ["tcpdump", "-i", "eth0", "-U", "-w", `${dir}/cap.pcap`, "udp port 547"]);
      await new Promise((r) => setTimeout(r, 800));
      const r = await perfdhcp6(lab, "cli", rate, 60000);
      await cap.stop("SIGINT", 3000);
      await capture(dir);
      return r;
    }
    const n = Math.max(1, GENERATORS);
    const rs = await Promise.all(
      HOSTS.slice(0, n).map((h) => perfdhcp6(lab, h, Math.round(rate / n), Math.floor(60000 / n))),
    );
    const sent = rs.reduce((a, r) => a + r.sent, 0) || 1;
    const w = (f: (r: Perf6) => number) => rs.reduce((a, r) => a + f(r) * r.sent, 0) / sent;
    return {
      rate: rs.reduce((a, r) => a + r.rate, 0),
      saDrop: +w((r) => r.saDrop).toFixed(3),
      rrDrop: +w((r) => r.rrDrop).toFixed(3),
      saAvgMs: +w((r) => r.saAvgMs).toFixed(3),
      rrAvgMs: +w((r) => r.rrAvgMs).toFixed(3),
      sent,
    };
  } finally {
    await p.stop("SIGTERM", 5000);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** The reply delays at LATENCY_RATE exchanges/s, weka then Kea in the same run (see the module comment). */
async function latency(lab: Lab, haveKea: boolean): Promise<void> {
  console.log(`\n# reply delays at ${LATENCY_RATE} SARR/s for ${secs} s, one perfdhcp -6 on cli, tcpdump on cli`);
  const p99: Partial<Record<Server, number>> = {};
  for (const server of (haveKea ? ["weka", "kea"] : ["weka"]) as Server[]) {
    let line = "";
    await step(lab, server, LATENCY_RATE, async (dir) => {
      const pk = pcapDhcp6(await Deno.readFile(`${dir}/cap.pcap`));
      const sa = delays6(pk, 1, 2), rr = delays6(pk, 3, 7);
      const f = (x: number) => x.toFixed(2);
      p99[server] = pct(rr, 0.99);
      line =
        `${server.padEnd(4)} SOLICIT→ADVERTISE p50=${f(pct(sa, 0.5))} p99=${f(pct(sa, 0.99))} ms (${sa.length}); ` +
        `REQUEST→REPLY p50=${f(pct(rr, 0.5))} p99=${f(pct(rr, 0.99))} max=${f(rr.at(-1) ?? NaN)} ms (${rr.length})`;
    });
    console.log(line);
  }
  if (p99.weka !== undefined && p99.kea !== undefined) {
    console.log(`REQUEST→REPLY p99 ratio weka/kea ${(p99.weka / p99.kea).toFixed(2)}`);
  }
}

async function main(): Promise<number> {
  const why = Lab.available();
  if (why) {
    console.error(`bench6: ${why}`);
    return 1;
  }
  const haveKea = (await new Deno.Command("sh", { args: ["-c", "command -v kea-dhcp6"] }).output()).success;
  if (!haveKea) console.log("kea-dhcp6 is not installed (apt-get install kea-dhcp6-server): weka only");
  const only = Deno.env.get("BENCH_SERVERS")?.split(",");
  const alive: Record<Server, boolean> = {
    weka: !only || only.includes("weka"),
    kea: haveKea && (!only || only.includes("kea")),
  };
  const best: Record<Server, number> = { weka: 0, kea: 0 };
  const lab = await Lab.up("wkb6-");
  try {
    // perfdhcp and the servers need usable (non-tentative) link-local addresses
    await new Promise((r) => setTimeout(r, 2500));
    console.log(`# DHCPv6 SARR: ${secs} s per step, ${GENERATORS} perfdhcp -6 instance(s) sharing each rate`);
    for (const rate of rates) {
      for (const server of ["weka", "kea"] as Server[]) {
        if (!alive[server]) continue;
        const r = await step(lab, server, rate);
        const pass = r.saDrop < DROP_LIMIT && r.rrDrop < DROP_LIMIT && r.rate > 0;
        console.log(
          `${server.padEnd(4)} asked=${String(rate).padStart(5)} sent=${(r.sent / secs).toFixed(0).padStart(5)} ` +
            `rate=${r.rate.toFixed(0).padStart(5)} ` +
            `sa_drop=${r.saDrop}% rr_drop=${r.rrDrop}% sa_avg=${r.saAvgMs}ms rr_avg=${r.rrAvgMs}ms ${
              pass ? "ok" : "DROPS"
            }`,
        );
        if (pass) best[server] = Math.max(best[server], r.rate);
        else alive[server] = false;
      }
      if (!alive.weka && !alive.kea) break;
    }
    if (LATENCY_RATE > 0) await latency(lab, haveKea);
  } finally {
    await lab.down();
  }
  const shown = (s: Server) => best[s] ? `${best[s].toFixed(0)}/s` : `< ${rates[0]}/s`;
  const ratio = haveKea && best.kea ? (best.weka / best.kea).toFixed(2) : "n/a";
  console.log(`\n# best SARR rate with < ${DROP_LIMIT} % drops (SOLICIT-ADVERTISE and REQUEST-REPLY)`);
  console.log(`weka best ${shown("weka")}, kea best ${haveKea ? shown("kea") : "n/a"}, ratio weka/kea ${ratio}`);
  return 0;
}

Deno.exit(await main());
