/**
 * `deno task bench:fuzz [--count N] [--seed S] [--rate R] [--no-engine] [--no-lab]`: fuzz at scale (issue 9
 * item 9), not in CI's time. Two parts, each printing its figures:
 *
 * 1. In process (tests/fuzz/drive*.ts): N mutated DHCPv4 queries, N DHCPv6 queries and N NCR datagrams through the
 *    whole packet path of each; every exception is listed with its seed, case and packet hex.
 * 2. In the namespace lab (prefix `wkbf-`, tests/e2e/fuzz_lab.ts): `weka run` (Dhcp4 + Dhcp6 + DhcpDdns, BIND in
 *    the dns host) takes N mutated DHCPv4 queries with raw sockets, N DHCPv6 queries and N NCRs, then is restarted
 *    with udp sockets and takes N DHCPv4 queries more, at R datagrams/s (default 10 000). RSS is sampled every
 *    N/5 datagrams; afterwards the process must be alive, answer its control sockets, have counted no packet
 *    exception and logged no exception line, and serve dhclient -4, dhclient -6 and a valid NCR (its A record
 *    in BIND). A dead process is reported with the seed and the case range of the chunk, to replay in process.
 *
 * Defaults: N = 1 000 000, seed 20260901. Needs root, bind9, dig, isc-dhcp-client for the lab part.
 */
import { parseArgs } from "node:util";
import { Lab, type LabProcess } from "../tests/e2e/lab.ts";
import { until, writeConfig } from "../tests/e2e/weka_proc.ts";
import {
  command,
  dhclient,
  EXCEPTION_LINE,
  fuzzLabConfig,
  fuzzLabMissing,
  labBind,
  rssKiB,
  sendFuzz,
  settled,
  startWekaRun,
  stat,
  udpDrops,
} from "../tests/e2e/fuzz_lab.ts";
import { formatFailure, fuzzEngine4, type FuzzReport } from "../tests/fuzz/drive4.ts";
import { fuzzEngine6 } from "../tests/fuzz/drive6.ts";
import { fuzzD2 } from "../tests/fuzz/drive_ncr.ts";

const { values: o } = parseArgs({
  args: Deno.args,
  options: {
    count: { type: "string", default: "1000000" },
    seed: { type: "string", default: "20260901" },
    rate: { type: "string", default: "10000" },
    "no-engine": { type: "boolean", default: false },
    "no-lab": { type: "boolean", default: false },
  },
});
const N = Number(o.count), SEED = Number(o.seed), RATE = Number(o.rate);
const CHUNK = Math.max(1, Math.ceil(N / 5));
let problems = 0;

function line(s: string): void {
  console.log(s);
}

/** Runs an in-process fuzzer in chunks (progress, bounded failure lists) and prints its figures. */
async function engine(name: string, run: (from: number, n: number) => FuzzReport | Promise<FuzzReport>) {
  const t0 = performance.now();
  const rss0 = Deno.memoryUsage().rss;
  const total = { cases: 0, failures: [] as FuzzReport["failures"], a: 0, b: 0, c: 0 };
  for (let from = 0; from < N; from += CHUNK) {
    const r = await run(from, Math.min(CHUNK, N - from));
    total.cases += r.cases;
    total.failures.push(...r.failures);
    total.a += r.parseFailed, total.b += r.drops, total.c += r.replies;
  }
  const s = (performance.now() - t0) / 1000;
  line(
    `engine ${name}: ${total.cases} cases in ${s.toFixed(1)} s (${Math.round(total.cases / s)}/s): ` +
      `${total.failures.length} exceptions; refused ${total.a}, dropped ${total.b}, answered ${total.c}; ` +
      `bench RSS ${(rss0 / 2 ** 20).toFixed(0)} → ${(Deno.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
  );
  for (const f of total.failures.slice(0, 10)) line(`  ${formatFailure(f)}`);
  problems += total.failures.length;
}

if (!o["no-engine"]) {
  line(`== in process: ${N} cases each, seed ${SEED}`);
  await engine("dhcp4", (from, n) => fuzzEngine4(SEED, n, from));
  await engine("dhcp6", (from, n) => fuzzEngine6(SEED, n, from));
  await engine("d2/ncr", async (from, n) => {
    const r = await fuzzD2(SEED, n, from);
    return {
      cases: r.cases,
      parseFailed: r.invalid,
      drops: 0,
      replies: r.accepted,
      ncrs: 0,
      failures: r.failures,
      ms: r.ms,
    };
  });
}

if (!o["no-lab"]) {
  const why = await fuzzLabMissing();
  if (why) {
    line(`== lab part skipped: ${why}`);
  } else {
    await labPart();
  }
}

line(
  problems === 0 ? "== fuzz benchmark: no crash, no hang, no exception" : `== fuzz benchmark: ${problems} problem(s)`,
);
Deno.exit(problems === 0 ? 0 : 1);

/** The lab part (see the module comment). */
async function labPart(): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "wkbf-fuzz-" });
  const lab = await Lab.up("wkbf-");
  let weka: LabProcess | undefined;
  try {
    const dig = await labBind(lab, dir);
    for (const socketType of ["raw", "udp"] as const) {
      line(`== lab, Dhcp4 ${socketType} sockets: ${N} datagrams of each kind at ${RATE}/s, seed ${SEED}`);
      const cfg = await writeConfig(dir, fuzzLabConfig(dir, socketType, "ERROR"), `weka-${socketType}.json`);
      weka = await startWekaRun(lab, dir, cfg);
      const start = await rssKiB(weka.pid);
      line(`  weka run pid ${weka.pid}: RSS ${start.rss} KiB at start`);
      const kinds: ["dhcp4" | "dhcp6" | "ncr", string, string, number, number][] = [
        ["dhcp4", "cli", "198.18.0.1", 67, socketType === "raw" ? SEED : SEED + 1],
      ];
      if (socketType === "raw") {
        kinds.push(["dhcp6", "relay", "2001:db8:a::1", 547, SEED + 2], ["ncr", "cli", "198.18.0.1", 53001, SEED + 3]);
      }
      for (const [kind, host, server, port, seed] of kinds) {
        const t0 = performance.now();
        let sent = 0;
        for (let from = 0; from < N; from += CHUNK) {
          const n = Math.min(CHUNK, N - from);
          const s = await sendChunk(lab, host, kind, server, port, n, seed, from);
          sent += s;
          if (weka.exited) {
            line(
              `  CRASH: weka exited during ${kind} cases ${from}..${from + n - 1} of seed ${seed}; replay them ` +
                `in process (tests/fuzz/drive*.ts) to find the packet. Output:\n${weka.output.slice(-3000)}`,
            );
            problems++;
            return;
          }
          const r = await rssKiB(weka.pid);
          line(`  ${kind}: ${from + n} sent, RSS ${r.rss} KiB (peak ${r.peak} KiB)`);
        }
        const sock = kind === "dhcp6" ? `${dir}/ctrl6.sock` : `${dir}/ctrl4.sock`;
        const received = kind === "ncr"
          ? NaN
          : await settled(sock, kind === "dhcp6" ? "pkt6-received" : "pkt4-received");
        line(
          `  ${kind}: ${sent} sent in ${((performance.now() - t0) / 1000).toFixed(1)} s; received ${received}; ` +
            `UDP receive-buffer drops in srv1 so far ${await udpDrops(lab, "srv1")}`,
        );
      }
      await checks(lab, dir, weka, start.rss, socketType, dig);
      const status = await weka.stop("SIGTERM", 30_000);
      line(`  weka stopped with status ${status.code}`);
      if (status.code !== 0) problems++;
    }
  } finally {
    await lab.down();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** One chunk through the sender; the number sent. */
async function sendChunk(
  lab: Lab,
  host: string,
  kind: "dhcp4" | "dhcp6" | "ncr",
  server: string,
  port: number,
  n: number,
  seed: number,
  from: number,
): Promise<number> {
  const s = await sendFuzz(lab, host, kind, server, port, n, seed, RATE, from);
  if (s.errors) line(`  ${kind}: ${s.errors} send errors (${s.firstError})`);
  return s.sent;
}

/** After a round: alive, answering, no exception counted or logged, real clients served; prints the figures. */
async function checks(
  lab: Lab,
  dir: string,
  weka: LabProcess,
  rssStart: number,
  socketType: string,
  dig: (name: string, type: string) => Promise<string[]>,
): Promise<void> {
  const fail = (what: string) => {
    problems++;
    line(`  FAILED: ${what}`);
  };
  if (weka.exited) return fail("weka is not running");
  const t0 = performance.now();
  try {
    await command(`${dir}/ctrl4.sock`, "version-get");
    await command(`${dir}/ctrl6.sock`, "version-get");
  } catch (e) {
    return fail(`a control socket does not answer (a hang?): ${(e as Error).message}`);
  }
  const answer = performance.now() - t0;
  const s4 = (n: string) => stat(`${dir}/ctrl4.sock`, n), s6 = (n: string) => stat(`${dir}/ctrl6.sock`, n);
  const failed4 = await s4("pkt4-processing-failed"), failed6 = await s6("pkt6-processing-failed");
  const grep = await new Deno.Command("grep", { args: ["-cE", EXCEPTION_LINE.source, `${dir}/weka.log`] }).output();
  const exceptionLines = Number(new TextDecoder().decode(grep.stdout).trim() || 0);
  const end = await rssKiB(weka.pid);
  line(
    `  after: control answered in ${answer.toFixed(0)} ms; pkt4-received ${await s4("pkt4-received")}, ` +
      `pkt4-parse-failed ${await s4("pkt4-parse-failed")}, pkt4-sent ${await s4("pkt4-sent")}, ` +
      `pkt4-processing-failed ${failed4}; pkt6-received ${await s6("pkt6-received")}, pkt6-sent ` +
      `${await s6("pkt6-sent")}, pkt6-processing-failed ${failed6}; exception lines in the log ${exceptionLines}`,
  );
  line(`  RSS: ${rssStart} KiB at start, ${end.rss} KiB after (peak ${end.peak} KiB)`);
  if (failed4 || failed6 || exceptionLines || EXCEPTION_LINE.test(weka.output)) fail("a packet raised");
  const v4 = await dhclient(lab, dir, "cli1", false, `bench-dh4-${socketType}`);
  line(`  dhclient -4: ${v4.ok ? "lease obtained" : "NO LEASE"}`);
  if (!v4.ok) fail(`dhclient -4:\n${v4.output}`);
  if (socketType !== "raw") return;
  const v6 = await dhclient(lab, dir, "cli1", true, "bench-dh6");
  line(`  dhclient -6: ${v6.ok ? "lease obtained" : "NO LEASE"}`);
  if (!v6.ok) fail(`dhclient -6:\n${v6.output}`);
  const name = `after-bench-${SEED}.lab.test.`;
  const sendNcr = new URL("../tests/fuzz/send_ncr.ts", import.meta.url).pathname;
  await lab.check("cli", ["deno", "run", "-A", sendNcr, "198.18.0.1", "53001", name, "198.18.9.8"]);
  const got = await until(async () => (await dig(name, "A")).includes("198.18.9.8"), 120_000, 500);
  line(`  valid NCR after the flood: ${got ? "A record in BIND" : "NO A RECORD within 120 s"}`);
  if (!got) fail("the valid NCR got no DNS update");
}
