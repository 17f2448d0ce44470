/** IterativeAllocator: cursor order, wrap, skips (reserved, offered, live leases), expired reuse, full pool. */
import assert from "node:assert/strict";
import type { Subnet4 } from "../../mod/config/model.ts";
import { IterativeAllocator } from "../../mod/lease/allocator.ts";
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

Deno.test("hands out addresses in order from the cursor and wraps", () => {
  const idx = new LeaseIndex();
  const alloc = new IterativeAllocator(idx, new OfferTable());
  const s = subnet();
  assert.deepEqual([1, 2, 3, 4, 5, 6].map(() => alloc.findFree(s, 0, NOW)), [
    ip(10),
    ip(11),
    ip(12),
    ip(13),
    ip(14),
    ip(10),
  ]);
});

Deno.test("skips reserved addresses, offered addresses and live leases", () => {
  const idx = new LeaseIndex();
  const offers = new OfferTable();
  idx.put(mkLease(10, { cltt: NOW - 10, validLifetime: 3600 }));
  offers.remember("hw:01", 1, ip(12), NOW);
  const alloc = new IterativeAllocator(idx, offers);
  const s = subnet([11]);
  assert.equal(alloc.findFree(s, 0, NOW), ip(13));
  assert.equal(alloc.findFree(s, 0, NOW), ip(14));
  assert.equal(alloc.findFree(s, 0, NOW), ip(13), "wraps past the taken ones");
});

Deno.test("reuses expired, released and reclaimed leases", () => {
  const idx = new LeaseIndex();
  idx.put(mkLease(10, { cltt: NOW - 7200, validLifetime: 3600 })); // expired, not yet reclaimed
  idx.put(mkLease(11, { state: LeaseState.RELEASED, cltt: NOW, validLifetime: 0 }));
  idx.put(mkLease(12, { state: LeaseState.EXPIRED_RECLAIMED, cltt: NOW - 7200 }));
  idx.put(mkLease(13, { state: LeaseState.DECLINED, hwaddr: "", clientId: "", cltt: NOW, validLifetime: 86400 }));
  idx.put(mkLease(14, { cltt: NOW, validLifetime: 3600 }));
  const alloc = new IterativeAllocator(idx, new OfferTable());
  const s = subnet();
  assert.deepEqual([1, 2, 3, 4].map(() => alloc.findFree(s, 0, NOW)), [ip(10), ip(11), ip(12), ip(10)]);
});

Deno.test("a full pool returns undefined (once round, no endless loop); a freed address is found", () => {
  const idx = new LeaseIndex();
  for (let x = 10; x <= 14; x++) idx.put(mkLease(x, { cltt: NOW, validLifetime: 3600 }));
  const alloc = new IterativeAllocator(idx, new OfferTable());
  const s = subnet();
  assert.equal(alloc.findFree(s, 0, NOW), undefined);
  assert.equal(alloc.findFree(s, 1, NOW), undefined, "a pool index that does not exist");
  idx.delete(ip(12));
  assert.equal(alloc.findFree(s, 0, NOW), ip(12));
  assert.equal(alloc.findFree(s, 0, NOW + 3600), ip(13), "at expiry time the lease is reusable");
});

Deno.test("a mostly free large pool answers in O(1): 60000 allocations from a /16 pool are fast", () => {
  const idx = new LeaseIndex();
  const offers = new OfferTable();
  const alloc = new IterativeAllocator(idx, offers);
  const s = subnet();
  s.pools[0] = { start: 0x0a000000, end: 0x0a00ffff, poolId: 0, options: new Map() };
  const t0 = performance.now();
  for (let i = 0; i < 60000; i++) {
    const a = alloc.findFree(s, 0, NOW)!;
    offers.remember(`hw:${i}`, 1, a, NOW);
  }
  assert.ok(performance.now() - t0 < 1000, "60000 allocations took over a second");
  assert.equal(offers.size, 60000);
});
