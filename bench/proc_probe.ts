/**
 * What the footprint and scale benchmarks (bench/footprint.ts, bench/scale.ts) observe of a server process from the
 * outside: its resident memory (/proc/PID/status), the time from spawn to a log line, the time to its first answered
 * DHCPv4 DISCOVER, and the modules its V8 isolate has parsed (asked over the inspector protocol: every script V8
 * compiled, by origin). Benchmarks only; nothing here is imported by mod/.
 */
import dgram from "node:dgram";
import { relayedQuery } from "./relayed_query.ts";

/** Resident memory of a process in KiB: total, anonymous (heaps), file-backed (the mapped executable), the peak. */
export interface Rss {
  rss: number;
  anon: number;
  file: number;
  hwm: number;
}

/** Reads /proc/PID/status; NaN fields when the process is gone. */
export async function rssOf(pid: number): Promise<Rss> {
  const text = await Deno.readTextFile(`/proc/${pid}/status`).catch(() => "");
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? NaN);
  return { rss: kb("VmRSS"), anon: kb("RssAnon"), file: kb("RssFile"), hwm: kb("VmHWM") };
}

/** CPU seconds (user + system, every thread) the process has used so far. */
export async function cpuSeconds(pid: number | "self"): Promise<number> {
  try {
    const f = (await Deno.readTextFile(`/proc/${pid}/stat`)).split(") ")[1].split(" ");
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

/** A child process whose output is kept, with the time its lines were first seen. */
export class Proc {
  readonly t0 = performance.now();
  readonly child: Deno.ChildProcess;
  out = "";
  private readonly waits: { re: RegExp; resolve: (ms: number) => void }[] = [];
  private readonly done: Promise<unknown>;

  constructor(cmd: string[], env?: Record<string, string>) {
    this.child = new Deno.Command(cmd[0], { args: cmd.slice(1), env, stdout: "piped", stderr: "piped" }).spawn();
    const dec = new TextDecoder();
    const pump = async (s: ReadableStream<Uint8Array>) => {
      for await (const c of s) {
        this.out += dec.decode(c, { stream: true });
        const ms = performance.now() - this.t0;
        for (const w of this.waits.splice(0)) {
          if (w.re.test(this.out)) w.resolve(ms);
          else this.waits.push(w);
        }
      }
    };
    this.done = Promise.all([pump(this.child.stdout), pump(this.child.stderr)]);
  }

  get pid(): number {
    return this.child.pid;
  }

  /** Milliseconds from spawn until the output matched `re` (rejects after `timeoutMs` or when the process ends). */
  until(re: RegExp, timeoutMs = 60_000): Promise<number> {
    if (re.test(this.out)) return Promise.resolve(performance.now() - this.t0);
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timeout waiting for ${re}:\n${this.out.slice(-2000)}`)),
        timeoutMs,
      );
      this.child.status.then((s) => {
        clearTimeout(timer);
        reject(new Error(`exited (${s.code}) before ${re}:\n${this.out.slice(-2000)}`));
      });
      this.waits.push({
        re,
        resolve: (ms) => {
          clearTimeout(timer);
          resolve(ms);
        },
      });
    });
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code once the output is read. */
  async stop(graceMs = 10_000): Promise<number> {
    try {
      this.child.kill("SIGTERM");
    } catch { /* gone */ }
    const timer = setTimeout(() => {
      try {
        this.child.kill("SIGKILL");
      } catch { /* gone */ }
    }, graceMs);
    const st = await this.child.status;
    clearTimeout(timer);
    await this.done;
    return st.code;
  }
}

/**
 * Sends relayed DISCOVERs (giaddr 198.18.0.100, a new xid every `everyMs`) to 127.0.0.1:`port` from
 * 127.0.0.1:`port`+1, where `weka dhcp4 -p PORT` sends its answers; resolves with the time (ms, on the caller's
 * `performance.now()` clock) the first OFFER arrived.
 */
export function firstOffer(port: number, everyMs = 2, timeoutMs = 30_000): Promise<number> {
  const sock = dgram.createSocket("udp4");
  return new Promise<number>((resolve, reject) => {
    let xid = 1;
    let timer: ReturnType<typeof setInterval> | undefined;
    const end = (f: () => void) => {
      clearInterval(timer);
      clearTimeout(limit);
      sock.close();
      f();
    };
    const limit = setTimeout(() => end(() => reject(new Error("no OFFER"))), timeoutMs);
    sock.on("message", (m: Uint8Array) => {
      if (m[0] === 2) end(() => resolve(performance.now()));
    });
    sock.bind(port + 1, "127.0.0.1", () => {
      timer = setInterval(() => sock.send(relayedQuery(xid++, 1), port, "127.0.0.1"), everyMs);
    });
  });
}

/** Modules a V8 isolate has parsed, by origin: the program's own (by mod/ folder), npm packages, the runtime's. */
export interface ModuleCount {
  total: number;
  own: number;
  npm: number;
  runtime: number;
  /** own modules per mod/ folder, npm scripts per package */
  groups: Record<string, number>;
}

/**
 * Connects to the inspector of a process started with `--inspect=127.0.0.1:PORT` and counts the scripts V8 has
 * parsed so far (Debugger.enable replays a scriptParsed event for each).
 */
export async function parsedModules(port: number): Promise<ModuleCount> {
  const list = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const ws = new WebSocket(list[0].webSocketDebuggerUrl);
  await new Promise((r, j) => {
    ws.onopen = r;
    ws.onerror = j;
  });
  const urls: string[] = [];
  const enabled = Promise.withResolvers<void>();
  ws.onmessage = (e) => {
    const m = JSON.parse(e.data);
    if (m.method === "Debugger.scriptParsed") urls.push(m.params.url);
    if (m.id === 1) enabled.resolve();
  };
  ws.send(JSON.stringify({ id: 1, method: "Debugger.enable" }));
  await enabled.promise;
  await new Promise((r) => setTimeout(r, 300));
  ws.close();
  const count: ModuleCount = { total: 0, own: 0, npm: 0, runtime: 0, groups: {} };
  for (const u of new Set(urls)) {
    if (!u) continue;
    count.total++;
    let g: string | undefined;
    if (u.includes("/npm/registry.npmjs.org/")) {
      count.npm++;
      const p = u.split("/npm/registry.npmjs.org/")[1].split("/");
      g = "npm:" + (p[0].startsWith("@") ? `${p[0]}/${p[1]}` : p[0]);
    } else if (u.startsWith("file://")) {
      count.own++;
      const m = /\/mod\/([^/]+)\//.exec(u);
      g = m ? m[1] : "(entry)";
    } else count.runtime++;
    if (g) count.groups[g] = (count.groups[g] ?? 0) + 1;
  }
  return count;
}

/** "a=1 b=2" of a group table, largest first. */
export function formatGroups(groups: Record<string, number>): string {
  return Object.entries(groups).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}=${v}`).join(" ");
}

/** MiB with one decimal, from KiB. */
export const mib = (kib: number) => (kib / 1024).toFixed(1);

/** CPU ticks (1/100 s) per thread name: [user+system, system]. */
export async function threadCpu(pid: number): Promise<Map<string, [number, number]>> {
  const m = new Map<string, [number, number]>();
  for await (const t of Deno.readDir(`/proc/${pid}/task`)) {
    const st = await Deno.readTextFile(`/proc/${pid}/task/${t.name}/stat`).catch(() => "");
    if (!st) continue;
    const name = st.slice(st.indexOf("(") + 1, st.lastIndexOf(")"));
    const f = st.slice(st.lastIndexOf(")") + 2).split(" ");
    const [all, sys] = m.get(name) ?? [0, 0];
    m.set(name, [all + Number(f[11]) + Number(f[12]), sys + Number(f[12])]);
  }
  return m;
}

/** "name µs(kernel µs)" per thread between two {@link threadCpu} readings, per unit of `n` (DORAs, updates), busiest first. */
export function threadDelta(a: Map<string, [number, number]>, b: Map<string, [number, number]>, n: number): string {
  const us = (ticks: number) => Math.round(ticks * 10_000 / Math.max(1, n));
  return [...b].map(([name, [all, sys]]) =>
    [name, all - (a.get(name)?.[0] ?? 0), sys - (a.get(name)?.[1] ?? 0)] as const
  )
    .filter(([, all]) => all > 0).sort((x, y) => y[1] - x[1])
    .map(([name, all, sys]) => `${name} ${us(all)}(${us(sys)})`).join(", ");
}

/**
 * Datagrams the kernel of lab host `host` dropped because a UDP socket's receive buffer was full (RcvbufErrors of
 * /proc/net/snmp, counted per network namespace): read before and after a step, it tells whether a "drop" perfdhcp
 * reports was lost at the server or at the generator, which on two shared cores may not read its socket in time.
 */
export async function udpRcvbufErrors(
  lab: { run(host: string, cmd: string[]): Promise<{ stdout: string }> },
  host: string,
): Promise<number> {
  const lines = (await lab.run(host, ["cat", "/proc/net/snmp"])).stdout.split("\n").filter((l) => l.startsWith("Udp:"));
  if (lines.length < 2) return 0;
  const keys = lines[0].split(/\s+/), vals = lines[1].split(/\s+/);
  return Number(vals[keys.indexOf("RcvbufErrors")] ?? 0);
}
