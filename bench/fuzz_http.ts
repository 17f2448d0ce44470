/**
 * `deno task bench:fuzz-http [REQUESTS] [SEED]`: the HTTP fuzz at scale (default 100 000 requests): a real
 * `weka dhcp4 --port P` with an authenticated HTTP control socket and an HA listener (tests/control/http_fuzz_test.ts
 * builds the same server), hostile requests from tests/control/http_fuzz.ts split over both, stalled half requests
 * held open throughout. Prints the answers by status, the server's RSS every 25 000 requests (bounded = it levels
 * off), and whether the server still answers a control command and a DHCP client afterwards. No root needed.
 */
import { sendHttp } from "../mod/control/client.ts";
import { freePort, RelayClient, WekaProcess } from "../tests/control/helpers.ts";
import { fuzzHttp } from "../tests/control/http_fuzz.ts";
import { fuzzConfig, rssKiB } from "../tests/control/http_fuzz_test.ts";

const total = Number(Deno.args[0] ?? 100_000);
const seed = Number(Deno.args[1] ?? 1);
const dir = await Deno.makeTempDir({ prefix: "wkb-fuzz-" });
const [port, ctrl, ha, backup] = [freePort(), freePort(), freePort(), freePort()];
await Deno.writeTextFile(`${dir}/weka.json`, fuzzConfig(dir, ctrl, ha, backup));
const weka = new WekaProcess(`${dir}/weka.json`, port);
const client = await RelayClient.open(port);
try {
  await weka.waitFor(/DHCP4_STARTED/, 30_000);
  const targets = [
    { port: ctrl, auth: { user: "admin", password: "pw" } },
    { port: ha, auth: { user: "ha1", password: "ha-pw" } },
  ];
  const rss = [rssKiB(weka.pid)];
  console.log(`weka pid ${weka.pid}: RSS ${rss[0]} KiB before; ${total} requests, seed ${seed}`);
  const step = 25_000;
  const sum: Record<string, number> = {};
  let waited = 0, refused = 0, ms = 0;
  for (let done = 0; done < total; done += step) {
    const r = await fuzzHttp(targets, Math.min(step, total - done), { seed: seed + done, concurrency: 64 });
    for (const [k, v] of Object.entries(r.statuses)) sum[k] = (sum[k] ?? 0) + v;
    waited += r.waited;
    refused += r.connectFailures;
    ms += r.ms;
    rss.push(rssKiB(weka.pid));
    console.log(`  ${done + Math.min(step, total - done)} requests: RSS ${rss.at(-1)} KiB`);
  }
  const alive = await Promise.race([weka.status.then(() => false), new Promise((r) => setTimeout(() => r(true), 50))]);
  const ans = await sendHttp(`http://127.0.0.1:${ctrl}/`, '{"command": "status-get"}', {
    user: "admin",
    password: "pw",
    timeoutMs: 5000,
  }).catch((e) => ({ status: 0, text: String(e) }));
  const lease = await client.dora("02:fe:00:00:00:01");
  console.log(`answers by status: ${JSON.stringify(sum)}; waited ${waited}; refused connects ${refused}`);
  console.log(`${total} requests in ${ms} ms (${Math.round(total / (ms / 1000))}/s); process alive: ${alive}`);
  console.log(
    `RSS KiB: ${rss.join(" → ")} (growth over the second half: ${rss.at(-1)! - rss[Math.floor(rss.length / 2)]})`,
  );
  console.log(`afterwards: status-get HTTP ${ans.status}; DHCP lease ${lease ?? "none"}`);
  console.log(`crashes: ${alive ? 0 : 1}; hangs: ${ans.status === 200 ? 0 : 1}`);
} finally {
  client.close();
  await weka.stop("SIGTERM");
  await Deno.remove(dir, { recursive: true });
}
