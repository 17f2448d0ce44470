/** AddressOrder: the ascending address set behind lease4-get-page (mod/lease/address_order.ts). */
import assert from "node:assert/strict";
import { AddressOrder } from "../../mod/lease/address_order.ts";

/** A seeded generator (xorshift32), so a failure repeats. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

Deno.test("AddressOrder: random adds and deletes walk like a sorted set, from any address", () => {
  const r = rng(16);
  const o = new AddressOrder();
  const ref = new Set<number>();
  // addresses in a few dense /24s, a sparse spread over the whole space, and the extremes
  const pick = () => r() < 0.7 ? (0xc0a80000 + Math.floor(r() * 1024)) >>> 0 : Math.floor(r() * 2 ** 32) >>> 0;
  for (const a of [0, 255, 256, 0xffffffff, 0x7fffffff, 0x80000000]) {
    o.add(a);
    ref.add(a);
  }
  for (let i = 0; i < 20000; i++) {
    const a = pick();
    if (r() < 0.35) {
      o.delete(a);
      ref.delete(a);
    } else {
      o.add(a);
      ref.add(a);
    }
  }
  const sorted = [...ref].sort((a, b) => a - b);
  assert.equal(o.size, ref.size);
  assert.deepEqual([...o.after(-1)], sorted);
  for (let i = 0; i < 200; i++) {
    const from = i < 3 ? [0, 255, 0xffffffff][i] : sorted[Math.floor(r() * sorted.length)] + (r() < 0.5 ? 0 : 1);
    assert.deepEqual([...o.after(from)].slice(0, 50), sorted.filter((a) => a > from).slice(0, 50), `after ${from}`);
  }
  for (const a of sorted.slice(0, 100)) assert.ok(o.has(a));
  assert.equal(o.has(1), ref.has(1));
});

Deno.test("AddressOrder: emptied blocks go, and a walk survives changes between its steps", () => {
  const o = new AddressOrder();
  for (let a = 0x0a000000; a < 0x0a000300; a += 7) o.add(a); // three /24 blocks
  const walk = o.after(-1);
  const seen: number[] = [];
  for (const a of walk) {
    seen.push(a);
    if (seen.length === 3) {
      for (let b = 0x0a000100; b < 0x0a000200; b++) o.delete(b); // the whole second block, ahead of the walk
      o.add(0x0a000001); // behind the walk: not seen
      o.add(0x0a0002ff); // ahead: seen
    }
  }
  assert.ok(seen.every((a) => a < 0x0a000100 || a >= 0x0a000200), "deleted addresses skipped");
  assert.ok(seen.includes(0x0a0002ff));
  assert.ok(!seen.includes(0x0a000001));
  assert.deepEqual(seen, [...seen].sort((a, b) => a - b));
  assert.deepEqual([...o.after(-1)], [0x0a000001, ...seen].sort((a, b) => a - b));
  for (const a of [...o.after(-1)]) o.delete(a);
  assert.equal(o.size, 0);
  assert.deepEqual([...o.after(-1)], []);
});
