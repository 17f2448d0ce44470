/** The stored block format: round trip, validation and the size guard. */
import assert from "node:assert/strict";
import {
  blockOf,
  checkStorable,
  decodeBlock,
  encodeBlock,
  estimateLeaseBytes,
  FIELDS,
  LEASES_PER_BLOCK,
} from "../../mod/lease/kv_keys.ts";
import { LeaseState } from "../../mod/lease/types.ts";
import { ip, mkLease } from "./store_contract.ts";

Deno.test("block encode/decode round trip keeps every field, optional ones only when present", () => {
  const full = mkLease(17, { fqdnFwd: true, fqdnRev: false, userContext: { a: [1, 2] }, poolId: 4 });
  const bare = mkLease(31, { state: LeaseState.RELEASED });
  assert.equal(blockOf(ip(17)), blockOf(ip(31)));
  assert.notEqual(blockOf(ip(15)), blockOf(ip(16)));
  const v = encodeBlock([full, bare]);
  assert.equal(v.length, 2 * FIELDS);
  assert.equal(v[0], ip(17) % LEASES_PER_BLOCK);
  const back = decodeBlock(blockOf(ip(17)), v, () => assert.fail("nothing is bad"));
  assert.deepEqual(back, [full, bare]);
  assert.equal("userContext" in back[1], false);
  assert.equal("poolId" in back[1], false);
});

Deno.test("decode refuses a non-block value and reports a bad lease by address", () => {
  assert.throws(() => decodeBlock(blockOf(ip(3)), { a: 1 }, () => {}), /192\.0\.2\.0\/28/);
  const v = encodeBlock([mkLease(3), mkLease(4)]);
  v[FIELDS + 8] = 9; // state of the second lease out of range
  const bad: string[] = [];
  const got = decodeBlock(blockOf(ip(3)), v, (m) => bad.push(m));
  assert.deepEqual(got.map((l) => l.address), [ip(3)]);
  assert.match(bad[0], /192\.0\.2\.4/);
});

Deno.test("a user-context too large for a block is refused, naming the lease", () => {
  assert.throws(() => checkStorable(mkLease(4, { userContext: { blob: "x".repeat(3000) } })), /192\.0\.2\.4/);
  checkStorable(mkLease(4, { userContext: { blob: "x".repeat(1000) } }));
  assert.ok(estimateLeaseBytes(mkLease(5)) < estimateLeaseBytes(mkLease(5, { hostname: "h".repeat(100) })));
});
