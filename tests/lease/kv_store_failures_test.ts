/**
 * The KV store's group-commit loop under failures (issue 9 item 8): a commit that is refused, throws at once or
 * whose failure log itself throws fails exactly the waiting ACKs of its group, is logged at error level as
 * DHCPSRV_KV_COMMIT_FAILED, and the loop commits the next group; no rejection goes unhandled. IPv4 and IPv6.
 */
import assert from "node:assert/strict";
import { KvLeaseStore } from "../../mod/lease/kv_store.ts";
import { KvLease6Store } from "../../mod/lease/kv_store6.ts";
import { noUnhandledRejection } from "../log/failure_probe.ts";
import { na } from "./lease6_fixtures.ts";
import { ip, mkLease } from "./store_contract.ts";

type Mode = "ok" | "refused" | "throws-at-once" | "rejects";

/** A KV handle whose atomic operations fail the way `ctl.mode` says. */
function faultyKv(kv: Deno.Kv, ctl: { mode: Mode }): Deno.Kv {
  return new Proxy(kv, {
    get(target, prop) {
      if (prop === "atomic") {
        return () => {
          if (ctl.mode === "throws-at-once") throw new TypeError("Database closed");
          const op = target.atomic();
          if (ctl.mode === "refused") op.commit = () => Promise.resolve({ ok: false } as Deno.KvCommitError);
          if (ctl.mode === "rejects") op.commit = () => Promise.reject(new Error("disk I/O error"));
          return op;
        };
      }
      const v = Reflect.get(target, prop);
      return typeof v === "function" ? v.bind(target) : v;
    },
  }) as Deno.Kv;
}

Deno.test("group commit: each kind of failed commit fails its ACKs, is logged at error level, and the loop goes on", async () => {
  await noUnhandledRejection(async () => {
    const ctl = { mode: "ok" as Mode };
    const logs: { id: string; level?: string }[] = [];
    const store = await KvLeaseStore.fromKv(faultyKv(await Deno.openKv(":memory:"), ctl), {
      log: (id, _text, level) => logs.push({ id, level }),
    });
    try {
      let n = 100;
      for (const mode of ["refused", "throws-at-once", "rejects"] as const) {
        ctl.mode = mode;
        const acks = [n++, n++].map((x) => store.apply([{ op: "put", lease: mkLease(x) }]));
        for (const a of acks) await assert.rejects(a, Error, `${mode}: the ACK fails`);
        ctl.mode = "ok";
        await store.apply([{ op: "put", lease: mkLease(n++) }]);
      }
      const failed = logs.filter((l) => l.id === "DHCPSRV_KV_COMMIT_FAILED");
      assert.deepEqual(failed.map((l) => l.level), ["error", "error", "error"]);
      assert.equal(store.byAddress(ip(n - 1))?.address, ip(n - 1));
    } finally {
      await store.close();
    }
  });
});

Deno.test("group commit: a log that throws on the failure still fails the ACKs and leaves the loop running", async () => {
  await noUnhandledRejection(async () => {
    const ctl = { mode: "rejects" as Mode };
    const store = await KvLease6Store.fromKv(faultyKv(await Deno.openKv(":memory:"), ctl), {
      log: (id) => {
        if (id === "DHCPSRV_KV_COMMIT_FAILED") throw new Error("log file is on the same full disk");
      },
    });
    try {
      const ack = store.apply([{ op: "put", lease: na(1) }]);
      await assert.rejects(ack, /disk I\/O error/);
      ctl.mode = "ok";
      await store.apply([{ op: "put", lease: na(2) }]);
      await store.flush();
    } finally {
      await store.close();
    }
  });
});
