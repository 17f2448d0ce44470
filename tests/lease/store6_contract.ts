/**
 * The Lease6Store contract (mod/lease/types6.ts), as tests any DHCPv6 lease store must pass: the Deno KV store
 * and the SQL stores on PostgreSQL and MariaDB run the same tests. Call `runStore6Contract(name, makeStore)` from a
 * *_test.ts file; `makeStore` returns a fresh, empty store plus a `reopen` for persistent stores.
 */
import assert from "node:assert/strict";
import { LeaseState } from "../../mod/lease/types.ts";
import { type Lease6, type Lease6Store, Lease6Type } from "../../mod/lease/types6.ts";
import { BASE, DUID_A, DUID_B, na, PD, pd } from "./lease6_fixtures.ts";

/** A fresh store under test; `reopen` closes it and reopens the same database. */
export interface Store6Fixture {
  store: Lease6Store;
  reopen?: () => Promise<Lease6Store>;
  cleanup: () => Promise<void>;
  /** the store keeps no pool id (Kea 2.2's SQL schema has no such column) */
  noPoolId?: boolean;
}

const addrs = (l: Iterable<Lease6>) => [...l].map((x) => x.address);

/** Registers the contract tests for one DHCPv6 store implementation. */
export function runStore6Contract(name: string, makeStore: () => Promise<Store6Fixture>): void {
  const t = (title: string, fn: (f: Store6Fixture) => Promise<void>) =>
    Deno.test(`${name}: ${title}`, async () => {
      const f = await makeStore();
      try {
        await fn(f);
      } finally {
        await f.cleanup();
      }
    });

  t("put then get by address, IA (DUID + IAID + type + subnet) and DUID", async ({ store }) => {
    await store.apply([{ op: "put", lease: na(1) }, { op: "put", lease: na(2) }, { op: "put", lease: pd(1) }]);
    assert.deepEqual(store.byAddress(BASE + 2n), na(2));
    assert.deepEqual(addrs(store.byIa(DUID_A, 1, Lease6Type.NA, 1)), [BASE + 1n, BASE + 2n]);
    assert.deepEqual(addrs(store.byIa(DUID_A, 2, Lease6Type.PD, 1)), [PD + (1n << 72n)]);
    assert.deepEqual(store.byIa(DUID_A, 1, Lease6Type.PD, 1), [], "the type is part of the IA");
    assert.deepEqual(store.byIa(DUID_A, 1, Lease6Type.NA, 2), [], "so is the subnet");
    assert.deepEqual(addrs(store.byDuid(DUID_A)).sort(), [BASE + 1n, BASE + 2n, PD + (1n << 72n)].sort());
    assert.deepEqual(store.byDuid(DUID_B), []);
    assert.equal(store.size(), 3);
  });

  t("replacing a lease re-indexes its DUID and IA", async ({ store }) => {
    await store.apply([{ op: "put", lease: na(3) }]);
    await store.apply([{ op: "put", lease: na(3, { duid: DUID_B, iaid: 9, subnetId: 2 }) }]);
    assert.deepEqual(store.byIa(DUID_A, 1, Lease6Type.NA, 1), []);
    assert.deepEqual(store.byDuid(DUID_A), []);
    assert.deepEqual(addrs(store.byIa(DUID_B, 9, Lease6Type.NA, 2)), [BASE + 3n]);
    assert.equal(store.size(), 1);
  });

  t("delete removes the lease from every index", async ({ store }) => {
    await store.apply([{ op: "put", lease: na(4) }]);
    await store.apply([{ op: "del", address: BASE + 4n }]);
    assert.equal(store.byAddress(BASE + 4n), undefined);
    assert.deepEqual(store.byDuid(DUID_A), []);
    assert.equal(store.size(), 0);
    assert.deepEqual(store.expired(Number.MAX_SAFE_INTEGER - 1, 10), []);
  });

  t("expired: oldest first, limited, DEFAULT and DECLINED only, infinite never", async ({ store }) => {
    await store.apply([
      { op: "put", lease: na(1, { cltt: 1000, validLifetime: 300 }) }, // expires 1300
      { op: "put", lease: na(2, { cltt: 1000, validLifetime: 100 }) }, // 1100
      { op: "put", lease: na(3, { cltt: 1000, validLifetime: 200, state: LeaseState.DECLINED }) }, // 1200
      { op: "put", lease: na(4, { cltt: 1000, validLifetime: 50, state: LeaseState.EXPIRED_RECLAIMED }) },
      { op: "put", lease: na(6, { cltt: 0, validLifetime: 0xffffffff }) }, // infinite
      { op: "put", lease: na(7, { cltt: 5000, validLifetime: 100 }) }, // 5100, not yet
    ]);
    assert.deepEqual(addrs(store.expired(2000, 10)), [BASE + 2n, BASE + 3n, BASE + 1n]);
    assert.deepEqual(addrs(store.expired(2000, 2)), [BASE + 2n, BASE + 3n]);
    assert.deepEqual(addrs(store.expired(1200, 10)), [BASE + 2n, BASE + 3n], "expire <= now counts");
    await store.apply([{ op: "put", lease: na(2, { cltt: 1900, validLifetime: 3600 }) }]);
    assert.deepEqual(addrs(store.expired(2000, 10)), [BASE + 3n, BASE + 1n], "a renewal leaves the expired set");
    assert.deepEqual(addrs(store.reclaimedOlderThan(1150, 100, 10)), [BASE + 4n]);
    assert.deepEqual(addrs(store.reclaimedOlderThan(1149, 100, 10)), []);
  });

  t("all() is ascending by address", async ({ store }) => {
    await store.apply([9, 3, 200, 1].map((x) => ({ op: "put" as const, lease: na(x) })));
    assert.deepEqual(addrs(store.all()), [BASE + 1n, BASE + 3n, BASE + 9n, BASE + 200n]);
  });

  t("within one apply, the last mutation of an address wins", async ({ store }) => {
    await store.apply([
      { op: "put", lease: na(20, { hostname: "first" }) },
      { op: "del", address: BASE + 20n },
      { op: "put", lease: na(20, { hostname: "last" }) },
    ]);
    assert.equal(store.byAddress(BASE + 20n)?.hostname, "last");
  });

  t("leases survive close and reopen, every field (persistent stores)", async (f) => {
    if (!f.reopen) return;
    const leases = [
      na(1, { hostname: "host1.example.org", fqdnFwd: true, fqdnRev: true, ...(f.noPoolId ? {} : { poolId: 3 }) }),
      na(17, { state: LeaseState.DECLINED, hwaddr: "", userContext: { note: "declined", n: [1, 2] } }),
      na(18, { iaid: 0xfffffffe, preferredLifetime: 0, validLifetime: 0xffffffff }), // IAID past 2^31
      pd(1),
      pd(200, { duid: DUID_B, state: LeaseState.EXPIRED_RECLAIMED }),
      na(0, { address: (1n << 128n) - 1n, hostname: "ħöst" }), // ffff:…:ffff, non-Latin-1 text
    ];
    await f.store.apply(leases.map((lease) => ({ op: "put", lease })));
    await f.store.apply([{ op: "put", lease: na(19) }]);
    await f.store.apply([{ op: "del", address: BASE + 19n }]);
    const again = await f.reopen();
    assert.equal(again.size(), leases.length);
    for (const l of leases) assert.deepEqual(again.byAddress(l.address), l);
    assert.deepEqual(addrs(again.byDuid(DUID_B)), [PD + (200n << 72n)]);
  });
}
