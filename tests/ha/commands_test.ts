/**
 * Tests of the HA control commands: Kea's argument checks, result codes and texts for every command, the
 * `server-name` check, and the `high-availability` section of status-get.
 */
import assert from "node:assert/strict";
import { CommandError } from "../../mod/control/answer.ts";
import { registerGeneralCommands } from "../../mod/control/general_cmds.ts";
import { CommandRegistry } from "../../mod/control/registry.ts";
import { type HaControl, registerHaCommands, unregisterHaCommands } from "../../mod/ha/commands.ts";
import { testContext } from "../control/helpers.ts";

/** A fake HA service that records its calls. */
function fakeHa() {
  const calls: unknown[][] = [];
  let paused = true;
  let state = "hot-standby";
  const ha: HaControl = {
    serverNames: () => ["server1", "server2"],
    heartbeat: () => ({
      state,
      "date-time": "Fri, 27 Nov 2026 20:19:07 GMT",
      scopes: ["server1"],
      "unsent-update-count": 3,
    }),
    scopes: (names) => {
      calls.push(["scopes", names]);
      for (const n of names) {
        if (n !== "server1" && n !== "server2") {
          throw new Error(`invalid server name specified '${n}' while enabling/disabling DHCP service`);
        }
      }
    },
    continue: () => {
      const was = paused;
      paused = false;
      return was ? "HA state machine continues." : "HA state machine is not paused.";
    },
    reset: () => {
      const was = state;
      state = "waiting";
      return was === "waiting" ? "HA state machine already in WAITING state." : "HA state machine reset.";
    },
    maintenanceStart: () =>
      Promise.resolve(
        "Server is now in the partner-in-maintenance state and its partner is in-maintenance state. The partner can be now safely shut down.",
      ),
    maintenanceCancel: () =>
      Promise.reject(
        new CommandError(1, "Unable to cancel the maintenance for the server not in the in-maintenance state."),
      ),
    maintenanceNotify: (cancel, partnerState) => {
      calls.push(["notify", cancel, partnerState]);
      if (!cancel && state === "terminated") {
        throw new CommandError(1001, "Unable to transition the server from the terminated to in-maintenance state.");
      }
      return cancel ? "Server maintenance canceled." : "Server is in-maintenance state.";
    },
    syncComplete: (id) => {
      calls.push(["syncComplete", id]);
      return "Server successfully notified about the synchronization completion.";
    },
    sync: (mp) => {
      calls.push(["sync", mp]);
      return mp === 99
        ? Promise.reject(new Error("HA peer 'server2' did not answer 'dhcp-disable': no answer within 10000 ms"))
        : Promise.resolve("Lease database synchronization complete.");
    },
    statusSection: () => ({
      "ha-mode": "hot-standby",
      "ha-servers": { local: { role: "primary", scopes: ["server1"], state } },
    }),
  };
  const reg = new CommandRegistry();
  registerHaCommands(reg, ha);
  const run = (command: string, args?: Record<string, unknown>) =>
    reg.dispatch(
      args === undefined ? { command, service: ["dhcp4"] } : { command, service: ["dhcp4"], arguments: args },
    );
  return { reg, calls, run, setState: (s: string) => (state = s) };
}

Deno.test("ha-heartbeat answers the peer status; server-name is checked", async () => {
  const { run } = fakeHa();
  assert.deepEqual(await run("ha-heartbeat"), {
    result: 0,
    text: "HA peer status returned.",
    arguments: {
      state: "hot-standby",
      "date-time": "Fri, 27 Nov 2026 20:19:07 GMT",
      scopes: ["server1"],
      "unsent-update-count": 3,
    },
  });
  assert.equal((await run("ha-heartbeat", { "server-name": "server2" })).result, 0);
  assert.deepEqual(await run("ha-heartbeat", { "server-name": "server9" }), {
    result: 1,
    text: "server9 matches no configured 'server-name'",
  });
  assert.deepEqual(await run("ha-heartbeat", { "server-name": 5 }), {
    result: 1,
    text: "'server-name' must be a string in the 'ha-heartbeat' command",
  });
});

Deno.test("ha-scopes: argument checks, success text, and the service's refusal of an unknown scope", async () => {
  const { run, calls } = fakeHa();
  assert.deepEqual(await run("ha-scopes", { scopes: ["server1", "server2"] }), {
    result: 0,
    text: "New HA scopes configured.",
  });
  assert.deepEqual(await run("ha-scopes", { scopes: [] }), { result: 0, text: "New HA scopes configured." });
  assert.deepEqual(calls, [["scopes", ["server1", "server2"]], ["scopes", []]]);
  assert.equal((await run("ha-scopes")).text, "arguments not found in the 'ha-scopes' command");
  assert.equal((await run("ha-scopes", {})).text, "'scopes' is mandatory for the 'ha-scopes' command");
  assert.equal(
    (await run("ha-scopes", { scopes: "server1" })).text,
    "'scopes' must be a list in the 'ha-scopes' command",
  );
  assert.equal((await run("ha-scopes", { scopes: [1] })).text, "scope name must be a string in the 'scopes' argument");
  assert.deepEqual(await run("ha-scopes", { scopes: ["HA_server1"] }), {
    result: 1,
    text: "invalid server name specified 'HA_server1' while enabling/disabling DHCP service",
  });
});

Deno.test("ha-continue and ha-reset answer Kea's texts", async () => {
  const { run } = fakeHa();
  assert.deepEqual(await run("ha-continue"), { result: 0, text: "HA state machine continues." });
  assert.deepEqual(await run("ha-continue"), { result: 0, text: "HA state machine is not paused." });
  assert.deepEqual(await run("ha-reset", { "server-name": "server1" }), { result: 0, text: "HA state machine reset." });
  assert.deepEqual(await run("ha-reset"), { result: 0, text: "HA state machine already in WAITING state." });
  assert.equal((await run("ha-reset", { "server-name": "x" })).result, 1);
});

Deno.test("ha-maintenance-start / -cancel pass the service's answer and error code through", async () => {
  const { run } = fakeHa();
  const s = await run("ha-maintenance-start");
  assert.equal(s.result, 0);
  assert.match(s.text!, /partner-in-maintenance state/);
  assert.deepEqual(await run("ha-maintenance-cancel"), {
    result: 1,
    text: "Unable to cancel the maintenance for the server not in the in-maintenance state.",
  });
});

Deno.test("ha-maintenance-notify checks 'cancel' and 'state' and keeps the 1001 code", async () => {
  const { run, calls, setState } = fakeHa();
  assert.deepEqual(await run("ha-maintenance-notify", { cancel: false, state: "ready", "server-name": "server2" }), {
    result: 0,
    text: "Server is in-maintenance state.",
  });
  assert.deepEqual(await run("ha-maintenance-notify", { cancel: true }), {
    result: 0,
    text: "Server maintenance canceled.",
  });
  assert.deepEqual(calls, [["notify", false, "ready"], ["notify", true, undefined]]);
  assert.equal(
    (await run("ha-maintenance-notify")).text,
    "no arguments specified for the 'ha-maintenance-notify' command",
  );
  assert.equal(
    (await run("ha-maintenance-notify", {})).text,
    "'cancel' is mandatory for the 'ha-maintenance-notify' command",
  );
  assert.equal(
    (await run("ha-maintenance-notify", { cancel: "no" })).text,
    "'cancel' must be a boolean in the 'ha-maintenance-notify' command",
  );
  assert.equal(
    (await run("ha-maintenance-notify", { cancel: false, state: 3 })).text,
    "'state' must be a string in the 'ha-maintenance-notify' command",
  );
  setState("terminated");
  assert.equal((await run("ha-maintenance-notify", { cancel: false })).result, 1001);
});

Deno.test("ha-sync needs server-name, checks max-period and reports the sync's failure as result 1", async () => {
  const { run, calls } = fakeHa();
  assert.deepEqual(await run("ha-sync", { "server-name": "server2", "max-period": 30 }), {
    result: 0,
    text: "Lease database synchronization complete.",
  });
  assert.deepEqual(calls, [["sync", 30]]);
  assert.equal((await run("ha-sync")).text, "arguments not found in the 'ha-sync' command");
  assert.equal((await run("ha-sync", {})).text, "'server-name' is mandatory for the 'ha-sync' command");
  assert.equal(
    (await run("ha-sync", { "server-name": "server2", "max-period": 0 })).text,
    "'max-period' must be a positive integer in the 'ha-sync' command",
  );
  const f = await run("ha-sync", { "server-name": "server2", "max-period": 99 });
  assert.equal(f.result, 1);
  assert.match(f.text!, /did not answer 'dhcp-disable'/);
});

Deno.test("ha-sync-complete-notify takes origin-id (Kea 2.6+) or origin ha-partner (Kea 2.4-)", async () => {
  const { run, calls } = fakeHa();
  const text = "Server successfully notified about the synchronization completion.";
  assert.deepEqual(
    await run("ha-sync-complete-notify", { "server-name": "server1", "origin-id": 2001, origin: "ha-partner" }),
    { result: 0, text },
  );
  assert.deepEqual(await run("ha-sync-complete-notify"), { result: 0, text });
  assert.deepEqual(calls, [["syncComplete", 2001], ["syncComplete", 2000]]);
  assert.equal(
    (await run("ha-sync-complete-notify", { "origin-id": "x" })).text,
    "'origin-id' must be an integer in the 'ha-sync-complete-notify' command",
  );
  assert.equal((await run("ha-sync-complete-notify", { origin: "user" })).result, 1);
});

Deno.test("status-get gains the high-availability list while HA commands are registered", async () => {
  const ctx = await testContext();
  try {
    const { reg } = fakeHa();
    registerGeneralCommands(reg, ctx);
    const st = (await reg.dispatch({ command: "status-get" })).arguments as Record<string, unknown>;
    assert.deepEqual(st["high-availability"], [
      {
        "ha-mode": "hot-standby",
        "ha-servers": { local: { role: "primary", scopes: ["server1"], state: "hot-standby" } },
      },
    ]);
    assert.equal(st.pid, 4242);
    unregisterHaCommands(reg);
    const st2 = (await reg.dispatch({ command: "status-get" })).arguments as Record<string, unknown>;
    assert.ok(!("high-availability" in st2));
    assert.equal((await reg.dispatch({ command: "ha-heartbeat" })).result, 2);
  } finally {
    await ctx.store.close();
  }
});
