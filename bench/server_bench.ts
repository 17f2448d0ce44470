/**
 * `deno run -A bench/server_bench.ts [CLIENTS]`: the server's per-packet cost without a network — DISCOVER then
 * REQUEST for CLIENTS relayed clients pushed through Dhcp4Server.process() with a transport that only counts
 * sends, leases committed to a real Deno KV file. Prints DORA exchanges per second of one core.
 */
import { parseConfigText } from "../mod/config/load.ts";
import { KvLeaseStore } from "../mod/lease/kv_store.ts";
import { OfferTable } from "../mod/lease/offers.ts";
import { PoolAllocator } from "../mod/lease/allocator.ts";
import { Stats } from "../mod/stats/stats.ts";
import { nullLog } from "../mod/log/logger.ts";
import { type Datagram, Dhcp4Server } from "../mod/dhcp4/server.ts";
import { decode4 } from "../mod/packet4/codec.ts";
import { relayedQuery } from "./relayed_query.ts";

const N = Number(Deno.args[0] ?? 50000);
const dir = await Deno.makeTempDir();
const cfgText = JSON.stringify({
  Dhcp4: {
    "interfaces-config": { interfaces: ["eth0"] },
    "lease-database": { type: "kv", name: `${dir}/l.kv` },
    subnet4: [{
      id: 1,
      subnet: "198.18.0.0/16",
      pools: [{ pool: "198.18.1.0 - 198.18.255.250" }],
      "option-data": [{ name: "routers", data: "198.18.0.1" }],
    }],
  },
});
const config = parseConfigText(cfgText, "bench.json", () => "").dhcp4!;
const store = await KvLeaseStore.open(`${dir}/l.kv`);
const offers = new OfferTable();
let sent = 0;
const replies: Uint8Array[] = [];
const transport = {
  recvBatch: () => new Promise<Datagram[]>(() => {}),
  sendUnicast: (d: Uint8Array) => {
    sent++;
    if (replies.length < N) replies.push(d.slice()); // the server reuses its send buffer
  },
  sendBroadcast: () => void sent++,
  sendLink: () => void sent++,
  close: () => {},
};
const server = new Dhcp4Server({
  config,
  transport,
  store,
  offers,
  allocator: new PoolAllocator(store, offers),
  stats: new Stats(),
  log: nullLog,
  ifaceAddrs: new Map([["eth0", [0xc6120001]]]),
});

const query = relayedQuery;
const dg = (data: Uint8Array): Datagram => ({
  data,
  iface: "eth0",
  ifindex: 2,
  localAddr: 0xc6120001,
  srcAddr: 0xc6120064,
  srcPort: 67,
  dstAddr: 0xc6120001,
});
const discovers = Array.from({ length: N }, (_, i) => dg(query(i, 1)));
const now = Math.floor(Date.now() / 1000);
let t0 = performance.now();
for (let i = 0; i < N; i++) server.process(discovers[i], now);
const tDisc = performance.now() - t0;
const requests = replies.map((r, i) => {
  const o = decode4(r);
  return dg(query(i, 3, [[50, r.subarray(16, 20)], [54, o.options.get(54)!]]));
});
replies.length = 0;
t0 = performance.now();
for (let i = 0; i < N; i++) server.process(requests[i], now);
const tReqSync = performance.now() - t0;
await store.flush();
await new Promise((r) => setTimeout(r, 50));
const tReq = performance.now() - t0;
console.log(
  `${N} clients: DISCOVER ${(N / tDisc * 1000).toFixed(0)}/s, REQUEST engine ${(N / tReqSync * 1000).toFixed(0)}/s, ` +
    `REQUEST incl. commits ${(N / tReq * 1000).toFixed(0)}/s; DORA ${(N / (tDisc + tReq) * 1000).toFixed(0)}/s; ` +
    `sent ${sent}, KV commits ${store.commits}`,
);
await store.close();
await Deno.remove(dir, { recursive: true });
