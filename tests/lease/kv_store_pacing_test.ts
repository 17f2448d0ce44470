/**
 * KvLeaseStore commit pacing (mod/lease/commit_pacer.ts): while changes arrive faster than `commitPaceAbove` a second,
 * a group waits `commitIntervalMs` and takes everything that arrived meanwhile; below that rate a change is committed
 * at once. Nothing is acknowledged before its commit either way (kv_store_test.ts covers durability).
 */
import assert from "node:assert/strict";
import { DEFAULT_COMMIT_INTERVAL_MS, DEFAULT_PACE_ABOVE, KvLeaseStore } from "../../mod/lease/kv_store.ts";
import { CommitPacer, RATE_TAU_MS } from "../../mod/lease/commit_pacer.ts";
import { ip, mkLease } from "./store_contract.ts";

const put = (store: KvLeaseStore, n: number) => store.apply([{ op: "put", lease: mkLease(n) }]);

Deno.test("pacing: below the rate a change commits at once; above it groups wait the interval and grow", async () => {
  // 20 changes/s: the arrival rate decides (decayed over RATE_TAU_MS)
  const store = await KvLeaseStore.open(":memory:", { commitIntervalMs: 200, commitPaceAbove: 20 });
  try {
    let t0 = performance.now();
    await put(store, 10);
    assert.ok(performance.now() - t0 < 150, "one change: no wait");
    assert.equal(store.groups, 1);
    // a burst of 10 changes at once is a rate far above 20/s: the group waits the interval, and changes that come
    // meanwhile share it
    t0 = performance.now();
    const burst = [20, 21, 22, 23, 24, 25, 26, 27, 28].map((n) => put(store, n));
    await new Promise((r) => setTimeout(r, 50));
    const later = put(store, 29);
    await Promise.all([...burst, later]);
    const waited = performance.now() - t0;
    assert.ok(waited >= 150, `the burst waited ${waited.toFixed(0)} ms, expected the 200 ms interval`);
    assert.equal(store.groups, 2, "the ten changes were committed together");
    assert.equal(store.byAddress(ip(29))?.hostname, "host-29");
    // the rate decays: some time constants later a change goes at once again
    await new Promise((r) => setTimeout(r, RATE_TAU_MS * 4));
    t0 = performance.now();
    await put(store, 40);
    assert.ok(performance.now() - t0 < 150, "after the load, no wait");
  } finally {
    await store.close();
  }
});

Deno.test("pacer: the decayed arrival rate, against the threshold; interval 0 never paces", () => {
  const p = new CommitPacer(1, 2000);
  assert.equal(p.delay(0), 0, "nothing arrived");
  // 1 000 changes/s for a second: the estimate settles near 1 000, below the threshold
  for (let t = 0; t < 1000; t++) p.arrived(t);
  assert.ok(Math.abs(p.rate(1000) - 1000) < 60, `rate ${p.rate(1000).toFixed(0)}`);
  assert.equal(p.delay(1000), 0);
  // 4 000/s for half a second: above it, wait
  for (let t = 1000; t < 1500; t += 0.25) p.arrived(t);
  assert.ok(p.rate(1500) > 3500, `rate ${p.rate(1500).toFixed(0)}`);
  assert.equal(p.delay(1500), 1);
  // silence for five time constants: back below
  assert.ok(p.rate(1500 + 5 * RATE_TAU_MS) < 50);
  assert.equal(p.delay(1500 + 5 * RATE_TAU_MS), 0);
  const never = new CommitPacer(0, 1);
  for (let t = 0; t < 100; t += 0.01) never.arrived(t);
  assert.equal(never.delay(100), 0, "interval 0 never paces");
});

Deno.test("pacing 0 commits back to back; the defaults are 1 ms above 2 000 changes/s", async () => {
  assert.equal(DEFAULT_COMMIT_INTERVAL_MS, 1);
  assert.equal(DEFAULT_PACE_ABOVE, 2000);
  const store = await KvLeaseStore.open(":memory:", { commitIntervalMs: 0 });
  try {
    const t0 = performance.now();
    for (let n = 20; n < 25; n++) await put(store, n);
    assert.equal(store.groups, 5, "one group per sequential change");
    assert.ok(performance.now() - t0 < 1000);
  } finally {
    await store.close();
  }
});

Deno.test("close does not wait for the pacing interval", async () => {
  const store = await KvLeaseStore.open(":memory:", { commitIntervalMs: 5000, commitPaceAbove: 15 }); // 1 change: 10/s, 2: 20/s
  await put(store, 30);
  const p = put(store, 31);
  await new Promise((r) => setTimeout(r, 20)); // the group of 31 is now sitting out the interval
  const t0 = performance.now();
  await store.close();
  await p;
  assert.ok(performance.now() - t0 < 2000, "close flushed without sitting out the 5 s interval");
});
