/**
 * The persistent map behind the HA machine's client tables (mod/ha/persistent_map.ts): it agrees with a `Map` over
 * random operations, every older version stays as it was, and keys whose 32-bit hashes collide are kept apart.
 */
import assert from "node:assert/strict";
import { hashOf, PersistentMap } from "../../mod/ha/persistent_map.ts";

/** A small deterministic generator (xorshift32), so a failure can be replayed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

Deno.test("PersistentMap agrees with a Map over 20 000 random sets and deletes; size is kept exactly", () => {
  const rand = rng(9);
  let pm = PersistentMap.empty<number>();
  const ref = new Map<string, number>();
  for (let i = 0; i < 20_000; i++) {
    const key = `k${Math.floor(rand() * 3000)}`;
    if (rand() < 0.3) {
      pm = pm.delete(key);
      ref.delete(key);
    } else {
      pm = pm.set(key, i);
      ref.set(key, i);
    }
    assert.equal(pm.size, ref.size);
  }
  for (let k = 0; k < 3000; k++) assert.equal(pm.get(`k${k}`), ref.get(`k${k}`), `k${k}`);
  assert.deepEqual(new Map(pm.entries()), ref);
});

Deno.test("PersistentMap: older versions are untouched by later sets and deletes", () => {
  const versions: PersistentMap<number>[] = [PersistentMap.empty()];
  for (let i = 0; i < 500; i++) versions.push(versions[i].set(`c${i}`, i));
  const trimmed = versions[500].delete("c7").set("c8", -1);
  for (const n of [0, 1, 250, 500]) {
    const v = versions[n];
    assert.equal(v.size, n);
    assert.equal(v.get(`c${n - 1}`), n === 0 ? undefined : n - 1);
    assert.equal(v.has(`c${n}`), false);
  }
  assert.equal(versions[500].get("c7"), 7);
  assert.equal(versions[500].get("c8"), 8);
  assert.deepEqual([trimmed.size, trimmed.has("c7"), trimmed.get("c8")], [499, false, -1]);
  assert.equal(versions[500].set("c3", 3), versions[500], "setting the same value returns the same map");
  assert.equal(versions[500].delete("absent"), versions[500], "deleting an absent key returns the same map");
});

Deno.test("PersistentMap keeps keys with equal 32-bit hashes apart (collision nodes)", () => {
  const seen = new Map<number, string>();
  let pairKeys: [string, string] | undefined;
  for (let i = 0; !pairKeys; i++) {
    const k = `aa:bb:${i.toString(16)}|`;
    const h = hashOf(k);
    const other = seen.get(h);
    if (other !== undefined) pairKeys = [other, k];
    else seen.set(h, k);
  }
  const [a, b] = pairKeys;
  assert.equal(hashOf(a), hashOf(b));
  let m = PersistentMap.empty<string>().set(a, "A").set("x", "X").set(b, "B");
  assert.deepEqual([m.size, m.get(a), m.get(b), m.get("x")], [3, "A", "B", "X"]);
  m = m.set(b, "B2");
  assert.deepEqual([m.size, m.get(a), m.get(b)], [3, "A", "B2"]);
  const gone = m.delete(a);
  assert.deepEqual([gone.size, gone.get(a), gone.get(b), m.get(a)], [2, undefined, "B2", "A"]);
  assert.equal(gone.delete(b).delete("x").size, 0);
});
