/** Start-up statistics of the DHCPv6 server (mod/dhcp6/stats6.ts), with Kea's names. */
import assert from "node:assert/strict";
import { KvLease6Store } from "../../mod/lease/kv_store6.ts";
import { Stats } from "../../mod/stats/stats.ts";
import { initialLease6Stats } from "../../mod/dhcp6/stats6.ts";
import { load6 } from "./fixtures6.ts";
import type { Lease6 } from "../../mod/lease/types6.ts";
import { na } from "../lease/lease6_fixtures.ts";

Deno.test("stats6: total-nas / total-pds from the pools, assigned gauges from the store", async () => {
  const kv = await KvLease6Store.open(":memory:");
  try {
    const lease = (over: Partial<Lease6>) => na(0x100, { duid: "00:01", hwaddr: "", ...over });
    await kv.apply([
      { op: "put", lease: lease({ address: 0x20010db8000100000000000000000100n, type: 0, state: 0 }) },
      { op: "put", lease: lease({ address: 0x20010db8000100000000000000000101n, type: 0, state: 1 }) },
      { op: "put", lease: lease({ address: 0x20010db8000100000000000000000102n, type: 0, state: 3 }) },
      { op: "put", lease: lease({ address: 0x20010db8010000000000000000000000n, prefixLen: 56, type: 2, state: 0 }) },
    ]);
    const stats = new Stats();
    initialLease6Stats(stats, load6(), kv);
    assert.equal(stats.get("subnet[1].total-nas"), 256);
    assert.equal(stats.get("subnet[1].total-pds"), 256);
    assert.equal(stats.get("subnet[1].assigned-nas"), 2, "assigned + declined, not released");
    assert.equal(stats.get("subnet[1].declined-addresses"), 1);
    assert.equal(stats.get("subnet[1].assigned-pds"), 1);
    assert.equal(stats.get("assigned-nas"), 2);
    assert.equal(stats.get("pkt6-received"), 0);
    assert.ok(stats.names().includes("pkt6-solicit-received"));
  } finally {
    await kv.close();
  }
});
