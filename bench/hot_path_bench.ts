/**
 * `deno run -A bench/hot_path_bench.ts [CLIENTS] [ROUNDS]`: the per-packet cost of each hot-path stage on one
 * core, without a network or KV: decode4 of a relayed DISCOVER and REQUEST, handle4 (engine) for each, encode4 of
 * the OFFER and ACK. Leases go to an in-memory LeaseIndex (the KV store's working set), so the figures are the CPU
 * the main thread spends per packet before any commit. Prints µs per packet per stage (median of ROUNDS).
 */
import { parseConfigText } from "../mod/config/load.ts";
import { LeaseIndex } from "../mod/lease/memory_index.ts";
import { OfferTable } from "../mod/lease/offers.ts";
import { PoolAllocator } from "../mod/lease/allocator.ts";
import { decode4, encode4 } from "../mod/packet4/codec.ts";
import { handle4 } from "../mod/dhcp4/engine/handle4.ts";
import type { EngineContext, Outcome } from "../mod/dhcp4/engine/types.ts";
import type { Packet4 } from "../mod/packet4/packet.ts";
import { relayedQuery } from "./relayed_query.ts";

const N = Number(Deno.args[0] ?? 20000);
const ROUNDS = Number(Deno.args[1] ?? 5);
const config = parseConfigText(
  JSON.stringify({
    Dhcp4: {
      "interfaces-config": { interfaces: ["eth0"] },
      "valid-lifetime": 3600,
      "renew-timer": 900,
      "rebind-timer": 1800,
      subnet4: [{
        id: 1,
        subnet: "198.18.0.0/16",
        pools: [{ pool: "198.18.1.0 - 198.18.255.250" }],
        "option-data": [{ name: "routers", data: "198.18.0.1" }, { name: "domain-name-servers", data: "198.18.0.53" }],
      }],
    },
  }),
  "bench.json",
  () => "",
).dhcp4!;

const query = (i: number, type: number, extra: [number, Uint8Array][] = []) =>
  relayedQuery(i, type, extra, [1, 3, 6, 15, 28, 51, 58, 59]);

const arrival = {
  iface: "eth0",
  localAddr: 0xc6120001,
  ifaceAddrs: [0xc6120001],
  srcAddr: 0xc6120064,
  srcPort: 67,
  dstAddr: 0xc6120001,
};

function round(): Record<string, number> {
  const leases = new LeaseIndex();
  const offers = new OfferTable();
  const ctx: EngineContext = {
    config,
    arrival,
    leases,
    offers,
    allocator: new PoolAllocator(leases, offers),
    now: 1_800_000_000,
  };
  const disc = Array.from({ length: N }, (_, i) => query(i, 1));
  const t: Record<string, number> = {};
  let t0 = performance.now();
  const dq = disc.map((b) => decode4(b, { lenient: true }));
  t["decode DISCOVER"] = performance.now() - t0;
  t0 = performance.now();
  const offs: Outcome[] = dq.map((q) => {
    const o = handle4(q, ctx);
    if (o.kind === "reply" && o.offer) offers.remember(o.offer.clientKey, o.offer.subnetId, o.offer.address, ctx.now);
    return o;
  });
  t["engine DISCOVER"] = performance.now() - t0;
  t0 = performance.now();
  const offerBytes = offs.map((o) => encode4((o as { reply: Packet4 }).reply));
  t["encode OFFER"] = performance.now() - t0;
  const reqs = offerBytes.map((r, i) => query(i, 3, [[50, r.subarray(16, 20)], [54, new Uint8Array([198, 18, 0, 1])]]));
  t0 = performance.now();
  const rq = reqs.map((b) => decode4(b, { lenient: true }));
  t["decode REQUEST"] = performance.now() - t0;
  t0 = performance.now();
  const acks: Outcome[] = rq.map((q) => {
    const o = handle4(q, ctx);
    if (o.kind === "reply") {
      leases.apply(o.mutations);
      if (o.forgetOffer) offers.forget(o.forgetOffer);
    }
    return o;
  });
  t["engine REQUEST"] = performance.now() - t0;
  t0 = performance.now();
  for (const o of acks) encode4((o as { reply: Packet4 }).reply);
  t["encode ACK"] = performance.now() - t0;
  if (acks.some((o) => o.kind !== "reply")) throw new Error("a REQUEST was not ACKed");
  return t;
}

const all: Record<string, number[]> = {};
for (let r = 0; r < ROUNDS; r++) for (const [k, v] of Object.entries(round())) (all[k] ??= []).push(v);
let sum = 0;
for (const [k, v] of Object.entries(all)) {
  v.sort((a, b) => a - b);
  const us = v[v.length >> 1] / N * 1000;
  sum += us;
  console.log(`${k.padEnd(16)} ${us.toFixed(2).padStart(7)} µs/packet`);
}
console.log(`${"total DORA".padEnd(16)} ${sum.toFixed(2).padStart(7)} µs → ${(1e6 / sum).toFixed(0)} DORA/s of CPU`);
