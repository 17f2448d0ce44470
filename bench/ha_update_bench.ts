/**
 * `deno run -A bench/ha_update_bench.ts [SECONDS] [RATES…]`: the cost of the HA lease-update path alone, without a
 * namespace lab (no root): one real `weka dhcp4` (no-root test mode, KV leases, an HA relationship whose partner
 * URL is this benchmark's own dead port) receives `lease4-update` commands on its HA listener from a PeerClient in
 * this process — the same client, HTTP/1.1 connections and commands a weka HA server sends its partner (Kea's
 * lease4-update, one per lease). At each rate it prints the partner's CPU per update (from /proc/PID/stat), this
 * sender's CPU per update, and the round-trip latency (average, p50, p99) from the send to the partner's
 * answer (the partner answers only once the lease is durable in its KV file), and the partner's CPU per thread.
 * Env: BENCH_BURST_MS=N sends the updates due within N ms together (default 1; a DHCP server's receive round
 * makes its updates in bursts like this).
 */
import { PeerClient } from "../mod/ha/peer_client.ts";
import { freePort, WekaProcess } from "../tests/control/helpers.ts";
import { cpuSeconds, threadCpu, threadDelta } from "./proc_probe.ts";

const secs = Number(Deno.args[0] ?? 4);
/** updates due within this many ms are sent together (a DHCP server's receive round: BENCH_BURST_MS, default 1) */
const BURST_MS = Number(Deno.env.get("BENCH_BURST_MS") ?? 1);
const rates = Deno.args.length > 1 ? Deno.args.slice(1).map(Number) : [500, 1500, 3000];

const dir = await Deno.makeTempDir({ prefix: "weka-ha-upd-" });
const dhcp = freePort(), me = freePort(), dead = freePort();
const cfg = `${dir}/partner.json`;
await Deno.writeTextFile(
  cfg,
  JSON.stringify({
    Dhcp4: {
      "interfaces-config": { interfaces: ["lo"] },
      "lease-database": { type: "kv", name: `${dir}/partner.kv` },
      "valid-lifetime": 3600,
      subnet4: [{ id: 1, subnet: "10.0.0.0/8", pools: [{ pool: "10.0.0.1 - 10.255.255.250" }] }],
      "hooks-libraries": [
        { library: "/usr/lib/kea/hooks/libdhcp_lease_cmds.so" },
        {
          library: "/usr/lib/kea/hooks/libdhcp_ha.so",
          parameters: {
            "high-availability": [{
              "this-server-name": "server2",
              mode: "load-balancing",
              "heartbeat-delay": 10_000,
              "max-response-delay": 60_000,
              peers: [
                { name: "server1", url: `http://127.0.0.1:${dead}/`, role: "primary" },
                { name: "server2", url: `http://127.0.0.1:${me}/`, role: "secondary" },
              ],
            }],
          },
        },
      ],
      loggers: [{ name: "kea-dhcp4", "output-options": [{ output: "stdout" }], severity: "WARN" }],
    },
  }),
);
const partner = new WekaProcess(cfg, dhcp);
const client = new PeerClient({
  name: "server2",
  url: `http://127.0.0.1:${me}/`,
  role: "secondary",
  autoFailover: true,
});
try {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await client.send("ha-heartbeat");
      break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error(`the partner did not start:\n${partner.output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  let seq = 0;
  const update = () => {
    const n = seq++;
    const ip = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${(n & 255) || 1}`;
    const mac = [0, 0x0c, (n >> 16) & 255, (n >> 8) & 255, n & 255, 1].map((b) => b.toString(16).padStart(2, "0"));
    return client.send("lease4-update", {
      "ip-address": ip,
      "hw-address": mac.join(":"),
      "valid-lft": 3600,
      expire: Math.floor(Date.now() / 1000) + 3600,
      "subnet-id": 1,
      "fqdn-fwd": false,
      "fqdn-rev": false,
      hostname: "",
      state: 0,
      "force-create": true,
      origin: "ha-partner",
    });
  };
  const i0 = await cpuSeconds(partner.pid);
  await new Promise((r) => setTimeout(r, 2000));
  const idle = (await cpuSeconds(partner.pid)) - i0;
  console.log(`# partner idle: ${(idle * 500).toFixed(0)} ms CPU per second`);
  console.log(`# ${secs} s per rate; partner pid ${partner.pid}, KV leases, lease4-update over the HA listener`);
  for (const rate of rates) {
    const lat: number[] = [];
    let failed = 0;
    const [p0, s0] = [await cpuSeconds(partner.pid), await cpuSeconds("self")];
    const th0 = await threadCpu(partner.pid);
    const t0 = performance.now(), total = Math.round(rate * secs);
    const inflight: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > BURST_MS) await new Promise((r) => setTimeout(r, wait));
      const t = performance.now();
      inflight.push(
        update().then((a) => {
          if (a.result !== 0) failed++;
          lat.push(performance.now() - t);
        }, () => void failed++),
      );
    }
    await Promise.all(inflight);
    const took = (performance.now() - t0) / 1000;
    const [p1, s1] = [await cpuSeconds(partner.pid), await cpuSeconds("self")];
    const th1 = await threadCpu(partner.pid);
    lat.sort((a, b) => a - b);
    const avg = lat.reduce((a, b) => a + b, 0) / (lat.length || 1);
    const q = (f: number) => lat[Math.min(lat.length - 1, Math.floor(lat.length * f))]?.toFixed(2);
    console.log(
      `rate=${rate}/s done=${(total / took).toFixed(0)}/s failed=${failed} rt avg=${avg.toFixed(2)}ms p50=${
        q(0.5)
      }ms p99=${q(0.99)}ms partner cpu=${((p1 - p0) * 1e6 / total).toFixed(0)}µs/update sender cpu=${
        ((s1 - s0) * 1e6 / total).toFixed(0)
      }µs/update`,
    );
    console.log(`  partner threads (µs/update, kernel part): ${threadDelta(th0, th1, total)}`);
  }
} finally {
  client.close();
  await partner.stop();
  await Deno.remove(dir, { recursive: true });
}
