/** LeaseIndex and ExpiryHeap: identifier collisions, re-indexing, lazy deletion and compaction. */
import assert from "node:assert/strict";
import { LeaseIndex } from "../../mod/lease/memory_index.ts";
import { ExpiryHeap } from "../../mod/lease/expiry_heap.ts";
import { LeaseState } from "../../mod/lease/types.ts";
import { ip, mkLease } from "./store_contract.ts";

Deno.test("byHwAddr prefers the DEFAULT lease over the same client's reclaimed one", () => {
  const idx = new LeaseIndex();
  const old = mkLease(1, { state: LeaseState.EXPIRED_RECLAIMED, cltt: 100 });
  const cur = mkLease(2, { hwaddr: old.hwaddr, clientId: old.clientId, cltt: 50 });
  idx.put(old);
  idx.put(cur);
  assert.equal(idx.byHwAddr(old.hwaddr, 1)?.address, ip(2));
  assert.equal(idx.byClientId(old.clientId, 1)?.address, ip(2));
  idx.delete(ip(2));
  assert.equal(idx.byHwAddr(old.hwaddr, 1)?.address, ip(1), "after the delete the reclaimed lease is found again");
  idx.delete(ip(1));
  assert.equal(idx.byHwAddr(old.hwaddr, 1), undefined);
});

Deno.test("declined leases (no identity) are not indexed under an empty identifier", () => {
  const idx = new LeaseIndex();
  idx.put(mkLease(3, { hwaddr: "", clientId: "", state: LeaseState.DECLINED }));
  assert.equal(idx.byHwAddr("", 1), undefined);
  assert.equal(idx.byClientId("", 1), undefined);
  assert.equal(idx.size(), 1);
});

Deno.test("state changes move a lease between the expired and reclaimed queries", () => {
  const idx = new LeaseIndex();
  idx.put(mkLease(4, { cltt: 0, validLifetime: 10 }));
  assert.equal(idx.expired(100, 10).length, 1);
  idx.put(mkLease(4, { cltt: 0, validLifetime: 10, state: LeaseState.EXPIRED_RECLAIMED }));
  assert.equal(idx.expired(100, 10).length, 0);
  assert.equal(idx.reclaimedOlderThan(100, 50, 10).length, 1);
  assert.equal(idx.reclaimedOlderThan(100, 95, 10).length, 0);
});

Deno.test("ExpiryHeap: earliest first with address tie-break, re-set times never duplicate", () => {
  const h = new ExpiryHeap();
  h.set(5, 100);
  h.set(3, 100);
  h.set(9, 50);
  h.set(7, 200);
  assert.deepEqual(h.upTo(150, 10), [9, 3, 5]);
  assert.deepEqual(h.upTo(150, 10), [9, 3, 5], "a query does not consume entries");
  h.set(9, 300); // renewed
  h.set(9, 50); // and back: two pairs (50,9) now exist in the heap
  assert.deepEqual(h.upTo(1000, 10), [9, 3, 5, 7]);
  h.delete(3);
  assert.deepEqual(h.upTo(1000, 2), [9, 5]);
  assert.equal(h.size, 3);
});

Deno.test("ExpiryHeap: stale pairs are compacted away when they dominate", () => {
  const h = new ExpiryHeap();
  for (let i = 0; i < 5000; i++) h.set(1, i); // one address renewed 5000 times
  assert.ok(h.rawLength < 1100, `heap kept ${h.rawLength} pairs for 1 live address`);
  assert.deepEqual(h.upTo(10_000, 10), [1]);
  assert.deepEqual(h.upTo(4998, 10), [], "only the latest time counts");
});

Deno.test("ExpiryHeap: many random entries come out sorted", () => {
  const h = new ExpiryHeap();
  const exp = new Map<number, number>();
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) % 10000;
  for (let a = 0; a < 3000; a++) {
    const e = rnd();
    h.set(a, e);
    exp.set(a, e);
  }
  const out = h.upTo(5000, 100000);
  const want = [...exp].filter(([, e]) => e <= 5000).sort((x, y) => x[1] - y[1] || x[0] - y[0]).map(([a]) => a);
  assert.deepEqual(out, want);
});

Deno.test("a renewal or reclamation keeps its identifiers' map entries; a changed identifier moves", () => {
  const idx = new LeaseIndex();
  const l = mkLease(5);
  idx.put(l);
  // count the writes to the identifier tables (each removal would leave a hole that only a rehash reclaims)
  const writes: string[] = [];
  for (const field of ["byHw", "byCid"]) {
    const inner = (idx as unknown as Record<string, Map<number, Map<string, unknown>>>)[field].get(1)!;
    const set = inner.set.bind(inner), del = inner.delete.bind(inner);
    inner.set = (k, v) => (writes.push(`${field} set ${k}`), set(k, v));
    inner.delete = (k) => (writes.push(`${field} delete ${k}`), del(k));
  }
  idx.put({ ...l, cltt: l.cltt + 600 }); // renewal
  idx.put({ ...l, state: LeaseState.EXPIRED_RECLAIMED, hostname: "", fqdnFwd: false }); // reclamation
  assert.deepEqual(writes, [], "same subnet, same identifiers: the tables are not touched");
  assert.equal(idx.byHwAddr(l.hwaddr, 1)?.state, LeaseState.EXPIRED_RECLAIMED);
  assert.equal(idx.byClientId(l.clientId, 1)?.address, l.address);
  idx.put({ ...l, hwaddr: "02:00:00:00:00:01", clientId: "" }); // another client takes the address
  assert.deepEqual(writes, [`byHw delete ${l.hwaddr}`, "byHw set 02:00:00:00:00:01", `byCid delete ${l.clientId}`]);
  assert.equal(idx.byHwAddr(l.hwaddr, 1), undefined);
  assert.equal(idx.byClientId(l.clientId, 1), undefined);
  assert.equal(idx.byHwAddr("02:00:00:00:00:01", 1)?.address, l.address);
  idx.put({ ...l, hwaddr: "02:00:00:00:00:01", clientId: "", subnetId: 2 }); // same client, other subnet
  assert.equal(idx.byHwAddr("02:00:00:00:00:01", 1), undefined);
  assert.equal(idx.byHwAddr("02:00:00:00:00:01", 2)?.address, l.address);
});

Deno.test("ExpiryHeap: a deleted address stays out of every query and count until it is set again", () => {
  const h = new ExpiryHeap();
  for (let a = 1; a <= 3000; a++) h.set(a, a);
  const current = (h as unknown as { current: Map<number, number> }).current;
  let removed = 0;
  const del = current.delete.bind(current);
  current.delete = (k) => (removed++, del(k)); // a removal leaves a hole only a whole-table rehash reclaims
  for (let a = 1; a <= 3000; a += 2) h.delete(a);
  h.delete(1); // twice: no effect
  h.delete(99_999); // never tracked: no effect
  assert.equal(h.size, 1500);
  assert.deepEqual(h.upTo(10, 100), [2, 4, 6, 8, 10]);
  h.set(3, 5); // back, with another time
  assert.equal(h.size, 1501);
  assert.deepEqual(h.upTo(6, 100), [2, 4, 3, 6]);
  for (let i = 0; i < 5000; i++) h.set(2, 10_000 + i); // renewals: compaction keeps only what is tracked
  assert.ok(h.rawLength <= 2 * 1501 + 1024, `raw ${h.rawLength}`);
  assert.equal(h.size, 1501);
  assert.deepEqual(h.upTo(8, 100), [4, 3, 6, 8], "no deleted address comes back with the compaction");
  assert.equal(removed, 0, "no key ever left the Map");
  h.forget(4);
  h.forget(5); // already deleted: only its key goes
  h.forget(99_999); // never tracked: nothing
  assert.equal(removed, 2, "forget removes the key");
  assert.equal(h.size, 1500);
  assert.deepEqual(h.upTo(8, 100), [3, 6, 8]);
});

Deno.test("ExpiryHeap: compaction under churn (renewals, flips back, deletes) keeps one pair per address, in order", () => {
  const h = new ExpiryHeap();
  const model = new Map<number, number>();
  let seed = 11, compactions = 0;
  const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
  for (let step = 0; step < 60_000; step++) {
    const a = rnd(500), before = h.rawLength;
    if (rnd(10) === 0) {
      h.delete(a);
      model.delete(a);
    } else {
      const e = rnd(4) === 0 ? 100 + a : 1000 + rnd(5000); // some addresses flip back to an earlier time
      h.set(a, e);
      model.set(a, e);
    }
    if (h.rawLength < before) compactions++;
  }
  assert.ok(compactions >= 5, `compactions ${compactions}`);
  assert.ok(h.rawLength <= 3 * h.size + 1025, `raw ${h.rawLength} for ${h.size}`);
  assert.equal(h.size, model.size);
  const want = [...model].sort((x, y) => x[1] - y[1] || x[0] - y[0]).map(([a]) => a);
  h.compact();
  assert.equal(h.rawLength, model.size, "a compaction keeps exactly one pair per address tracked");
  assert.deepEqual(h.upTo(10_000, 10_000), want);
  assert.deepEqual(h.upTo(10_000, 10_000), want);
});
