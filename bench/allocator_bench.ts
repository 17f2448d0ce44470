/**
 * `deno task bench:allocator [DISCOVERS] [ROUNDS]`: what one DISCOVER costs the engine (decode excluded: handle4,
 * the allocator's search and the OFFER) in an empty pool and in a 99 %-full one, for each of Kea's allocators
 * (`iterative`, `random`, `flq`). The pool is a /16 (65 279 addresses); "99 % full" leaves every hundredth address
 * free, scattered, with live leases on the others in the in-memory lease index (the KV store's working set). Each
 * DISCOVER comes from a new client and its offer is remembered, as the server does (at most 600 of them: the full
 * pool has 653 free addresses, and beyond them every search would be the offered-to-others fallback, the same for
 * every allocator). Each allocator runs once untimed first (JIT warm-up). The flq queue is filled before
 * the timing (Kea fills it at configuration time; weka on the pool's first allocation), and its fill time is shown.
 * Prints µs per DISCOVER (median of ROUNDS) and the ratio full / empty.
 */
import { parseConfigText } from "../mod/config/load.ts";
import type { Dhcp4Config } from "../mod/config/model.ts";
import { LeaseIndex } from "../mod/lease/memory_index.ts";
import { OfferTable } from "../mod/lease/offers.ts";
import { PoolAllocator } from "../mod/lease/allocator.ts";
import { LeaseState } from "../mod/lease/types.ts";
import { decode4 } from "../mod/packet4/codec.ts";
import { handle4 } from "../mod/dhcp4/engine/handle4.ts";
import type { EngineContext } from "../mod/dhcp4/engine/types.ts";
import { relayedQuery } from "./relayed_query.ts";

/** fewer than the 99 %-full pool's 653 free addresses, so no search falls back to addresses offered to others */
const N = Math.min(600, Number(Deno.args[0] ?? 500));
const ROUNDS = Number(Deno.args[1] ?? 5);
const NOW = 1_800_000_000;
const FIRST = 0xc6120100, LAST = 0xc612fffe; // 198.18.1.0 - 198.18.255.254

function config(allocator: string): Dhcp4Config {
  return parseConfigText(
    JSON.stringify({
      Dhcp4: {
        allocator,
        "valid-lifetime": 3600,
        subnet4: [{
          id: 1,
          subnet: "198.18.0.0/16",
          pools: [{ pool: "198.18.1.0 - 198.18.255.254" }],
          "option-data": [{ name: "routers", data: "198.18.0.1" }],
        }],
      },
    }),
    "bench.json",
    () => "",
  ).dhcp4!;
}

/** The leases of a 99 %-full pool: every address but every hundredth (scattered by a multiplicative step). */
function fill(leases: LeaseIndex): void {
  for (let a = FIRST, i = 0; a <= LAST; a++, i++) {
    if ((i * 7919) % 100 === 0) continue;
    leases.put({
      address: a,
      hwaddr: `0a:${((i >>> 16) & 255).toString(16)}:${((i >>> 8) & 255).toString(16)}:${(i & 255).toString(16)}:00:01`,
      clientId: "",
      validLifetime: 3600,
      cltt: NOW - 10,
      subnetId: 1,
      fqdnFwd: false,
      fqdnRev: false,
      hostname: "",
      state: LeaseState.DEFAULT,
    });
  }
}

/** µs per DISCOVER for `allocator` in an empty (`full` false) or 99 %-full pool, and the queue fill time (ms). */
function run(allocator: string, full: boolean): { us: number; fillMs: number } {
  const cfg = config(allocator);
  const leases = new LeaseIndex();
  if (full) fill(leases);
  const offers = new OfferTable();
  const alloc = new PoolAllocator(leases, offers);
  const ctx: EngineContext = {
    config: cfg,
    arrival: {
      iface: "eth0",
      localAddr: 0xc6120001,
      ifaceAddrs: [0xc6120001],
      srcAddr: 0xc6120064,
      srcPort: 67,
      dstAddr: 0xc6120001,
    },
    leases,
    offers,
    allocator: alloc,
    now: NOW,
  };
  let t0 = performance.now();
  alloc.findFree([{ subnet: cfg.subnets[0], poolIndex: 0 }], NOW); // flq: fills the queue
  const fillMs = performance.now() - t0;
  const queries = Array.from({ length: N }, (_, i) => decode4(relayedQuery(1_000_000 + i, 1), { lenient: true }));
  gc?.(); // with --v8-flags=--expose-gc: the fill's garbage is not collected inside the timing
  t0 = performance.now();
  for (const q of queries) {
    const o = handle4(q, ctx);
    if (o.kind !== "reply" || !o.offer) throw new Error(`${allocator}: a DISCOVER got no OFFER`);
    offers.remember(o.offer.clientKey, o.offer.subnetId, o.offer.address, NOW);
  }
  return { us: (performance.now() - t0) / N * 1000, fillMs };
}

const gc = (globalThis as { gc?: () => void }).gc;
const median = (v: number[]) => v.sort((a, b) => a - b)[v.length >> 1];
console.log(`${N} DISCOVERs from new clients, /16 pool, median of ${ROUNDS} rounds`);
console.log("allocator   empty pool   99 % full   full/empty   queue fill");
for (const allocator of ["iterative", "random", "flq"]) for (const full of [false, true]) run(allocator, full); // warm-up
for (const allocator of ["iterative", "random", "flq"]) {
  const empty: number[] = [], full: number[] = [], fills: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    empty.push(run(allocator, false).us);
    const f = run(allocator, true);
    full.push(f.us);
    fills.push(f.fillMs);
  }
  const e = median(empty), f = median(full);
  console.log(
    `${allocator.padEnd(10)} ${e.toFixed(2).padStart(8)} µs ${f.toFixed(2).padStart(8)} µs ${
      (f / e).toFixed(2).padStart(9)
    }× ${allocator === "flq" ? `${median(fills).toFixed(1).padStart(8)} ms` : ""}`,
  );
}
