/**
 * The DHCPv6 packet path never throws (issue 9 items 5 and 9): 50 000 mutated queries (gen6.ts: relay nesting past
 * the hop limit, lying TLV lengths, hostile FQDNs, DUIDs of every length; seed WEKA_FUZZ_SEED, count
 * WEKA_FUZZ_CASES) through decode6 → handle6 → the KV store's checks → lease index → encode6, in process; then
 * 5 000 through the real server edge with the KV store in memory, where any ERROR line fails.
 */
import assert from "node:assert/strict";
import { formatFailure } from "./drive4.ts";
import { fuzzDhcp6Config, fuzzEngine6 } from "./drive6.ts";
import { packet6 } from "./gen6.ts";
import { caseSeed, Rng } from "./rng.ts";
import { WORLD6 } from "./configs.ts";
import { Dhcp6Server } from "../../mod/dhcp6/server6.ts";
import { KvLease6Store } from "../../mod/lease/kv_store6.ts";
import { IterativeAllocator6 } from "../../mod/dhcp6/engine/allocator6.ts";
import { Stats } from "../../mod/stats/stats.ts";
import type { Datagram6, Transport6 } from "../../mod/net/udp6.ts";
import { parseIpv6 } from "../../mod/wire/ipv6.ts";
import { memoryLog } from "../ddns/fixture.ts";

const SEED = Number(Deno.env.get("WEKA_FUZZ_SEED") ?? 20260901);
const CASES = Number(Deno.env.get("WEKA_FUZZ_CASES") ?? 50_000);

Deno.test(`fuzz dhcp6: ${CASES} mutated queries through the engine raise nothing (seed ${SEED})`, () => {
  const r = fuzzEngine6(SEED, CASES);
  console.log(
    `dhcp6 engine fuzz: ${r.cases} cases in ${Math.round(r.ms)} ms: ${r.parseFailed} undecodable, ` +
      `${r.drops} dropped, ${r.replies} replies`,
  );
  assert.deepEqual(r.failures.map(formatFailure), [], `reproduce with WEKA_FUZZ_SEED=${SEED}`);
  assert.ok(r.replies > CASES / 10, `replies: ${r.replies}`);
  assert.ok(r.parseFailed > CASES / 10 && r.drops > CASES / 10, `parse failures ${r.parseFailed}, drops ${r.drops}`);
});

Deno.test(`fuzz dhcp6: ${CASES / 10} mutated queries through the server edge log no ERROR (seed ${SEED})`, async () => {
  const kv = await KvLease6Store.open(":memory:");
  let sent = 0;
  const transport: Transport6 = {
    recvBatch: () => new Promise(() => {}),
    send: () => void sent++,
    endpoints: () => [],
    close: () => {},
  };
  const log = memoryLog();
  const stats = new Stats();
  const server = new Dhcp6Server({
    config: fuzzDhcp6Config(),
    transport,
    store: kv,
    allocator: new IterativeAllocator6(),
    stats,
    log,
    serverDuid: Uint8Array.from(WORLD6.serverDuid.match(/../g)!.map((h) => parseInt(h, 16))),
    ifaceAddrs: new Map([["eth0", [parseIpv6("2001:db8:a::1")!]]]),
  });
  const relay = parseIpv6(WORLD6.relays[0])!, client = parseIpv6("fe80::ff:fe00:1")!;
  const multicast = parseIpv6("ff02::1:2")!, unicast = parseIpv6("2001:db8:a::1")!;
  try {
    for (let i = 0; i < CASES / 10; i++) {
      const { bytes, aim } = packet6(new Rng(caseSeed(SEED + 1, i)));
      const d: Datagram6 = {
        data: bytes,
        iface: "eth0",
        srcAddr: aim.relayed ? relay : client,
        srcPort: aim.relayed ? 547 : 546,
        dstAddr: aim.multicast ? multicast : unicast,
        ifindex: 1,
        via: 0,
      };
      server.process(d, 1_800_000_000 + (i >> 7));
      const bad = log.lines.find((l) => l.startsWith("ERROR"));
      if (bad) assert.fail(`case ${i} of seed ${SEED + 1}: ${bad}`);
      if (log.lines.length > 2000) log.lines.length = 0;
      if (i % 256 === 255) await new Promise((r) => setTimeout(r, 0)); // commits complete, as between batches
    }
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(log.lines.filter((l) => l.startsWith("ERROR")), []);
    assert.equal(stats.get("pkt6-processing-failed"), 0);
    assert.ok(sent > CASES / 100, `replies sent: ${sent}`);
  } finally {
    await server.stop();
    await kv.close();
  }
});
