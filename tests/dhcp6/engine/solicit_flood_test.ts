/**
 * No starvation by SOLICIT (issue 9, item 1, DHCPv6): SOLICIT → ADVERTISE writes nothing (Kea's fake allocation), so
 * a flood of SOLICITs from distinct DUIDs, each with an IA_NA and an IA_PD, into pools ten times smaller is
 * answered in full and leaves them serviceable: a new client is advertised an address and a prefix and its REQUEST
 * commits them. The engine keeps no per-client state for a SOLICIT (only the allocator's cursor per pool). A
 * Rapid Commit SOLICIT does commit (RFC 8415 §18.3.1, as in Kea), so such a flood does use the pool up.
 */
import assert from "node:assert/strict";
import { Status6 } from "../../../mod/packet6/packet.ts";
import { basic, Bed, big6, CLIENT_DUID, iaNa, iaPd, msg, Opt6, replyOf, sid, stat, T, text6 } from "./helpers.ts";

/** The n-th flood client's DUID-LL (a random-looking locally administered MAC). */
function floodDuid(n: number): string {
  const b = [0, 3, 0, 1, 2, 0, (n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
  return b.map((x) => x.toString(16).padStart(2, "0")).join(":");
}

/** 10 addresses and 16 /60 prefixes. */
const POOLS = {
  pools: [{ pool: "2001:db8:1::10 - 2001:db8:1::19" }],
  "pd-pools": [{ prefix: "2001:db8:100::", "prefix-len": 56, "delegated-len": 60 }],
};
const inNa = (a: bigint) => a >= big6("2001:db8:1::10") && a <= big6("2001:db8:1::19");
const inPd = (p: bigint) => p >= big6("2001:db8:100::") && p <= big6("2001:db8:100:f0::");

const cases = [{ flood: 160 }, { flood: 1600 }, { flood: 20_000 }];

for (const c of cases) {
  Deno.test(
    `SOLICIT flood: ${c.flood} SOLICITs (IA_NA + IA_PD) from distinct DUIDs into 10 addresses and 16 prefixes are ` +
      "all advertised, nothing written; a new client is then advertised both and its REQUEST commits them",
    () => {
      const bed = new Bed(basic({}, POOLS));
      for (let i = 0; i < c.flood; i++) {
        const o = bed.run(msg(T.SOLICIT, [iaNa(1), iaPd(2)], [], floodDuid(i), i & 0xffffff));
        const { out, m } = replyOf(o);
        assert.equal(m.msgType, T.ADVERTISE);
        assert.deepEqual(out.mutations, [], `SOLICIT ${i} wrote something`);
        assert.ok(inNa(big6(text6(m.ias[0].addresses[0]?.address ?? new Uint8Array(16)))), `SOLICIT ${i}: IA_NA`);
        assert.ok(inPd(big6(text6(m.ias[1].prefixes[0]?.prefix ?? new Uint8Array(16)))), `SOLICIT ${i}: IA_PD`);
        assert.equal(stat(o, "v6-allocation-fail"), 0);
      }
      assert.equal(bed.leases.map.size, 0);

      const adv = replyOf(bed.run(msg(T.SOLICIT, [iaNa(1), iaPd(2)]))).m;
      const addr = text6(adv.ias[0].addresses[0].address);
      const prefix = text6(adv.ias[1].prefixes[0].prefix);
      const req = msg(T.REQUEST, [iaNa(1, [addr]), iaPd(2, [`${prefix}/60`])], [sid()]);
      const { m } = replyOf(bed.run(req));
      assert.equal(m.msgType, T.REPLY);
      assert.equal(text6(m.ias[0].addresses[0].address), addr);
      assert.equal(text6(m.ias[1].prefixes[0].prefix), prefix);
      assert.deepEqual([...bed.leases.map.values()].map((l) => l.duid), [CLIENT_DUID, CLIENT_DUID]);
    },
  );
}

Deno.test("SOLICIT flood with Rapid Commit (rapid-commit: true) commits leases, as in Kea: the pools do run out", () => {
  const bed = new Bed(basic({}, { ...POOLS, "rapid-commit": true }));
  const rapid = { code: Opt6.RAPID_COMMIT, data: new Uint8Array(0) };
  for (let i = 0; i < 10; i++) {
    const { out, m } = replyOf(bed.run(msg(T.SOLICIT, [iaNa(1), iaPd(2)], [rapid], floodDuid(i))));
    assert.equal(m.msgType, T.REPLY);
    assert.equal(out.mutations.length, 2);
  }
  const o = bed.run(msg(T.SOLICIT, [iaNa(1)], [rapid], floodDuid(10)));
  const ia = replyOf(o).m.ias[0];
  assert.equal(ia.status?.code, Status6.NoAddrsAvail);
  assert.equal(stat(o, "v6-allocation-fail"), 1);
});
