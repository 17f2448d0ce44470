/**
 * No silent death in the HA service (issue 9 item 8): each background loop — the heartbeat timer, the
 * synchronisation, the backlog send, the actions a step asks for — meets a throwing dependency, logs it with its
 * Kea message id, and runs again at its next turn; no promise rejection goes unhandled. Fake time, a fake partner.
 */
import assert from "node:assert/strict";
import { DhcpState } from "../../mod/control/dhcp_state.ts";
import type { HaServiceDeps } from "../../mod/ha/service.ts";
import type { HaConfig } from "../../mod/ha/types.ts";
import type { KvLeaseStore } from "../../mod/lease/kv_store.ts";
import type { LeaseStore } from "../../mod/lease/types.ts";
import { parseIpv4 } from "../../mod/wire/addr.ts";
import { CaptureLog, noUnhandledRejection } from "../log/failure_probe.ts";
import { fake, type FakeTime, haConfig, lease, type Partner, partner, pkt, type Rig, rig } from "./service_helpers.ts";

interface FailRig extends Rig {
  time: FakeTime;
  log: CaptureLog;
}

type Over = (time: FakeTime, store: KvLeaseStore) => Partial<HaServiceDeps>;

/** The pair of service_helpers (a fake partner holding one lease), with a capturing log and `over`'s failures. */
async function withFailRig(
  config: (url: string) => HaConfig,
  over: Over,
  body: (r: FailRig, p: Partner) => Promise<void>,
): Promise<void> {
  const p = await partner([lease("198.18.1.10", "aa:bb:cc:00:00:10")]);
  const log = new CaptureLog();
  const r = await rig(config(p.url), 2000, (t, s) => ({ log, ...over(t, s) }));
  try {
    await noUnhandledRejection(() => body({ ...r, time: fake, log }, p));
  } finally {
    await r.close();
    await p.close();
  }
}

const heartbeats = (p: Partner) => p.received.filter((c) => c.command === "ha-heartbeat").length;

Deno.test("the probe itself: an unhandled rejection fails noUnhandledRejection", async () => {
  await assert.rejects(
    noUnhandledRejection(async () => {
      Promise.reject(new Error("nobody handles this"));
      await new Promise((r) => setTimeout(r, 0));
    }),
    /no promise rejection may go unhandled/,
  );
});

Deno.test("heartbeat: a throwing clock is logged as HA_HEARTBEAT_HANDLER_FAILED and the next period runs", async () => {
  let throwAt = -1;
  const clock = (t: FakeTime) => () => {
    if (throwAt === 0) {
      throwAt = -1;
      throw new Error("clock source failed");
    }
    if (throwAt > 0) throwAt--;
    return t.now;
  };
  await withFailRig(haConfig, (t) => ({ clock: clock(t) }), async (r, p) => {
    r.svc.start();
    await r.time.advance(0);
    assert.equal(r.svc.state, "ready", "the first heartbeat went through (synced from the partner)");
    const sent = heartbeats(p);
    throwAt = 0; // the next clock read, inside the next heartbeat period, throws
    await r.time.advance(1000);
    const failed = r.log.with("HA_HEARTBEAT_HANDLER_FAILED");
    assert.equal(failed.length, 1);
    assert.equal(failed[0].level, "error");
    assert.match(failed[0].text, /clock source failed/);
    p.state = "ready";
    await r.time.advance(1000);
    assert.ok(heartbeats(p) > sent, "heartbeats go on after the failure");
    assert.equal(r.svc.state, "hot-standby", "and the machine still moves");
  });
});

Deno.test("heartbeat: a tick that throws while a heartbeat is in flight never escapes the timer", async () => {
  let fail = false;
  const clock = (t: FakeTime) => () => {
    if (fail) throw new Error("clock broke during a slow heartbeat");
    return t.now;
  };
  await withFailRig(haConfig, (t) => ({ clock: clock(t) }), async (r, p) => {
    r.svc.start();
    await r.time.advance(0);
    const gate = Promise.withResolvers<void>();
    p.heartbeatGate = gate.promise; // the next heartbeat hangs: the period after it only ticks
    const pending = r.time.advance(1000);
    await new Promise((res) => setTimeout(res, 50));
    fail = true;
    // the tick period runs from the fake timer directly: a throw there would end the process
    r.time.now += 1000;
    await r.time.advance(0);
    fail = false;
    gate.resolve();
    p.heartbeatGate = undefined;
    await pending;
    assert.ok(r.log.with("HA_HEARTBEAT_HANDLER_FAILED").length >= 1);
  });
});

Deno.test("sync: a lease store that fails once logs HA_SYNC_FAILED; the next heartbeat syncs again and succeeds", async () => {
  let failures = 1;
  const failing = (s: KvLeaseStore): LeaseStore =>
    new Proxy(s, {
      get(target, prop) {
        if (prop === "apply") {
          return (m: Parameters<LeaseStore["apply"]>[0]) =>
            failures-- > 0 ? Promise.reject(new Error("disk full")) : target.apply(m);
        }
        const v = Reflect.get(target, prop);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
  await withFailRig(haConfig, (_t, s) => ({ store: failing(s) }), async (r) => {
    r.svc.start();
    await r.time.advance(0);
    const failed = r.log.with("HA_SYNC_FAILED");
    assert.equal(failed.length, 1);
    assert.match(failed[0].text, /disk full/);
    assert.equal(r.svc.state, "syncing", "stays syncing");
    await r.time.advance(1000);
    assert.equal(r.svc.state, "ready", "synchronised at the next heartbeat");
    assert.equal(r.store.byAddress(parseIpv4("198.18.1.10")!)?.hwaddr, "aa:bb:cc:00:00:10");
  });
});

Deno.test("backlog: an unexpected failure sending it is logged and the machine leaves communication-recovery", async () => {
  const cfg = (url: string) => haConfig(url, "load-balancing", `, "delayed-updates-limit": 5`);
  await withFailRig(cfg, () => ({}), async (r, p) => {
    r.svc.start();
    await r.time.advance(0);
    p.state = "load-balancing";
    await r.time.advance(1000);
    assert.equal(r.svc.state, "load-balancing");
    p.down = true;
    await r.time.advance(1000);
    assert.equal(r.svc.state, "communication-recovery");
    r.svc.replicate([{ op: "put", lease: lease("198.18.1.20", "aa:bb:cc:00:00:20") }], pkt("aa:bb:cc:00:00:20"));
    assert.equal(r.svc.backlogSize, 1);
    // the injected failure: the backlog sender itself throws (not a refused update)
    (r.svc as unknown as { updates: { sendBacklog(): Promise<boolean> } }).updates.sendBacklog = () =>
      Promise.reject(new Error("backlog sender crashed"));
    p.down = false;
    await r.time.advance(1000);
    const failed = r.log.with("HA_LEASE_UPDATES_BACKLOG_FAILED");
    assert.equal(failed.length, 1);
    assert.match(failed[0].text, /backlog sender crashed/);
    assert.ok(p.received.some((c) => c.command === "ha-reset"), "recovered the way a failed backlog does: ha-reset");
    assert.notEqual(r.svc.state, "communication-recovery");
  });
});

Deno.test("actions: a dhcp-disable switch that throws is logged as HA_SERVICE_ACTION_FAILED; the rest still run", async () => {
  let throws = true;
  const dhcp = (t: FakeTime) =>
    new DhcpState((enabled) => {
      if (throws && enabled) throw new Error("cannot reopen the sockets");
    }, t);
  await withFailRig(haConfig, (t) => ({ dhcpState: dhcp(t) }), async (r, p) => {
    r.svc.start();
    await r.time.advance(0);
    p.state = "ready";
    await r.time.advance(1000);
    assert.equal(r.svc.state, "hot-standby", "the transition happened");
    const failed = r.log.with("HA_SERVICE_ACTION_FAILED");
    assert.equal(failed.length, 1);
    assert.match(failed[0].text, /cannot reopen the sockets/);
    assert.ok(r.log.with("HA_STATE_TRANSITION").length >= 3, "the transition is logged all the same");
    throws = false;
    await r.time.advance(1000);
    assert.equal(r.log.with("HA_SERVICE_ACTION_FAILED").length, 1, "the heartbeat goes on");
  });
});
