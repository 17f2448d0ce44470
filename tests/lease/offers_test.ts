/** OfferTable: the hint for a repeated DISCOVER, replacement, expiry, holds, forget, sweep, and its bound. */
import assert from "node:assert/strict";
import { DEFAULT_OFFER_CAPACITY, OfferTable } from "../../mod/lease/offers.ts";

Deno.test("an offer is found by client key and subnet, and by its address", () => {
  const t = new OfferTable(60);
  assert.equal(t.remember("hw:aa", 1, 100, 1000), undefined, "nothing evicted");
  assert.equal(t.offered("hw:aa", 1), 100);
  assert.equal(t.offered("hw:aa", 2), undefined, "other subnet");
  const o = t.offerOf(100)!;
  assert.deepEqual([o.key, o.subnetId, o.address, o.at, o.expires, o.holdUntil], ["hw:aa", 1, 100, 1000, 1060, 0]);
  assert.equal(t.offerOf(101), undefined);
});

Deno.test("a new offer to the same client in the subnet replaces its old one", () => {
  const t = new OfferTable(60);
  t.remember("hw:aa", 1, 100, 1000);
  t.remember("hw:aa", 1, 101, 1001);
  assert.equal(t.offerOf(100), undefined);
  assert.equal(t.offered("hw:aa", 1), 101);
  assert.equal(t.size, 1);
});

Deno.test("offering an address to another client takes it from the first", () => {
  const t = new OfferTable(60);
  t.remember("hw:aa", 1, 100, 1000);
  t.remember("hw:bb", 1, 100, 1000);
  assert.equal(t.offered("hw:aa", 1), undefined);
  assert.equal(t.offered("hw:bb", 1), 100);
  assert.equal(t.offerOf(100)?.key, "hw:bb");
});

Deno.test("offers expire after the TTL and sweep drops them", () => {
  const t = new OfferTable(60);
  t.remember("hw:aa", 1, 100, 1000);
  t.remember("hw:bb", 1, 101, 1030);
  t.sweep(1059);
  assert.ok(t.offerOf(100));
  t.sweep(1060);
  assert.equal(t.offerOf(100), undefined);
  assert.equal(t.offered("hw:aa", 1), undefined);
  assert.ok(t.offerOf(101));
  assert.equal(t.size, 1);
  t.remember("hw:cc", 1, 102, 1095); // a later remember also advances time for lookups
  assert.equal(t.offerOf(101), undefined, "expired by the time seen, even before a sweep");
});

Deno.test("an offer-lifetime hold lasts its seconds and keeps the offer at least that long", () => {
  const t = new OfferTable(60);
  t.remember("hw:aa", 1, 100, 1000, 30);
  t.remember("hw:bb", 1, 101, 1000, 90);
  assert.equal(t.offerOf(100)?.holdUntil, 1030);
  assert.equal(t.offerOf(100)?.expires, 1060, "a short hold: remembered as long as a hint");
  assert.equal(t.offerOf(101)?.expires, 1090, "a long hold: remembered until it ends");
  t.sweep(1060);
  assert.equal(t.offerOf(100), undefined);
  assert.equal(t.offerOf(101)?.holdUntil, 1090);
  t.sweep(1090);
  assert.equal(t.size, 0);
});

Deno.test("forget drops every offer of the client key", () => {
  const t = new OfferTable();
  t.remember("cid:01", 1, 100, 0);
  t.remember("cid:01", 2, 200, 0);
  t.forget("cid:01");
  assert.equal(t.offerOf(100), undefined);
  assert.equal(t.offerOf(200), undefined);
  assert.equal(t.size, 0);
  assert.equal(t.ttlSeconds, 60);
  assert.equal(t.capacity, DEFAULT_OFFER_CAPACITY);
});

Deno.test("a full table evicts the oldest offer, returns it and counts it", () => {
  const t = new OfferTable(60, 3);
  t.remember("hw:01", 1, 101, 1000);
  t.remember("hw:02", 1, 102, 1001);
  t.remember("hw:03", 1, 103, 1002);
  const gone = t.remember("hw:04", 1, 104, 1003);
  assert.equal(gone?.key, "hw:01");
  assert.equal(gone?.address, 101);
  assert.equal(t.evictions, 1);
  assert.equal(t.size, 3);
  assert.equal(t.offered("hw:01", 1), undefined);
  assert.equal(t.offerOf(101), undefined);
  // a retransmission replaces its own entry: nothing is evicted
  assert.equal(t.remember("hw:04", 1, 104, 1004), undefined);
  // the order is that of the latest offer: hw:02 is now the oldest, then hw:03, then hw:04
  assert.equal(t.remember("hw:05", 1, 105, 1005)?.key, "hw:02");
  assert.equal(t.remember("hw:06", 1, 106, 1006)?.key, "hw:03");
  assert.equal(t.remember("hw:07", 1, 107, 1007)?.key, "hw:04");
  assert.equal(t.evictions, 4);
});

Deno.test("capacity must be at least 1", () => {
  assert.throws(() => new OfferTable(60, 0), RangeError);
});

const floods = [
  { name: "100 000 distinct clients, capacity 1 000", clients: 100_000, capacity: 1000, repeats: 1 },
  { name: "50 000 distinct clients, default capacity", clients: 50_000, capacity: DEFAULT_OFFER_CAPACITY, repeats: 1 },
  { name: "200 clients retransmitting 500 times each, capacity 64", clients: 200, capacity: 64, repeats: 500 },
  { name: "one client retransmitting 100 000 times, capacity 8", clients: 1, capacity: 8, repeats: 100_000 },
];

for (const f of floods) {
  Deno.test(`bounded under a flood: ${f.name}; size and queue stay bounded, work is O(1) amortised`, () => {
    const t = new OfferTable(60, f.capacity);
    let maxSize = 0, maxSlots = 0, n = 0;
    const t0 = performance.now();
    for (let r = 0; r < f.repeats; r++) {
      for (let c = 0; c < f.clients; c++) {
        // addresses cycle through a /16, time advances one second every 1 000 offers
        t.remember(`hw:${c.toString(16)}`, 1, 0x0a000000 + ((c + r) & 0xffff), 1000 + Math.floor(n++ / 1000));
        if (t.size > maxSize) maxSize = t.size;
        if (t.queuedSlots > maxSlots) maxSlots = t.queuedSlots;
      }
    }
    const ms = performance.now() - t0;
    assert.ok(maxSize <= f.capacity, `size reached ${maxSize}`);
    assert.ok(maxSlots <= 2 * (2 * f.capacity + 1024) + 1024, `queue reached ${maxSlots} slots`);
    assert.ok(ms < 2000, `${n} offers took ${ms.toFixed(0)} ms`);
    t.sweep(1000 + Math.floor(n / 1000) + 61);
    assert.equal(t.size, 0, "all expired");
  });
}
