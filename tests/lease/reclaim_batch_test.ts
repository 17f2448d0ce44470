/**
 * Reclamation in batches (mod/lease/reclaim.ts, issue 16): a large cycle commits RECLAIM_BATCH leases at a time
 * with a turn of the event loop between batches, stops at max-reclaim-time as Kea does, and a stop() ends it after
 * the current batch; a flush of old reclaimed leases deletes them in the same batches, at most FLUSH_LIMIT a flush.
 */
import assert from "node:assert/strict";
import { KvLeaseStore } from "../../mod/lease/kv_store.ts";
import { FLUSH_LIMIT, RECLAIM_BATCH, Reclaimer } from "../../mod/lease/reclaim.ts";
import { KEA_DEFAULTS } from "./reclaim_helpers.ts";
import { mkLease } from "./store_contract.ts";
import { type LeaseMutation, LeaseState } from "../../mod/lease/types.ts";

async function storeWith(expired: number): Promise<KvLeaseStore> {
  const store = await KvLeaseStore.open(":memory:");
  const muts: LeaseMutation[] = [];
  for (let x = 1; x <= expired; x++) {
    muts.push({ op: "put", lease: { ...mkLease(x, { cltt: 1000 - x % 500, validLifetime: 10 }), address: x } });
  }
  await store.apply(muts);
  return store;
}

/** Counts the applies the reclaimer makes and what ran between them. */
function counting(store: KvLeaseStore) {
  const sizes: number[] = [];
  const apply = store.apply.bind(store);
  store.apply = (m) => {
    sizes.push(m.length);
    return apply(m);
  };
  return sizes;
}

Deno.test("a cycle of 1 000 expired leases commits them in batches, and other work runs between the batches", async () => {
  const store = await storeWith(1000);
  const sizes = counting(store);
  let turns = 0, batchesSeenByOthers = 0;
  const r = new Reclaimer({
    store,
    config: () => ({ ...KEA_DEFAULTS, maxReclaimLeases: 0, maxReclaimTime: 0 }),
    clock: () => 5000,
    yieldTurn: () => {
      turns++;
      batchesSeenByOthers = sizes.length; // a packet handled here sees the earlier batches committed
      return Promise.resolve();
    },
  });
  const res = await r.reclaimNow();
  assert.equal(res.reclaimed, 1000);
  assert.equal(res.more, false);
  assert.deepEqual(sizes, [RECLAIM_BATCH, RECLAIM_BATCH, RECLAIM_BATCH, RECLAIM_BATCH].slice(0, 1000 / RECLAIM_BATCH));
  assert.equal(turns, sizes.length - 1, "a turn of the event loop between every two batches");
  assert.equal(batchesSeenByOthers, sizes.length - 1);
  assert.equal(store.expired(5000, 10).length, 0);
  await store.close();
});

Deno.test("max-reclaim-leases bounds the cycle across batches; max-reclaim-time stops it between batches", async () => {
  const store = await storeWith(2000);
  const sizes = counting(store);
  const r = new Reclaimer({
    store,
    config: () => ({ ...KEA_DEFAULTS, maxReclaimLeases: 300, maxReclaimTime: 0 }),
    clock: () => 5000,
  });
  assert.deepEqual(await r.reclaimNow(), { reclaimed: 300, more: true });
  assert.deepEqual(sizes, [RECLAIM_BATCH, 300 - RECLAIM_BATCH]);
  let ms = 0;
  const timed = new Reclaimer({
    store,
    config: () => ({ ...KEA_DEFAULTS, maxReclaimLeases: 0, maxReclaimTime: 250 }),
    clock: () => 5000,
    elapsedMs: () => (ms += 100), // every batch "takes" 100 ms: the cycle stops once it has spent 250 ms
  });
  sizes.length = 0;
  assert.deepEqual(await timed.reclaimNow(), { reclaimed: 3 * RECLAIM_BATCH, more: true });
  assert.equal(sizes.length, 3);
  await store.close();
});

Deno.test("stop() during a long cycle ends it after the current batch", async () => {
  const store = await storeWith(1000);
  const sizes = counting(store);
  let stopping: Promise<void> | undefined;
  const r: Reclaimer = new Reclaimer({
    store,
    config: () => ({ ...KEA_DEFAULTS, maxReclaimLeases: 0, maxReclaimTime: 0 }),
    clock: () => 5000,
    yieldTurn: () => {
      stopping ??= r!.stop();
      return Promise.resolve();
    },
  });
  const res = await r.reclaimNow();
  await stopping;
  assert.equal(res.reclaimed, RECLAIM_BATCH);
  assert.equal(res.more, true);
  assert.equal(sizes.length, 1);
  await store.close();
});

Deno.test("a flush deletes old reclaimed leases in batches with turns between them, at most FLUSH_LIMIT a flush", async () => {
  const store = await KvLeaseStore.open(":memory:");
  const old = FLUSH_LIMIT + 100;
  const muts: LeaseMutation[] = [];
  for (let x = 1; x <= old; x++) {
    const state = x % 2 ? LeaseState.EXPIRED_RECLAIMED : LeaseState.RELEASED;
    muts.push({ op: "put", lease: { ...mkLease(x, { cltt: 100, validLifetime: 10, state }), address: x } });
  }
  // not yet past hold-reclaimed-time (3600 s) at the flush: kept
  muts.push({ op: "put", lease: { ...mkLease(1, { cltt: 2000, state: LeaseState.EXPIRED_RECLAIMED }), address: 0 } });
  await store.apply(muts);
  const sizes = counting(store);
  const logs: string[] = [];
  let turns = 0;
  const r = new Reclaimer({
    store,
    config: () => KEA_DEFAULTS,
    clock: () => 5000,
    yieldTurn: () => {
      turns++;
      return Promise.resolve();
    },
    log: (id, text) => logs.push(`${id} ${text}`),
  });
  assert.equal(await r.flushNow(), FLUSH_LIMIT);
  assert.equal(sizes.length, Math.ceil(FLUSH_LIMIT / RECLAIM_BATCH));
  assert.ok(sizes.every((n) => n <= RECLAIM_BATCH), `batches of at most ${RECLAIM_BATCH}: ${sizes}`);
  assert.equal(turns, sizes.length - 1, "a turn of the event loop between every two batches");
  assert.deepEqual(logs, [
    `ALLOC_ENGINE_V4_RECLAIMED_LEASES_DELETE_COMPLETE deleted ${FLUSH_LIMIT} reclaimed lease(s)`,
  ]);
  assert.equal(store.size(), 101, "the rest waits for the next flush");
  assert.equal(await r.flushNow(), 100);
  assert.equal(store.size(), 1);
  assert.ok(store.byAddress(0), "the lease still within hold-reclaimed-time stays");
  assert.equal(await r.flushNow(), 0);
  assert.equal(logs.length, 2, "an empty flush logs nothing");
  await store.close();
});
