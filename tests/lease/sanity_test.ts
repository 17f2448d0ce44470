/**
 * Kea's lease sanity checks (mod/lease/sanity.ts) in each mode, with Kea 2.2's message ids and texts: a lease in the
 * right subnet passes; one whose subnet-id is wrong is warned about, corrected to the subnet that contains its
 * address, or dropped; one that no subnet contains cannot be corrected.
 */
import assert from "node:assert/strict";
import { checkLeases } from "../../mod/lease/sanity.ts";

const SUBNETS = [
  { id: 1, contains: (a: number) => a >= 100 && a < 200 },
  { id: 2, contains: (a: number) => a >= 200 && a < 300 },
];
const LEASES = [
  { address: 150, subnetId: 1 }, // fine
  { address: 250, subnetId: 1 }, // belongs to subnet 2
  { address: 350, subnetId: 2 }, // no subnet contains it
  { address: 120, subnetId: 9 }, // unknown subnet, belongs to subnet 1
];
const run = (mode: Parameters<typeof checkLeases>[2]) =>
  checkLeases(LEASES, SUBNETS, mode, (a) => `10.0.0.${a % 256}`, (l, id) => ({ ...l, subnetId: id }));

Deno.test("lease-checks none and warn: nothing changes; warn says why for each bad lease", () => {
  assert.deepEqual(run("none"), { fixed: [], dropped: [], log: [] });
  const w = run("warn");
  assert.deepEqual([w.fixed, w.dropped], [[], []]);
  assert.deepEqual(w.log.map((l) => `${l.level} ${l.id}: ${l.text}`), [
    "warn DHCPSRV_LEASE_SANITY_FAIL: The lease 10.0.0.250 with subnet-id 1 failed subnet-id checks (the lease should have subnet-id 2).",
    "warn DHCPSRV_LEASE_SANITY_FAIL: The lease 10.0.0.94 with subnet-id 2 failed subnet-id checks (the lease IP address did not belong to a configured subnet).",
    "warn DHCPSRV_LEASE_SANITY_FAIL: The lease 10.0.0.120 with subnet-id 9 failed subnet-id checks (the lease should have subnet-id 1).",
  ]);
});

Deno.test("lease-checks fix, fix-del and del: corrected, dropped, or both", () => {
  const fix = run("fix");
  assert.deepEqual(fix.fixed, [{ address: 250, subnetId: 2 }, { address: 120, subnetId: 1 }]);
  assert.deepEqual(fix.dropped, []);
  assert.deepEqual(fix.log.map((l) => l.id), [
    "DHCPSRV_LEASE_SANITY_FIXED",
    "DHCPSRV_LEASE_SANITY_FAIL",
    "DHCPSRV_LEASE_SANITY_FIXED",
  ]);
  const fd = run("fix-del");
  assert.deepEqual(fd.fixed.map((l) => l.address), [250, 120]);
  assert.deepEqual(fd.dropped, [{ address: 350, subnetId: 2 }]);
  assert.equal(
    fd.log[1].text,
    "The lease 10.0.0.94 with subnet-id 2 failed subnet-id checks (the lease IP address did not belong to a configured subnet) and was dropped.",
  );
  const del = run("del");
  assert.deepEqual(del.dropped.map((l) => l.address), [250, 350, 120]);
  assert.deepEqual(del.fixed, []);
});
