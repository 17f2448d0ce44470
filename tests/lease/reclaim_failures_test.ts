/**
 * No silent death in the reclaimers (issue 9 item 8): a lease store that fails a commit, a configuration that cannot
 * be read, a listener or a log that throws — each is logged at error level with Kea's id and the timer runs again;
 * nothing is left as an unhandled rejection. DHCPv4 and DHCPv6 share the Reclaimer, and both are exercised.
 */
import assert from "node:assert/strict";
import type { ExpiredLeasesProcessing } from "../../mod/config/model.ts";
import { KvLeaseStore } from "../../mod/lease/kv_store.ts";
import { KvLease6Store } from "../../mod/lease/kv_store6.ts";
import { RECLAIM_RETRY_SECONDS, Reclaimer } from "../../mod/lease/reclaim.ts";
import { reclaimer6 } from "../../mod/lease/reclaim6.ts";
import type { LeaseStore } from "../../mod/lease/types.ts";
import { noUnhandledRejection } from "../log/failure_probe.ts";
import { FakeTime, KEA_DEFAULTS } from "./reclaim_helpers.ts";
import { na } from "./lease6_fixtures.ts";
import { ip, mkLease } from "./store_contract.ts";

type Logged = { id: string; text: string; level: string };

/** A store whose `apply` rejects while `failures` > 0 (then counts down). */
function failingStore(store: KvLeaseStore, state: { failures: number }): LeaseStore {
  return new Proxy(store, {
    get(target, prop) {
      if (prop === "apply") {
        return (m: Parameters<LeaseStore["apply"]>[0]) =>
          state.failures-- > 0 ? Promise.reject(new Error("database disk image is malformed")) : target.apply(m);
      }
      const v = Reflect.get(target, prop);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

/** Five leases of store_contract's subnet that expired before `now`. */
async function expiredLeases(store: KvLeaseStore, now: number): Promise<void> {
  for (let x = 1; x <= 5; x++) {
    await store.apply([{ op: "put", lease: mkLease(x, { cltt: now - 100 - x, validLifetime: 50 }) }]);
  }
}

Deno.test("reclaimer: a failed commit is logged at error level and the next cycle reclaims", async () => {
  await noUnhandledRejection(async () => {
    const time = new FakeTime();
    const store = await KvLeaseStore.open(":memory:");
    const state = { failures: 1 };
    const logs: Logged[] = [];
    const r = new Reclaimer({
      store: failingStore(store, state),
      config: () => ({ ...KEA_DEFAULTS, flushReclaimedTimerWaitTime: 0 }),
      clock: () => time.now,
      timers: time,
      log: (id, text, level) => logs.push({ id, text, level }),
    });
    time.settle = () => r.idle();
    try {
      await expiredLeases(store, time.now);
      r.start();
      await time.advance(10);
      const failed = logs.filter((l) => l.id === "ALLOC_ENGINE_V4_LEASES_RECLAMATION_FAILED");
      assert.equal(failed.length, 1);
      assert.equal(failed[0].level, "error");
      assert.match(failed[0].text, /reclamation failed: database disk image is malformed/);
      assert.equal(time.pending, 1, "the reclaim timer is armed again");
      await time.advance(10);
      assert.equal(store.size(), 0, "all reclaimed (deleted: no lease affinity without the flush timer)");
    } finally {
      await r.stop();
      await store.close();
    }
  });
});

Deno.test("reclaimer: a configuration that cannot be read is logged and retried; a throwing log changes nothing", async () => {
  await noUnhandledRejection(async () => {
    const time = new FakeTime();
    const store = await KvLeaseStore.open(":memory:");
    let broken = 2;
    const ids: string[] = [];
    const r = new Reclaimer({
      store,
      config: (): ExpiredLeasesProcessing => {
        if (broken > 0) {
          broken--;
          throw new Error("configuration is being swapped");
        }
        return { ...KEA_DEFAULTS, flushReclaimedTimerWaitTime: 0 };
      },
      clock: () => time.now,
      timers: time,
      log: (id) => {
        ids.push(id);
        throw new Error("log sink is gone");
      },
    });
    time.settle = () => r.idle();
    try {
      await expiredLeases(store, time.now);
      r.start(); // both timers read the configuration: both reads fail
      assert.deepEqual(ids, [
        "ALLOC_ENGINE_V4_LEASES_RECLAMATION_FAILED",
        "ALLOC_ENGINE_V4_RECLAIMED_LEASES_DELETE_FAILED",
      ]);
      assert.equal(time.pending, 2, "both timers retry");
      await time.advance(RECLAIM_RETRY_SECONDS);
      assert.ok(ids.includes("ALLOC_ENGINE_V4_LEASES_RECLAMATION_COMPLETE"), "the cycle ran despite the log throwing");
      assert.equal(store.byAddress(ip(3)), undefined, "reclaimed");
      assert.equal(time.pending, 1, "reclaim re-armed; flush is off in the configuration now readable");
    } finally {
      await r.stop();
      await store.close();
    }
  });
});

Deno.test("reclaimer: a throwing DDNS listener is logged; the cycle still counts and the next runs", async () => {
  await noUnhandledRejection(async () => {
    const time = new FakeTime();
    const store = await KvLeaseStore.open(":memory:");
    const logs: Logged[] = [];
    const seen: number[] = [];
    const r = new Reclaimer({
      store,
      config: () => ({ ...KEA_DEFAULTS, maxReclaimLeases: 2, flushReclaimedTimerWaitTime: 0 }),
      clock: () => time.now,
      timers: time,
      onEvents: (e) => {
        seen.push(e.length);
        if (seen.length === 1) throw new Error("DDNS queue refused");
      },
      log: (id, text, level) => logs.push({ id, text, level }),
    });
    time.settle = () => r.idle();
    try {
      await expiredLeases(store, time.now);
      r.start();
      await time.advance(20);
      const failed = logs.filter((l) => l.id === "ALLOC_ENGINE_V4_LEASES_RECLAMATION_FAILED");
      assert.equal(failed.length, 1);
      assert.match(failed[0].text, /reporting 2 reclaimed lease\(s\) failed: DDNS queue refused/);
      assert.equal(logs.filter((l) => l.id === "ALLOC_ENGINE_V4_LEASES_RECLAMATION_COMPLETE").length, 2);
      assert.deepEqual(seen, [2, 2]);
    } finally {
      await r.stop();
      await store.close();
    }
  });
});

Deno.test("reclaimer: a failed flush is logged as RECLAIMED_LEASES_DELETE_FAILED and the next flush deletes", async () => {
  await noUnhandledRejection(async () => {
    const time = new FakeTime();
    const store = await KvLeaseStore.open(":memory:");
    const state = { failures: 0 };
    const logs: Logged[] = [];
    const cfg = { ...KEA_DEFAULTS, holdReclaimedTime: 5, flushReclaimedTimerWaitTime: 25 };
    const r = new Reclaimer({
      store: failingStore(store, state),
      config: () => cfg,
      clock: () => time.now,
      timers: time,
      log: (id, text, level) => logs.push({ id, text, level }),
    });
    time.settle = () => r.idle();
    try {
      await expiredLeases(store, time.now);
      r.start();
      await time.advance(20); // reclaimed at 10 s and 20 s (nothing left the second time)
      state.failures = 1;
      await time.advance(5); // the flush at 25 s fails
      const failed = logs.filter((l) => l.id === "ALLOC_ENGINE_V4_RECLAIMED_LEASES_DELETE_FAILED");
      assert.deepEqual(failed.map((l) => l.level), ["error"]);
      assert.equal(store.size(), 5);
      await time.advance(25);
      assert.equal(store.size(), 0, "the next flush deleted them");
    } finally {
      await r.stop();
      await store.close();
    }
  });
});

Deno.test("reclaimer6: a failed commit is logged as ALLOC_ENGINE_V6_LEASES_RECLAMATION_FAILED and recovered", async () => {
  await noUnhandledRejection(async () => {
    const time = new FakeTime(2_000_000_000);
    const store = await KvLease6Store.open(":memory:");
    let failures = 1;
    const apply = store.apply.bind(store);
    store.apply = (m) => failures-- > 0 ? Promise.reject(new Error("I/O error")) : apply(m);
    const logs: Logged[] = [];
    const r = reclaimer6(store, {
      config: () => ({ ...KEA_DEFAULTS, flushReclaimedTimerWaitTime: 0 }),
      clock: () => time.now,
      timers: time,
      log: (id, text, level) => logs.push({ id, text, level }),
    });
    time.settle = () => r.idle();
    try {
      failures = 0;
      await store.apply([{ op: "put", lease: na(1, { cltt: time.now - 100, validLifetime: 95 }) }]);
      failures = 1;
      r.start();
      await time.advance(10);
      const failed = logs.filter((l) => l.id === "ALLOC_ENGINE_V6_LEASES_RECLAMATION_FAILED");
      assert.deepEqual(failed.map((l) => [l.level, /I\/O error/.test(l.text)]), [["error", true]]);
      await time.advance(10);
      assert.ok(logs.some((l) => l.id === "ALLOC_ENGINE_V6_LEASES_RECLAMATION_COMPLETE" && /reclaimed 1/.test(l.text)));
    } finally {
      await r.stop();
      await store.close();
    }
  });
});
