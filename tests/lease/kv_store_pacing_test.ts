/**
 * KvLeaseStore commit pacing (mod/lease/commit_pacer.ts): a token bucket of `commitBurst` group starts refilled at
 * one per `commitIntervalMs`. A change is committed at once while tokens last; under sustained load changes wait
 * for the next token and share one group, so a burst costs few KV commits. Nothing is acknowledged before its
 * commit either way (kv_store_test.ts covers durability).
 */
import assert from "node:assert/strict";
import { DEFAULT_COMMIT_BURST, DEFAULT_COMMIT_INTERVAL_MS, KvLeaseStore } from "../../mod/lease/kv_store.ts";
import { CommitPacer } from "../../mod/lease/commit_pacer.ts";
import { ip, mkLease } from "./store_contract.ts";

Deno.test("pacing, burst 1: an isolated change commits at once, a burst within the interval shares one later group", async () => {
  const store = await KvLeaseStore.open(":memory:", { commitIntervalMs: 200, commitBurst: 1 });
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

Deno.test("pacing, burst 3: three changes in a row commit at once, the fourth waits for the next token", async () => {
  const store = await KvLeaseStore.open(":memory:", { commitIntervalMs: 300, commitBurst: 3 });
  try {
    const t0 = performance.now();
    for (let n = 40; n < 43; n++) await store.apply([{ op: "put", lease: mkLease(n) }]);
    assert.ok(performance.now() - t0 < 200, "the burst of three did not wait");
    assert.equal(store.groups, 3);
    const t1 = performance.now();
    await store.apply([{ op: "put", lease: mkLease(43) }]);
    const waited = performance.now() - t1;
    assert.ok(waited >= 150, `the fourth waited ${waited.toFixed(0)} ms, expected about the 300 ms refill`);
    assert.equal(store.groups, 4);
  } finally {
    await store.close();
  }
});

Deno.test("pacer: a token bucket on a fake clock (refill, cap, the wait it reports)", () => {
  let now = 0;
  const p = new CommitPacer(1, 4, () => now);
  assert.deepEqual([p.delay(), p.delay(), p.delay(), p.delay()], [0, 0, 0, 0], "a full bucket: four starts at once");
  assert.equal(p.delay(), 1, "empty: the next token is 1 ms away");
  now = 0.5;
  assert.equal(p.delay(), 0.5, "half a token back: 0.5 ms to go");
  now = 1;
  assert.equal(p.delay(), 0, "a whole token: start");
  now = 1000;
  for (let i = 0; i < 4; i++) assert.equal(p.delay(), 0, "a long idle refills to the cap, not beyond");
  assert.ok(p.delay() > 0);
  // a paced group whose timer fired late (2 ms for a 1 ms wait): the overrun is not credited, the next one waits too
  assert.ok(p.delay() > 0);
  now += 2;
  p.resumed();
  assert.equal(p.delay(), 1, "after a late timer the bucket is empty again: sustained load stays paced");
  const never = new CommitPacer(0, 1, () => now);
  for (let i = 0; i < 100; i++) assert.equal(never.delay(), 0, "interval 0 never paces");
});

Deno.test("pacing 0 commits back to back; the defaults are 0.8 ms (1 250 groups/s) and a burst of 32", async () => {
  assert.equal(DEFAULT_COMMIT_INTERVAL_MS, 0.8);
  assert.equal(DEFAULT_COMMIT_BURST, 32);
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
  const store = await KvLeaseStore.open(":memory:", { commitIntervalMs: 5000, commitBurst: 1 });
  await store.apply([{ op: "put", lease: mkLease(30) }]);
  const p = store.apply([{ op: "put", lease: mkLease(31) }]);
  await new Promise((r) => setTimeout(r, 20)); // the group of 31 is now sitting out the interval
  const t0 = performance.now();
  await store.close();
  await p;
  assert.ok(performance.now() - t0 < 2000, "close flushed without sitting out the 5 s interval");
});
