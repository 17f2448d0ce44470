/**
 * `deno task bench:ha-outage [CLIENTS]` (default 200 000): the memory and CPU bound of an HA server whose partner is
 * unreachable (issue 9 item 6, "HA outage benchmark"). A real HaService with its real state machine and peer client,
 * load-balancing, this server's auto-failover off, the partner's URL a closed port on 127.0.0.1: the heartbeats fail
 * (connection refused) and the machine goes to partner-down, where it serves its own scope only. Then CLIENTS
 * distinct clients each send one query out of this server's scope with `secs` above max-ack-delay, as in a long
 * outage; each is analysed for the partner-down decision (Kea's CommunicationState4). Reported: µs per query around
 * 1k, 10k, 100k and 200k clients and the ratio last / first (flat = about 1), status-get's time, RSS and heap (V8
 * heap used + external, after a GC) at each of those points, the connecting-clients table and the ha-connecting-clients-full count. Then the same
 * flood shape for the DDNS queues: 1 000 000 NameChangeRequests offered to the DHCP side's NCR queue and to D2's
 * request queue while their consumers are stuck, with RSS before and after.
 * BENCH_MAX_SECONDS (default 300) stops the client flood early (to run it on an older, quadratic weka for
 * comparison: copy this file into that checkout). Loopback only, no root. Not a test.
 */
import { parseConfigText } from "../mod/config/load.ts";
import { DhcpState } from "../mod/control/dhcp_state.ts";
import { compileD2Config } from "../mod/config/compile_d2.ts";
import { D2Service } from "../mod/ddns/d2/service.ts";
import type { NameChangeRequest } from "../mod/ddns/ncr/ncr.ts";
import { NcrQueue } from "../mod/ddns/ncr/queue.ts";
import { MsgType, Opt, type Packet4 } from "../mod/packet4/packet.ts";
import { HaService } from "../mod/ha/service.ts";
import { KvLeaseStore } from "../mod/lease/kv_store.ts";
import { nullLog } from "../mod/log/logger.ts";
import { Stats } from "../mod/stats/stats.ts";

const CLIENTS = Number(Deno.args[0] ?? 200_000);
const MAX_SECONDS = Number(Deno.env.get("BENCH_MAX_SECONDS") ?? 300);
const CHECKPOINTS = [1_000, 10_000, 100_000, 200_000].filter((c) => c < CLIENTS).concat(CLIENTS);
const BATCH = 1000;
const NCR_FLOOD = 1_000_000;

const gc = (globalThis as { gc?: () => void }).gc;
function memory(): { rss: number; heap: number } {
  gc?.();
  const m = Deno.memoryUsage();
  return { rss: m.rss / 2 ** 20, heap: (m.heapUsed + m.external) / 2 ** 20 };
}
const mb = (x: number) => `${x.toFixed(1)} MiB`;

/** A TCP port on 127.0.0.1 that nothing listens on (connect: refused). */
function closedPort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Timers the bench fires by hand, so the heartbeat runs exactly when the bench says. */
class HandTimers {
  private next = 1;
  private readonly due = new Map<number, () => void>();
  setTimeout(fn: () => void): unknown {
    this.due.set(this.next, fn);
    return this.next++;
  }
  clearTimeout(id: unknown): void {
    this.due.delete(id as number);
  }
  fire(): void {
    const fns = [...this.due.values()];
    this.due.clear();
    for (const fn of fns) fn();
  }
}

function haConfigText(partnerPort: number, maxUnacked: number): string {
  const peer = (name: string, url: string, role: string, more = "") =>
    `{"name": "${name}", "url": "${url}", "role": "${role}"${more}}`;
  return JSON.stringify(JSON.parse(`{"Dhcp4": {"hooks-libraries": [
    {"library": "/usr/lib/kea/hooks/libdhcp_lease_cmds.so"},
    {"library": "/usr/lib/kea/hooks/libdhcp_ha.so", "parameters": {"high-availability": [{
      "this-server-name": "server1", "mode": "load-balancing",
      "heartbeat-delay": 1000, "max-response-delay": 3000, "max-ack-delay": 1000, "max-unacked-clients": ${maxUnacked},
      "peers": [${peer("server1", "http://127.0.0.1:1/", "primary", `, "auto-failover": false`)},
                ${peer("server2", `http://127.0.0.1:${partnerPort}/`, "secondary")}]}]}}]}}`));
}

/** A REQUEST from client number `i` (its own MAC), `secs` seconds into its attempt. */
function query(i: number, secs: number): Packet4 {
  const chaddr = new Uint8Array(16);
  chaddr.set([0x02, 0x42, (i >>> 24) & 255, (i >>> 16) & 255, (i >>> 8) & 255, i & 255]);
  return {
    op: 1,
    htype: 1,
    hlen: 6,
    hops: 0,
    xid: i,
    secs,
    flags: 0,
    ciaddr: 0,
    yiaddr: 0,
    siaddr: 0,
    giaddr: 0,
    chaddr,
    sname: "",
    file: "",
    options: new Map([[Opt.MESSAGE_TYPE, Uint8Array.of(MsgType.REQUEST)]]),
  };
}

/** A real HA service whose partner is at a closed port, driven into partner-down. */
async function outageService(maxUnacked: number) {
  const loaded = parseConfigText(haConfigText(closedPort(), maxUnacked), "ha_outage.json", () => "");
  const clock = { now: Date.now() };
  const timers = new HandTimers();
  const store = await KvLeaseStore.open(":memory:");
  const stats = new Stats(() => clock.now);
  const svc = new HaService({
    config: loaded.dhcp4!.ha!,
    store,
    dhcpState: new DhcpState(() => {}, timers),
    stats,
    log: nullLog,
    clock: () => clock.now,
    timers,
    peerTimeoutMs: 1000,
  });
  svc.start();
  timers.fire(); // first heartbeat: connection refused
  await svc.settled();
  clock.now += 4000; // past max-response-delay
  timers.fire();
  await svc.settled();
  return { svc, store, stats, now: clock.now };
}

/**
 * Feeds `clients` distinct out-of-scope queries in batches of BATCH; returns µs per query of each batch.
 * `checkpoint` (the memory pass) runs after the batch that reaches each checkpoint, outside the timed part.
 */
function flood(svc: HaService, now: number, clients: number, maxSeconds: number, checkpoint?: (n: number) => void) {
  let nextClient = 0;
  const perBatchUs: number[] = [];
  const started = performance.now();
  while (perBatchUs.length * BATCH < clients && (performance.now() - started) / 1000 < maxSeconds) {
    const qs: Packet4[] = []; // generated outside the timed part
    while (qs.length < BATCH) {
      const q = query(nextClient++, 30);
      if (!svc.filter.inScope(q)) qs.push(q);
    }
    const t = performance.now();
    for (const q of qs) svc.admit(q, now);
    perBatchUs.push(((performance.now() - t) * 1000) / qs.length);
    if (checkpoint && CHECKPOINTS.includes(perBatchUs.length * BATCH)) checkpoint(perBatchUs.length * BATCH);
  }
  return perBatchUs;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Timing runs (no GC forced while timing): µs/query around each checkpoint, the median of RUNS fresh services. */
const RUNS = 3;

/**
 * One scenario: `maxUnacked` 10 (Kea's default) shows the bound (10 000 clients kept, the rest counted); a
 * max-unacked-clients above the flood keeps every client, which shows the per-query cost of the table itself.
 */
async function haOutage(maxUnacked: number): Promise<void> {
  const warm = await outageService(maxUnacked); // JIT warm-up on a service thrown away afterwards
  flood(warm.svc, warm.now, 20_000, 30);
  await warm.svc.stop();
  await warm.store.close();

  // timing pass: the mean of the last 5 batches before each checkpoint (1 batch at 1k), median over RUNS runs
  const windows = new Map<number, number[]>();
  let sent = 0, floodS = 0;
  const statusMs: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const r = await outageService(maxUnacked);
    const started = performance.now();
    const perBatchUs = flood(r.svc, r.now, CLIENTS, MAX_SECONDS);
    floodS = (performance.now() - started) / 1000;
    sent = perBatchUs.length * BATCH;
    const t = performance.now();
    for (let i = 0; i < 100; i++) r.svc.statusSection();
    statusMs.push((performance.now() - t) / 100);
    for (const c of CHECKPOINTS.filter((c) => c <= sent)) {
      const w = perBatchUs.slice(Math.max(0, c / BATCH - 5), c / BATCH);
      windows.set(c, [...(windows.get(c) ?? []), w.reduce((a, b) => a + b, 0) / w.length]);
    }
    await r.svc.stop();
    await r.store.close();
    if (floodS > MAX_SECONDS / RUNS) break; // a slow (old, quadratic) weka: one run is enough
  }

  // memory pass: a fresh service, RSS and heap after a GC at each checkpoint
  const before = memory();
  const { svc, store, stats, now } = await outageService(maxUnacked);
  console.log(
    `HA, max-unacked-clients ${maxUnacked}: partner at a closed port → ${svc.state} (auto-failover off: this ` +
      "server keeps its own scope)",
  );
  const mem = new Map<number, { rss: number; heap: number }>();
  flood(svc, now, sent, MAX_SECONDS, (n) => mem.set(n, memory()));
  const status = svc.statusSection() as { "ha-servers": { remote: Record<string, unknown> } };
  const remote = status["ha-servers"].remote;
  const after = memory();

  const reached = CHECKPOINTS.filter((c) => windows.has(c));
  const at = (c: number) => median(windows.get(c)!);
  console.log(
    `HA outage: ${sent} distinct out-of-scope clients (secs 30 > max-ack-delay 1 s) in ${floodS.toFixed(1)} s; ` +
      `µs/query: median of ${windows.get(reached[0])!.length} run(s)`,
  );
  for (const c of reached) {
    const m = mem.get(c);
    console.log(
      `  around ${String(c).padStart(7)} clients: ${at(c).toFixed(2).padStart(8)} µs/query` +
        (m ? `; RSS ${mb(m.rss)}, heap ${mb(m.heap)}` : ""),
    );
  }
  if (reached.length > 1) {
    const first = at(reached[0]), last = at(reached.at(-1)!);
    console.log(`  flatness: µs at ${reached.at(-1)} / µs at ${reached[0]} = ${(last / first).toFixed(2)}`);
  }
  console.log(
    `  status-get (high-availability section) after the flood: ${median(statusMs).toFixed(3)} ms (mean of 100)`,
  );
  console.log(
    `  connecting-clients ${remote["connecting-clients"]}, unacked-clients ${remote["unacked-clients"]}, ` +
      `analyzed-packets ${remote["analyzed-packets"]}, ha-connecting-clients-full ${
        stats.get("ha-connecting-clients-full")
      }`,
  );
  console.log(
    `  RSS ${mb(before.rss)} → ${mb(after.rss)} (+${mb(after.rss - before.rss)}); heap ${mb(before.heap)} → ` +
      `${mb(after.heap)} (+${mb(after.heap - before.heap)})${gc ? "" : " (no --expose-gc: figures include garbage)"}`,
  );
  await svc.stop();
  await store.close();
}

/**
 * DHCIDs for the flood, built once: a fresh small Uint8Array per request would make RSS measure the allocator's
 * handling of a million short-lived backing stores rather than what the queues keep (heap + external shows that).
 */
let DHCIDS: Uint8Array[] = [];

const ncr = (i: number): NameChangeRequest => ({
  changeType: "add",
  forwardChange: true,
  reverseChange: true,
  fqdn: `host-${i}.lab.test.`,
  ipAddress: `198.18.${(i >> 8) & 255}.${i & 255}`,
  dhcid: DHCIDS[i & ((1 << 17) - 1)],
  leaseExpiresOn: "",
  leaseLength: 600,
  conflictResolutionMode: "check-with-dhcid",
});

/** Offers NCR_FLOOD requests to `offer` twice; memory after each round (bounded: the second adds nothing). */
function twoRounds(offer: (n: NameChangeRequest) => void) {
  const before = memory();
  const t = performance.now();
  for (let i = 0; i < NCR_FLOOD; i++) offer(ncr(i));
  const us = ((performance.now() - t) * 1000) / NCR_FLOOD;
  const one = memory();
  for (let i = NCR_FLOOD; i < 2 * NCR_FLOOD; i++) offer(ncr(i));
  const two = memory();
  return `${us.toFixed(2)} µs each; RSS ${mb(before.rss)} → ${mb(one.rss)} → ${mb(two.rss)}, heap ${
    mb(before.heap)
  } → ` +
    `${mb(one.heap)} → ${mb(two.heap)} (before, after ${NCR_FLOOD / 1e6}M, after ${(2 * NCR_FLOOD) / 1e6}M)`;
}

async function ncrFlood(): Promise<void> {
  DHCIDS = Array.from(
    { length: 1 << 17 },
    (_, i) => Uint8Array.of(0, 1, 1, (i >>> 16) & 255, (i >>> 8) & 255, i & 255),
  );
  const counts = new Map<string, number>();
  const stuck = Promise.withResolvers<void>();
  const q = new NcrQueue({
    sink: () => stuck.promise,
    maxSize: 1024,
    stat: (n, d) => counts.set(n, (counts.get(n) ?? 0) + d),
  });
  const text = twoRounds((n) => q.enqueue([n]));
  console.log(
    `NCR queue (DHCP side, max-queue-size 1024, D2 not answering): ${2 * NCR_FLOOD} offered, ${q.size} held, ` +
      `ncr-queue-full ${counts.get("ncr-queue-full")}; ${text}`,
  );
  stuck.resolve();
  await q.close(100);

  const d2cfg = compileD2Config({
    "forward-ddns": { "ddns-domains": [{ name: "lab.test.", "dns-servers": [{ "ip-address": "10.0.0.1" }] }] },
  });
  const d2 = new D2Service(d2cfg, { send: () => new Promise(() => {}), close: async () => {} }, nullLog);
  const d2text = twoRounds((n) => d2.submit(n));
  console.log(
    `D2 request queue (default bound, DNS server not answering): ${2 * NCR_FLOOD} received, ` +
      `${d2.backlog} held (queued + running), queue-mgr-queue-full ${d2.stats.get("queue-mgr-queue-full")}; ${d2text}`,
  );
  void d2.abandon();
}

await haOutage(10);
await haOutage(10_000_000);
await ncrFlood();
