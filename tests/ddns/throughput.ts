/**
 * Throughput of `weka ddns` against a real BIND: N NCRs sent as one burst by ../shared/lab/ncrblast.py (Kea's wire
 * format, to 127.0.0.1:53001), timed until every A and PTR record is in the zones. Run it inside a network
 * namespace of its own so port 53001 is private:
 *   ip netns add wkd-perf; ip -n wkd-perf link set lo up
 *   ip netns exec wkd-perf deno run -A tests/ddns/throughput.ts 500 2000
 * KEA=1 runs real kea-dhcp-ddns instead (same config, same BIND); SEV=WARN turns per-request INFO lines off;
 * JOURNAL=1 gives weka its durable queue (WEKA_DDNS_JOURNAL); LOGOUT=stdout logs to (discarded) stdout instead of a file;
 * THREADS=1 prints the D2 process's CPU per thread name at the end; CPUPROF=DIR writes a V8 CPU profile of the weka D2 process into DIR (deno --cpu-prof).
 * Each line gives NCR/s and the D2 process's CPU per NCR (/proc/PID/stat utime+stime before and after the burst).
 * Prints one line per burst size. Not a test.
 */
import { labD2Config, startBind } from "./bind_harness.ts";

const PORT = 15355;
const blast = new URL("../../../shared/lab/ncrblast.py", import.meta.url).pathname;
const sizes = Deno.args.length ? Deno.args.map(Number) : [500];
const bind = await startBind("127.0.0.1", PORT);
const dir = await Deno.makeTempDir({ prefix: "wkd-perf-" });
const cfg = labD2Config(53001, PORT, {
  output_options: [{ output: Deno.env.get("LOGOUT") ?? `${dir}/d2.log` }],
  severity: Deno.env.get("SEV") ?? "INFO",
});
await Deno.writeTextFile(`${dir}/d2.json`, JSON.stringify(cfg));
// KEA=1 runs the real kea-dhcp-ddns with the same file instead, for a side-by-side figure
const d2 = Deno.env.get("KEA")
  ? new Deno.Command("kea-dhcp-ddns", { args: ["-c", `${dir}/d2.json`], stdout: "null", stderr: "inherit" }).spawn()
  : new Deno.Command("deno", {
    args: [
      "run",
      "-A",
      ...(Deno.env.get("PROF") ? ["--v8-flags=--prof,--logfile=/tmp/wkd-prof.log"] : []),
      ...(Deno.env.get("CPUPROF") ? ["--cpu-prof", `--cpu-prof-dir=${Deno.env.get("CPUPROF")}`] : []),
      new URL("./run_ddns.ts", import.meta.url).pathname,
      `${dir}/d2.json`,
    ],
    stdout: "null",
    stderr: "inherit",
    env: Deno.env.get("JOURNAL") ? { WEKA_DDNS_JOURNAL: `${dir}/journal.kv` } : {},
  }).spawn();
await new Promise((r) => setTimeout(r, 2500));
const count = async (zone: string, type: string, prefix: string) => {
  const o = await new Deno.Command("dig", {
    args: ["+noall", "+answer", "-p", String(PORT), "@127.0.0.1", zone, "AXFR"],
    stdout: "piped",
  }).output();
  return new TextDecoder().decode(o.stdout).split("\n").filter((l) => l.includes(`\t${type}\t`) && l.includes(prefix))
    .length;
};
/** user+system CPU time of a process in ms (/proc/PID/stat fields 14 and 15, in clock ticks of 10 ms). */
async function cpuMs(pid: number): Promise<number> {
  const f = (await Deno.readTextFile(`/proc/${pid}/stat`)).split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) * 10;
}
try {
  for (const [i, n] of sizes.entries()) {
    const prefix = `b${i}x`;
    const cpu0 = await cpuMs(d2.pid);
    const t0 = performance.now();
    const out = await new Deno.Command("python3", { args: [blast, String(n), prefix], stdout: "piped" }).output();
    const sent = new TextDecoder().decode(out.stdout).trim();
    const lastIp = `198.18.${9 + Math.floor((n - 1) / 250)}.${1 + ((n - 1) % 250)}`;
    const lastRev = lastIp.split(".").reverse().join(".") + ".in-addr.arpa";
    let a = 0, ptr = 0;
    const dig1 = async (name: string, type: string) => {
      const o = await new Deno.Command("dig", {
        args: ["+short", "-p", String(PORT), "@127.0.0.1", name, type],
        stdout: "piped",
      }).output();
      return new TextDecoder().decode(o.stdout).trim() !== "";
    };
    // cheap polling on the last request's records, then a zone transfer to count everything
    for (
      let i = 0;
      i < 600 && !((await dig1(`${prefix}${n - 1}.lab.test`, "A")) && (await dig1(lastRev, "PTR")));
      i++
    ) {
      await new Promise((r) => setTimeout(r, 10));
    }
    let tEnd = performance.now();
    for (let i = 0; i < 50; i++) {
      a = await count("lab.test", "A", prefix);
      ptr = await count("18.198.in-addr.arpa", "PTR", prefix);
      if (a >= n && ptr >= n) break;
      await new Promise((r) => setTimeout(r, 100));
      tEnd = performance.now();
    }
    const secs = (tEnd - t0) / 1000;
    const cpu = (await cpuMs(d2.pid)) - cpu0;
    console.log(
      `burst ${n}: ${sent}; applied A=${a} PTR=${ptr} in ${secs.toFixed(2)} s = ${
        (Math.min(a, ptr) / secs).toFixed(0)
      } NCR/s` +
        `; D2 CPU ${(cpu / n * 1000).toFixed(0)} µs/NCR`,
    );
  }
  if (Deno.env.get("THREADS")) {
    // where the D2 process's CPU went, per thread (main JS thread, tokio blocking pool for FFI waits, V8 workers)
    const by = new Map<string, number>();
    for await (const t of Deno.readDir(`/proc/${d2.pid}/task`)) {
      const st = await Deno.readTextFile(`/proc/${d2.pid}/task/${t.name}/stat`).catch(() => "");
      if (!st) continue;
      const name = st.slice(st.indexOf("(") + 1, st.lastIndexOf(")")).replace(/[0-9]+$/, "#");
      const f = st.split(") ")[1].split(" ");
      by.set(name, (by.get(name) ?? 0) + (Number(f[11]) + Number(f[12])) * 10);
    }
    console.log(`D2 CPU ms by thread since start: ${[...by].map(([k, v]) => `${k}=${v}`).join(" ")}`);
  }
} finally {
  d2.kill("SIGTERM");
  await d2.status;
  const log = await Deno.readTextFile(`${dir}/d2.log`).catch(() => "");
  const errors = log.split("\n").filter((l) => / (ERROR|WARN) /.test(l));
  console.log(
    `d2 log: ${log.split("\n").length - 1} lines, ${errors.length} WARN/ERROR`,
    errors.slice(0, 3).join("\n"),
  );
  await bind.stop();
  await Deno.remove(dir, { recursive: true });
}
