/**
 * Kea's `allocator` / `pd-allocator` choices for DHCPv6 in weka's PoolAllocator6, over pools compiled by the real
 * loader: random addresses (each once before any twice, not in sequence), random and flq delegated prefixes, the
 * flq queue following the store (a released prefix comes back) and costing one check per prefix in a 99 %-full
 * pd-pool, and Kea's refusal of flq for address pools.
 */
import assert from "node:assert/strict";
import { PoolAllocator6 } from "../../../mod/dhcp6/engine/pool_allocator6.ts";
import { ConfigError } from "../../../mod/config/errors.ts";
import { LeaseState } from "../../../mod/lease/types.ts";
import type { Lease6 } from "../../../mod/lease/types6.ts";
import { big6, load6 } from "./helpers.ts";
import { parseConfigText } from "../../../mod/config/load.ts";

function seeded(seed = 9): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

const cfg = (allocator: string, pd: string) =>
  load6({
    allocator,
    "pd-allocator": pd,
    subnet6: [{
      id: 1,
      subnet: "2001:db8:1::/64",
      interface: "eth0",
      pools: [{ pool: "2001:db8:1::1 - 2001:db8:1::40" }],
      "pd-pools": [{ prefix: "2001:db8:8::", "prefix-len": 48, "delegated-len": 60 }],
    }],
  });

Deno.test("random (v6): each address once before any twice, not in sequence", () => {
  const c = cfg("random", "iterative");
  const alloc = new PoolAllocator6(seeded());
  const taken = new Set<bigint>();
  const got: bigint[] = [];
  for (let i = 0; i < 64; i++) {
    const a = alloc.findAddress(c.subnets[0], 0, (x) => !taken.has(x))!;
    taken.add(a);
    got.push(a);
  }
  assert.equal(taken.size, 64);
  const steps = got.filter((a, i) => i > 0 && a === got[i - 1] + 1n).length;
  assert.ok(steps < 10, `${steps} sequential steps`);
  assert.equal(alloc.findAddress(c.subnets[0], 0, (x) => !taken.has(x)), undefined, "the pool is used up");
});

Deno.test("flq (v6 prefixes): one check per prefix in a 99 %-full pd-pool; released prefixes come back", () => {
  const c = cfg("iterative", "flq");
  const s = c.subnets[0];
  const step = 1n << 68n;
  const base = big6("2001:db8:8::");
  const taken = new Set<bigint>();
  for (let i = 0n; i < 4096n; i++) if ((i * 37n) % 100n !== 0n) taken.add(base + i * step);
  const alloc = new PoolAllocator6(seeded());
  let checks = 0;
  const isFree = (p: bigint) => {
    checks++;
    return !taken.has(p);
  };
  alloc.findPrefix(s, 0, isFree); // fills the queue (one pass)
  checks = 0;
  for (let i = 0; i < 30; i++) {
    const p = alloc.findPrefix(s, 0, isFree)!;
    assert.ok(!taken.has(p));
    taken.add(p);
  }
  assert.ok(checks <= 40, `${checks} checks for 30 prefixes`);
  const back = base + 5n * step;
  taken.delete(back);
  const released: Lease6 = {
    address: back,
    prefixLen: 60,
    type: 2,
    duid: "01:02",
    iaid: 1,
    subnetId: 1,
    cltt: 0,
    validLifetime: 0,
    preferredLifetime: 0,
    fqdnFwd: false,
    fqdnRev: false,
    hostname: "",
    hwaddr: "",
    state: LeaseState.RELEASED,
  };
  alloc.observe([{ op: "put", lease: released }]);
  const found: bigint[] = [];
  for (let p = alloc.findPrefix(s, 0, isFree); p !== undefined; p = alloc.findPrefix(s, 0, isFree)) {
    found.push(p);
    taken.add(p);
  }
  assert.ok(found.includes(back), "the released prefix was queued again");
});

Deno.test("random (v6 prefixes) and the schema: flq is refused for address pools, in Kea's words", () => {
  const c = cfg("random", "random");
  const alloc = new PoolAllocator6(seeded(3));
  const seen = new Set<bigint>();
  for (let i = 0; i < 100; i++) seen.add(alloc.findPrefix(c.subnets[0], 0, (p) => !seen.has(p))!);
  assert.equal(seen.size, 100);
  assert.throws(
    () => parseConfigText(`{"Dhcp6": {"allocator": "flq"}}`, "a.json", () => ""),
    (e) =>
      e instanceof ConfigError &&
      e.problems[0].message === "Free Lease Queue allocator is not supported for IPv6 address pools",
  );
});
