/**
 * `deno run -A --v8-flags=--expose-gc bench/offer_table_bench.ts [OFFERS]`: the offer table (mod/lease/offers.ts)
 * under a DISCOVER flood of OFFERS distinct clients (default 1 000 000, 20 000 a second): cost per offer, and the
 * table's size, queue and heap once full, which stay at its bound (16 384 offers) however long the flood runs.
 */
import { OfferTable } from "../mod/lease/offers.ts";

const N = Number(Deno.args[0] ?? 1_000_000);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const heap = () => {
  for (let i = 0; i < 3; i++) gc();
  return Deno.memoryUsage().heapUsed;
};

const t = new OfferTable();
const h0 = heap();
const t0 = performance.now();
for (let i = 0; i < N; i++) {
  const mac = (0x020000000000 + i * 7919).toString(16).padStart(12, "0");
  t.remember(`hw:${mac}`, 1, 0x0a000000 + (i & 0xffffff), 1000 + Math.floor(i / 20000));
  if (i === N / 2) t.sweep(1000 + Math.floor(i / 20000));
}
const ms = performance.now() - t0;
const h1 = heap();
console.log(
  `${N} offers in ${ms.toFixed(0)} ms (${(ms * 1000 / N).toFixed(2)} µs each, MAC text included); ` +
    `table ${t.size}/${t.capacity}, queue ${t.queuedSlots} slots, ${t.evictions} evicted, ` +
    `heap +${((h1 - h0) / 1048576).toFixed(1)} MiB`,
);
