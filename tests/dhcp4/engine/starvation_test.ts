/**
 * No starvation by DISCOVER (issue 9, item 1), over the pure engine with the real offer table and allocator: a flood
 * of DISCOVERs from distinct clients into a pool ten times smaller is answered, stays within the table's bound, and
 * leaves the pool serviceable: a new client still gets an OFFER, its retransmission the same address, and its
 * REQUEST an ACK. With `offer-lifetime` holds (Kea 2.6) the same flood does exhaust the pool until they end.
 */
import assert from "node:assert/strict";
import { handle4 } from "../../../mod/dhcp4/engine/handle4.ts";
import type { EngineContext, Outcome } from "../../../mod/dhcp4/engine/types.ts";
import { PoolAllocator } from "../../../mod/lease/allocator.ts";
import { DEFAULT_OFFER_CAPACITY } from "../../../mod/lease/offers.ts";
import { formatIpv4 } from "../../../mod/wire/addr.ts";
import {
  apply,
  config4,
  ctxOf,
  ip,
  MAC_A,
  MemOffers,
  MsgType,
  NOW,
  o,
  Opt,
  query,
  replyType,
  stat,
  subnet4,
  type World,
  world,
} from "./builders.ts";

const D = MsgType.DISCOVER;
const POOL_START = ip("192.0.2.10");

/** A world with one subnet on eth0 whose pool holds `size` addresses from 192.0.2.10, and an offer table. */
function floodWorld(size: number, capacity: number): { w: World; ctx: (now: number) => EngineContext } {
  const last = formatIpv4(POOL_START + size - 1);
  const w = world({
    config: config4([subnet4({ id: 1, prefix: "192.0.2.0/24", iface: "eth0", pools: [["192.0.2.10", last]] })]),
    offers: new MemOffers(60, capacity),
  });
  // one allocator for the whole run, as the server keeps one (its cursor moves on)
  const allocator = new PoolAllocator(w.leases, w.offers);
  return { w, ctx: (now) => ({ ...ctxOf(w, now), allocator }) };
}

/** The n-th flood client's MAC (02:… locally administered, distinct from MAC_A). */
function floodMac(n: number): string {
  const h = n.toString(16).padStart(8, "0");
  return `02:00:${h.slice(0, 2)}:${h.slice(2, 4)}:${h.slice(4, 6)}:${h.slice(6, 8)}`;
}

function yiaddr(out: Outcome): number {
  assert.ok(out.kind === "reply", JSON.stringify(out.log));
  return out.reply.yiaddr;
}

const cases = [
  { pool: 10, flood: 100, capacity: DEFAULT_OFFER_CAPACITY },
  { pool: 10, flood: 100, capacity: 16 },
  { pool: 24, flood: 240, capacity: 5 },
  { pool: 241, flood: 2410, capacity: 1000 },
  { pool: 241, flood: 50_000, capacity: DEFAULT_OFFER_CAPACITY },
  { pool: 1, flood: 10, capacity: 4 },
];

for (const c of cases) {
  Deno.test(
    `starvation: ${c.flood} DISCOVERs from distinct clients into a ${c.pool}-address pool (offer table bound ` +
      `${c.capacity}) are all offered; then a new client gets an OFFER, the same address again, and an ACK`,
    () => {
      const { w, ctx } = floodWorld(c.pool, c.capacity);
      const inPool = (a: number) => a >= POOL_START && a < POOL_START + c.pool;
      let maxSize = 0;
      for (let i = 0; i < c.flood; i++) {
        const now = NOW + Math.floor(i / 1000); // a thousand DISCOVERs a second
        const out = handle4(query(D, { mac: floodMac(i), xid: i }), ctx(now));
        assert.equal(replyType(out), MsgType.OFFER, `flood DISCOVER ${i}: ${JSON.stringify(out.log)}`);
        assert.ok(inPool(yiaddr(out)), `flood DISCOVER ${i} offered ${formatIpv4(yiaddr(out))}`);
        apply(w, out, now);
        maxSize = Math.max(maxSize, w.offers.size);
      }
      assert.ok(maxSize <= Math.min(c.capacity, c.pool), `the offer table reached ${maxSize}`);
      assert.equal(w.leases.byAddr.size, 0, "an OFFER writes no lease");

      const now = NOW + Math.ceil(c.flood / 1000);
      const first = handle4(query(D, { xid: 7 }), ctx(now));
      assert.equal(replyType(first), MsgType.OFFER);
      const offered = yiaddr(first);
      assert.ok(inPool(offered));
      apply(w, first, now);
      const again = handle4(query(D, { xid: 7 }), ctx(now + 2));
      assert.equal(yiaddr(again), offered, "a retransmitted DISCOVER gets the same address");
      apply(w, again, now + 2);

      const req = query(MsgType.REQUEST, {
        xid: 7,
        options: [o.addr(Opt.SERVER_ID, "192.0.2.1"), o.addr(Opt.REQUESTED_ADDRESS, formatIpv4(offered))],
      });
      const ack = handle4(req, ctx(now + 3));
      assert.equal(replyType(ack), MsgType.ACK, JSON.stringify(ack.log));
      assert.equal(yiaddr(ack), offered);
      assert.ok(ack.kind === "reply" && ack.mutations[0]?.op === "put" && ack.mutations[0].lease.hwaddr === MAC_A);
      apply(w, ack, now + 3);
      assert.equal(w.offers.offered("hw:aabbcc000001", 1), undefined, "the ACK forgets the client's offer");
    },
  );
}

Deno.test("starvation: a flood client's REQUEST for an address since offered to another is still ACKed", () => {
  const { w, ctx } = floodWorld(2, 100);
  const a = handle4(query(D, { mac: floodMac(1) }), ctx(NOW));
  apply(w, a, NOW);
  for (let i = 2; i < 4; i++) apply(w, handle4(query(D, { mac: floodMac(i) }), ctx(NOW + 1)), NOW + 1);
  assert.equal(w.offers.offerOf(yiaddr(a))?.key, "hw:020000000003", "the address went to a later client");
  const req = query(MsgType.REQUEST, {
    mac: floodMac(1),
    options: [o.addr(Opt.SERVER_ID, "192.0.2.1"), o.addr(Opt.REQUESTED_ADDRESS, formatIpv4(yiaddr(a)))],
  });
  const ack = handle4(req, ctx(NOW + 2));
  assert.equal(replyType(ack), MsgType.ACK);
  apply(w, ack, NOW + 2);
  // the later client, whose offer lost the race, is NAKed: the address now has a lease
  const late = query(MsgType.REQUEST, {
    mac: floodMac(3),
    options: [o.addr(Opt.SERVER_ID, "192.0.2.1"), o.addr(Opt.REQUESTED_ADDRESS, formatIpv4(yiaddr(a)))],
  });
  assert.equal(replyType(handle4(late, ctx(NOW + 2))), MsgType.NAK);
});

Deno.test("starvation: with offer-lifetime holds a flood exhausts the pool until the holds end (Kea 2.6)", () => {
  const { w, ctx } = floodWorld(10, 100);
  const hold = (out: Outcome) => {
    assert.ok(out.kind === "reply" && out.offer);
    out.offer.holdSeconds = 30; // as discover.ts sets it from offer-lifetime
    return out;
  };
  for (let i = 0; i < 10; i++) apply(w, hold(handle4(query(D, { mac: floodMac(i) }), ctx(NOW))), NOW);
  const starved = handle4(query(D), ctx(NOW + 29));
  assert.equal(starved.kind, "drop");
  assert.equal(stat(starved.stats, "v4-allocation-fail"), 1);
  const served = handle4(query(D), ctx(NOW + 30));
  assert.equal(replyType(served), MsgType.OFFER, "served once the holds ended");
});
