/**
 * DHCPv6 reclamation (Kea `expired-leases-processing`, lease-expiration.rst): the Lease6 store's expiry queries,
 * the v6 plan (assigned-nas / assigned-pds, reclaimed-leases, declined), and the shared Reclaimer on fake time.
 */
import assert from "node:assert/strict";
import { KvLease6Store } from "../../mod/lease/kv_store6.ts";
import { Lease6Index } from "../../mod/lease/memory_index6.ts";
import { planFlush } from "../../mod/lease/reclaim.ts";
import { FakeTime, KEA_DEFAULTS } from "./reclaim_helpers.ts";
import { planReclaim6, reclaimer6, type ReclaimEvent6 } from "../../mod/lease/reclaim6.ts";
import { INFINITE_LIFETIME, LeaseState } from "../../mod/lease/types.ts";
import { Stats } from "../../mod/stats/stats.ts";
import { BASE, na, PD, pd } from "./lease6_fixtures.ts";

Deno.test("Lease6Index.expired: DEFAULT/DECLINED only, oldest first, limited; infinite never; delete forgets", () => {
  const idx = new Lease6Index();
  idx.put(na(1, { cltt: 100, validLifetime: 50 })); // expires 150
  idx.put(na(2, { cltt: 0, validLifetime: 100 })); // expires 100 (oldest)
  idx.put(na(3, { cltt: 0, validLifetime: 10, state: LeaseState.EXPIRED_RECLAIMED }));
  idx.put(na(4, { cltt: 0, validLifetime: INFINITE_LIFETIME }));
  idx.put(pd(1, { cltt: 0, validLifetime: 120, state: LeaseState.DECLINED })); // expires 120
  idx.put(na(5, { cltt: 1000, validLifetime: 100 })); // not yet
  assert.deepEqual(idx.expired(200, 10).map((l) => l.address), [BASE + 2n, PD + (1n << 72n), BASE + 1n]);
  assert.deepEqual(idx.expired(200, 2).map((l) => l.address), [BASE + 2n, PD + (1n << 72n)]);
  assert.deepEqual(idx.expired(200, 10).length, 3, "the query leaves the index unchanged");
  idx.put(na(2, { cltt: 0, validLifetime: 100, state: LeaseState.EXPIRED_RECLAIMED }));
  idx.delete(BASE + 1n);
  assert.deepEqual(idx.expired(200, 10).map((l) => l.address), [PD + (1n << 72n)]);
  assert.deepEqual(idx.reclaimedOlderThan(200, 100, 10).map((l) => l.address), [BASE + 3n, BASE + 2n]);
  assert.deepEqual(idx.reclaimedOlderThan(200, 150, 10).map((l) => l.address), [BASE + 3n]);
});

Deno.test("planReclaim6: NA and PD kept as expired-reclaimed (DNS fields cleared), gauges and counters move", () => {
  const idx = new Lease6Index();
  const a = na(1, { cltt: 0, validLifetime: 100, hostname: "h.example.", fqdnFwd: true, fqdnRev: true, subnetId: 7 });
  const p = pd(1, { cltt: 0, validLifetime: 100, subnetId: 7 });
  idx.put(a);
  idx.put(p);
  const plan = planReclaim6(idx, 500, KEA_DEFAULTS);
  assert.deepEqual(plan.mutations, [
    { op: "put", lease: { ...a, state: LeaseState.EXPIRED_RECLAIMED, hostname: "", fqdnFwd: false, fqdnRev: false } },
    { op: "put", lease: { ...p, state: LeaseState.EXPIRED_RECLAIMED } },
  ]);
  assert.equal(plan.events[0].lease.hostname, "h.example.", "the event carries the lease before reclamation");
  const m = new Map(plan.stats);
  assert.equal(m.get("assigned-nas"), -1);
  assert.equal(m.get("subnet[7].assigned-nas"), -1);
  assert.equal(m.get("assigned-pds"), -1);
  assert.equal(m.get("subnet[7].assigned-pds"), -1);
  assert.equal(m.get("reclaimed-leases"), 2);
  assert.equal(m.get("subnet[7].reclaimed-leases"), 2);
  assert.deepEqual(planReclaim6(idx, 500, KEA_DEFAULTS, true).mutations, [
    { op: "del", address: a.address },
    { op: "del", address: p.address },
  ], "remove (or no lease affinity) deletes");
  assert.equal(planReclaim6(idx, 500, { ...KEA_DEFAULTS, maxReclaimLeases: 1 }).mutations.length, 1);
});

Deno.test("planReclaim6: a declined address past probation is deleted, declined → reclaimed-declined", () => {
  const idx = new Lease6Index();
  idx.put(na(3, { cltt: 0, validLifetime: 86400, state: LeaseState.DECLINED, subnetId: 2 }));
  assert.equal(planReclaim6(idx, 86399, KEA_DEFAULTS).mutations.length, 0, "still in probation");
  const plan = planReclaim6(idx, 86400, KEA_DEFAULTS);
  assert.deepEqual(plan.mutations, [{ op: "del", address: BASE + 3n }]);
  assert.equal(plan.events[0].kind, "declined-recovered");
  const m = new Map(plan.stats);
  assert.equal(m.get("subnet[2].declined-addresses"), -1);
  assert.equal(m.get("reclaimed-declined-addresses"), 1);
  assert.equal(m.get("subnet[2].assigned-nas"), -1);
});

Deno.test("reclaimer6 on fake time: expiry at reclaim-timer-wait-time, stats, removal after hold-reclaimed-time", async () => {
  const time = new FakeTime(2_000_000_000);
  const store = await KvLease6Store.open(":memory:");
  const stats = new Stats();
  for (const n of ["assigned-nas", "subnet[1].assigned-nas", "assigned-pds", "subnet[1].assigned-pds"]) stats.set(n, 2);
  const events: ReclaimEvent6[] = [];
  const logs: string[] = [];
  const cfg = { ...KEA_DEFAULTS, holdReclaimedTime: 100, flushReclaimedTimerWaitTime: 25 };
  const r = reclaimer6(store, {
    config: () => cfg,
    clock: () => time.now,
    timers: time,
    onStats: (d) => d.forEach(([n, v]) => stats.add(n, v)),
    onEvents: (e) => events.push(...e),
    log: (id) => logs.push(id),
  });
  time.settle = () => r.idle();
  try {
    const t = time.now;
    await store.apply([
      { op: "put", lease: na(1, { cltt: t - 100, validLifetime: 95 }) }, // expired 5 s ago
      { op: "put", lease: pd(1, { cltt: t - 100, validLifetime: 105 }) }, // expires in 5 s
      { op: "put", lease: na(2, { cltt: t, validLifetime: 4000 }) }, // stays
      { op: "put", lease: pd(2, { cltt: t, validLifetime: 4000 }) },
    ]);
    r.start();
    assert.equal(time.pending, 2, "reclaim and flush timers armed");
    await time.advance(9);
    assert.equal(events.length, 0, "nothing before reclaim-timer-wait-time");
    await time.advance(1);
    assert.equal(events.length, 2, "both expired leases reclaimed at 10 s");
    assert.equal(store.byAddress(BASE + 1n)?.state, LeaseState.EXPIRED_RECLAIMED);
    assert.equal(store.byAddress(PD + (1n << 72n))?.state, LeaseState.EXPIRED_RECLAIMED);
    assert.equal(store.byAddress(BASE + 2n)?.state, LeaseState.DEFAULT);
    assert.equal(stats.get("assigned-nas"), 1);
    assert.equal(stats.get("subnet[1].assigned-nas"), 1);
    assert.equal(stats.get("assigned-pds"), 1);
    assert.equal(stats.get("subnet[1].assigned-pds"), 1);
    assert.equal(stats.get("reclaimed-leases"), 2);
    assert.equal(stats.get("subnet[1].reclaimed-leases"), 2);
    assert.ok(logs.includes("ALLOC_ENGINE_V6_LEASES_RECLAMATION_COMPLETE"));
    await time.advance(50);
    assert.equal(store.size(), 4, "reclaimed leases are held for hold-reclaimed-time");
    await time.advance(45); // flush at +100 s: na(1) expired at −5 s is past the 100 s hold, pd(1) (+5 s) is not
    assert.equal(store.size(), 3);
    assert.equal(store.byAddress(BASE + 1n), undefined);
    await time.advance(25); // flush at +125 s
    assert.equal(store.size(), 2, "flushed once hold-reclaimed-time has passed");
    assert.equal(store.byAddress(BASE + 1n), undefined);
    assert.ok(logs.includes("ALLOC_ENGINE_V6_RECLAIMED_LEASES_DELETE_COMPLETE"));
  } finally {
    await r.stop();
    assert.equal(time.pending, 0, "stop disarms the timers");
    await store.close();
  }
});

Deno.test("reclaimer6: reclaimNow(remove=true) deletes (leases-reclaim), and a reopened store has the result", async () => {
  const path = await Deno.makeTempFile({ suffix: ".kv" });
  const time = new FakeTime(2_000_000_000);
  let store = await KvLease6Store.open(path);
  try {
    const r = reclaimer6(store, { config: () => KEA_DEFAULTS, clock: () => time.now, timers: time });
    await store.apply([
      { op: "put", lease: na(1, { cltt: 0, validLifetime: 10 }) },
      { op: "put", lease: na(2, { cltt: 0, validLifetime: 10 }) },
    ]);
    assert.deepEqual(await r.reclaimNow(false), { reclaimed: 2, more: false });
    assert.equal(store.byAddress(BASE + 1n)?.state, LeaseState.EXPIRED_RECLAIMED);
    await store.apply([{ op: "put", lease: na(3, { cltt: 0, validLifetime: 10 }) }]);
    assert.deepEqual(await r.reclaimNow(true), { reclaimed: 1, more: false });
    assert.equal(store.byAddress(BASE + 3n), undefined);
    assert.deepEqual(planFlush(store, time.now, KEA_DEFAULTS).length, 2);
    await store.close();
    store = await KvLease6Store.open(path);
    assert.equal(store.size(), 2);
    assert.equal(store.byAddress(BASE + 2n)?.state, LeaseState.EXPIRED_RECLAIMED);
    assert.equal(store.expired(time.now, 10).length, 0, "the reloaded index knows they are reclaimed");
  } finally {
    await store.close();
    await Deno.remove(path).catch(() => {});
  }
});
