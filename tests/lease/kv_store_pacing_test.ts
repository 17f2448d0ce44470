/**
 * KvLeaseStore commit pacing: a change with no commit in the last `commitIntervalMs` is committed at once; changes
 * that follow within the interval wait for it and go into one group, so a burst costs few KV commits. Nothing is
 * acknowledged before its commit either way (kv_store_test.ts covers durability).
 */
import assert from "node:assert/strict";
import { DEFAULT_COMMIT_INTERVAL_MS, KvLeaseStore } from "../../mod/lease/kv_store.ts";
import { ip, mkLease } from "./store_contract.ts";

Deno.test("pacing: an isolated change commits at once, a burst within the interval shares one later group", async () => {
  const store = await KvLeaseStore.open(":memory:", { commitIntervalMs: 200 });
  try {
    let t0 = performance.now();
    await store.apply([{ op: "put", lease: mkLease(10) }]);
    assert.ok(performance.now() - t0 < 150, "the first change did not wait for the interval");
    assert.equal(store.groups, 1);
    // three changes right after: they wait for the interval, then go out in ONE group
    t0 = performance.now();
    await Promise.all([11, 12, 13].map((n) => store.apply([{ op: "put", lease: mkLease(n) }])));
    const waited = performance.now() - t0;
    assert.ok(waited >= 120, `the burst waited ${waited.toFixed(0)} ms, expected most of the 200 ms interval`);
    assert.equal(store.groups, 2, "the three changes were committed together");
    assert.equal(store.byAddress(ip(13))?.hostname, "host-13");
  } finally {
    await store.close();
  }
});

Deno.test("pacing 0 commits back to back; the default is 1 ms", async () => {
  assert.equal(DEFAULT_COMMIT_INTERVAL_MS, 1);
  const store = await KvLeaseStore.open(":memory:", { commitIntervalMs: 0 });
  try {
    const t0 = performance.now();
    for (let n = 20; n < 25; n++) await store.apply([{ op: "put", lease: mkLease(n) }]);
    assert.equal(store.groups, 5, "one group per sequential change");
    assert.ok(performance.now() - t0 < 1000);
  } finally {
    await store.close();
  }
});

Deno.test("close does not wait for the pacing interval", async () => {
  const store = await KvLeaseStore.open(":memory:", { commitIntervalMs: 5000 });
  await store.apply([{ op: "put", lease: mkLease(30) }]);
  const p = store.apply([{ op: "put", lease: mkLease(31) }]);
  await new Promise((r) => setTimeout(r, 20)); // the group of 31 is now sitting out the interval
  const t0 = performance.now();
  await store.close();
  await p;
  assert.ok(performance.now() - t0 < 2000, "close flushed without sitting out the 5 s interval");
});
