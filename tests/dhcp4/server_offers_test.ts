/**
 * The server edge and the offer table (mod/dhcp4/server.ts): a flood of DISCOVERs keeps the table within its bound,
 * each eviction counted in `v4-offer-evictions` and logged at debug (DHCP4_OFFER_EVICTED), every DISCOVER answered;
 * with `offer-lifetime` the offer's hold reaches the table. No sockets: datagrams go straight to `process`.
 */
import assert from "node:assert/strict";
import { parseConfigText } from "../../mod/config/load.ts";
import { KvLeaseStore } from "../../mod/lease/kv_store.ts";
import { OfferTable } from "../../mod/lease/offers.ts";
import { PoolAllocator } from "../../mod/lease/allocator.ts";
import { Stats } from "../../mod/stats/stats.ts";
import type { Log } from "../../mod/log/logger.ts";
import { type Datagram, Dhcp4Server } from "../../mod/dhcp4/server.ts";
import { encode4 } from "../../mod/packet4/codec.ts";
import type { Packet4 } from "../../mod/packet4/packet.ts";

const SERVER = 0xc6120001; // 198.18.0.1
const RELAY = 0xc6120064; // 198.18.0.100

/** A relayed DISCOVER from client `i` (MAC 02:00:ii:ii:ii:01). */
function discover(i: number): Datagram {
  const chaddr = new Uint8Array(16);
  chaddr.set([2, 0, (i >>> 16) & 255, (i >>> 8) & 255, i & 255, 1]);
  const p: Packet4 = {
    op: 1,
    htype: 1,
    hlen: 6,
    hops: 1,
    xid: i,
    secs: 0,
    flags: 0,
    ciaddr: 0,
    yiaddr: 0,
    siaddr: 0,
    giaddr: RELAY,
    chaddr,
    sname: "",
    file: "",
    options: new Map([[53, new Uint8Array([1])]]),
  };
  return {
    data: encode4(p),
    iface: "eth0",
    ifindex: 2,
    localAddr: SERVER,
    srcAddr: RELAY,
    srcPort: 67,
    dstAddr: SERVER,
  };
}

async function server(offers: OfferTable, pool: string, extra: Record<string, unknown> = {}) {
  const cfg = JSON.stringify({
    Dhcp4: {
      "interfaces-config": { interfaces: ["eth0"] },
      subnet4: [{ id: 1, subnet: "198.18.0.0/16", pools: [{ pool }] }],
      ...extra,
    },
  });
  const config = parseConfigText(cfg, "t.json", () => "").dhcp4!;
  const store = await KvLeaseStore.open(":memory:");
  const lines: string[] = [];
  const put = (id: string, text: string) => void lines.push(`${id} ${text}`);
  const log: Log = { debug: put, info: put, warn: put, error: put, infoEnabled: true, debugEnabled: true };
  const stats = new Stats();
  let sent = 0;
  const transport = {
    recvBatch: () => new Promise<Datagram[]>(() => {}),
    sendUnicast: () => void sent++,
    sendBroadcast: () => void sent++,
    sendLink: () => void sent++,
    close: () => {},
  };
  const srv = new Dhcp4Server({
    config,
    transport,
    store,
    offers,
    allocator: new PoolAllocator(store, offers),
    stats,
    log,
    ifaceAddrs: new Map([["eth0", [SERVER]]]),
  });
  return { srv, store, stats, lines, sent: () => sent };
}

Deno.test("server: 1 000 DISCOVERs into a 10-address pool with an 8-offer table: all answered, 992 evictions counted", async () => {
  const offers = new OfferTable(60, 8);
  const s = await server(offers, "198.18.1.1 - 198.18.1.10");
  try {
    const now = 1_800_000_000;
    for (let i = 0; i < 1000; i++) {
      s.srv.process(discover(i), now);
      assert.ok(offers.size <= 8, `table size ${offers.size} after DISCOVER ${i}`);
    }
    assert.equal(s.stats.get("pkt4-offer-sent"), 1000);
    assert.equal(s.sent(), 1000);
    assert.equal(s.stats.get("v4-allocation-fail"), 0);
    assert.equal(s.stats.get("v4-offer-evictions"), 992);
    assert.equal(offers.evictions, 992);
    assert.equal(s.lines.filter((l) => l.startsWith("DHCP4_OFFER_EVICTED offer table full")).length, 992);
    assert.equal(s.store.size(), 0, "nothing written at OFFER");
  } finally {
    await s.store.close();
  }
});

Deno.test("server: with offer-lifetime 30 an offer holds the only address for 30 s, then another client gets it", async () => {
  const offers = new OfferTable();
  const s = await server(offers, "198.18.1.1 - 198.18.1.1", { "offer-lifetime": 30 });
  try {
    const now = 1_800_000_000;
    s.srv.process(discover(1), now);
    assert.equal(offers.offerOf(0xc6120101)?.holdUntil, now + 30);
    s.srv.process(discover(2), now + 29);
    assert.equal(s.stats.get("v4-allocation-fail"), 1, "held for client 1");
    s.srv.process(discover(2), now + 30);
    assert.equal(s.stats.get("pkt4-offer-sent"), 2, "the hold has ended");
    assert.equal(offers.offerOf(0xc6120101)?.key, "hw:020000000201");
  } finally {
    await s.store.close();
  }
});
