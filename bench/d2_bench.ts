/**
 * Micro-benchmark of weka's D2 transaction path: `deno task bench:d2-micro [N] [ROUNDS]`.
 * N framed NameChangeRequests (Kea's wire format, add, forward + reverse, check-with-dhcid: 2 UPDATEs each) go
 * through NCR decode → D2Service (queue, transaction state machine) → UPDATE encode → TSIG sign → UDP send →
 * answer decode → TSIG verify, against a fake DNS server on 127.0.0.1 in a Worker (its own thread) that answers
 * every UPDATE with NOERROR and a valid TSIG over the request MAC. The D2 side logs at INFO to a temporary file as
 * `weka ddns` does (LOG=none: no logger). Prints wall NCR/s and the CPU of the D2 thread per NCR, whose inverse is
 * the NCR/s one core could sustain. Loopback only; bounded in count and time. Not a test.
 */
import process from "node:process";

if (import.meta.url.endsWith("?server")) await fakeServer();
else await main();

async function fakeServer(): Promise<void> {
  const dgram = (await import("node:dgram")).default;
  const { decodeMessage, encodeMessage } = await import("../mod/ddns/dns/message.ts");
  const { signMessage, verifyMessage } = await import("../mod/ddns/dns/tsig.ts");
  const { compileD2Config } = await import("../mod/config/compile_d2.ts");
  const { labD2Config } = await import("../tests/ddns/bind_harness.ts");
  const keys = compileD2Config(labD2Config(0, 53, {}).DhcpDdns).keys;
  const s = dgram.createSocket("udp4");
  s.on("message", (m: Uint8Array, r: { address: string; port: number }) => {
    try {
      answer(new Uint8Array(m), r);
    } catch (e) {
      console.error(`fake DNS server: ${(e as Error).stack}`);
      Deno.exit(1);
    }
  });
  const answer = (bytes: Uint8Array, r: { address: string; port: number }) => {
    const req = decodeMessage(bytes);
    const rr = req.additional.at(-1);
    const key = rr && keys.get(rr.name.toLowerCase());
    if (!key) throw new Error(`fake DNS server: unknown key ${rr?.name}`);
    const v = verifyMessage(bytes, key, { now: Math.floor(Date.now() / 1000), decoded: req });
    if (!v.ok) throw new Error(`fake DNS server: bad request TSIG: ${v.reason}`);
    const resp = encodeMessage({
      ...req,
      qr: true,
      rcode: 0,
      answer: [],
      authority: [],
      additional: [],
    });
    const signed = signMessage(resp, key, { now: Math.floor(Date.now() / 1000), requestMac: v.mac });
    s.send(signed.bytes, r.port, r.address);
  };
  // this module runs as a Worker here: postMessage goes to the benchmark's thread
  const post = (globalThis as unknown as { postMessage(m: unknown): void }).postMessage;
  s.bind(0, "127.0.0.1", () => post({ port: s.address().port }));
}

/** user+system CPU of the calling thread in ms (/proc/thread-self/stat fields 14 and 15, 10 ms ticks). */
function threadCpuMs(): number {
  const f = Deno.readTextFileSync("/proc/thread-self/stat").split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) * 10;
}

async function main(): Promise<void> {
  const { compileD2Config } = await import("../mod/config/compile_d2.ts");
  const { openDnsClient } = await import("../mod/ddns/d2/dns_client.ts");
  const { D2Service } = await import("../mod/ddns/d2/service.ts");
  const { decodeNcr, encodeNcr } = await import("../mod/ddns/ncr/ncr.ts");
  const { setupLogging } = await import("../mod/log/logger.ts");
  const { labD2Config } = await import("../tests/ddns/bind_harness.ts");
  const n = Number(Deno.args[0] ?? 5000);
  const rounds = Number(Deno.args[1] ?? 3);
  const worker = new Worker(new URL("?server", import.meta.url), { type: "module" });
  worker.onerror = (e) => {
    console.error(`fake DNS server failed: ${e.message}`);
    Deno.exit(1);
  };
  const port = await new Promise<number>((r) => (worker.onmessage = (e) => r(e.data.port)));
  const dir = await Deno.makeTempDir({ prefix: "wkd-bench-" });
  const cfg = compileD2Config(labD2Config(0, port, { output_options: [{ output: `${dir}/d2.log` }] }).DhcpDdns);
  const nolog = Deno.env.get("LOG") === "none";
  const log = nolog
    ? { debug() {}, info() {}, warn() {}, error() {}, infoEnabled: false, debugEnabled: false }
    : await setupLogging([...cfg.loggers], "kea-dhcp-ddns");
  const sender = openDnsClient(2000);
  try {
    for (let round = 0; round <= rounds; round++) {
      // round 0 warms the JIT up and is not printed
      const svc = new D2Service(cfg, sender, log);
      const frames = Array.from({ length: n }, (_, i) =>
        encodeNcr({
          changeType: "add",
          forwardChange: true,
          reverseChange: true,
          fqdn: `r${round}h${i}.lab.test.`,
          ipAddress: `198.18.${9 + Math.floor(i / 250) % 200}.${1 + (i % 250)}`,
          dhcid: Uint8Array.from({ length: 35 }, (_, k) => (k * 7 + i + round) & 0xff),
          leaseExpiresOn: "20261127120000",
          leaseLength: 1200,
          conflictResolutionMode: "check-with-dhcid",
        }));
      const cpu0 = threadCpuMs(), all0 = process.cpuUsage(), t0 = performance.now();
      for (const f of frames) svc.submit(decodeNcr(f));
      await svc.idle();
      const secs = (performance.now() - t0) / 1000, cpu = threadCpuMs() - cpu0, all = process.cpuUsage(all0);
      const ok = svc.stats.get("update-success") ?? 0;
      if (ok !== 2 * n) throw new Error(`round ${round}: ${ok} of ${2 * n} updates succeeded`);
      if (round === 0) continue;
      const us = (cpu * 1000) / n;
      console.log(
        `d2_bench ${n} NCRs (${2 * n} UPDATEs): ${(n / secs).toFixed(0)} NCR/s wall; D2 thread CPU ${us.toFixed(0)}` +
          ` µs/NCR = ${(1e6 / us).toFixed(0)} NCR/s of one core; process (with fake server) ` +
          `${((all.user + all.system) / n).toFixed(0)} µs/NCR`,
      );
    }
  } finally {
    await sender.close();
    worker.terminate();
    await Deno.remove(dir, { recursive: true });
  }
}
