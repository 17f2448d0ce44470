/**
 * The HA service around ha-maintenance-cancel, where the two servers change state one after the other: the
 * heartbeat answers crossing that moment must not send either server back into maintenance (the lab showed it with
 * Kea 2.2 as the partner: tests/e2e/ha_kea_test.ts step g3). A fake partner (tests/ha/service_helpers.ts) on fake
 * time; weka is server1, the primary of a load-balancing or hot-standby pair.
 */
import assert from "node:assert/strict";
import { haConfig, toNormal, withPair } from "./service_helpers.ts";

/** Polls (real time) until `f` holds; the fake partner's HTTP listener runs on the real event loop. */
async function until(f: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

Deno.test("maintenance cancel: a heartbeat answered while the notify is out names the restored state", async () => {
  let open = () => {};
  await withPair(async (r, p) => {
    try {
      await toNormal(r, p, "load-balancing");
      await r.svc.maintenanceStart();
      assert.equal(r.svc.heartbeat().state, "partner-in-maintenance");
      assert.deepEqual(r.svc.heartbeat().scopes, ["server1", "server2"], "both scopes while the partner is down");
      p.notifyGate = new Promise((res) => open = res);
      const cancel = r.svc.maintenanceCancel();
      await until(() => p.received.some((c) => c.command === "ha-maintenance-notify" && c.arguments?.cancel === true));
      // the partner may already be back in load-balancing: it must not read "partner-in-maintenance" from us now
      assert.equal(r.svc.state, "partner-in-maintenance", "the machine itself waits for the partner's answer");
      assert.equal(r.svc.heartbeat().state, "load-balancing");
      assert.deepEqual(r.svc.heartbeat().scopes, ["server1"], "the scopes of the restored state");
      open();
      assert.equal(await cancel, "Server maintenance successfully canceled.");
      assert.equal(r.svc.state, "load-balancing");
      assert.equal(r.svc.heartbeat().state, "load-balancing");
      // a cancel the partner refuses leaves us in partner-in-maintenance, and the heartbeat says so again
      await r.svc.maintenanceStart();
      p.down = true;
      await assert.rejects(r.svc.maintenanceCancel(), /Unable to cancel maintenance/);
      assert.equal(r.svc.heartbeat().state, "partner-in-maintenance");
    } finally {
      open(); // a failed assertion must not leave the partner's answer pending
    }
  }, { config: (url) => haConfig(url, "load-balancing") });
});

Deno.test("maintenance cancel: a heartbeat answer sent before the cancel is ignored, the next one counts", async () => {
  let open = () => {};
  await withPair(async (r, p) => {
    try {
      await toNormal(r, p);
      await r.svc.maintenanceStart();
      p.state = "in-maintenance";
      p.heartbeatGate = new Promise((res) => open = res);
      const sent = p.received.length;
      const hb = r.svc.heartbeatNow(); // out before the cancel; the partner answers "in-maintenance"
      await until(() => p.received.slice(sent).some((c) => c.command === "ha-heartbeat"));
      assert.equal(await r.svc.maintenanceCancel(), "Server maintenance successfully canceled.");
      assert.equal(r.svc.state, "hot-standby");
      open();
      await hb;
      p.heartbeatGate = undefined;
      assert.equal(r.svc.state, "hot-standby", "the stale in-maintenance answer sent the server back");
      // a heartbeat sent after the cancel is believed: a partner really in-maintenance puts us back
      await r.svc.heartbeatNow();
      assert.equal(r.svc.state, "partner-in-maintenance");
      p.state = "hot-standby";
      await r.svc.maintenanceCancel();
      await r.svc.heartbeatNow();
      assert.equal(r.svc.state, "hot-standby", "a fresh answer from a partner in hot-standby keeps us there");
    } finally {
      open(); // a failed assertion must not leave the partner's answer pending
    }
  });
});
