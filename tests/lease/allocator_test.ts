/**
 * PoolAllocator: cursor order, wrap, skips (reserved, held, live leases), expired reuse, full pool; offered
 * addresses are a fallback (oldest offer first) within a bounded look-ahead.
 */
import assert from "node:assert/strict";
import type { Subnet4 } from "../../mod/config/model.ts";
import { PoolAllocator, STEAL_LOOKAHEAD } from "../../mod/lease/allocator.ts";
import { LeaseIndex } from "../../mod/lease/memory_index.ts";
import { OfferTable } from "../../mod/lease/offers.ts";
import { LeaseState } from "../../mod/lease/types.ts";
import { ip, mkLease } from "./store_contract.ts";

/** subnet 192.0.2.0/24, id 1, one pool 192.0.2.10 - 192.0.2.14 */
function subnet(reserved: number[] = []): Subnet4 {
  return {
    id: 1,
    prefix: "192.0.2.0/24",
    network: ip(0),
    len: 24,
    mask: 0xffffff00,
    pools: [{ start: ip(10), end: ip(14), poolId: 0, options: new Map() }],
    relayAddresses: [],
    options: new Map(),
    reservations: new Map(),
    reservedAddresses: new Map(reserved.map((x) => [ip(x), "02:00:00:00:00:01"])),
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
  };
}

const NOW = 1_700_000_000;

/** The address the allocator finds in pool `poolIndex` of `s` alone. */
function find(alloc: PoolAllocator, s: Subnet4, poolIndex: number, now: number): number | undefined {
  return alloc.findFree([{ subnet: s, poolIndex }], now)?.address;
}

Deno.test("hands out addresses in order from the cursor and wraps", () => {
  const idx = new LeaseIndex();
  const alloc = new PoolAllocator(idx, new OfferTable());
  const s = subnet();
  assert.deepEqual([1, 2, 3, 4, 5, 6].map(() => find(alloc, s, 0, NOW)), [
    ip(10),
    ip(11),
    ip(12),
    ip(13),
    ip(14),
    ip(10),
  ]);
});

Deno.test("skips reserved addresses, live leases and held offers; prefers addresses nobody was offered", () => {
  const idx = new LeaseIndex();
  const offers = new OfferTable();
  idx.put(mkLease(10, { cltt: NOW - 10, validLifetime: 3600 }));
  offers.remember("hw:01", 1, ip(12), NOW);
  const alloc = new PoolAllocator(idx, offers);
  const s = subnet([11]);
  assert.equal(find(alloc, s, 0, NOW), ip(13));
  assert.equal(find(alloc, s, 0, NOW), ip(14));
  assert.equal(find(alloc, s, 0, NOW), ip(13), "wraps past the taken ones, and past the offered one");
  offers.remember("hw:02", 1, ip(13), NOW, 30);
  offers.remember("hw:03", 1, ip(14), NOW, 30);
  assert.equal(find(alloc, s, 0, NOW), ip(12), "only the offered (not held) address is left: it is given out");
  offers.remember("hw:04", 1, ip(12), NOW, 30);
  assert.equal(find(alloc, s, 0, NOW), undefined, "every free address held by offer-lifetime: exhausted");
  // the holds have ended: all three were offered at the same time, so the first after the cursor (past 12) wins
  assert.equal(find(alloc, s, 0, NOW + 30), ip(13), "the holds have ended");
});

Deno.test("when only offered addresses are free, the one offered longest ago is given out", () => {
  const idx = new LeaseIndex();
  const offers = new OfferTable();
  offers.remember("hw:01", 1, ip(10), NOW - 5);
  offers.remember("hw:02", 1, ip(11), NOW - 40);
  offers.remember("hw:03", 1, ip(12), NOW - 20);
  offers.remember("hw:04", 1, ip(13), NOW - 50);
  offers.remember("hw:05", 1, ip(14), NOW - 10);
  const alloc = new PoolAllocator(idx, offers);
  assert.equal(find(alloc, subnet(), 0, NOW), ip(13));
});

Deno.test("over several pools: an address nobody was offered in a later pool beats an offered one in the first", () => {
  const idx = new LeaseIndex();
  const offers = new OfferTable();
  const s = subnet();
  s.pools.push({ start: ip(20), end: ip(21), poolId: 0, options: new Map() });
  for (let x = 10; x <= 14; x++) offers.remember(`hw:${x}`, 1, ip(x), NOW - 60 + x);
  const alloc = new PoolAllocator(idx, offers);
  const both = [{ subnet: s, poolIndex: 0 }, { subnet: s, poolIndex: 1 }];
  assert.deepEqual(alloc.findFree(both, NOW), { subnet: s, address: ip(20) });
  offers.remember("hw:20", 1, ip(20), NOW - 5);
  offers.remember("hw:21", 1, ip(21), NOW - 45);
  assert.equal(alloc.findFree(both, NOW)?.address, ip(10), "all offered: the one offered longest ago (at NOW-50)");
  offers.remember("hw:new", 1, ip(10), NOW);
  assert.equal(alloc.findFree(both, NOW)?.address, ip(11), "then the next oldest, NOW-49");
  assert.equal(alloc.findFree([], NOW), undefined, "no pool allowed");
});

Deno.test("reuses expired, released and reclaimed leases", () => {
  const idx = new LeaseIndex();
  idx.put(mkLease(10, { cltt: NOW - 7200, validLifetime: 3600 })); // expired, not yet reclaimed
  idx.put(mkLease(11, { state: LeaseState.RELEASED, cltt: NOW, validLifetime: 0 }));
  idx.put(mkLease(12, { state: LeaseState.EXPIRED_RECLAIMED, cltt: NOW - 7200 }));
  idx.put(mkLease(13, { state: LeaseState.DECLINED, hwaddr: "", clientId: "", cltt: NOW, validLifetime: 86400 }));
  idx.put(mkLease(14, { cltt: NOW, validLifetime: 3600 }));
  const alloc = new PoolAllocator(idx, new OfferTable());
  const s = subnet();
  assert.deepEqual([1, 2, 3, 4].map(() => find(alloc, s, 0, NOW)), [ip(10), ip(11), ip(12), ip(10)]);
});

Deno.test("a full pool returns undefined (once round, no endless loop); a freed address is found", () => {
  const idx = new LeaseIndex();
  for (let x = 10; x <= 14; x++) idx.put(mkLease(x, { cltt: NOW, validLifetime: 3600 }));
  const alloc = new PoolAllocator(idx, new OfferTable());
  const s = subnet();
  assert.equal(find(alloc, s, 0, NOW), undefined);
  assert.equal(find(alloc, s, 1, NOW), undefined, "a pool index that does not exist");
  idx.delete(ip(12));
  assert.equal(find(alloc, s, 0, NOW), ip(12));
  assert.equal(find(alloc, s, 0, NOW + 3600), ip(13), "at expiry time the lease is reusable");
});

Deno.test("a mostly free large pool answers in O(1): 60000 allocations from a /16 pool are fast", () => {
  const idx = new LeaseIndex();
  const offers = new OfferTable(60, 65536);
  const alloc = new PoolAllocator(idx, offers);
  const s = subnet();
  s.pools[0] = { start: 0x0a000000, end: 0x0a00ffff, poolId: 0, options: new Map() };
  const t0 = performance.now();
  const seen = new Set<number>();
  for (let i = 0; i < 60000; i++) {
    const a = find(alloc, s, 0, NOW)!;
    seen.add(a);
    offers.remember(`hw:${i}`, 1, a, NOW);
  }
  assert.ok(performance.now() - t0 < 1000, "60000 allocations took over a second");
  assert.equal(offers.size, 60000);
  assert.equal(seen.size, 60000, "no address offered twice while unoffered ones were left");
});

/** A lease view that counts its lookups (the allocator's work per call). */
class CountingIndex extends LeaseIndex {
  lookups = 0;
  override byAddress(a: number) {
    this.lookups++;
    return super.byAddress(a);
  }
}

Deno.test(`a flooded pool costs at most STEAL_LOOKAHEAD (${STEAL_LOOKAHEAD}) + 1 lookups per allocation`, () => {
  const idx = new CountingIndex();
  const offers = new OfferTable(60, 4096);
  const alloc = new PoolAllocator(idx, offers);
  const s = subnet();
  s.pools[0] = { start: 0x0a000000, end: 0x0a000fff, poolId: 0, options: new Map() }; // 4096 addresses
  // a flood: 20 000 DISCOVERs from distinct clients in 20 s, each offered what the allocator finds
  for (let i = 0; i < 20000; i++) {
    const t = NOW + Math.floor(i / 1000);
    idx.lookups = 0;
    const a = find(alloc, s, 0, t);
    assert.ok(a !== undefined, `DISCOVER ${i} found nothing`);
    assert.ok(idx.lookups <= STEAL_LOOKAHEAD + 1, `DISCOVER ${i} looked at ${idx.lookups} addresses`);
    // once the pool has gone round, what is given out is the address offered longest ago
    if (i >= 4096) assert.equal(offers.offerOf(a)?.key, `hw:${i - 4096}`, `DISCOVER ${i}`);
    offers.remember(`hw:${i}`, 1, a, t);
  }
  assert.ok(offers.size <= 4096);
});
