/**
 * `sudo deno task bench:cpu [RATE] [SECONDS]`: where a DHCPv4 server's CPU goes at a steady DORA rate (issue 16,
 * "CPU per DORA at light load"). perfdhcp sends RATE DORA/s (unicast relayed to 198.18.0.1, udp sockets) for
 * SECONDS to weka and then to kea-dhcp4 2.2 (when installed), each with a fresh lease file, in the project's
 * namespace lab; before and after, every thread of the server is read from /proc/PID/task/TID/stat. It prints the
 * CPU seconds per thread name (user+system, and the system part) and the total µs per DORA. For weka the threads
 * are the JavaScript thread (`deno`), the Deno KV SQLite writer (`sw-0`), the tokio pool that runs the poll(2)
 * waits (`tokio-runtime-w`) and V8's helpers (`V8 DefaultWorke`: GC, compilation).
 * BENCH_KEA=off skips Kea. Needs root, iproute2 and kea-admin (perfdhcp).
 */
import { Lab } from "../tests/e2e/lab.ts";
import { perfdhcp } from "../tests/e2e/perfdhcp.ts";
import { threadCpu as threads } from "./proc_probe.ts";
import { startLabServer } from "./latency.ts";

const rate = Number(Deno.args[0] ?? 1000);
const secs = Number(Deno.args[1] ?? 10);

async function run(lab: Lab, server: "weka" | "kea"): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: `cpu-${server}-` });
  const srv = await startLabServer(lab, server, dir);
  try {
    await new Promise((r) => setTimeout(r, 3000));
    const before = await threads(srv.pid);
    const r = await perfdhcp(lab, rate, secs, { server: "198.18.0.1" });
    const after = await threads(srv.pid);
    let total = 0;
    const rows: string[] = [];
    for (const [name, [all, sys]] of after) {
      const [a0, s0] = before.get(name) ?? [0, 0];
      if (all - a0 === 0) continue;
      total += all - a0;
      rows.push(`  ${name.padEnd(16)} ${((all - a0) / 100).toFixed(2)} s (system ${((sys - s0) / 100).toFixed(2)} s)`);
    }
    const exchanges = r.rate * secs;
    console.log(
      `${server} ${rate}/s for ${secs} s: ${(total / 100).toFixed(2)} s of CPU, ` +
        `${(total * 1e4 / exchanges).toFixed(0)} µs/DORA (drops ${r.doDrop}%/${r.raDrop}%)`,
    );
    for (const row of rows) console.log(row);
  } finally {
    await srv.stop("SIGTERM", 5000);
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  const why = Lab.available();
  if (why) {
    console.error(`cpu_threads: ${why}`);
    Deno.exit(1);
  }
  const lab = await Lab.up("wkt-");
  try {
    await run(lab, "weka");
    const kea = (await new Deno.Command("sh", { args: ["-c", "command -v kea-dhcp4"] }).output()).success;
    if (kea && Deno.env.get("BENCH_KEA") !== "off") await run(lab, "kea");
  } finally {
    await lab.down();
  }
}
