/**
 * Kea's `allocator` choices in weka's PoolAllocator: `random` hands out every address of a pool once, in no
 * sequential order, before any twice; `flq` (free lease queue) follows the lease store's mutations (a freed
 * address comes back, a leased one is dropped) and finds a free address in a 99 %-full pool with as few lease
 * lookups as in an empty one, where the iterative and random walks need about a hundred; `exclude-first-last-24`
 * skips .0 and .255. A seeded random source keeps the orders reproducible.
 */
import assert from "node:assert/strict";
import type { Subnet4 } from "../../mod/config/model.ts";
import { PoolAllocator } from "../../mod/lease/allocator.ts";
import { LeaseIndex } from "../../mod/lease/memory_index.ts";
import { OfferTable } from "../../mod/lease/offers.ts";
import { type Lease4, type LeaseMutation, LeaseState, type LeaseView } from "../../mod/lease/types.ts";
import { mkLease } from "./store_contract.ts";

const NOW = 1_700_000_000;
const BASE = 0x0a000000; // 10.0.0.0

/** A seeded xorshift32, as the random source. */
function seeded(seed = 7): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

/** Subnet 10.0.0.0/16, id 1, one pool 10.0.0.0 + [first, last], with the given allocator. */
function subnet(allocator: Subnet4["allocator"], first: number, last: number, over: Partial<Subnet4> = {}): Subnet4 {
  return {
    id: 1,
    prefix: "10.0.0.0/16",
    network: BASE,
    len: 16,
    mask: 0xffff0000,
    pools: [{ start: BASE + first, end: BASE + last, poolId: 0, options: new Map() }],
    relayAddresses: [],
    options: new Map(),
    reservations: new Map(),
    reservedAddresses: new Map(),
    timers: {
      validLifetime: 3600,
      minValidLifetime: 3600,
      maxValidLifetime: 3600,
      calculateTeeTimes: false,
      t1Percent: 0.5,
      t2Percent: 0.875,
    },
    authoritative: false,
    matchClientId: true,
    nextServer: 0,
    serverHostname: "",
    bootFileName: "",
    ...(allocator ? { allocator } : {}),
    ...over,
  };
}

const lease = (addr: number, over: Partial<Lease4> = {}) => ({ ...mkLease(0), address: addr, ...over });

/** A LeaseView that counts lookups. */
class Counting implements LeaseView {
  lookups = 0;
  constructor(private readonly inner: LeaseIndex) {}
  byAddress(a: number) {
    this.lookups++;
    return this.inner.byAddress(a);
  }
  byHwAddr(h: string, s: number) {
    return this.inner.byHwAddr(h, s);
  }
  byClientId(c: string, s: number) {
    return this.inner.byClientId(c, s);
  }
}

/** Leases every address of the pool but every hundredth (a 99 %-full pool), at scattered places. */
function fill99(idx: LeaseIndex, first: number, last: number): Set<number> {
  const free = new Set<number>();
  for (let o = first; o <= last; o++) {
    if ((o * 7919) % 100 === 0) free.add(BASE + o);
    else idx.put(lease(BASE + o));
  }
  return free;
}

Deno.test("random: every address of the pool once, not in sequence, then a new round", () => {
  const alloc = new PoolAllocator(new LeaseIndex(), new OfferTable(), seeded());
  const s = subnet("random", 1, 50);
  const got = Array.from({ length: 50 }, () => alloc.findFree([{ subnet: s, poolIndex: 0 }], NOW)!.address);
  assert.equal(new Set(got).size, 50, "no address twice in one round");
  assert.deepEqual([...got].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => BASE + 1 + i));
  const ascending = got.filter((a, i) => i > 0 && a === got[i - 1] + 1).length;
  assert.ok(ascending < 10, `${ascending} of 49 steps were +1: that is the iterative order`);
  const next = alloc.findFree([{ subnet: s, poolIndex: 0 }], NOW)!.address;
  assert.ok(next >= BASE + 1 && next <= BASE + 50);
});

Deno.test("random: leased, reserved and held addresses are passed over; a full pool gives nothing", () => {
  const idx = new LeaseIndex();
  const s = subnet("random", 1, 20, { reservedAddresses: new Map([[BASE + 3, "01:02"]]) });
  for (let o = 1; o <= 20; o++) if (o !== 3 && o !== 17) idx.put(lease(BASE + o));
  const alloc = new PoolAllocator(idx, new OfferTable(), seeded(3));
  assert.equal(alloc.findFree([{ subnet: s, poolIndex: 0 }], NOW)?.address, BASE + 17);
  idx.put(lease(BASE + 17));
  assert.equal(alloc.findFree([{ subnet: s, poolIndex: 0 }], NOW), undefined);
});

Deno.test("flq: the queue follows the store: a freed address comes back, a leased one is skipped", () => {
  const idx = new LeaseIndex();
  for (let o = 1; o <= 10; o++) idx.put(lease(BASE + o));
  const alloc = new PoolAllocator(idx, new OfferTable(), seeded());
  const s = subnet("flq", 1, 10);
  const find = () => alloc.findFree([{ subnet: s, poolIndex: 0 }], NOW)?.address;
  assert.equal(find(), undefined, "every address leased");
  const apply = (m: LeaseMutation[]) => {
    idx.apply(m);
    alloc.observe(m);
  };
  apply([{ op: "del", address: BASE + 4 }]);
  assert.equal(find(), BASE + 4, "a deleted lease's address is queued again");
  apply([{ op: "put", lease: lease(BASE + 7, { state: LeaseState.RELEASED, validLifetime: 0 }) }]);
  apply([{ op: "put", lease: lease(BASE + 9, { state: LeaseState.EXPIRED_RECLAIMED }) }]);
  // another server's (or a lease command's) lease on 4 arrives: it is dropped from the queue when met
  apply([{ op: "put", lease: lease(BASE + 4) }]);
  const seen = new Set([find(), find(), find()]);
  assert.deepEqual([...seen].sort(), [BASE + 7, BASE + 9].sort(), "released and reclaimed come back; 4 does not");
});

Deno.test("flq: Kea's population: expired leases count as free, live ones do not", () => {
  const idx = new LeaseIndex();
  idx.put(lease(BASE + 1, { cltt: NOW - 7200, validLifetime: 3600 }));
  idx.put(lease(BASE + 2));
  const alloc = new PoolAllocator(idx, new OfferTable(), seeded());
  const s = subnet("flq", 1, 2);
  assert.equal(alloc.findFree([{ subnet: s, poolIndex: 0 }], NOW)?.address, BASE + 1);
});

Deno.test("flq finds a free address in a 99 %-full pool in a few lookups; iterative and random need ~100", () => {
  const cost: Record<string, number> = {};
  for (const kind of ["flq", "iterative", "random"] as const) {
    const idx = new LeaseIndex();
    const free = fill99(idx, 1, 20000);
    const view = new Counting(idx);
    const offers = new OfferTable();
    const alloc = new PoolAllocator(view, offers, seeded(11));
    const s = subnet(kind, 1, 20000);
    alloc.findFree([{ subnet: s, poolIndex: 0 }], NOW); // the flq queue is filled on first use (one pass)
    view.lookups = 0;
    for (let i = 0; i < 150; i++) {
      const got = alloc.findFree([{ subnet: s, poolIndex: 0 }], NOW)!;
      assert.ok(free.has(got.address), `${kind} gave a leased address`);
      const l = lease(got.address);
      idx.put(l); // DORA completes: the address is leased now
      alloc.observe([{ op: "put", lease: l }]);
    }
    cost[kind] = view.lookups / 150;
  }
  console.log(`lookups per address in a 99 %-full pool: ${JSON.stringify(cost)}`);
  assert.ok(cost.flq <= 2, `flq: ${cost.flq} lookups per address`);
  assert.ok(cost.iterative >= 20, `iterative: ${cost.iterative}`);
  assert.ok(cost.random >= 20, `random: ${cost.random}`);
});

Deno.test("exclude-first-last-24: .0 and .255 are never handed out in a /24 or larger, by any allocator", () => {
  for (const kind of [undefined, "random", "flq"] as const) {
    const idx = new LeaseIndex();
    const s = subnet(kind, 250, 260, { excludeFirstLast24: true });
    const alloc = new PoolAllocator(idx, new OfferTable(), seeded(5));
    const got: number[] = [];
    for (let i = 0; i < 9; i++) {
      const a = alloc.findFree([{ subnet: s, poolIndex: 0 }], NOW)!.address;
      got.push(a & 0xff);
      idx.put(lease(a));
      alloc.observe([{ op: "put", lease: lease(a) }]);
    }
    assert.deepEqual(got.sort((a, b) => a - b), [1, 2, 3, 4, 250, 251, 252, 253, 254], String(kind));
    assert.equal(alloc.findFree([{ subnet: s, poolIndex: 0 }], NOW), undefined, String(kind));
  }
});
