/**
 * `deno task bench [SECONDS] [RATES…]`: DORA throughput of weka and of real Kea (when kea-dhcp4 is installed) under
 * ISC perfdhcp, in the project's namespace lab, in both traffic shapes of DESIGN.md:
 *   bcast   — perfdhcp broadcasts as a relay (its default); Kea on raw sockets, weka on its default raw sockets
 *   unicast — perfdhcp sends relayed traffic unicast to 198.18.0.1; both servers with "dhcp-socket-type": "udp"
 * For each shape it climbs a ladder of rates, running weka and Kea alternately at each step (fresh lease database
 * each time, so the machine's noise hits both alike), and prints each server's best rate with < 0.5 % drops and the
 * ratio weka / Kea. Needs root and the Debian packages iproute2, kea-admin, kea-dhcp4-server.
 * Each line also gives the server's CPU time during the step (user+system, all its threads) per exchange, and with
 * BENCH_DB the database server's (every process of it).
 * BENCH_SERVERS=weka (or kea) runs only that server; BENCH_SHAPES=unicast (or bcast) only that shape;
 * BENCH_GENERATORS=N splits each step's rate over N perfdhcp instances on different LAN A hosts (default 2).
 * `rcvbuf_lost=srv:N/gen:M` counts the datagrams the kernel dropped in a full UDP receive buffer during the step, at
 * the server's host and at the generators' (Udp RcvbufErrors): a drop lost at the generator is the generator not
 * reading in time (on two shared cores: starved of CPU), not the server failing to answer.
 * BENCH_DB=postgresql (or mysql; `deno task bench:pgsql`, `bench:mysql`) puts both servers on the same private Kea SQL
 * lease database in the lab's `dns` host (198.18.0.53, schema by kea-admin db-init), emptied before every step.
 */
import { Lab } from "../tests/e2e/lab.ts";
import { MAIN } from "../tests/e2e/weka_proc.ts";
import { GENERATOR_HOSTS, perfdhcpMany, type PerfResult } from "../tests/e2e/perfdhcp.ts";
import { udpRcvbufErrors } from "./proc_probe.ts";
import { type SqlServer, startSqlServer } from "../tests/lease/sql_servers.ts";

/** The shared SQL lease database of BENCH_DB, once started. */
let db: SqlServer | undefined;
const DB = Deno.env.get("BENCH_DB") as "postgresql" | "mysql" | undefined;

type Shape = "bcast" | "unicast";
type Server = "weka" | "kea";
const DROP_LIMIT = 0.5;

const secs = Number(Deno.args[0] ?? 10);
/** perfdhcp instances sharing each step's rate (BENCH_GENERATORS, default 2: one tops out near 8 000/s here) */
const GENERATORS = Number(Deno.env.get("BENCH_GENERATORS") ?? 2);
const rates = Deno.args.length > 1
  ? Deno.args.slice(1).map(Number)
  : [1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 10000, 12000];

function config(server: Server, shape: Shape, dir: string): Record<string, unknown> {
  const leaseDb = db
    ? db.keaMap()
    : server === "kea"
    ? { type: "memfile", persist: true, name: `${dir}/kea-leases4.csv`, "lfc-interval": 0 }
    : { type: "memfile", name: `${dir}/weka-leases4.csv` };
  return {
    Dhcp4: {
      "interfaces-config": { interfaces: ["eth0"], "dhcp-socket-type": shape === "bcast" ? "raw" : "udp" },
      "lease-database": leaseDb,
      "valid-lifetime": 3600,
      "renew-timer": 900,
      "rebind-timer": 1800,
      subnet4: [{
        id: 1,
        subnet: "198.18.0.0/16",
        interface: "eth0",
        pools: [{ pool: "198.18.1.0 - 198.18.255.250" }],
        "option-data": [{ name: "routers", data: "198.18.0.1" }, { name: "domain-name-servers", data: "198.18.0.53" }],
      }],
      loggers: [{ name: "kea-dhcp4", "output_options": [{ output: `${dir}/${server}.log` }], severity: "WARN" }],
    },
  };
}

/** CPU seconds (user + system, every thread) the process has used so far, from /proc/PID/stat. */
async function cpuSeconds(pid: number): Promise<number> {
  try {
    const f = (await Deno.readTextFile(`/proc/${pid}/stat`)).split(") ")[1].split(" ");
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

/** CPU seconds of the SQL server (BENCH_DB): every process of its data directory's server (PostgreSQL forks). */
async function dbCpuSeconds(): Promise<number> {
  if (!db) return 0;
  const main = await db.pid().catch(() => 0);
  if (!main) return 0;
  let total = await cpuSeconds(main);
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const f = (await Deno.readTextFile(`/proc/${e.name}/stat`)).split(") ")[1].split(" ");
      if (Number(f[1]) === main) total += (Number(f[11]) + Number(f[12])) / 100;
    } catch { /* gone */ }
  }
  return total;
}

async function step(
  lab: Lab,
  server: Server,
  shape: Shape,
  rate: number,
): Promise<PerfResult & { cpu: number; dbCpu: number; lostSrv: number; lostGen: number }> {
  const dir = await Deno.makeTempDir({ prefix: `bench-${server}-` });
  const cfg = `${dir}/${server}.json`;
  await Deno.writeTextFile(cfg, JSON.stringify(config(server, shape, dir)));
  await Deno.mkdir("/run/kea", { recursive: true });
  if (db) await db.sql("DELETE FROM lease4");
  const cmd = server === "kea" ? ["kea-dhcp4", "-c", cfg] : ["deno", "run", "-A", MAIN, "dhcp4", "-c", cfg];
  const p = lab.spawn("srv1", cmd);
  try {
    for (let i = 0; i < 100; i++) {
      const ss = await lab.run("srv1", ["ss", "-Hlun", "sport", "=", ":67"]);
      if (ss.stdout.trim()) break;
      if (p.exited) throw new Error(`${server} exited: ${p.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 300));
    const gens = GENERATOR_HOSTS.slice(0, GENERATORS);
    const lost = async () => [
      await udpRcvbufErrors(lab, "srv1"),
      (await Promise.all(gens.map((h) => udpRcvbufErrors(lab, h)))).reduce((a, b) => a + b, 0),
    ];
    const [srv0, gen0] = await lost();
    const cpu0 = await cpuSeconds(p.pid), db0 = await dbCpuSeconds();
    const r = await perfdhcpMany(lab, GENERATORS, rate, secs, shape === "unicast" ? "198.18.0.1" : undefined);
    const cpu = (await cpuSeconds(p.pid)) - cpu0, dbCpu = (await dbCpuSeconds()) - db0;
    const [srv1, gen1] = await lost();
    return { ...r, cpu, dbCpu, lostSrv: srv1 - srv0, lostGen: gen1 - gen0 };
  } finally {
    await p.stop("SIGTERM", 5000);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

const ok = (r: PerfResult) => r.doDrop < DROP_LIMIT && r.raDrop < DROP_LIMIT && r.rate > 0;

async function main(): Promise<number> {
  const why = Lab.available();
  if (why) {
    console.error(`bench: ${why}`);
    return 1;
  }
  const haveKea = (await new Deno.Command("sh", { args: ["-c", "command -v kea-dhcp4"] }).output()).success;
  if (!haveKea) console.log("kea-dhcp4 is not installed (apt-get install kea-dhcp4-server): weka only");
  const lab = await Lab.up("wkb-");
  const summary: string[] = [];
  try {
    if (DB) {
      db = await startSqlServer(DB, { netns: lab.ns("dns"), listen: "198.18.0.53" });
      console.log(`# both servers on the ${DB} lease database ${db.host}:${db.port} (lab host dns)`);
    }
    const shapes = (Deno.env.get("BENCH_SHAPES") ?? "bcast,unicast").split(",") as Shape[];
    const only = Deno.env.get("BENCH_SERVERS")?.split(",");
    for (const shape of shapes) {
      const best: Record<Server, number> = { weka: 0, kea: 0 };
      const alive: Record<Server, boolean> = {
        weka: !only || only.includes("weka"),
        kea: haveKea && (!only || only.includes("kea")),
      };
      console.log(`\n# shape ${shape}: ${secs} s per step, ${GENERATORS} perfdhcp instance(s) sharing each rate`);
      for (const rate of rates) {
        for (const server of ["weka", "kea"] as Server[]) {
          if (!alive[server]) continue;
          const r = await step(lab, server, shape, rate);
          const pass = ok(r);
          console.log(
            `${shape.padEnd(7)} ${server.padEnd(4)} asked=${String(rate).padStart(5)} rate=${
              r.rate.toFixed(0).padStart(5)
            } ` +
              `do_drop=${r.doDrop}% ra_drop=${r.raDrop}% do_avg=${r.doAvgMs}ms ra_avg=${r.raAvgMs}ms ` +
              `cpu=${r.cpu.toFixed(1)}s (${(r.cpu / Math.max(1, r.rate * secs) * 1e6).toFixed(0)}µs/DORA)` +
              (db
                ? ` db_cpu=${r.dbCpu.toFixed(1)}s (${(r.dbCpu / Math.max(1, r.rate * secs) * 1e6).toFixed(0)}µs/DORA)`
                : "") +
              ` rcvbuf_lost=srv:${r.lostSrv}/gen:${r.lostGen} ${pass ? "ok" : "DROPS"}`,
          );
          if (pass) best[server] = Math.max(best[server], r.rate);
          else alive[server] = false;
        }
        if (!alive.weka && !alive.kea) break;
      }
      // a server that failed the ladder's first step is reported as "< first rate" (its best is below the ladder)
      const shown = (srv: Server) =>
        !(srv === "kea" ? haveKea : true) ? "n/a" : best[srv] ? `${best[srv].toFixed(0)}/s` : `< ${rates[0]}/s`;
      const ratio = !haveKea
        ? "n/a"
        : best.kea
        ? (best.weka / best.kea).toFixed(2)
        : best.weka
        ? `> ${(best.weka / rates[0]).toFixed(2)}`
        : "n/a";
      summary.push(`${shape}: weka best ${shown("weka")}, kea best ${shown("kea")}, ratio ${ratio}`);
    }
  } finally {
    await db?.stop();
    await lab.down();
  }
  console.log(`\n# best rate with < ${DROP_LIMIT} % drops (DISCOVER-OFFER and REQUEST-ACK)`);
  for (const s of summary) console.log(s);
  return 0;
}

Deno.exit(await main());
