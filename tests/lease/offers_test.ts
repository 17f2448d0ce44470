/** OfferTable: same address for a repeated DISCOVER, no double offer, expiry, forget and sweep. */
import assert from "node:assert/strict";
import { OfferTable } from "../../mod/lease/offers.ts";

Deno.test("an offer is found by client key and subnet, and marks its address", () => {
  const t = new OfferTable(60);
  t.remember("hw:aa", 1, 100, 1000);
  assert.equal(t.offered("hw:aa", 1), 100);
  assert.equal(t.offered("hw:aa", 2), undefined, "other subnet");
  assert.equal(t.isOffered(100), true);
  assert.equal(t.isOffered(101), false);
});

Deno.test("a new offer to the same client in the subnet replaces its old one", () => {
  const t = new OfferTable(60);
  t.remember("hw:aa", 1, 100, 1000);
  t.remember("hw:aa", 1, 101, 1001);
  assert.equal(t.isOffered(100), false);
  assert.equal(t.offered("hw:aa", 1), 101);
  assert.equal(t.size, 1);
});

Deno.test("offering an address to another client takes it from the first", () => {
  const t = new OfferTable(60);
  t.remember("hw:aa", 1, 100, 1000);
  t.remember("hw:bb", 1, 100, 1000);
  assert.equal(t.offered("hw:aa", 1), undefined);
  assert.equal(t.offered("hw:bb", 1), 100);
});

Deno.test("offers expire after the TTL and sweep drops them", () => {
  const t = new OfferTable(60);
  t.remember("hw:aa", 1, 100, 1000);
  t.remember("hw:bb", 1, 101, 1030);
  t.sweep(1059);
  assert.equal(t.isOffered(100), true);
  t.sweep(1060);
  assert.equal(t.isOffered(100), false);
  assert.equal(t.offered("hw:aa", 1), undefined);
  assert.equal(t.isOffered(101), true);
  assert.equal(t.size, 1);
  t.remember("hw:cc", 1, 102, 1095); // a later remember also advances time for lookups
  assert.equal(t.isOffered(101), false, "expired by the time seen, even before a sweep");
});

Deno.test("forget drops every offer of the client key", () => {
  const t = new OfferTable();
  t.remember("cid:01", 1, 100, 0);
  t.remember("cid:01", 2, 200, 0);
  t.forget("cid:01");
  assert.equal(t.isOffered(100), false);
  assert.equal(t.isOffered(200), false);
  assert.equal(t.size, 0);
  assert.equal(t.ttlSeconds, 60);
});
