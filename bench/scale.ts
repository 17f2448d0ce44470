/**
 * `sudo deno task bench:scale [LEASES] [EXPIRED] [RATE] [SECONDS]` (issue 16 item 6): weka with a million leases on
 * its Deno KV store, beside kea-dhcp4 2.2 with the same leases in its memfile (when installed), in the project's
 * namespace lab. Defaults: 1 000 000 leases spread over the 1 048 574-address pool of 10.0.0.0/12 (a subnet the lab's
 * relay, perfdhcp at 198.18.0.100, reaches by `relay.ip-addresses`), 100 000 of them expired, 1 000 DORA/s for 30 s.
 * For each server, in order:
 *   1. build its lease file (weka: through its own store's group commit; Kea: the CSV) — time
 *   2. start it: time from spawn to DHCP4_STARTED, resident memory once started
 *   3. reclamation while serving: perfdhcp RATE DORA/s (unicast relayed, udp sockets) while the server reclaims the
 *      expired leases (reclaim-timer-wait-time 1 s, max-reclaim-leases 0, max-reclaim-time 250 ms, unless
 *      SCALE_RECLAIM gives other `expired-leases-processing` JSON): perfdhcp's drops, DISCOVER→OFFER and
 *      REQUEST→ACK p50/p99/max from a capture on the client host (bench/latency.ts), the time until the
 *      `reclaimed-leases` statistic reached EXPIRED, peak memory
 *   4. `lease4-get-page` from "start", 1 000 leases a page, through every lease over the unix control socket: time,
 *      pages, leases, whether the order was strictly ascending, memory afterwards
 * weka runs with V8's --trace-gc (SCALE_TRACE_GC=0: without), so the longest garbage-collection pause of the
 * reclamation window stands beside its worst reply latency;
 * and at the end a table with each weka figure beside Kea's (the closing note's form).
 * SCALE_SERVERS=weka (or kea) runs one server. Needs root, iproute2, kea-admin (perfdhcp), tcpdump, and for Kea
 * kea-dhcp4-server with its lease_cmds hook.
 */
import { Lab, type LabProcess } from "../tests/e2e/lab.ts";
import { perfdhcp } from "../tests/e2e/perfdhcp.ts";
import { delays, pcapDhcp } from "./latency.ts";
import { buildRequest, sendUnix } from "../mod/control/client.ts";
import { type Population, writeKeaCsv, writeKv } from "../tests/lease/scale_data.ts";
import { cpuSeconds, mib, rssOf } from "./proc_probe.ts";
import { parseIpv4 } from "../mod/wire/addr.ts";

const [LEASES = 1_000_000, EXPIRED = 100_000, RATE = 1000, SECONDS = 30] = Deno.args.map(Number);
const MAIN = new URL("../main.ts", import.meta.url).pathname;
const LEASE_CMDS = "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_lease_cmds.so";
type Server = "weka" | "kea";

function config(server: Server, dir: string): Record<string, unknown> {
  const reclaim = JSON.parse(
    Deno.env.get("SCALE_RECLAIM") ??
      '{"reclaim-timer-wait-time":1,"max-reclaim-leases":0,"max-reclaim-time":250,"unwarned-reclaim-cycles":0}',
  );
  return {
    Dhcp4: {
      "interfaces-config": { interfaces: ["eth0"], "dhcp-socket-type": "udp" },
      "lease-database": server === "kea"
        ? { type: "memfile", persist: true, name: `${dir}/kea-leases4.csv`, "lfc-interval": 0 }
        : { type: "kv", name: `${dir}/leases4.kv` },
      "control-socket": { "socket-type": "unix", "socket-name": `${dir}/ctrl` },
      ...(server === "kea" ? { "hooks-libraries": [{ library: LEASE_CMDS }] } : {}),
      "valid-lifetime": 3600,
      "expired-leases-processing": reclaim,
      subnet4: [{
        id: 1,
        subnet: "10.0.0.0/12",
        relay: { "ip-addresses": ["198.18.0.100"] },
        pools: [{ pool: "10.0.0.1 - 10.15.255.254" }],
        "option-data": [{ name: "routers", data: "10.0.0.1" }],
      }],
      loggers: [{ name: "kea-dhcp4", "output_options": [{ output: `${dir}/${server}.log` }], severity: "INFO" }],
    },
  };
}

async function command(sock: string, cmd: string, args?: unknown): Promise<Record<string, unknown>> {
  const text = await sendUnix(sock, JSON.stringify(buildRequest(cmd, args)), 120_000);
  const a = JSON.parse(text);
  return Array.isArray(a) ? a[0] : a;
}

async function reclaimedCount(sock: string): Promise<number> {
  const a = await command(sock, "statistic-get", { name: "reclaimed-leases" });
  const v = (a.arguments as Record<string, [number, string][]> | undefined)?.["reclaimed-leases"];
  return v?.[0]?.[0] ?? 0;
}

/**
 * Pages through every lease; returns the time, pages, leases and whether the addresses strictly ascended. Gives up
 * after `capMs` (SCALE_PAGE_CAP_S, default 900 s) with what it has (`complete` false).
 */
async function pageAll(
  sock: string,
  capMs = Number(Deno.env.get("SCALE_PAGE_CAP_S") ?? 900) * 1000,
): Promise<{ ms: number; pages: number; leases: number; ordered: boolean; complete: boolean }> {
  const t0 = performance.now();
  let from = "start", pages = 0, leases = 0, last = -1, ordered = true;
  for (;;) {
    if (performance.now() - t0 > capMs) return { ms: performance.now() - t0, pages, leases, ordered, complete: false };
    const a = await command(sock, "lease4-get-page", { from, limit: 1000 });
    if (a.result === 3) break;
    if (a.result !== 0) throw new Error(`lease4-get-page: ${JSON.stringify(a).slice(0, 300)}`);
    const list = (a.arguments as { leases: { "ip-address": string }[] }).leases;
    pages++;
    for (const l of list) {
      const addr = parseIpv4(l["ip-address"])!;
      if (addr <= last) ordered = false;
      last = addr;
    }
    leases += list.length;
    from = list[list.length - 1]["ip-address"];
  }
  return { ms: performance.now() - t0, pages, leases, ordered, complete: true };
}

/** What one server's run measured (NaN: not reached). */
interface Figures {
  buildS: number;
  startS: number;
  rssStart: number;
  rate: number;
  drops: string;
  offer: [number, number, number];
  ack: [number, number, number];
  reclaimed: number;
  reclaimS: number;
  cpuS: number;
  /** longest GC pause (ms) in the window, and the kind of GC */
  gc: string;
  peak: number;
  pageS: number;
  pages: number;
  paged: number;
  order: string;
}

/** The longest pause among V8 --trace-gc lines ("… ms: Scavenge 434.9 (475.7) -> 410.5 (476.7) MB, …, 6.83 / 0.00 ms"). */
export function longestGc(trace: string): string {
  let best = -1, kind = "";
  for (
    const m of trace.matchAll(
      /ms: ([A-Za-z -]+?) [\d.]+ \([\d.]+\) -> [\d.]+ \([\d.]+\) MB, [^\n]*?([\d.]+) \/ [\d.]+ ms/g,
    )
  ) {
    if (Number(m[2]) > best) [best, kind] = [Number(m[2]), m[1]];
  }
  return best < 0 ? "–" : `${best.toFixed(1)} ms (${kind})`;
}

const TRACE_GC = Deno.env.get("SCALE_TRACE_GC") !== "0";
const pct = (xs: number[], p: number) => xs.length ? xs[Math.min(xs.length - 1, Math.floor(xs.length * p))] : NaN;
const f2 = (x: number) => x.toFixed(2);

async function runServer(lab: Lab, server: Server, pop: Population, fig: Partial<Figures>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: `scale-${server}-` });
  const sock = `${dir}/ctrl`;
  let srv: LabProcess | undefined;
  try {
    const cfg = `${dir}/c.json`;
    await Deno.writeTextFile(cfg, JSON.stringify(config(server, dir)));
    let t = performance.now();
    if (server === "weka") await writeKv(`${dir}/leases4.kv`, pop);
    else await writeKeaCsv(`${dir}/kea-leases4.csv`, pop);
    fig.buildS = (performance.now() - t) / 1000;
    console.log(`${server}: ${pop.count} leases written in ${fig.buildS.toFixed(1)} s`);
    await Deno.mkdir("/run/kea", { recursive: true });
    t = performance.now();
    srv = lab.spawn(
      "srv1",
      server === "kea" ? ["kea-dhcp4", "-c", cfg] : [
        "deno",
        "run",
        "-A",
        "--unstable-kv",
        ...(TRACE_GC ? ["--v8-flags=--trace-gc"] : []),
        MAIN,
        "dhcp4",
        "-c",
        cfg,
      ],
    );
    const logFile = `${dir}/${server}.log`;
    for (;;) {
      const log = await Deno.readTextFile(logFile).catch(() => "");
      if (/DHCP4_STARTED/.test(log)) break;
      if (srv.exited) throw new Error(`${server} exited:\n${srv.output}\n${log.slice(-2000)}`);
      if (performance.now() - t > 120_000) throw new Error(`${server} did not start in 120 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const startMs = performance.now() - t;
    const atStart = await rssOf(srv.pid);
    fig.startS = startMs / 1000;
    fig.rssStart = atStart.rss;
    console.log(`${server}: started in ${(startMs / 1000).toFixed(2)} s, RSS ${mib(atStart.rss)} MiB`);
    // reclamation under load: the capture, perfdhcp, and a poll of reclaimed-leases
    const cap = lab.spawn("cli", ["tcpdump", "-i", "eth0", "-U", "-w", `${dir}/cap.pcap`, "udp port 67"]);
    await new Promise((r) => setTimeout(r, 800));
    const t1 = performance.now(), cpu0 = await cpuSeconds(srv.pid), out0 = srv.output.length;
    // the expired leases perfdhcp's clients are given first are not reclaimed: the count settles below EXPIRED
    let doneMs = NaN, reclaimed = 0, polling = true;
    const poll = (async () => {
      while (polling) {
        const n = await reclaimedCount(sock).catch(() => reclaimed);
        if (n !== reclaimed) doneMs = performance.now() - t1;
        reclaimed = n;
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    const r = await perfdhcp(lab, RATE, SECONDS, { server: "198.18.0.1" });
    const cpuS = await cpuSeconds(srv.pid) - cpu0;
    const gc = server === "weka" && TRACE_GC ? longestGc(srv.output.slice(out0)) : "–";
    // let reclamation finish (bounded) before paging: until the count stood still for 5 s
    for (let i = 0; i < 480 && performance.now() - t1 - doneMs < 5000; i++) {
      await new Promise((r) => setTimeout(r, 250));
    }
    polling = false;
    await poll;
    await cap.stop("SIGINT", 3000);
    const pk = pcapDhcp(await Deno.readFile(`${dir}/cap.pcap`));
    const dO = delays(pk, 1, 2), ra = delays(pk, 3, 5);
    const peak = await rssOf(srv.pid);
    Object.assign(fig, {
      rate: r.rate,
      drops: `${r.doDrop}%/${r.raDrop}%`,
      offer: [pct(dO, 0.5), pct(dO, 0.99), dO.at(-1) ?? NaN],
      ack: [pct(ra, 0.5), pct(ra, 0.99), ra.at(-1) ?? NaN],
      reclaimed,
      reclaimS: doneMs / 1000,
      cpuS,
      gc,
      peak: peak.hwm,
    });
    console.log(
      `${server}: reclaiming ${pop.expired} while perfdhcp ${RATE}/s for ${SECONDS} s: rate=${r.rate.toFixed(0)} ` +
        `drops=${r.doDrop}%/${r.raDrop}% DISCOVER→OFFER p50=${f2(pct(dO, 0.5))} p99=${f2(pct(dO, 0.99))} ` +
        `max=${f2(dO.at(-1) ?? NaN)} ms; REQUEST→ACK p50=${f2(pct(ra, 0.5))} p99=${f2(pct(ra, 0.99))} ` +
        `max=${f2(ra.at(-1) ?? NaN)} ms; reclaimed ${reclaimed}, the last ${(doneMs / 1000).toFixed(1)} s ` +
        `after perfdhcp started; ${cpuS.toFixed(1)} s of CPU while perfdhcp ran; longest GC pause ${gc}` +
        `; RSS ${mib(peak.rss)} MiB, peak ${mib(peak.hwm)} MiB`,
    );
    const pg = await pageAll(sock);
    const after = await rssOf(srv.pid);
    Object.assign(fig, {
      pageS: pg.ms / 1000,
      pages: pg.pages,
      paged: pg.leases,
      order: (pg.ordered ? "ascending" : "NOT ascending") + (pg.complete ? "" : ", incomplete"),
      peak: after.hwm,
    });
    console.log(
      `${server}: lease4-get-page ×${pg.pages} (1000 a page): ${pg.leases} leases in ${(pg.ms / 1000).toFixed(1)} s ` +
        (pg.complete ? "" : "(GAVE UP: not all) ") +
        `(${(pg.ms / Math.max(1, pg.pages)).toFixed(1)} ms a page), ${pg.ordered ? "ascending" : "NOT ASCENDING"}; ` +
        `RSS ${mib(after.rss)} MiB, peak ${mib(after.hwm)} MiB`,
    );
  } finally {
    if (srv) {
      const t = performance.now();
      await srv.stop("SIGTERM", 60_000);
      console.log(`${server}: stopped in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** The figures side by side, one row per figure, one column per server (markdown). */
function table(figs: Map<Server, Partial<Figures>>): string {
  const n = (x: number | undefined, d = 2) => x === undefined || Number.isNaN(x) ? "–" : x.toFixed(d);
  const ms3 = (v?: [number, number, number]) => v ? v.map((x) => n(x)).join(" / ") : "–";
  const rows: [string, (f: Partial<Figures>) => string][] = [
    ["lease file built, s", (f) => n(f.buildS, 1)],
    ["start-up (spawn → DHCP4_STARTED), s", (f) => n(f.startS)],
    ["RSS once started, MiB", (f) => f.rssStart === undefined ? "–" : mib(f.rssStart)],
    [`DORA/s achieved (asked ${RATE})`, (f) => n(f.rate, 0)],
    ["drops DISCOVER / REQUEST", (f) => f.drops ?? "–"],
    ["DISCOVER→OFFER p50 / p99 / max, ms", (f) => ms3(f.offer)],
    ["REQUEST→ACK p50 / p99 / max, ms", (f) => ms3(f.ack)],
    [`expired leases reclaimed (of ${EXPIRED})`, (f) => n(f.reclaimed, 0)],
    ["last reclamation after perfdhcp started, s", (f) => n(f.reclaimS, 1)],
    [`server CPU during the ${SECONDS} s, s`, (f) => n(f.cpuS, 1)],
    ["longest GC pause while perfdhcp ran", (f) => f.gc ?? "–"],
    ["peak RSS, MiB", (f) => f.peak === undefined ? "–" : mib(f.peak)],
    ["lease4-get-page: total, s", (f) => n(f.pageS, 1)],
    ["lease4-get-page: pages / leases", (f) => f.pages === undefined ? "–" : `${f.pages} / ${f.paged}`],
    ["lease4-get-page: order", (f) => f.order ?? "–"],
  ];
  const names = [...figs.keys()];
  const lines = [`| ${LEASES} leases | ${names.join(" | ")} |`, `|---|${names.map(() => "---").join("|")}|`];
  for (const [label, get] of rows) lines.push(`| ${label} | ${names.map((s) => get(figs.get(s)!)).join(" | ")} |`);
  return lines.join("\n");
}

async function main(): Promise<number> {
  const why = Lab.available();
  if (why) {
    console.error(`bench:scale: ${why}`);
    return 1;
  }
  const kea = (await new Deno.Command("sh", { args: ["-c", "command -v kea-dhcp4"] }).output()).success;
  const only = Deno.env.get("SCALE_SERVERS")?.split(",");
  const servers = (["weka", "kea"] as Server[]).filter((s) => (!only || only.includes(s)) && (s !== "kea" || kea));
  const pop: Population = {
    first: parseIpv4("10.0.0.1")!,
    poolSize: 1_048_574,
    count: LEASES,
    expired: EXPIRED,
    subnetId: 1,
    now: Math.floor(Date.now() / 1000),
    lifetime: 3600,
  };
  console.log(
    `# ${LEASES} leases (${EXPIRED} expired) in 10.0.0.1-10.15.255.254; perfdhcp ${RATE} DORA/s for ${SECONDS} s`,
  );
  const lab = await Lab.up("wkz-");
  const figs = new Map<Server, Partial<Figures>>();
  try {
    for (const s of servers) {
      const fig: Partial<Figures> = {};
      figs.set(s, fig);
      await runServer(lab, s, pop, fig).catch((e) => console.log(`${s}: FAILED: ${(e as Error).message}`));
    }
  } finally {
    await lab.down();
  }
  console.log(table(figs));
  return 0;
}

if (import.meta.main) Deno.exit(await main());
