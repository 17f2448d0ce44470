/** General and statistics commands against a fake context (Kea's texts, result codes and argument shapes). */
import assert from "node:assert/strict";
import { buildRegistry } from "../../mod/control/channel.ts";
import { configHash } from "../../mod/control/general_cmds.ts";
import { ensureKeaStats } from "../../mod/control/stat_cmds.ts";
import { testContext, testDoc } from "./helpers.ts";

async function setup() {
  const ctx = await testContext();
  return { ctx, reg: buildRegistry(ctx), [Symbol.asyncDispose]: () => ctx.store.close() };
}

Deno.test("list-commands, version-get, build-report", async () => {
  await using s = await setup();
  const list = await s.reg.dispatch({ command: "list-commands" });
  assert.equal(list.result, 0);
  for (const c of ["config-get", "statistic-get-all", "dhcp-disable", "lease4-get-page", "shutdown"]) {
    assert.ok((list.arguments as string[]).includes(c), c);
  }
  assert.deepEqual(await s.reg.dispatch({ command: "version-get" }), {
    result: 0,
    text: "0.1.0",
    arguments: { extended: "weka 0.1.0\nbuild report" },
  });
  assert.equal((await s.reg.dispatch({ command: "build-report" })).text, "weka 0.1.0\nbuild report");
});

Deno.test("config-get carries the hash that config-hash-get answers; the hash changes with the config", async () => {
  await using s = await setup();
  const got = await s.reg.dispatch({ command: "config-get" });
  const args = got.arguments as Record<string, unknown>;
  assert.ok(args.Dhcp4);
  assert.match(args.hash as string, /^[0-9A-F]{64}$/);
  const h = await s.reg.dispatch({ command: "config-hash-get" });
  assert.deepEqual(h.arguments, { hash: args.hash });
  assert.equal(await configHash(testDoc()), args.hash);
  assert.notEqual(await configHash(testDoc({ "valid-lifetime": 601 })), args.hash);
  // Kea's form: SHA-256 of the JSON text, upper-case hex (node:crypto as the reference)
  const { createHash } = await import("node:crypto");
  const want = createHash("sha256").update(JSON.stringify(testDoc())).digest("hex").toUpperCase();
  assert.equal(await configHash(testDoc()), want);
});

Deno.test("config-test: sane config 0; a bad one 1 with the loader's message; no Dhcp4 map 1", async () => {
  await using s = await setup();
  const good = await s.reg.dispatch({ command: "config-test", arguments: testDoc() });
  assert.equal(good.result, 0);
  assert.match(good.text!, /^Configuration seems sane/);
  const bad = await s.reg.dispatch({ command: "config-test", arguments: testDoc({ "valid-lifetim": 5 }) });
  assert.equal(bad.result, 1);
  assert.match(bad.text!, /valid-lifetim/);
  const none = await s.reg.dispatch({ command: "config-test", arguments: {} });
  assert.deepEqual(none, { result: 1, text: "config-test: missing mandatory 'Dhcp4' map in the arguments" });
});

Deno.test("config-set applies a good config (new hash), refuses a bad one and keeps the old", async () => {
  await using s = await setup();
  const next = testDoc({ "valid-lifetime": 900 });
  const set = await s.reg.dispatch({ command: "config-set", arguments: next });
  assert.equal(set.result, 0);
  assert.equal(set.text, "Configuration successful.");
  assert.equal(s.ctx.config().subnets[0].timers.validLifetime, 900);
  const bad = await s.reg.dispatch({ command: "config-set", arguments: testDoc({}, "/other/place.kv") });
  assert.equal(bad.result, 1);
  assert.match(bad.text!, /previous one keeps serving.*lease database cannot change/);
  assert.equal(s.ctx.config().subnets[0].timers.validLifetime, 900);
});

Deno.test("config-reload failure answers 1 'Config reload failed'", async () => {
  await using s = await setup();
  const r = await s.reg.dispatch({ command: "config-reload" });
  assert.equal(r.result, 1);
  assert.match(r.text!, /^Config reload failed: cannot read/);
});

Deno.test("config-write writes beside the -c file; refuses other directories and the running configuration", async () => {
  await using s = await setup();
  const w = await s.reg.dispatch({ command: "config-write", arguments: { filename: "backup.json" } });
  assert.equal(w.result, 0);
  assert.equal((w.arguments as { filename: string }).filename, "/etc/weka/backup.json");
  assert.deepEqual(JSON.parse(s.ctx.written.get("/etc/weka/backup.json")!), testDoc());
  const evil = await s.reg.dispatch({ command: "config-write", arguments: { filename: "/etc/passwd" } });
  assert.equal(evil.result, 1);
  assert.match(evil.text!, /config-write: not allowed to write into \/etc\/passwd: the file must be in \/etc\/weka/);
  assert.equal((await s.reg.dispatch({ command: "config-write", arguments: { filename: "../x.json" } })).result, 1);
  // Kea's default target (no filename) is the running file: weka refuses it, and says why
  const self = await s.reg.dispatch({ command: "config-write" });
  assert.equal(self.result, 1);
  assert.match(self.text!, /it is the running configuration \(\/etc\/weka\/weka.json\)/);
});

Deno.test("dhcp-disable / dhcp-enable flip the service; max-period re-enables; bad origin is 1", async () => {
  await using s = await setup();
  const d = await s.reg.dispatch({ command: "dhcp-disable", arguments: { "max-period": 30 } });
  assert.deepEqual(d, { result: 0, text: "DHCPv4 service disabled for 30 seconds" });
  assert.deepEqual(s.ctx.enabledFlips, [false]);
  const st = await s.reg.dispatch({ command: "status-get" });
  const state = (st.arguments as Record<string, Record<string, unknown>>)["dhcp-state"];
  assert.equal(state["globally-disabled"], true);
  assert.equal(state["disabled-by-user"], true);
  s.ctx.timers.fire(); // max-period elapsed
  assert.deepEqual(s.ctx.enabledFlips, [false, true]);
  await s.reg.dispatch({ command: "dhcp-disable", arguments: { "origin-id": 2001 } });
  await s.reg.dispatch({ command: "dhcp-enable" }); // the user's enable does not lift the partner's disable
  assert.equal(s.ctx.dhcpState.enabled(), false);
  await s.reg.dispatch({ command: "dhcp-enable", arguments: { "origin-id": 2001 } });
  assert.equal(s.ctx.dhcpState.enabled(), true);
  const bad = await s.reg.dispatch({ command: "dhcp-disable", arguments: { origin: "martians" } });
  assert.equal(bad.result, 1);
  assert.match(bad.text!, /'origin' must be "user"/);
  assert.equal((await s.reg.dispatch({ command: "dhcp-disable", arguments: { "max-period": -1 } })).result, 1);
});

Deno.test("status-get reports pid, uptime, reload and sockets", async () => {
  await using s = await setup();
  const a = (await s.reg.dispatch({ command: "status-get" })).arguments as Record<string, unknown>;
  assert.equal(a.pid, 4242);
  assert.equal(a.uptime, 5);
  assert.equal(a.reload, 2);
  assert.deepEqual(a.sockets, { status: "ready" });
});

Deno.test("status-get reports multi-threading as Kea 2.2: off alone, or on with pool, queue size and queue averages", async () => {
  await using s = await setup();
  const off = (await s.reg.dispatch({ command: "status-get" })).arguments as Record<string, unknown>;
  assert.equal(off["multi-threading-enabled"], false);
  assert.ok(!("thread-pool-size" in off) && !("packet-queue-statistics" in off), "Kea says no more when it is off");
  s.ctx.setConfig(testDoc({
    "multi-threading": { "enable-multi-threading": true, "thread-pool-size": 4, "packet-queue-size": 16 },
  }));
  s.ctx.packetQueueStats = () => [1.5, 0.75, 0.25];
  const on = (await s.reg.dispatch({ command: "status-get" })).arguments as Record<string, unknown>;
  assert.equal(on["multi-threading-enabled"], true);
  assert.equal(on["thread-pool-size"], 1, "weka handles packets on one thread");
  assert.equal(on["packet-queue-size"], 16);
  assert.deepEqual(on["packet-queue-statistics"], [1.5, 0.75, 0.25]);
  assert.equal(s.ctx.config().tuning?.receiveBatch, 16, "the queue size bounds a receive round");
});

Deno.test("shutdown answers 'Shutting down.' and passes exit-value; leases-reclaim needs 'remove'", async () => {
  await using s = await setup();
  assert.deepEqual(await s.reg.dispatch({ command: "shutdown", arguments: { "exit-value": 3 } }), {
    result: 0,
    text: "Shutting down.",
  });
  assert.deepEqual(s.ctx.shutdowns, [3]);
  assert.equal((await s.reg.dispatch({ command: "leases-reclaim" })).result, 1);
  const r = await s.reg.dispatch({ command: "leases-reclaim", arguments: { remove: true } });
  assert.equal(r.result, 0);
  assert.match(r.text!, /^Reclamation of expired leases is complete/);
});

Deno.test("statistics: every Kea DHCPv4 statistic exists; get, reset, remove and their refusals", async () => {
  await using s = await setup();
  ensureKeaStats(s.ctx.stats, [1, 2]);
  s.ctx.stats.add("pkt4-received", 7);
  const all = (await s.reg.dispatch({ command: "statistic-get-all" })).arguments as Record<string, unknown>;
  for (const n of ["pkt4-nak-sent", "pkt4-not-for-us", "subnet[2].total-addresses", "subnet[1].v4-lease-reuses"]) {
    assert.ok(n in all, n);
  }
  const got = await s.reg.dispatch({ command: "statistic-get", arguments: { name: "pkt4-received" } });
  const samples = (got.arguments as Record<string, [number, string][]>)["pkt4-received"];
  assert.equal(samples[0][0], 7);
  assert.match(samples[0][1], /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
  assert.deepEqual(await s.reg.dispatch({ command: "statistic-get", arguments: { name: "bogus" } }), {
    result: 0,
    arguments: {},
  });
  assert.equal((await s.reg.dispatch({ command: "statistic-get" })).result, 1);
  const global = (await s.reg.dispatch({ command: "statistic-global-get-all" })).arguments as object;
  assert.ok(!Object.keys(global).some((k) => k.startsWith("subnet[")));
  s.ctx.clock.ms += 5000;
  const reset = await s.reg.dispatch({ command: "statistic-reset", arguments: { name: "pkt4-received" } });
  assert.equal(reset.text, "Statistic 'pkt4-received' reset.");
  assert.equal(s.ctx.stats.get("pkt4-received"), 0);
  assert.deepEqual(await s.reg.dispatch({ command: "statistic-reset", arguments: { name: "bogus" } }), {
    result: 1,
    text: "No 'bogus' statistic found",
  });
  assert.equal((await s.reg.dispatch({ command: "statistic-remove", arguments: { name: "pkt4-sent" } })).result, 0);
  assert.equal(s.ctx.stats.names().includes("pkt4-sent"), false);
  assert.equal((await s.reg.dispatch({ command: "statistic-remove", arguments: { name: "pkt4-sent" } })).result, 1);
  s.ctx.stats.add("pkt4-received", 3);
  await s.reg.dispatch({ command: "statistic-reset-all" });
  assert.equal(s.ctx.stats.get("pkt4-received"), 0);
  await s.reg.dispatch({ command: "statistic-remove-all" });
  assert.deepEqual(s.ctx.stats.names(), []);
});
