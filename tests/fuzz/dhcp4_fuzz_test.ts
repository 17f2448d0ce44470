/**
 * The DHCPv4 packet path never throws (issue 9 items 5 and 9): 50 000 mutated queries (gen4.ts; seed
 * WEKA_FUZZ_SEED, count WEKA_FUZZ_CASES) through decode4 → HA hash → handle4 (DDNS, flex-id, classes, shared
 * networks, option-def) → lease index / offers → encode4 → NCR parse, in process; then 5 000 through the real
 * server edge (KV store in memory), where any ERROR line fails. A failure prints the seed, the case and the packet.
 */
import assert from "node:assert/strict";
import { formatFailure, fuzzDhcp4Config, fuzzEngine4 } from "./drive4.ts";
import { packet4 } from "./gen4.ts";
import { caseSeed, Rng } from "./rng.ts";
import { serverBed } from "../dhcp4/server_bed.ts";
import type { Datagram } from "../../mod/dhcp4/server.ts";
import { WORLD4 } from "./configs.ts";

const SEED = Number(Deno.env.get("WEKA_FUZZ_SEED") ?? 20260901);
const CASES = Number(Deno.env.get("WEKA_FUZZ_CASES") ?? 50_000);

Deno.test(`fuzz dhcp4: ${CASES} mutated queries through the engine raise nothing (seed ${SEED})`, () => {
  const r = fuzzEngine4(SEED, CASES);
  console.log(
    `dhcp4 engine fuzz: ${r.cases} cases in ${Math.round(r.ms)} ms: ${r.parseFailed} undecodable, ` +
      `${r.drops} dropped, ${r.replies} replies, ${r.ncrs} NCRs`,
  );
  assert.deepEqual(r.failures.map(formatFailure), [], `reproduce with WEKA_FUZZ_SEED=${SEED}`);
  // the generator must keep reaching every outcome, or the run proves little
  assert.ok(r.replies > CASES / 5, `replies: ${r.replies}`);
  assert.ok(r.ncrs > CASES / 50, `NCRs: ${r.ncrs}`);
  assert.ok(r.parseFailed > CASES / 10 && r.drops > CASES / 10, `parse failures ${r.parseFailed}, drops ${r.drops}`);
});

Deno.test(`fuzz dhcp4: ${CASES / 10} mutated queries through the server edge log no ERROR (seed ${SEED})`, async () => {
  const [eth0, eth1] = WORLD4.servers;
  const bed = await serverBed(fuzzDhcp4Config(), { ifaceAddrs: new Map([["eth0", [eth0]], ["eth1", [eth1]]]) });
  try {
    const now = 1_800_000_000;
    for (let i = 0; i < CASES / 10; i++) {
      const { bytes, aim } = packet4(new Rng(caseSeed(SEED + 1, i)));
      const localAddr = aim.iface === "eth1" ? eth1 : eth0;
      const d: Datagram = aim.giaddr
        ? { data: bytes, iface: "eth0", ifindex: 2, localAddr, srcAddr: aim.giaddr, srcPort: 67, dstAddr: localAddr }
        : { data: bytes, iface: aim.iface, ifindex: 2, localAddr, srcAddr: 0, srcPort: 68, dstAddr: 0xffffffff };
      bed.server.process(d, now + (i >> 7));
      const bad = bed.log.lines.find((l) => l.startsWith("ERROR"));
      if (bad) assert.fail(`case ${i} of seed ${SEED + 1}: ${bad}`);
      if (bed.log.lines.length > 2000) bed.log.lines.length = 0;
    }
    await bed.store.flush();
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(bed.log.lines.filter((l) => l.startsWith("ERROR")), []);
    assert.equal(bed.stats.get("pkt4-processing-failed"), 0);
    assert.ok(bed.transport.sent.length > CASES / 50, `replies sent: ${bed.transport.sent.length}`);
  } finally {
    await bed.close();
  }
});
