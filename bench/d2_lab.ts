/**
 * `sudo deno task bench:d2 [SECONDS] [RATES…]`: weka's D2 (`weka ddns`, main.ts) against kea-dhcp-ddns 2.2, side by
 * side, each against a fresh real BIND 9 (tests/ddns/bind_harness.ts) in a network namespace of its own (port 53001
 * and BIND's port stay private; WEKA_LAB_TAG names it). The same DhcpDdns file serves both daemons: NCRs on
 * 127.0.0.1:53001, lab.test. signed with HMAC-MD5, 18.198.in-addr.arpa. with HMAC-SHA256, INFO log to a file.
 *
 * Steps: each rate in RATES (NCR/s, default 250 500 1000) held for SECONDS (default 4), then a burst of BENCH_BURST
 * (default 2000) NCRs sent as lab/ncrblast.py sends one (50 every 5 ms). Every NCR is an add with forward and
 * reverse changes and check-with-dhcid: two signed UPDATEs. weka and Kea alternate at every step (fresh BIND, fresh
 * daemon, a 300-NCR warm-up first), so the machine's noise hits both alike. Per step and daemon it prints:
 *   - CPU µs/NCR: utime+stime of the daemon's process (/proc/PID/stat, every thread) over the step, per NCR sent;
 *   - NCR/s: NCRs applied ÷ (time the last one was applied − time the first was sent);
 *   - for the burst, the completion time and the records BIND holds afterwards (zone transfers: A and DHCID at each
 *     name, PTR and DHCID at each reverse name), and the update timeouts the daemon logged;
 * then the ratios weka / Kea (CPU: lower is better, ≤ 1 meets the goal; rate: higher is better).
 * Completion is followed through the zones' SOA serials (each applied UPDATE adds one), checked by AXFR at the end.
 * BIND's directory is on /dev/shm (its journal's fsync would otherwise cap both daemons near 300 NCR/s on this
 * disk); BENCH_BIND_DISK=1 keeps it on disk. BENCH_SERVERS=weka (or kea) runs one daemon; BENCH_ROUNDS=N repeats
 * the steps N times (default 1); BENCH_THREADS=1 adds the CPU per thread; BENCH_BASELINE=/other/checkout/main.ts adds
 * a third daemon, "base": weka from that checkout (before/after figures from one run); CPUPROF=DIR profiles weka's
 * JavaScript thread, PERF=DIR records every thread of weka with perf (`perf report -i DIR/weka-STEP.data`). Needs root, named, dig and
 * kea-dhcp-ddns (without it, weka alone). Not a test and not in CI.
 */
import { fileURLToPath } from "node:url";
import dgram from "node:dgram";
import { labD2Config, startBind } from "../tests/ddns/bind_harness.ts";
import { computeDhcid } from "../mod/ddns/dns/dhcid.ts";
import { decodeMessage, encodeMessage } from "../mod/ddns/dns/message.ts";
import { encodeNcr } from "../mod/ddns/ncr/ncr.ts";
import { UdpSocket4 } from "../mod/net/udp4.ts";

const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));
const BASELINE = Deno.env.get("BENCH_BASELINE");
const DNS_PORT = 15356;
const NCR_PORT = 53001;
const LOOPBACK = 0x7f000001;
/** "base": weka from another checkout (BENCH_BASELINE=/path/to/main.ts), for before/after figures in one run */
type Server = "weka" | "kea" | "base";

/** Makes the namespace, runs this file inside it, removes it. */
async function outer(): Promise<number> {
  if (Deno.uid() !== 0) {
    console.error("bench:d2 needs root (a network namespace and BIND)");
    return 2;
  }
  const ns = `wk${Deno.env.get("WEKA_LAB_TAG") ?? ""}-d2bench`;
  const ip = (...a: string[]) => new Deno.Command("ip", { args: a, stderr: "null" }).output();
  await ip("netns", "del", ns);
  if ((await ip("netns", "add", ns)).code !== 0) throw new Error(`cannot create the namespace ${ns}`);
  try {
    await ip("-n", ns, "link", "set", "lo", "up");
    const child = new Deno.Command("ip", {
      args: ["netns", "exec", ns, Deno.execPath(), "run", "-A", fileURLToPath(import.meta.url), ...Deno.args],
      env: { WEKA_D2_BENCH_INNER: "1" },
    }).spawn();
    return (await child.status).code;
  } finally {
    await ip("netns", "del", ns);
  }
}

/** user+system CPU of a process (all threads) in ms: /proc/PID/stat fields 14 and 15, 10 ms ticks. */
async function cpuMs(pid: number): Promise<number> {
  const f = (await Deno.readTextFile(`/proc/${pid}/stat`)).split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) * 10;
}

/** CPU ms per thread name of a process (tokio's and V8's pools summed under one name). */
async function cpuByThread(pid: number): Promise<Map<string, number>> {
  const by = new Map<string, number>();
  for await (const t of Deno.readDir(`/proc/${pid}/task`)) {
    const st = await Deno.readTextFile(`/proc/${pid}/task/${t.name}/stat`).catch(() => "");
    if (!st) continue;
    const name = st.slice(st.indexOf("(") + 1, st.lastIndexOf(")")).replace(/[0-9]+$/, "#");
    const f = st.split(") ")[1].split(" ");
    by.set(name, (by.get(name) ?? 0) + (Number(f[11]) + Number(f[12])) * 10);
  }
  return by;
}

/** The address and name of NCR number i (addresses 198.18.1.1 upwards, 250 per /24). */
function host(prefix: string, i: number): { fqdn: string; ip: string; rev: string } {
  const c = 1 + Math.floor(i / 250), d = 1 + (i % 250);
  return { fqdn: `${prefix}${i}.lab.test.`, ip: `198.18.${c}.${d}`, rev: `${d}.${c}.18.198.in-addr.arpa.` };
}

/** Framed NCRs (Kea's wire format): add, forward + reverse, check-with-dhcid, a DHCID from a client-id (RFC 4701). */
function frames(prefix: string, from: number, n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    const h = host(prefix, i);
    return encodeNcr({
      changeType: "add",
      forwardChange: true,
      reverseChange: true,
      fqdn: h.fqdn,
      ipAddress: h.ip,
      dhcid: computeDhcid(1, new Uint8Array([1, 2, 0, 0, (i >> 8) & 255, i & 255]), h.fqdn),
      leaseExpiresOn: "20301127180000",
      leaseLength: 1200,
      conflictResolutionMode: "check-with-dhcid",
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends `fs` at `rate` per second in 5 ms ticks (synchronous FFI sends); returns when the last is sent. */
async function send(sock: UdpSocket4, fs: Uint8Array[], rate: number): Promise<void> {
  const t0 = performance.now();
  let i = 0;
  while (i < fs.length) {
    const due = Math.min(fs.length, Math.floor(((performance.now() - t0) / 1000) * rate) + 1);
    for (; i < due; i++) sock.send(fs[i], LOOPBACK, NCR_PORT);
    if (i < fs.length) await sleep(5);
  }
}

/** SOA serials of the two zones, asked over UDP (one socket, no dig process per poll). */
class Serials {
  readonly #s = dgram.createSocket("udp4");
  #id = 1;
  #waiting = new Map<number, (serial: number) => void>();
  constructor() {
    this.#s.on("message", (m: Uint8Array) => {
      try {
        const d = decodeMessage(new Uint8Array(m));
        const soa = d.answer.find((r) => r.type === 6);
        const r = this.#waiting.get(d.id);
        if (soa && r) r(new DataView(soa.rdata.buffer, soa.rdata.byteOffset).getUint32(soa.rdata.length - 20));
      } catch { /* not an answer we understand: the poll retries */ }
    });
  }
  async get(zone: string): Promise<number> {
    const id = this.#id = (this.#id + 1) & 0xffff;
    const q = encodeMessage({
      id,
      qr: false,
      opcode: 0,
      flags: 0,
      rcode: 0,
      question: [{ name: zone, type: 6, class: 1 }],
      answer: [],
      authority: [],
      additional: [],
    });
    const p = new Promise<number>((r) => this.#waiting.set(id, r));
    this.#s.send(q, DNS_PORT, "127.0.0.1");
    const v = await Promise.race([p, sleep(500).then(() => -1)]);
    this.#waiting.delete(id);
    return v;
  }
  /** forward serial + reverse serial */
  async sum(): Promise<number> {
    const [a, b] = await Promise.all([this.get("lab.test."), this.get("18.198.in-addr.arpa.")]);
    return a < 0 || b < 0 ? -1 : a + b;
  }
  close() {
    this.#s.close();
  }
}

/**
 * Waits until the zones' serials have grown by `updates` from `base`, or have not moved for `quietMs`. Returns the
 * time (performance.now) of the last growth seen and the growth.
 */
async function waitApplied(s: Serials, base: number, updates: number, quietMs: number) {
  let last = base, lastAt = performance.now();
  for (;;) {
    const v = await s.sum();
    const now = performance.now();
    if (v > last) {
      last = v;
      lastAt = now;
    }
    if (last - base >= updates || now - lastAt > quietMs) return { at: lastAt, grown: last - base };
    await sleep(10);
  }
}

/** Counts records of a type whose owner starts with `prefix` (AXFR by dig). */
async function axfrCount(zone: string): Promise<string[]> {
  const o = await new Deno.Command("dig", {
    args: ["+noall", "+answer", "+tcp", "-p", String(DNS_PORT), "@127.0.0.1", zone, "AXFR"],
    stdout: "piped",
  }).output();
  return new TextDecoder().decode(o.stdout).split("\n");
}

/**
 * PERF=DIR: `perf record -g` attached to weka's process for the measured part of a step (every thread, kernel
 * included; JIT frames named through --perf-basic-prof), written to DIR/weka-STEP.data. Not counted in the CPU.
 */
function perfRecord(pid: number, label: string) {
  const out = `${Deno.env.get("PERF")}/weka-${label.replace(/[^a-z0-9]/g, "")}.data`;
  const p = new Deno.Command("perf", {
    args: ["record", "-g", "-F", "2000", "-p", String(pid), "-o", out],
    stdout: "null",
    stderr: "null",
  }).spawn();
  return {
    async stop() {
      p.kill("SIGINT");
      await p.status;
    },
  };
}

interface Result {
  server: Server;
  step: string;
  sent: number;
  cpuUs: number;
  /** CPU µs per NCR whose records BIND holds (= cpuUs when all were applied) */
  cpuApplied?: number;
  rate: number;
  secs: number;
  records?: string;
  complete?: boolean;
  timeouts: number;
  threads?: string;
}

async function runStep(server: Server, step: { rate: number; n: number; label: string }): Promise<Result> {
  const onDisk = Deno.env.get("BENCH_BIND_DISK") === "1";
  const bind = await startBind("127.0.0.1", DNS_PORT, onDisk ? undefined : "/dev/shm");
  const dir = await Deno.makeTempDir({ prefix: "wkd-d2bench-" });
  const log = `${dir}/${server}.log`;
  await Deno.writeTextFile(
    `${dir}/d2.json`,
    JSON.stringify(
      labD2Config(NCR_PORT, DNS_PORT, {
        output_options: [{ output: log }],
        severity: Deno.env.get("BENCH_SEVERITY") ?? "INFO",
      }),
    ),
  );
  const d2 = server === "kea"
    ? new Deno.Command("kea-dhcp-ddns", { args: ["-c", `${dir}/d2.json`], stdout: "null", stderr: "null" }).spawn()
    : new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        ...(Deno.env.get("CPUPROF") ? ["--cpu-prof", `--cpu-prof-dir=${Deno.env.get("CPUPROF")}`] : []),
        ...(Deno.env.get("PERF") && server === "weka" ? ["--v8-flags=--perf-basic-prof"] : []),
        ...(Deno.env.get("BENCH_V8FLAGS") && server === "weka" ? [`--v8-flags=${Deno.env.get("BENCH_V8FLAGS")}`] : []),
        server === "base" ? BASELINE! : MAIN,
        "ddns",
        "-c",
        `${dir}/d2.json`,
      ],
      stdout: "null",
      stderr: "inherit",
    }).spawn();
  const sock = UdpSocket4.open({ port: 0, bindAddr: LOOPBACK, bindToDevice: false, broadcast: true });
  const serials = new Serials();
  let r: Result | undefined;
  try {
    for (let i = 0; i < 300; i++) {
      const text = await Deno.readTextFile(log).catch(() => "");
      if (text.includes("DHCP_DDNS_STARTED")) break;
      if (i === 299) throw new Error(`${server} did not start`);
      await sleep(20);
    }
    // warm-up: 300 NCRs at 500/s, applied before measuring (weka's JIT; both daemons' first zone writes)
    const base0 = await serials.sum();
    await send(sock, frames("w", 60000, 300), 500);
    await waitApplied(serials, base0, 600, 3000);
    await sleep(200);
    const prefix = `s${step.label.replace(/[^a-z0-9]/g, "")}x`;
    const fs = frames(prefix, 0, step.n);
    const base = await serials.sum();
    const threads0 = Deno.env.get("BENCH_THREADS") === "1" ? await cpuByThread(d2.pid) : undefined;
    const perf = Deno.env.get("PERF") && server === "weka" ? perfRecord(d2.pid, step.label) : undefined;
    const cpu0 = await cpuMs(d2.pid);
    const t0 = performance.now();
    await send(sock, fs, step.rate);
    const done = await waitApplied(serials, base, 2 * step.n, 3000);
    const cpu = (await cpuMs(d2.pid)) - cpu0;
    await perf?.stop();
    const secs = (done.at - t0) / 1000;
    r = {
      server,
      step: step.label,
      sent: step.n,
      cpuUs: (cpu * 1000) / step.n,
      rate: done.grown / 2 / secs,
      secs,
      timeouts: 0,
    };
    // every A, PTR and both DHCIDs present?
    const fwd = await axfrCount("lab.test"), rev = await axfrCount("18.198.in-addr.arpa");
    const owners = new Set(fs.map((_, i) => host(prefix, i).fqdn)),
      revs = new Set(fs.map((_, i) => host(prefix, i).rev));
    const count = (lines: string[], set: Set<string>, type: string) =>
      lines.filter((l) => {
        const f = l.split(/\s+/);
        return f[3] === type && set.has(f[0]);
      }).length;
    const a = count(fwd, owners, "A"), fd = count(fwd, owners, "DHCID");
    const ptr = count(rev, revs, "PTR"), rd = count(rev, revs, "DHCID");
    r.complete = a === step.n && fd === step.n && ptr === step.n && rd === step.n;
    r.records = `A ${a} DHCID ${fd} PTR ${ptr} DHCID ${rd}`;
    if (!r.complete) r.rate = Math.min(a, ptr) / secs;
    // a daemon that drops part of a burst (Kea's 1024-entry queue) spends nothing on what it dropped
    r.cpuApplied = (cpu * 1000) / Math.max(1, Math.min(a, ptr));
    if (threads0) {
      r.threads = [...await cpuByThread(d2.pid)].map(([k, v]) => `${k}=${v - (threads0.get(k) ?? 0)}`).join(" ");
    }
    return r;
  } finally {
    serials.close();
    sock.close();
    d2.kill("SIGTERM");
    // Kea 2.2's D2 can hang in shutdown with transactions pending: give it 3 s, then SIGKILL
    const t = setTimeout(() => {
      try {
        d2.kill("SIGKILL");
      } catch { /* gone */ }
    }, 3000);
    await d2.status;
    clearTimeout(t);
    await bind.stop();
    const text = await Deno.readTextFile(log).catch(() => "");
    if (r) r.timeouts = text.split("\n").filter((l) => /_IO_ERROR /.test(l)).length;
    await Deno.remove(dir, { recursive: true });
  }
}

async function benchmark(): Promise<void> {
  const secs = Number(Deno.args[0] ?? 4);
  const rates = Deno.args.length > 1 ? Deno.args.slice(1).map(Number) : [250, 500, 1000];
  const burst = Number(Deno.env.get("BENCH_BURST") ?? 2000);
  const rounds = Number(Deno.env.get("BENCH_ROUNDS") ?? 1);
  const haveKea = (await new Deno.Command("sh", { args: ["-c", "command -v kea-dhcp-ddns"], stdout: "null" }).output())
    .code === 0;
  const only = Deno.env.get("BENCH_SERVERS");
  const servers: Server[] = (["weka", "kea", "base"] as Server[]).filter((s) =>
    (!only || only.split(",").includes(s)) && (s === "weka" || (s === "kea" && haveKea) || (s === "base" && BASELINE))
  );
  const steps = [
    ...rates.map((rate) => ({ rate, n: Math.round(rate * secs), label: `${rate}/s` })),
    ...(burst > 0 ? [{ rate: 10000, n: burst, label: `burst${burst}` }] : []),
  ];
  console.log(
    `bench:d2 — ${servers.join(" vs ")}, ${secs} s per rate, burst ${burst}, BIND on ${
      Deno.env.get("BENCH_BIND_DISK") === "1" ? "disk" : "/dev/shm"
    }, ${rounds} round(s)`,
  );
  const all: Result[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const [k, step] of steps.entries()) {
      // alternate who goes first, so neither always runs on the warmer (or the busier) machine
      const order = (k + round) % 2 ? [...servers].reverse() : servers;
      for (const server of order) {
        const r = await runStep(server, step);
        all.push(r);
        console.log(
          `${server.padEnd(4)} ${step.label.padEnd(10)} sent ${String(r.sent).padStart(5)}: ` +
            `CPU ${r.cpuUs.toFixed(0).padStart(4)} µs/NCR${
              r.complete ? "" : ` (${r.cpuApplied?.toFixed(0)} per applied)`
            }, ${r.rate.toFixed(0).padStart(5)} NCR/s applied, ` +
            `done ${r.secs.toFixed(2)} s after the first; ${r.records}${r.complete ? " (all)" : " (INCOMPLETE)"}; ` +
            `${r.timeouts} timeouts logged${r.threads ? `; threads ${r.threads}` : ""}`,
        );
      }
    }
  }
  if (!servers.includes("kea")) return;
  console.log("\nratios to Kea (median over rounds; CPU ≤ 1.00 meets the goal):");
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const step of steps) {
    const of = (s: Server) => all.filter((r) => r.server === s && r.step === step.label);
    const k = of("kea");
    const kc = median(k.map((r) => r.cpuUs)), kr = median(k.map((r) => r.rate));
    for (const s of servers.filter((s) => s !== "kea")) {
      const w = of(s);
      const wc = median(w.map((r) => r.cpuUs)), wr = median(w.map((r) => r.rate));
      const wa = median(w.map((r) => r.cpuApplied ?? r.cpuUs)), ka = median(k.map((r) => r.cpuApplied ?? r.cpuUs));
      const applied = wa !== wc || ka !== kc
        ? `; per applied NCR ${s} ${wa.toFixed(0)} / Kea ${ka.toFixed(0)} = ${(wa / ka).toFixed(2)}`
        : "";
      console.log(
        `${step.label.padEnd(10)} CPU µs/NCR ${s} ${wc.toFixed(0)} / Kea ${kc.toFixed(0)} = ${(wc / kc).toFixed(2)}; ` +
          `NCR/s ${s} ${wr.toFixed(0)} / Kea ${kr.toFixed(0)} = ${(wr / kr).toFixed(2)}${applied}`,
      );
    }
  }
}

if (Deno.env.get("WEKA_D2_BENCH_INNER") !== "1") Deno.exit(await outer());
else await benchmark();
