/** Reclamation: the pure planner (Kea's rules) and the Reclaimer's timers on fake time. */
import assert from "node:assert/strict";
import type { StatDelta } from "../../mod/dhcp4/engine/types.ts";
import { KvLeaseStore } from "../../mod/lease/kv_store.ts";
import { planFlush, planReclaim, Reclaimer, type ReclaimEvent } from "../../mod/lease/reclaim.ts";
import { FakeTime, KEA_DEFAULTS } from "./reclaim_helpers.ts";
import { LeaseIndex } from "../../mod/lease/memory_index.ts";
import { LeaseState } from "../../mod/lease/types.ts";
import { ip, mkLease } from "./store_contract.ts";

const stat = (stats: StatDelta[], name: string) => stats.find(([n]) => n === name)?.[1];

Deno.test("planReclaim: expired DEFAULT lease kept as expired-reclaimed with identity, DNS fields cleared", () => {
  const idx = new LeaseIndex();
  const l = mkLease(1, { cltt: 0, validLifetime: 100, fqdnFwd: true, fqdnRev: true, subnetId: 7 });
  idx.put(l);
  idx.put(mkLease(2, { cltt: 1000, validLifetime: 100 })); // not expired at 500
  const plan = planReclaim(idx, 500, KEA_DEFAULTS);
  assert.deepEqual(plan.mutations, [{
    op: "put",
    lease: { ...l, state: LeaseState.EXPIRED_RECLAIMED, hostname: "", fqdnFwd: false, fqdnRev: false },
  }]);
  assert.equal(plan.events[0].lease.hostname, "host-1", "the event carries the lease before reclamation (for DDNS)");
  assert.equal(plan.events[0].removed, false);
  assert.equal(stat(plan.stats, "reclaimed-leases"), 1);
  assert.equal(stat(plan.stats, "subnet[7].reclaimed-leases"), 1);
  assert.equal(stat(plan.stats, "subnet[7].assigned-addresses"), -1);
  assert.equal(stat(plan.stats, "assigned-addresses"), -1);
});

Deno.test("planReclaim: without lease affinity (hold 0) or with remove, expired leases are deleted", () => {
  const idx = new LeaseIndex();
  idx.put(mkLease(1, { cltt: 0, validLifetime: 100 }));
  assert.deepEqual(planReclaim(idx, 500, { ...KEA_DEFAULTS, holdReclaimedTime: 0 }).mutations, [
    { op: "del", address: ip(1) },
  ]);
  assert.deepEqual(planReclaim(idx, 500, { ...KEA_DEFAULTS, flushReclaimedTimerWaitTime: 0 }).mutations, [
    { op: "del", address: ip(1) },
  ]);
  assert.deepEqual(planReclaim(idx, 500, KEA_DEFAULTS, true).mutations, [{ op: "del", address: ip(1) }]);
});

Deno.test("planReclaim: a declined lease past probation is deleted and counted as reclaimed-declined", () => {
  const idx = new LeaseIndex();
  idx.put(mkLease(3, { hwaddr: "", clientId: "", state: LeaseState.DECLINED, cltt: 0, validLifetime: 86400 }));
  assert.equal(planReclaim(idx, 86399, KEA_DEFAULTS).mutations.length, 0, "still in probation");
  const plan = planReclaim(idx, 86400, KEA_DEFAULTS);
  assert.deepEqual(plan.mutations, [{ op: "del", address: ip(3) }]);
  assert.equal(plan.events[0].kind, "declined-recovered");
  assert.equal(stat(plan.stats, "declined-addresses"), -1);
  assert.equal(stat(plan.stats, "subnet[1].declined-addresses"), -1);
  assert.equal(stat(plan.stats, "reclaimed-declined-addresses"), 1);
  assert.equal(stat(plan.stats, "subnet[1].reclaimed-declined-addresses"), 1);
  assert.equal(stat(plan.stats, "subnet[1].assigned-addresses"), -1);
});

Deno.test("planReclaim honours max-reclaim-leases (0 = unlimited), oldest first; stats are summed", () => {
  const idx = new LeaseIndex();
  for (let x = 1; x <= 5; x++) idx.put(mkLease(x, { cltt: 100 - x, validLifetime: 10 }));
  const plan = planReclaim(idx, 1000, { ...KEA_DEFAULTS, maxReclaimLeases: 2 });
  assert.deepEqual(plan.events.map((e) => e.lease.address), [ip(5), ip(4)]);
  assert.equal(stat(plan.stats, "reclaimed-leases"), 2);
  assert.equal(planReclaim(idx, 1000, { ...KEA_DEFAULTS, maxReclaimLeases: 0 }).mutations.length, 5);
});

Deno.test("planFlush deletes reclaimed and released leases older than hold-reclaimed-time", () => {
  const idx = new LeaseIndex();
  idx.put(mkLease(1, { state: LeaseState.EXPIRED_RECLAIMED, cltt: 0, validLifetime: 100 })); // expire 100
  idx.put(mkLease(2, { state: LeaseState.RELEASED, cltt: 2000, validLifetime: 0 })); // expire 2000
  idx.put(mkLease(3, { cltt: 0, validLifetime: 100 })); // DEFAULT: never flushed
  assert.deepEqual(planFlush(idx, 3700, KEA_DEFAULTS), [{ op: "del", address: ip(1) }]);
  assert.deepEqual(planFlush(idx, 5600, KEA_DEFAULTS).length, 2);
});

Deno.test("Reclaimer on fake time: reclaims every reclaim-timer-wait-time, flushes after the hold time", async () => {
  const time = new FakeTime();
  const store = await KvLeaseStore.open(":memory:");
  const stats: StatDelta[] = [];
  const events: ReclaimEvent[] = [];
  const logs: string[] = [];
  const cfg = { ...KEA_DEFAULTS, maxReclaimLeases: 2, unwarnedReclaimCycles: 2 };
  const r = new Reclaimer({
    store,
    config: () => cfg,
    clock: () => time.now,
    timers: time,
    onStats: (d) => stats.push(...d),
    onEvents: (e) => events.push(...e),
    log: (id) => logs.push(id),
  });
  time.settle = () => r.idle();
  try {
    for (let x = 1; x <= 5; x++) {
      await store.apply([{ op: "put", lease: mkLease(x, { cltt: time.now - 100 - x, validLifetime: 50 }) }]);
    }
    r.start();
    assert.equal(time.pending, 2, "reclaim and flush timers armed");
    await time.advance(9);
    assert.equal(events.length, 0, "nothing before reclaim-timer-wait-time");
    await time.advance(1);
    assert.equal(events.length, 2, "first cycle at 10 s, limited to max-reclaim-leases");
    assert.equal(store.byAddress(ip(5))?.state, LeaseState.EXPIRED_RECLAIMED);
    await time.advance(10);
    assert.equal(events.length, 4);
    assert.ok(logs.includes("ALLOC_ENGINE_V4_LEASES_RECLAMATION_SLOW"), "warned after 2 incomplete cycles");
    await time.advance(10);
    assert.equal(events.length, 5);
    const total = stats.filter(([n]) => n === "reclaimed-leases").reduce((s, [, d]) => s + d, 0);
    assert.equal(total, 5);
    assert.equal(store.size(), 5, "reclaimed leases are kept (lease affinity)");
    await time.advance(3600);
    assert.equal(store.size(), 0, "flushed once hold-reclaimed-time has passed");
  } finally {
    await r.stop();
    assert.equal(time.pending, 0, "stop disarms the timers");
    await store.close();
  }
});

Deno.test("Reclaimer: zero wait times disable the timers; reclaimNow(remove) deletes", async () => {
  const time = new FakeTime();
  const store = await KvLeaseStore.open(":memory:");
  const r = new Reclaimer({
    store,
    config: () => ({ ...KEA_DEFAULTS, reclaimTimerWaitTime: 0, flushReclaimedTimerWaitTime: 0 }),
    clock: () => time.now,
    timers: time,
  });
  r.start();
  assert.equal(time.pending, 0);
  await store.apply([{ op: "put", lease: mkLease(1, { cltt: 0, validLifetime: 10 }) }]);
  const res = await r.reclaimNow(true);
  assert.deepEqual(res, { reclaimed: 1, more: false });
  assert.equal(store.size(), 0);
  await r.stop();
  await store.close();
});
