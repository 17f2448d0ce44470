/**
 * `deno task bench:footprint [LEASES] [SETTLE_SECONDS]` (issue 16 item 5): what each role costs in memory and
 * start-up, beside Deno's own idle runtime and Kea 2.2's daemons on the same job (when installed):
 *   - idle: no interface served, an empty lease store, one subnet, a unix control socket (config/weka.json's shape)
 *   - the same with LEASES (default 10 000) active leases in the store (Kea: in its memfile CSV)
 *   - `weka run` with Dhcp4 + DhcpDdns in one process (Kea: two daemons, kea-dhcp4 + kea-dhcp-ddns, summed)
 * For each: milliseconds from spawn to the role's `…_STARTED` log line, for `weka dhcp4` also to the first OFFER of
 * a DISCOVER sent over loopback (`-p PORT`), the resident memory SETTLE seconds later (total = anonymous + the
 * executable's mapped pages), and for weka the modules V8 parsed (a second run with `--inspect`: own modules by
 * mod/ folder, npm package scripts, the runtime's). weka runs as `deno run` with the flags of `deno task compile`
 * (its `--v8-flags`, read from deno.json), which is how the tests, the image and the wrapper of the systemd units
 * run it. FOOTPRINT_V8="--flag1,--flag2;--flag3" also measures `weka dhcp4` idle under each extra flag set;
 * FOOTPRINT_ONLY=REGEX runs only the jobs whose name matches. One more row runs `weka dhcp4` idle from the output of
 * `deno bundle --code-splitting` (plain JavaScript, no source maps; the same lazy import points as chunks): what the
 * per-module cost of `deno run` on TypeScript (each module's emit carries an inline source map Deno keeps) and the
 * npm resolver add, for comparison; the tests, the image and the units run main.ts.
 * No root needed (nothing binds a privileged port; Kea's daemons start on no interface).
 */
import { KvLeaseStore } from "../mod/lease/kv_store.ts";
import { KvLease6Store } from "../mod/lease/kv_store6.ts";
import { type Lease4, LeaseState } from "../mod/lease/types.ts";
import { type Lease6, Lease6Type } from "../mod/lease/types6.ts";
import { formatKeaCsv4 } from "../mod/lease/kea_csv.ts";
import { formatKeaCsv6 } from "../mod/lease/kea_csv6.ts";
import { firstOffer, formatGroups, mib, parsedModules, Proc, rssOf } from "./proc_probe.ts";

const LEASES = Number(Deno.args[0] ?? 10_000);
const SETTLE_MS = Number(Deno.args[1] ?? 3) * 1000;
const MAIN = new URL("../main.ts", import.meta.url).pathname;
const CONFIG = new URL("../deno.json", import.meta.url).pathname;

/** The `--v8-flags=…` of `deno task compile`, so `deno run` measures what the binary would run with. */
function compileV8Flags(): string[] {
  const task: string = JSON.parse(Deno.readTextFileSync(CONFIG)).tasks.compile;
  return task.split(/\s+/).filter((a) => a.startsWith("--v8-flags="));
}

const wekaCmd = (args: string[], extra: string[] = [], entry = MAIN) => [
  Deno.execPath(),
  "run",
  "-A",
  "--unstable-kv",
  ...compileV8Flags(),
  ...extra,
  entry,
  ...args,
];

type Who = "weka" | "kea";
const logger = (name: string) => [{ name, "output_options": [{ output: "stdout" }], severity: "INFO" }];

function dhcp4(dir: string, who: Who, d2Port?: number) {
  return {
    "interfaces-config": { interfaces: [] },
    "lease-database": who === "weka"
      ? { type: "kv", name: `${dir}/leases4.kv` }
      : { type: "memfile", persist: true, name: `${dir}/kea-leases4.csv`, "lfc-interval": 0 },
    "control-socket": { "socket-type": "unix", "socket-name": `${dir}/ctrl4` },
    "valid-lifetime": 7200,
    subnet4: [{ id: 1, subnet: "198.18.0.0/16", pools: [{ pool: "198.18.1.0 - 198.18.255.250" }] }],
    ...(d2Port ? { "dhcp-ddns": { "enable-updates": true, "server-port": d2Port } } : {}),
    loggers: logger("kea-dhcp4"),
  };
}

function dhcp6(dir: string, who: Who) {
  return {
    "interfaces-config": { interfaces: [] },
    "lease-database": who === "weka"
      ? { type: "kv", name: `${dir}/leases6.kv` }
      : { type: "memfile", persist: true, name: `${dir}/kea-leases6.csv`, "lfc-interval": 0 },
    "control-socket": { "socket-type": "unix", "socket-name": `${dir}/ctrl6` },
    // Kea keeps its server DUID there (default /var/lib/kea); weka keeps it beside the lease file
    ...(who === "kea" ? { "data-directory": dir } : {}),
    "preferred-lifetime": 3000,
    "valid-lifetime": 4000,
    subnet6: [{ id: 1, subnet: "2001:db8:1::/64", pools: [{ pool: "2001:db8:1::1:0 - 2001:db8:1::ffff:ffff" }] }],
    loggers: logger("kea-dhcp6"),
  };
}

function d2(dir: string, port: number) {
  return {
    "ip-address": "127.0.0.1",
    port,
    "control-socket": { "socket-type": "unix", "socket-name": `${dir}/ctrl-d2` },
    "tsig-keys": [],
    "forward-ddns": { "ddns-domains": [] },
    "reverse-ddns": { "ddns-domains": [] },
    loggers: logger("kea-dhcp-ddns"),
  };
}

const now = () => Math.floor(Date.now() / 1000);

function lease4(i: number): Lease4 {
  const b = [2, 0, (i >>> 16) & 255, (i >>> 8) & 255, i & 255, 1];
  return {
    address: (0xc6120100 + i) >>> 0,
    hwaddr: b.map((x) => x.toString(16).padStart(2, "0")).join(":"),
    clientId: "",
    validLifetime: 7200,
    cltt: now(),
    subnetId: 1,
    fqdnFwd: false,
    fqdnRev: false,
    hostname: "",
    state: LeaseState.DEFAULT,
  };
}

function lease6(i: number): Lease6 {
  return {
    address: 0x20010db8000100000000000000010000n + BigInt(i),
    prefixLen: 128,
    type: Lease6Type.NA,
    duid: `00:03:00:01:02:00:${
      [(i >>> 16) & 255, (i >>> 8) & 255, i & 255].map((x) => x.toString(16).padStart(2, "0")).join(":")
    }`,
    iaid: 1,
    preferredLifetime: 3000,
    validLifetime: 4000,
    cltt: now(),
    subnetId: 1,
    fqdnFwd: false,
    fqdnRev: false,
    hostname: "",
    hwaddr: "",
    state: LeaseState.DEFAULT,
  };
}

/** Writes `n` leases the way each server keeps them: weka's KV store (through its own store), Kea's CSV. */
async function preload(dir: string, who: Who, family: 4 | 6, n: number): Promise<void> {
  if (n === 0) return;
  if (who === "kea") {
    const rows = Array.from({ length: n }, (_, i) => family === 4 ? lease4(i) : lease6(i));
    const text = family === 4 ? formatKeaCsv4(rows as Lease4[]) : formatKeaCsv6(rows as Lease6[]);
    await Deno.writeTextFile(`${dir}/kea-leases${family}.csv`, text);
    return;
  }
  if (family === 4) {
    const s = await KvLeaseStore.open(`${dir}/leases4.kv`);
    for (let i = 0; i < n; i += 1000) {
      await s.apply(Array.from({ length: Math.min(1000, n - i) }, (_, j) => ({ op: "put", lease: lease4(i + j) })));
    }
    await s.close();
  } else {
    const s = await KvLease6Store.open(`${dir}/leases6.kv`);
    for (let i = 0; i < n; i += 1000) {
      await s.apply(Array.from({ length: Math.min(1000, n - i) }, (_, j) => ({ op: "put", lease: lease6(i + j) })));
    }
    await s.close();
  }
}

interface Job {
  name: string;
  /** the commands of the processes the job runs (Kea's roles are separate daemons), each with its ready line */
  procs: { cmd: string[]; ready: RegExp }[];
  /** `weka dhcp4 -p PORT`: also time the first OFFER */
  offerPort?: number;
  /** count parsed modules (weka and Deno only) */
  inspect?: boolean;
}

async function writeJson(path: string, doc: unknown): Promise<string> {
  await Deno.writeTextFile(path, JSON.stringify(doc, null, 2));
  return path;
}

let portBase = 20000 + Math.floor(Math.random() * 20000);
const freshPort = () => (portBase += 3);

/** Runs one job (its files are in a fresh directory); prints its line. */
async function run(job: Job): Promise<void> {
  const procs: Proc[] = [];
  try {
    let offerMs = NaN;
    const started: number[] = [];
    for (const p of job.procs) {
      const proc = new Proc(p.cmd);
      procs.push(proc);
      const offer = job.offerPort ? firstOffer(job.offerPort) : undefined;
      started.push(await proc.until(p.ready));
      if (offer) offerMs = (await offer) - proc.t0;
    }
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const rs = await Promise.all(procs.map((p) => rssOf(p.pid)));
    const sum = (k: "rss" | "anon" | "file" | "hwm") => rs.reduce((a, r) => a + r[k], 0);
    let mods = "";
    // the measured processes go first: the inspected run binds the same ports (a second D2 on the NCR port is refused)
    for (const p of procs.splice(0).reverse()) await p.stop();
    if (job.inspect) {
      const port = freshPort();
      const cmd = [...job.procs[0].cmd];
      cmd.splice(2, 0, `--inspect=127.0.0.1:${port}`);
      const p = new Proc(cmd);
      try {
        await p.until(job.procs[0].ready);
        const m = await parsedModules(port);
        mods = ` modules own=${m.own} npm=${m.npm} runtime=${m.runtime} [${formatGroups(m.groups)}]`;
      } finally {
        await p.stop();
      }
    }
    console.log(
      `${job.name.padEnd(34)} started=${started.map((t) => t.toFixed(0)).join("+").padStart(5)}ms` +
        (job.offerPort ? ` first-offer=${offerMs.toFixed(0)}ms` : "") +
        ` rss=${mib(sum("rss"))}MiB (anon ${mib(sum("anon"))} file ${mib(sum("file"))}) peak=${mib(sum("hwm"))}MiB` +
        mods,
    );
  } catch (e) {
    console.log(`${job.name.padEnd(34)} FAILED: ${(e as Error).message}`);
  } finally {
    for (const p of procs.reverse()) await p.stop();
  }
}

async function haveKea(): Promise<boolean> {
  return (await new Deno.Command("sh", { args: ["-c", "command -v kea-dhcp4"] }).output()).success;
}

async function main(): Promise<void> {
  const kea = await haveKea();
  console.log(
    `# deno ${Deno.version.deno}, weka via deno run ${compileV8Flags().join(" ") || "(no --v8-flags)"}; ` +
      `RSS ${SETTLE_MS / 1000} s after the ready line; ${LEASES} leases where said`,
  );
  const jobs: { job: (dir: string) => Promise<Job> }[] = [];
  const add = (job: (dir: string) => Promise<Job>) => jobs.push({ job });
  add(async (dir) => {
    await Deno.writeTextFile(`${dir}/idle.ts`, `console.log("ready"); setInterval(() => {}, 1e9);`);
    return {
      name: "deno idle (runtime alone)",
      procs: [{ cmd: [Deno.execPath(), "run", "-A", `${dir}/idle.ts`], ready: /ready/ }],
      inspect: true,
    };
  });
  for (const n of [0, LEASES]) {
    const tag = n ? ` ${n} leases` : " idle";
    add(async (dir) => {
      await preload(dir, "weka", 4, n);
      const cfg = await writeJson(`${dir}/c.json`, { Dhcp4: dhcp4(dir, "weka") });
      return {
        name: `weka dhcp4${tag}`,
        procs: [{ cmd: wekaCmd(["dhcp4", "-c", cfg]), ready: /DHCP4_STARTED/ }],
        inspect: n === 0,
      };
    });
    if (n === 0) {
      add(async (dir) => {
        const port = freshPort();
        const cfg = await writeJson(`${dir}/c.json`, { Dhcp4: dhcp4(dir, "weka") });
        return {
          name: "weka dhcp4 -p (loopback, to OFFER)",
          procs: [{ cmd: wekaCmd(["dhcp4", "-c", cfg, "-p", String(port)]), ready: /DHCP4_STARTED/ }],
          offerPort: port,
        };
      });
    }
    if (kea) {
      add(async (dir) => {
        await preload(dir, "kea", 4, n);
        const cfg = await writeJson(`${dir}/k.json`, { Dhcp4: dhcp4(dir, "kea") });
        return { name: `kea-dhcp4${tag}`, procs: [{ cmd: ["kea-dhcp4", "-c", cfg], ready: /DHCP4_STARTED/ }] };
      });
    }
    add(async (dir) => {
      await preload(dir, "weka", 6, n);
      const cfg = await writeJson(`${dir}/c.json`, { Dhcp6: dhcp6(dir, "weka") });
      return {
        name: `weka dhcp6${tag}`,
        procs: [{ cmd: wekaCmd(["dhcp6", "-c", cfg]), ready: /DHCP6_STARTED/ }],
        inspect: n === 0,
      };
    });
    if (kea) {
      add(async (dir) => {
        await preload(dir, "kea", 6, n);
        const cfg = await writeJson(`${dir}/k.json`, { Dhcp6: dhcp6(dir, "kea") });
        return { name: `kea-dhcp6${tag}`, procs: [{ cmd: ["kea-dhcp6", "-c", cfg], ready: /DHCP6_STARTED/ }] };
      });
    }
  }
  add(async (dir) => {
    const cfg = await writeJson(`${dir}/c.json`, { DhcpDdns: d2(dir, freshPort()) });
    return {
      name: "weka ddns idle",
      procs: [{ cmd: wekaCmd(["ddns", "-c", cfg]), ready: /DHCP_DDNS_STARTED/ }],
      inspect: true,
    };
  });
  add(async (dir) => {
    const p = freshPort();
    const cfg = await writeJson(`${dir}/c.json`, { Dhcp4: dhcp4(dir, "weka", p), DhcpDdns: d2(dir, p) });
    return {
      name: "weka run Dhcp4+DhcpDdns idle",
      procs: [{ cmd: wekaCmd(["run", "-c", cfg]), ready: /DHCP4_STARTED/ }],
      inspect: true,
    };
  });
  if (kea) {
    add(async (dir) => {
      const p = freshPort();
      const c4 = await writeJson(`${dir}/k4.json`, { Dhcp4: dhcp4(dir, "kea", p) });
      const cd = await writeJson(`${dir}/kd.json`, { DhcpDdns: d2(dir, p) });
      return {
        name: "kea-dhcp4 + kea-dhcp-ddns idle",
        procs: [
          { cmd: ["kea-dhcp-ddns", "-c", cd], ready: /DHCP_DDNS_STARTED/ },
          { cmd: ["kea-dhcp4", "-c", c4], ready: /DHCP4_STARTED/ },
        ],
      };
    });
  }
  add(async (dir) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["bundle", "--quiet", "--platform", "deno", "--code-splitting", "--outdir", `${dir}/bundle`, MAIN],
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!out.success) throw new Error(`deno bundle: ${new TextDecoder().decode(out.stderr).slice(0, 500)}`);
    const cfg = await writeJson(`${dir}/c.json`, { Dhcp4: dhcp4(dir, "weka") });
    const cmd = wekaCmd(["dhcp4", "-c", cfg], [], `${dir}/bundle/main.js`);
    // a first run of new files fills Deno's V8 code cache (about twice the memory); main.ts's was filled before
    const warm = new Proc(cmd);
    await warm.until(/DHCP4_STARTED/).finally(() => warm.stop());
    return { name: "weka dhcp4 idle (deno bundle)", procs: [{ cmd, ready: /DHCP4_STARTED/ }] };
  });
  for (const set of (Deno.env.get("FOOTPRINT_V8") ?? "").split(";").filter(Boolean)) {
    add(async (dir) => {
      const cfg = await writeJson(`${dir}/c.json`, { Dhcp4: dhcp4(dir, "weka") });
      return {
        name: `weka dhcp4 idle ${set}`,
        procs: [{ cmd: wekaCmd(["dhcp4", "-c", cfg], [`--v8-flags=${set}`]), ready: /DHCP4_STARTED/ }],
      };
    });
  }
  const only = Deno.env.get("FOOTPRINT_ONLY");
  for (const { job } of jobs) {
    const dir = await Deno.makeTempDir({ prefix: "weka-footprint-" });
    try {
      const j = await job(dir);
      if (only && !new RegExp(only).test(j.name)) continue;
      await run(j);
    } finally {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  }
}

if (import.meta.main) await main();
