/**
 * The LeaseStore contract (mod/lease/types.ts), as tests any store implementation must pass. Call
 * `runStoreContract(name, makeStore)` from a *_test.ts file; `makeStore` returns a fresh, empty store plus a
 * `reopen` that closes it and opens the same database again when the store is persistent.
 */
import assert from "node:assert/strict";
import { type Lease4, LeaseState, type LeaseStore } from "../../mod/lease/types.ts";

/** A fresh store under test; `reopen` closes it and reopens the same database (undefined for memory-only). */
export interface StoreFixture {
  store: LeaseStore;
  reopen?: () => Promise<LeaseStore>;
  cleanup: () => Promise<void>;
  /** the store has no pool id (Kea 2.2's SQL schema has no such column) */
  noPoolId?: boolean;
}

/** 192.0.2.x as u32 */
export const ip = (x: number): number => (0xc0000200 + x) >>> 0;

/** A DEFAULT lease with sensible values; fields may be overridden. */
export function mkLease(x: number, over: Partial<Lease4> = {}): Lease4 {
  return {
    address: ip(x),
    hwaddr: `aa:bb:cc:dd:ee:${x.toString(16).padStart(2, "0")}`,
    clientId: `01:aa:bb:cc:dd:ee:${x.toString(16).padStart(2, "0")}`,
    validLifetime: 3600,
    cltt: 1_700_000_000,
    subnetId: 1,
    fqdnFwd: false,
    fqdnRev: false,
    hostname: `host-${x}`,
    state: LeaseState.DEFAULT,
    ...over,
  };
}

/** Registers the contract tests for one store implementation. */
export function runStoreContract(name: string, makeStore: () => Promise<StoreFixture>): void {
  const t = (title: string, fn: (f: StoreFixture) => Promise<void>) =>
    Deno.test(`${name}: ${title}`, async () => {
      const f = await makeStore();
      try {
        await fn(f);
      } finally {
        await f.cleanup();
      }
    });

  t("put then get by address, hwaddr+subnet and client-id+subnet", async ({ store }) => {
    const l = mkLease(10);
    await store.apply([{ op: "put", lease: l }]);
    assert.deepEqual(store.byAddress(ip(10)), l);
    assert.deepEqual(store.byHwAddr(l.hwaddr, 1), l);
    assert.deepEqual(store.byClientId(l.clientId, 1), l);
    assert.equal(store.byHwAddr(l.hwaddr, 2), undefined, "another subnet must not match");
    assert.equal(store.byClientId("01:00", 1), undefined);
    assert.equal(store.size(), 1);
  });

  t("replacing a lease re-indexes its hardware address", async ({ store }) => {
    await store.apply([{ op: "put", lease: mkLease(11) }]);
    const moved = mkLease(11, { hwaddr: "02:00:00:00:00:99", clientId: "" });
    await store.apply([{ op: "put", lease: moved }]);
    assert.equal(store.byHwAddr("aa:bb:cc:dd:ee:0b", 1), undefined, "old hwaddr must be gone");
    assert.equal(store.byClientId("01:aa:bb:cc:dd:ee:0b", 1), undefined, "old client-id must be gone");
    assert.deepEqual(store.byHwAddr("02:00:00:00:00:99", 1), moved);
    assert.equal(store.size(), 1);
  });

  t("delete removes the lease from every index", async ({ store }) => {
    const l = mkLease(12);
    await store.apply([{ op: "put", lease: l }]);
    await store.apply([{ op: "del", address: ip(12) }]);
    assert.equal(store.byAddress(ip(12)), undefined);
    assert.equal(store.byHwAddr(l.hwaddr, 1), undefined);
    assert.equal(store.byClientId(l.clientId, 1), undefined);
    assert.equal(store.size(), 0);
    assert.deepEqual(store.expired(Number.MAX_SAFE_INTEGER - 1, 10), []);
  });

  t("expired: oldest first, limited, DEFAULT and DECLINED only, infinite never", async ({ store }) => {
    await store.apply([
      { op: "put", lease: mkLease(1, { cltt: 1000, validLifetime: 300 }) }, // expires 1300
      { op: "put", lease: mkLease(2, { cltt: 1000, validLifetime: 100 }) }, // 1100
      { op: "put", lease: mkLease(3, { cltt: 1000, validLifetime: 200, state: LeaseState.DECLINED }) }, // 1200
      { op: "put", lease: mkLease(4, { cltt: 1000, validLifetime: 50, state: LeaseState.EXPIRED_RECLAIMED }) },
      { op: "put", lease: mkLease(5, { cltt: 1000, validLifetime: 0, state: LeaseState.RELEASED }) },
      { op: "put", lease: mkLease(6, { cltt: 0, validLifetime: 0xffffffff }) }, // infinite
      { op: "put", lease: mkLease(7, { cltt: 5000, validLifetime: 100 }) }, // 5100, not yet
    ]);
    assert.deepEqual(store.expired(2000, 10).map((l) => l.address), [ip(2), ip(3), ip(1)]);
    assert.deepEqual(store.expired(2000, 2).map((l) => l.address), [ip(2), ip(3)]);
    assert.deepEqual(store.expired(1200, 10).map((l) => l.address), [ip(2), ip(3)], "expire <= now counts");
    // renewing lease 2 moves it out of the expired set
    await store.apply([{ op: "put", lease: mkLease(2, { cltt: 1900, validLifetime: 3600 }) }]);
    assert.deepEqual(store.expired(2000, 10).map((l) => l.address), [ip(3), ip(1)]);
    // reclaimedOlderThan: released/reclaimed with expire + hold <= now
    // (lease 5 expires at 1000, lease 4 at 1050)
    assert.deepEqual(store.reclaimedOlderThan(1150, 100, 10).map((l) => l.address), [ip(5), ip(4)]);
    assert.deepEqual(store.reclaimedOlderThan(1100, 100, 10).map((l) => l.address), [ip(5)]);
    assert.deepEqual(store.reclaimedOlderThan(1099, 100, 10).map((l) => l.address), []);
    assert.deepEqual(store.reclaimedOlderThan(1150, 100, 1).map((l) => l.address), [ip(5)]);
  });

  t("all() is ascending by address", async ({ store }) => {
    await store.apply([9, 3, 200, 1].map((x) => ({ op: "put" as const, lease: mkLease(x) })));
    assert.deepEqual([...store.all()].map((l) => l.address), [ip(1), ip(3), ip(9), ip(200)]);
  });

  t("within one apply, the last mutation of an address wins", async ({ store }) => {
    await store.apply([
      { op: "put", lease: mkLease(20, { hostname: "first" }) },
      { op: "del", address: ip(20) },
      { op: "put", lease: mkLease(20, { hostname: "last" }) },
    ]);
    assert.equal(store.byAddress(ip(20))?.hostname, "last");
  });

  t("leases survive close and reopen (persistent stores)", async (f) => {
    if (!f.reopen) return;
    const l = mkLease(30, {
      userContext: { ISC: { "relay-agent-info": { "remote-id": "01:02" } } },
      ...(f.noPoolId ? {} : { poolId: 3 }),
    });
    await f.store.apply([
      { op: "put", lease: l },
      { op: "put", lease: mkLease(31, { fqdnFwd: true, fqdnRev: true }) },
      { op: "put", lease: mkLease(32) },
    ]);
    await f.store.apply([{ op: "del", address: ip(32) }]);
    const again = await f.reopen();
    assert.equal(again.size(), 2);
    assert.deepEqual(again.byAddress(ip(30)), l);
    assert.equal(again.byAddress(ip(31))?.fqdnRev, true);
    assert.equal(again.byAddress(ip(32)), undefined);
    assert.deepEqual(again.byHwAddr(l.hwaddr, 1), l);
  });
}
