/**
 * Kea's iterative allocator for DHCPv6 (allocator6.ts): cursor per pool, wrap-around, the engine's `isFree`
 * verdict, delegated prefixes stepping by 2^(128 − delegated-len), exhaustion.
 */
import assert from "node:assert/strict";
import { IterativeAllocator6 } from "../../../mod/dhcp6/engine/allocator6.ts";
import { big6, load6 } from "./helpers.ts";
import { formatIpv6Big } from "../../../mod/config/addr6.ts";

const cfg = load6({
  subnet6: [{
    id: 1,
    subnet: "2001:db8:1::/64",
    pools: [{ pool: "2001:db8:1::1 - 2001:db8:1::4" }],
    "pd-pools": [{ prefix: "2001:db8:8::", "prefix-len": 54, "delegated-len": 56 }],
  }],
});
const s = cfg.subnets[0];

Deno.test("addresses: successive calls walk the pool from the cursor and wrap", () => {
  const a = new IterativeAllocator6();
  const got: string[] = [];
  for (let i = 0; i < 6; i++) got.push(formatIpv6Big(a.findAddress(s, 0, () => true)!));
  assert.deepEqual(got, [
    "2001:db8:1::1",
    "2001:db8:1::2",
    "2001:db8:1::3",
    "2001:db8:1::4",
    "2001:db8:1::1",
    "2001:db8:1::2",
  ]);
});

Deno.test("addresses: taken candidates are skipped; a full pool gives undefined", () => {
  const a = new IterativeAllocator6();
  const taken = new Set([big6("2001:db8:1::1"), big6("2001:db8:1::2")]);
  assert.equal(formatIpv6Big(a.findAddress(s, 0, (x) => !taken.has(x))!), "2001:db8:1::3");
  assert.equal(a.findAddress(s, 0, () => false), undefined);
  assert.equal(a.findAddress(s, 5, () => true), undefined);
});

Deno.test("prefixes: /56 steps inside the /54, four of them, then wrap", () => {
  const a = new IterativeAllocator6();
  const got: string[] = [];
  for (let i = 0; i < 5; i++) got.push(formatIpv6Big(a.findPrefix(s, 0, () => true)!));
  assert.deepEqual(got, ["2001:db8:8::", "2001:db8:8:100::", "2001:db8:8:200::", "2001:db8:8:300::", "2001:db8:8::"]);
  const b = new IterativeAllocator6();
  assert.equal(b.findPrefix(s, 0, () => false), undefined);
});
