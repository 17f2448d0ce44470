/**
 * `sudo deno run -A bench/ha_pair.ts [SECONDS] [RATES…]`: the HA line of DESIGN.md "Performance targets" (an HA pair,
 * load-balancing with lease updates, sustains ≥ 0.8× a single server's DORA rate and fails over within
 * max-response-delay + one heartbeat), in its own namespace lab (prefix `wkh2-`). For each rate it runs alternately,
 * with fresh lease databases each time: single — one weka on srv1, no HA, one pool over the range; pair — weka
 * "server1" (primary, srv1) + "server2" (secondary, srv2) in load-balancing, the range split into HA_server1 and
 * HA_server2 pools, lease updates on, Kea's default timings, started once both report load-balancing in
 * ha-heartbeat. perfdhcp broadcasts as a relay from LAN A hosts that are neither server (cli, dns, relay). Each line
 * gives ACKs/s, drop ratios and each process's CPU per exchange; the end gives each setup's best rate with < 0.5 %
 * drops and the ratio pair / single. Then one failover: a pair with the lab's short timings (HA_TIMING), server2
 * SIGKILLed, the time until server1 reports partner-down and until a client in server2's scope (udhcpc on cli1, a
 * DISCOVER a second) is served. Last, the same ladder for Kea 2.2 (each HA server behind its kea-ctrl-agent).
 * Env: BENCH_GENERATORS=N (perfdhcp instances, default 2, at most 3), BENCH_SETUPS=single|pair,
 * BENCH_KINDS=weka|kea, BENCH_FAILOVER=off, BENCH_KEA=off, BENCH_LEASE_UPDATES=off (the pair without updates),
 * BENCH_P99=1 (REQUEST→ACK p50/p99 from tcpdump captures on the generators; off by default: tcpdump costs CPU),
 * BENCH_THREADS=1 (each server's CPU per thread: JS, Deno KV writer `sw-0`, tokio pool, V8 helpers), BENCH_DENO_FLAGS
 * (extra `deno run` flags for weka, e.g. `--cpu-prof --cpu-prof-dir=DIR`).
 * Needs root, iproute2, perfdhcp (kea-admin), busybox udhcpc, curl; Kea's part kea-dhcp4 + kea-ctrl-agent + hooks.
 */
import { Lab, type LabProcess } from "../tests/e2e/lab.ts";
import { GENERATOR_HOSTS, type PerfResult } from "../tests/e2e/perfdhcp.ts";
import {
  HA_TIMING,
  haDhcp4,
  haHooks,
  heartbeatState,
  HOOKS,
  labFetch,
  setMac,
  startWeka,
  udhcpcLease,
  udhcpcOnce,
  until,
  writeConfig,
} from "../tests/e2e/weka_proc.ts";
import { cpuSeconds, threadCpu, threadDelta } from "./proc_probe.ts";
import { generate } from "./ha_traffic.ts";
import { PeerClient } from "../mod/ha/peer_client.ts";
import { pearsonHash } from "../mod/ha/query_filter.ts";

type Setup = "single" | "pair";
type Kind = "weka" | "kea";
type HaTiming = Record<"heartbeatDelay" | "maxResponseDelay" | "maxAckDelay" | "maxUnackedClients", number>;

const DROP_LIMIT = 0.5;
/** BENCH_THREADS=1: each server's CPU per thread name over the step (µs per DORA; kernel part in brackets) */
const THREADS = Deno.env.get("BENCH_THREADS") === "1";

/** BENCH_LEASE_UPDATES=off runs the pair without lease updates (a diagnostic: what do the updates cost?) */
const LEASE_UPDATES = Deno.env.get("BENCH_LEASE_UPDATES") !== "off";
/** BENCH_SETUPS=pair (or single) runs only that setup; BENCH_FAILOVER=off skips the failover measurement */
const SETUPS = (Deno.env.get("BENCH_SETUPS") ?? "single,pair").split(",") as Setup[];
const FAILOVER = Deno.env.get("BENCH_FAILOVER") !== "off";
/** BENCH_KINDS=weka (or kea) climbs only that server's ladder */
const KINDS = (Deno.env.get("BENCH_KINDS") ?? "weka,kea").split(",");
/** how long each step first watches the idle servers' CPU use */
const IDLE_MS = 2000;
const KEA4 = "/usr/sbin/kea-dhcp4", KEA_CA = "/usr/sbin/kea-ctrl-agent";
/** server N's HA URL: weka's own listener on 8001, Kea 2.2's Control Agent on 8000 (no HA listener without MT) */
const urlOf = (kind: Kind, n: 1 | 2) => `http://198.18.0.${n}:${kind === "weka" ? 8001 : 8000}/`;
/** Kea's defaults for the HA timings (kea-features §1d): what an operator's pair runs with. */
const KEA_DEFAULT_TIMING: HaTiming = {
  heartbeatDelay: 10_000,
  maxResponseDelay: 60_000,
  maxAckDelay: 10_000,
  maxUnackedClients: 10,
};
/** The lab's short timings for the failover measurement; no unacked clients needed, as in ha_pair_test. */
const FAILOVER_TIMING: HaTiming = { ...HA_TIMING, maxUnackedClients: 0 };

const secs = Number(Deno.args[0] ?? 10);
const rates = Deno.args.length > 1 ? Deno.args.slice(1).map(Number) : [1000, 2000, 3000, 4000, 5000];
/** the load generators: LAN A hosts that are neither srv1 nor srv2 */
const HOSTS = GENERATOR_HOSTS.filter((h: string) => !["srv1", "srv2"].includes(h));
const GENERATORS = Math.min(HOSTS.length, Number(Deno.env.get("BENCH_GENERATORS") ?? 2));

/** The lease_cmds + HA hooks of `me` in a load-balancing pair server1 (primary) / server2 (secondary). */
function lbHooks(me: string, t: HaTiming, kind: Kind): unknown[] {
  return haHooks(me, "load-balancing", [["server1", urlOf(kind, 1), "primary"], [
    "server2",
    urlOf(kind, 2),
    "secondary",
  ]], {
    "send-lease-updates": LEASE_UPDATES,
    "heartbeat-delay": t.heartbeatDelay,
    "max-response-delay": t.maxResponseDelay,
    "max-ack-delay": t.maxAckDelay,
    "max-unacked-clients": t.maxUnackedClients,
  });
}

/**
 * Starts one server in `host` (haDhcp4's LAN A map, leases in `dir`: KV for weka, persisted memfile for Kea; warnings
 * only, so logging costs nothing) and, for a Kea HA server, its Control Agent; adds the processes to `procs`.
 */
async function startServer(
  lab: Lab,
  kind: Kind,
  host: "srv1" | "srv2",
  dir: string,
  name: string,
  pools: unknown[],
  hooks: unknown[],
  procs: LabProcess[],
): Promise<void> {
  const sock = `${dir}/${name}.sock`;
  const lease = kind === "weka"
    ? { type: "kv", name: `${dir}/${name}-leases4.kv` }
    : { type: "memfile", persist: true, name: `${dir}/${name}-leases4.csv`, "lfc-interval": 0 };
  const c = haDhcp4(sock, lease, pools, hooks);
  c.Dhcp4.loggers[0].severity = "WARN";
  const cfg = await writeConfig(dir, c, `${name}.json`);
  if (kind === "weka") return void procs.push(await startWeka(lab, host, cfg));
  const env = { KEA_PIDFILE_DIR: dir, KEA_LOCKFILE_DIR: dir };
  const listening = async (p: LabProcess, flags: string, port: number) => {
    const ok = await until(
      async () => {
        if (p.exited) throw new Error(`${p.cmd[0]} exited during start-up:\n${p.output.slice(-2000)}`);
        return (await lab.run(host, ["ss", flags, "sport", "=", `:${port}`])).stdout.includes(`pid=${p.pid},`);
      },
      30_000,
      200,
    );
    if (!ok) throw new Error(`${p.cmd[0]} does not listen on port ${port} after 30 s:\n${p.output.slice(-2000)}`);
  };
  const k = lab.spawn(host, [KEA4, "-c", cfg], { env });
  procs.push(k);
  await listening(k, "-Hlunp", 67);
  if (hooks.length === 0) return;
  const caCfg = await writeConfig(dir, {
    "Control-agent": {
      "http-host": host === "srv1" ? "198.18.0.1" : "198.18.0.2",
      "http-port": 8000,
      "control-sockets": { dhcp4: { "socket-type": "unix", "socket-name": sock } },
      loggers: [{ name: "kea-ctrl-agent", output_options: [{ output: "stdout" }], severity: "WARN" }],
    },
  }, `${name}-ca.json`);
  const ca = lab.spawn(host, [KEA_CA, "-c", caCfg], { env });
  procs.push(ca);
  await listening(ca, "-Hltnp", 8000);
}

const SPLIT_POOLS = [
  { pool: "198.18.1.0 - 198.18.127.255", "client-class": "HA_server1" },
  { pool: "198.18.128.0 - 198.18.255.250", "client-class": "HA_server2" },
];

/** PeerClients for server1 and server2, talking through curl in the lab host cli. */
function peers(lab: Lab, kind: Kind): [PeerClient, PeerClient] {
  const c = (name: string, url: string, role: "primary" | "secondary") =>
    new PeerClient({ name, url, role, autoFailover: true }, { fetchFn: labFetch(lab, "cli", 3) });
  return [c("server1", urlOf(kind, 1), "primary"), c("server2", urlOf(kind, 2), "secondary")];
}

/** Starts the load-balancing pair in `dir` with `timing`; resolves once both report load-balancing (or throws). */
async function startPair(lab: Lab, kind: Kind, dir: string, timing: HaTiming, procs: LabProcess[]): Promise<number> {
  const t0 = Date.now();
  await startServer(lab, kind, "srv1", dir, "server1", SPLIT_POOLS, lbHooks("server1", timing, kind), procs);
  await startServer(lab, kind, "srv2", dir, "server2", SPLIT_POOLS, lbHooks("server2", timing, kind), procs);
  const [p1, p2] = peers(lab, kind);
  let s = "";
  const ok = await until(
    async () => {
      s = `server1=${await heartbeatState(p1)} server2=${await heartbeatState(p2)}`;
      return s === "server1=load-balancing server2=load-balancing";
    },
    90_000,
    300,
  );
  if (!ok) throw new Error(`the pair did not reach load-balancing in 90 s: ${s}`);
  return Date.now() - t0;
}

interface StepResult extends PerfResult {
  cpu: number[];
  /** each server's CPU use (cores) during IDLE_MS without traffic just before the step */
  idle: number[];
  /** each process's label: host/program */
  names: string[];
  lbMs?: number;
  /** REQUEST→ACK p50 and p99 (ms) from the captures, with BENCH_P99=1 */
  raP50?: number;
  raP99?: number;
}

/** "srv1/weka", "srv2/kea-dhcp4", "srv2/kea-ctrl-agent": where a process runs and what it is. */
const label = (p: LabProcess) => `${p.host}/${p.cmd[0] === "deno" ? "weka" : p.cmd[0].split("/").pop()}`;

/** One ladder step of `kind`'s `setup` at `rate`: fresh servers and lease databases, perfdhcp, CPU of each process. */
async function step(lab: Lab, kind: Kind, setup: Setup, rate: number): Promise<StepResult> {
  const dir = await Deno.makeTempDir({ prefix: `wkh2-${kind}-${setup}-` });
  const procs: LabProcess[] = [];
  try {
    let lbMs: number | undefined;
    if (setup === "single") {
      await startServer(lab, kind, "srv1", dir, "single", [{ pool: "198.18.1.0 - 198.18.255.250" }], [], procs);
    } else lbMs = await startPair(lab, kind, dir, KEA_DEFAULT_TIMING, procs);
    await new Promise((r) => setTimeout(r, 300));
    const cpuIdle = await Promise.all(procs.map((p) => cpuSeconds(p.pid)));
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const cpu0 = await Promise.all(procs.map((p) => cpuSeconds(p.pid)));
    const th0 = THREADS ? await Promise.all(procs.map((p) => threadCpu(p.pid))) : [];
    const r = await generate(lab, HOSTS, GENERATORS, rate, secs);
    const cpu1 = await Promise.all(procs.map((p) => cpuSeconds(p.pid)));
    if (THREADS) {
      const th1 = await Promise.all(procs.map((p) => threadCpu(p.pid)));
      th1.forEach((m, i) => console.log(`  ${label(procs[i])} threads: ${threadDelta(th0[i], m, r.rate * secs)}`));
    }
    for (const p of procs) if (p.exited) throw new Error(`${label(p)} died:\n${p.output.slice(-2000)}`);
    const idle = cpu0.map((c, i) => (c - cpuIdle[i]) / (IDLE_MS / 1000));
    return { ...r, cpu: cpu1.map((c, i) => c - cpu0[i]), idle, lbMs, names: procs.map(label) };
  } finally {
    for (const p of procs) await p.stop("SIGTERM", 5000);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

const ok = (r: PerfResult) => r.doDrop < DROP_LIMIT && r.raDrop < DROP_LIMIT && r.rate > 0;

/** One printed line: asked, ACKs/s, drops, each server's CPU (s) and µs of CPU per exchange of the step. */
function line(kind: Kind, setup: Setup, r: StepResult): string {
  const dora = Math.max(1, r.rate * secs);
  const us = (c: number) => (c / dora * 1e6).toFixed(0);
  const cpu = r.cpu.map((c, i) =>
    `${r.names[i]} ${c.toFixed(1)}s ${us(c)}µs/DORA idle ${(r.idle[i] * 100).toFixed(0)}%`
  )
    .join(", ");
  const total = r.cpu.length > 1 ? ` (sum ${us(r.cpu.reduce((a, c) => a + c, 0))}µs/DORA)` : "";
  return `${kind} ${setup.padEnd(6)} asked=${String(r.asked).padStart(5)} acks/s=${r.rate.toFixed(0).padStart(5)} ` +
    `do_drop=${r.doDrop}% ra_drop=${r.raDrop}% ra_avg=${r.raAvgMs}ms` +
    (r.raP99 !== undefined ? ` ra_p50/p99=${r.raP50}/${r.raP99}ms` : "") + ` cpu: ${cpu}${total} ` +
    `${ok(r) ? "ok" : "DROPS"}${r.lbMs !== undefined ? ` [load-balancing after ${r.lbMs} ms]` : ""}`;
}

/** The load-balancing scope of udhcpc's query from `mac` (client-id 01+MAC hashed, bucket 0 = primary server1). */
function scopeOfMac(mac: string): "server1" | "server2" {
  const key = Uint8Array.of(1, ...mac.split(":").map((h) => parseInt(h, 16)));
  return pearsonHash(key) % 2 === 0 ? "server1" : "server2";
}

/**
 * The failover measurement: pair with FAILOVER_TIMING in load-balancing; a client in server2's scope is first served
 * by server2; server2 is SIGKILLed; times partner-down on server1 and the first DHCPACK (from server1) to that client.
 */
async function failover(lab: Lab): Promise<string[]> {
  const dir = await Deno.makeTempDir({ prefix: "wkh2-failover-" });
  const procs: LabProcess[] = [];
  try {
    const lbMs = await startPair(lab, "weka", dir, FAILOVER_TIMING, procs);
    let mac = "";
    for (let i = 1; !mac || scopeOfMac(mac) !== "server2"; i++) {
      mac = `02:4b:48:32:00:${i.toString(16).padStart(2, "0")}`;
    }
    await setMac(lab, "cli1", "eth0", mac);
    const before = udhcpcLease(await udhcpcOnce(lab, "cli1"));
    const [p1] = peers(lab, "weka");
    procs[1].kill("SIGKILL");
    await procs[1].status;
    const t0 = Date.now();
    // udhcpc: one DISCOVER a second (-T 1) for up to 60 s; exits when bound
    const client = lab.run("cli1", ["timeout", "70", ..."udhcpc -i eth0 -n -q -s /bin/true -t 60 -T 1".split(" ")])
      .then((r) => ({ ms: Date.now() - t0, lease: udhcpcLease(r.stdout + r.stderr) }));
    const down = await until(async () => (await heartbeatState(p1)) === "partner-down", 60_000, 100);
    const downMs = Date.now() - t0;
    const c = await client;
    const bound = FAILOVER_TIMING.maxResponseDelay + FAILOVER_TIMING.heartbeatDelay;
    return [
      `pair in load-balancing ${lbMs} ms after start; heartbeat-delay ${FAILOVER_TIMING.heartbeatDelay} ms, ` +
      `max-response-delay ${FAILOVER_TIMING.maxResponseDelay} ms, max-unacked-clients 0 → target ${bound} ms`,
      `client ${mac} (server2's scope) before the kill: ${
        before ? `${before.address} from ${before.server}` : "NOT served"
      }`,
      down
        ? `server1 in partner-down ${downMs} ms after SIGKILL of server2 (${
          downMs <= bound ? "within" : "OVER"
        } ${bound} ms)`
        : `server1 NOT in partner-down 60 s after the kill: ${await heartbeatState(p1)}`,
      c.lease
        ? `client in server2's scope got ${c.lease.address} from ${c.lease.server} ${c.ms} ms after SIGKILL ` +
          `(udhcpc sends a DISCOVER a second: up to ~1 s after partner-down)`
        : `client in server2's scope got NO lease within ${c.ms} ms`,
    ];
  } finally {
    for (const p of procs) await p.stop("SIGTERM", 5000);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/**
 * Climbs the ladder with `kind`'s single server and pair alternately (each drops out at its first step with drops or
 * a failure); returns each setup's best rate with < DROP_LIMIT % drops (0: none).
 */
async function ladder(lab: Lab, kind: Kind): Promise<Record<Setup, number>> {
  const best: Record<Setup, number> = { single: 0, pair: 0 };
  const alive: Record<Setup, boolean> = { single: SETUPS.includes("single"), pair: SETUPS.includes("pair") };
  for (const rate of rates) {
    for (const setup of ["single", "pair"] as Setup[]) {
      if (!alive[setup]) continue;
      try {
        const r = await step(lab, kind, setup, rate);
        console.log(line(kind, setup, r));
        if (ok(r)) best[setup] = Math.max(best[setup], r.rate);
        else alive[setup] = false;
      } catch (e) {
        console.log(`${kind} ${setup.padEnd(6)} asked=${String(rate).padStart(5)} FAILED: ${(e as Error).message}`);
        alive[setup] = false;
      }
    }
    if (!alive.single && !alive.pair) break;
  }
  return best;
}

/** "best single, best pair, ratio" of one ladder. */
function summary(kind: Kind, best: Record<Setup, number>): string {
  const shown = (s: Setup) => !SETUPS.includes(s) ? "not run" : best[s] ? `${best[s].toFixed(0)}/s` : `< ${rates[0]}/s`;
  const ratio = best.single && best.pair ? (best.pair / best.single).toFixed(2) : "n/a";
  return `${kind}: single ${shown("single")}, pair ${shown("pair")}, ratio pair/single ${ratio} (target ≥ 0.80)`;
}

async function main(): Promise<number> {
  const why = Lab.available();
  if (why) {
    console.error(`ha_pair: ${why}`);
    return 1;
  }
  const haveKea = Deno.env.get("BENCH_KEA") !== "off" &&
    [KEA4, KEA_CA, `${HOOKS}/libdhcp_ha.so`].every((f) => {
      try {
        return Deno.statSync(f).isFile;
      } catch {
        return false;
      }
    });
  const lab = await Lab.up("wkh2-");
  const summaries: string[] = [];
  try {
    console.log(
      `# ${secs} s per step, ${GENERATORS} perfdhcp instance(s) (${HOSTS.slice(0, GENERATORS).join(", ")}), ` +
        `relayed broadcast; weka on KV leases, Kea on persisted memfile`,
    );
    if (!LEASE_UPDATES) console.log("# the pair runs WITHOUT lease updates (BENCH_LEASE_UPDATES=off)");
    if (KINDS.includes("weka")) summaries.push(summary("weka", await ladder(lab, "weka")));
    if (FAILOVER) {
      console.log("\n# failover of a weka pair (SIGKILL server2)");
      try {
        for (const l of await failover(lab)) console.log(l);
      } catch (e) {
        console.log(`failover measurement FAILED: ${(e as Error).message}`);
      }
    }
    if (haveKea && KINDS.includes("kea")) {
      console.log("\n# Kea 2.2 (kea-dhcp4; each HA server behind its kea-ctrl-agent on :8000), same ladder");
      summaries.push(summary("kea", await ladder(lab, "kea")));
    } else if (KINDS.includes("kea")) {
      console.log("\n# Kea 2.2 skipped (BENCH_KEA=off, or kea-dhcp4/kea-ctrl-agent/libdhcp_ha.so missing)");
    }
  } finally {
    await lab.down();
  }
  console.log(`\n# best rate with < ${DROP_LIMIT} % drops (DISCOVER-OFFER and REQUEST-ACK)`);
  for (const l of summaries) console.log(l);
  return 0;
}

Deno.exit(await main());
