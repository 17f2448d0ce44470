/**
 * Tests of the HA service (mod/ha/service.ts) on fake time against a fake partner: a weka control registry (general
 * and lease commands over a real KV store) behind weka's HTTP listener on 127.0.0.1, with scripted ha-heartbeat
 * answers, a switch that makes it fail (HTTP 500) and a gate that holds lease4-update answers. Covers start-up sync
 * then the normal state, admit() per state and scope, replicate() waiting for the partner's ack and failing on a
 * rejection, a network failure or a timeout, partner-down after max-response-delay, the communication-recovery
 * backlog with its overflow, the maintenance commands, the reload guard and the HA listener (restrict-commands).
 */
import assert from "node:assert/strict";
import { registerGeneralCommands } from "../../mod/control/general_cmds.ts";
import { CommandRegistry } from "../../mod/control/registry.ts";
import { MsgType } from "../../mod/packet4/packet.ts";
import { nullLog } from "../../mod/log/logger.ts";
import { haReloadBlocker, openHa } from "../../mod/cli/ha_wiring.ts";
import { freePort, testContext } from "../control/helpers.ts";
import { doc, load, peer, rel } from "./config_helpers.ts";
import { fake, haConfig, lease, type Partner, pkt, type Rig, rig, toNormal, withPair } from "./service_helpers.ts";

Deno.test("start-up: waiting → syncing (leases pulled, partner disabled with origin 2001) → ready → hot-standby", async () => {
  await withPair(async (r, p) => {
    assert.equal(r.svc.state, "waiting");
    r.svc.start();
    assert.equal(r.dhcp.enabled(), false, "DHCP is off from the start (waiting)");
    assert.deepEqual(r.dhcp.report()["disabled-by-local-command"], [1001]);
    await fake.advance(0);
    assert.equal(r.svc.state, "ready", "the sync ran and succeeded");
    assert.equal(r.store.size(), 2, "the partner's leases are here");
    const cmds = p.received.map((c) => c.command);
    assert.deepEqual(cmds, ["ha-heartbeat", "dhcp-disable", "lease4-get-page", "ha-sync-complete-notify"]);
    assert.equal(p.received[1].arguments?.["origin-id"], 2001);
    assert.equal(p.received[1].arguments?.["max-period"], 60);
    assert.equal(p.received[3].arguments?.["server-name"], "server1");
    assert.equal(r.dhcp.enabled(), false, "ready still has DHCP off");
    p.state = "ready";
    await fake.advance(1000);
    assert.equal(r.svc.state, "hot-standby");
    assert.equal(r.dhcp.enabled(), true, "hot-standby serves");
    assert.deepEqual(r.svc.heartbeat().scopes, ["server1"]);
    const st = r.svc.statusSection() as {
      "ha-servers": { local: { state: string }; remote: { "last-state": string } };
    };
    assert.equal(st["ha-servers"].local.state, "hot-standby");
    assert.equal(st["ha-servers"].remote["last-state"], "ready");
  }, { leases: [lease("198.18.1.100", "aa:bb:cc:00:00:01"), lease("198.18.1.101", "aa:bb:cc:00:00:02")] });
});

Deno.test("admit: nothing in waiting, the primary's scope in hot-standby, counted drops with pkt4-not-for-us", async () => {
  await withPair(async (r, p) => {
    const q = pkt("aa:bb:cc:00:00:10");
    assert.equal(r.svc.admit(q, fake.now), undefined, "waiting serves no scope");
    assert.equal(r.stats.get("pkt4-not-for-us"), 1);
    assert.equal(r.stats.get("pkt4-receive-drop"), 1);
    await toNormal(r, p);
    assert.equal(r.svc.admit(q, fake.now), "HA_server1", "the primary serves every client in hot-standby");
    assert.equal(r.stats.get("pkt4-not-for-us"), 1);
  });
  // the standby serves nothing in hot-standby
  await withPair(async (s, p2) => {
    p2.state = "hot-standby";
    s.svc.start();
    await fake.advance(0);
    assert.equal(s.svc.state, "hot-standby", "partner in hot-standby: the standby syncs, then follows it");
    assert.equal(s.svc.admit(pkt("aa:bb:cc:00:00:10"), fake.now), undefined);
  }, { config: (url) => haConfig(url, "hot-standby", "", "server2") });
});

Deno.test("admit: load-balancing splits clients between the two scopes", async () => {
  await withPair(async (r, p) => {
    await toNormal(r, p, "load-balancing");
    const got = new Set<string | undefined>();
    for (let i = 0; i < 32; i++) {
      const q = pkt(`aa:bb:cc:00:01:${i.toString(16).padStart(2, "0")}`);
      const cls = r.svc.admit(q, fake.now);
      assert.equal(cls, r.svc.filter.inScope(q) ? "HA_server1" : undefined);
      got.add(cls);
    }
    assert.deepEqual([...got].sort(), ["HA_server1", undefined].sort(), "some clients are the partner's");
  }, { config: (url) => haConfig(url, "load-balancing") });
});

Deno.test("replicate: the reply waits for the partner's ack; DISCOVER never replicates", async () => {
  await withPair(async (r, p) => {
    await toNormal(r, p);
    const l = lease("198.18.1.150", "aa:bb:cc:00:00:20");
    assert.equal(r.svc.replicate([{ op: "put", lease: l }], pkt("aa:bb:cc:00:00:20", MsgType.DISCOVER)), undefined);
    const gate = Promise.withResolvers<void>();
    p.gate = gate.promise;
    let acked = false;
    const done = r.svc.replicate([{ op: "put", lease: l }], pkt("aa:bb:cc:00:00:20"))!.then(() => acked = true);
    await new Promise((res) => setTimeout(res, 100));
    assert.equal(acked, false, "no ack yet: the partner holds its answer");
    gate.resolve();
    await done;
    assert.equal(acked, true);
    const upd = p.received.find((c) => c.command === "lease4-update")!;
    assert.equal(upd.arguments?.["ip-address"], "198.18.1.150");
    assert.equal(upd.arguments?.["force-create"], true);
    assert.equal(upd.arguments?.origin, "ha-partner");
    assert.equal(p.ctx.store.byAddress(l.address)?.hwaddr, "aa:bb:cc:00:00:20", "the partner stored it");
    await r.svc.replicate([{ op: "del", address: l.address }], pkt("aa:bb:cc:00:00:20", MsgType.RELEASE));
    assert.equal(p.ctx.store.byAddress(l.address), undefined, "lease4-del reached the partner");
  });
});

Deno.test("replicate: a rejection, a failed partner and a timeout reject; the machine hears of each", async () => {
  await withPair(async (r, p) => {
    await toNormal(r, p);
    const l = lease("198.18.1.151", "aa:bb:cc:00:00:21");
    const q = pkt("aa:bb:cc:00:00:21");
    p.updateResult = 1;
    await assert.rejects(r.svc.replicate([{ op: "put", lease: l }], q)!, /refused \(result 1\)/);
    assert.equal(r.svc.machine.rejectedClients.size, 0, "an error answer is a failed update, not a conflict");
    p.updateResult = 4;
    await assert.rejects(r.svc.replicate([{ op: "put", lease: l }], q)!, /refused \(result 4\)/);
    assert.equal(r.svc.machine.rejectedClients.size, 1, "a conflict counts as a rejected client");
    p.updateResult = undefined;
    await r.svc.replicate([{ op: "put", lease: l }], q);
    assert.equal(r.svc.machine.rejectedClients.size, 0, "a later accepted update clears it");
    const held = Promise.withResolvers<void>();
    p.gate = held.promise; // answers only after the client gave up
    await assert.rejects(r.svc.replicate([{ op: "put", lease: l }], q)!, /no answer within 300 ms/);
    held.resolve();
    assert.equal(r.svc.machine.partnerState, "unavailable");
    p.gate = undefined;
    p.down = true;
    await assert.rejects(r.svc.replicate([{ op: "put", lease: l }], q)!, /HTTP 500/);
  }, { peerTimeoutMs: 300 });
});

Deno.test("partner-down: the primary takes over after max-response-delay, within one heartbeat", async () => {
  await withPair(async (r, p) => {
    await toNormal(r, p);
    const lastContact = fake.now;
    p.down = true;
    let downAt = 0;
    for (let i = 0; i < 10 && !downAt; i++) {
      await fake.advance(500);
      if (r.svc.state === "partner-down") downAt = fake.now;
      else assert.equal(r.svc.state, "hot-standby");
    }
    assert.ok(downAt > lastContact + 3000, "not before max-response-delay");
    assert.ok(downAt <= lastContact + 3000 + 1000, "within max-response-delay + heartbeat-delay");
    assert.equal(r.dhcp.enabled(), true);
    // updates are not sent in partner-down: counted as unsent
    assert.equal(
      r.svc.replicate([{ op: "put", lease: lease("198.18.1.5", "aa:00:00:00:00:01") }], pkt("aa:00:00:00:00:01")),
      undefined,
    );
    assert.equal(r.svc.unsentUpdateCount, 1);
    assert.equal(r.svc.heartbeat()["unsent-update-count"], 1);
  });
});

Deno.test("partner-down: a partner that stops answering (no refusal) is detected in time", async () => {
  const silence = Promise.withResolvers<void>();
  await withPair(async (r, p) => {
    try {
      await toNormal(r, p);
      const lastContact = fake.now;
      p.heartbeatGate = silence.promise; // heartbeats hang: only the heartbeat timeout (≤ heartbeat-delay) ends them
      while (r.svc.state !== "partner-down" && fake.now < lastContact + 10_000) await fake.advance(1000);
      assert.equal(r.svc.state, "partner-down");
      assert.ok(fake.now <= lastContact + 3000 + 1000, `detected at +${fake.now - lastContact} ms`);
    } finally {
      silence.resolve();
    }
  });
});

/** A load-balancing pair in normal state whose partner then fails: one heartbeat later, communication-recovery. */
async function toRecovery(r: Rig, p: Partner): Promise<void> {
  await toNormal(r, p, "load-balancing");
  p.state = "load-balancing";
  p.down = true;
  await fake.advance(1000);
  assert.equal(r.svc.state, "communication-recovery");
}

Deno.test("communication-recovery: updates are queued and sent when the partner is back", async () => {
  await withPair(async (r, p) => {
    await toRecovery(r, p);
    const l = lease("198.18.1.160", "aa:bb:cc:00:00:30");
    assert.equal(r.svc.replicate([{ op: "put", lease: l }], pkt("aa:bb:cc:00:00:30")), undefined, "answered at once");
    assert.equal(r.svc.backlogSize, 1);
    p.down = false;
    await fake.advance(1000);
    assert.equal(r.svc.state, "load-balancing", "backlog sent, back to normal");
    assert.equal(r.svc.backlogSize, 0);
    assert.equal(p.ctx.store.byAddress(l.address)?.hwaddr, "aa:bb:cc:00:00:30");
  }, { config: (url) => haConfig(url, "load-balancing", `, "delayed-updates-limit": 5`) });
});

Deno.test("communication-recovery: a backlog overflow sends ha-reset and goes back to waiting", async () => {
  await withPair(async (r, p) => {
    await toRecovery(r, p);
    for (const i of [1, 2]) {
      const mac = `aa:bb:cc:00:00:4${i}`;
      r.svc.replicate([{ op: "put", lease: lease(`198.18.1.17${i}`, mac) }], pkt(mac));
    }
    assert.equal(r.svc.backlogSize, 0, "the overflowing backlog is dropped");
    p.down = false;
    p.received.length = 0;
    await fake.advance(1000);
    assert.ok(p.received.some((c) => c.command === "ha-reset"), "the partner is told to reset");
    const cmds = p.received.map((c) => c.command);
    assert.ok(cmds.indexOf("lease4-get-page") > cmds.indexOf("ha-reset"), "then a full resynchronisation");
    assert.equal(r.svc.state, "load-balancing", "back to normal after the resynchronisation");
    assert.equal(p.received.filter((c) => c.command === "lease4-update").length, 0);
  }, { config: (url) => haConfig(url, "load-balancing", `, "delayed-updates-limit": 1`) });
});

Deno.test("commands: ha-scopes, ha-sync-complete-notify and ha-reset through the service", async () => {
  await withPair(async (r, p) => {
    await toNormal(r, p);
    r.svc.scopes([]);
    assert.equal(r.svc.admit(pkt("aa:bb:cc:00:00:50"), fake.now), undefined, "ha-scopes [] serves nothing");
    assert.throws(() => r.svc.scopes(["nobody"]), /invalid server name specified 'nobody'/);
    p.ctx.dhcpState.disable({ kind: "remote", id: 2001 });
    assert.equal(r.svc.syncComplete(2001), "Server successfully notified about the synchronization completion.");
    assert.equal(r.dhcp.report()["disabled-by-remote-command"].length, 0);
    assert.equal(r.svc.reset(), "HA state machine reset.");
    assert.equal(r.svc.state, "syncing", "reset to waiting, which goes on to syncing with a live partner");
    assert.equal(r.dhcp.enabled(), false);
  });
});

Deno.test("maintenance: start notifies the partner, cancel returns; an unreachable partner means partner-down", async () => {
  await withPair(async (r, p) => {
    await toNormal(r, p);
    const text = await r.svc.maintenanceStart();
    assert.match(text, /partner-in-maintenance state and its partner is in-maintenance/);
    assert.equal(r.svc.state, "partner-in-maintenance");
    assert.deepEqual(p.received.at(-1), {
      command: "ha-maintenance-notify",
      service: ["dhcp4"],
      arguments: { cancel: false },
    });
    assert.deepEqual(r.svc.heartbeat().scopes, ["server1"], "hot-standby has only the primary's scope");
    assert.equal(await r.svc.maintenanceCancel(), "Server maintenance successfully canceled.");
    assert.equal(r.svc.state, "hot-standby");
    p.down = true;
    assert.match(await r.svc.maintenanceStart(), /partner-down state as its partner appears to be offline/);
    assert.equal(r.svc.state, "partner-down");
    await assert.rejects(r.svc.maintenanceCancel(), /not in the partner-in-maintenance state/);
  });
});

Deno.test("reload: a changed HA relationship is refused with a restart hint; an unchanged one passes", () => {
  const cfg = (hb: number) =>
    load(doc(rel(`, "heartbeat-delay": ${hb}`, undefined, "load-balancing")))
      .dhcp4!;
  assert.equal(haReloadBlocker(cfg(1000), cfg(1000)), undefined);
  assert.match(haReloadBlocker(cfg(1000), cfg(2000)) ?? "", /cannot change on reload; restart weka/);
});

Deno.test("HA listener: opened on this server's peer url with restrict-commands, skipped when a control socket is there", async () => {
  const port = freePort();
  const peers = `${peer("server1", `http://127.0.0.1:${port}/`, "primary")}, ` +
    peer("server2", "http://127.0.0.1:1/", "standby");
  const rigFor = async (extra: string) => {
    const config = load(doc(rel("", peers, "hot-standby", "server1"), extra)).dhcp4!;
    const r = await rig(config.ha!);
    const reg = new CommandRegistry();
    const ctx = await testContext();
    registerGeneralCommands(reg, ctx);
    const deps = {
      config,
      ha: config.ha!,
      store: r.store,
      stats: r.stats,
      log: nullLog,
      dhcpState: r.dhcp,
      subnetKnown: () => true,
    };
    return { r, reg, ctx, rt: await openHa(r.svc, deps, reg) };
  };
  const { r, reg, rt, ctx } = await rigFor("");
  try {
    assert.equal(rt.listenerUrl, `http://127.0.0.1:${port}/`);
    const post = async (command: string) => {
      const res = await fetch(rt.listenerUrl!, { method: "POST", body: JSON.stringify({ command }) });
      return (await res.json())[0];
    };
    const hb = await post("ha-heartbeat");
    assert.equal(hb.result, 0);
    assert.equal(hb.arguments.state, "waiting");
    assert.equal((await post("config-get")).result, 2, "not an HA command: refused on the HA listener");
    assert.equal((await reg.dispatch({ command: "config-get" })).result, 0, "still served on the control channel");
  } finally {
    await rt.stop();
    await r.close();
    await ctx.store.close();
  }
  assert.equal(reg.has("ha-heartbeat"), false, "stop removes the HA commands");
  const shared = await rigFor(
    `, "control-socket": {"socket-type": "http", "socket-address": "127.0.0.1", "socket-port": ${port}}`,
  );
  try {
    assert.equal(shared.rt.listenerUrl, undefined, "the http control socket serves the HA commands");
    assert.equal(shared.reg.has("ha-heartbeat"), true);
  } finally {
    await shared.rt.stop();
    await shared.r.close();
    await shared.ctx.store.close();
  }
});
