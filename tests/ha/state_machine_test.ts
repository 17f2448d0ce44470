/**
 * The HA state machine on fake time (Kea 2.2 ha_service.cc behaviour, ../shared/reference/kea-features.md §1d):
 * every row of the States table, the start-up of a pair, the partner-down condition with unacked clients,
 * communication-recovery, maintenance, pauses, clock skew, rejected updates, and the views (scopes, heartbeat,
 * status-get).
 */
import assert from "node:assert/strict";
import { stepAt, type TimedEvent } from "./step_at.ts";
import {
  type HaAction,
  type HaCommandName,
  type HaMachine,
  heartbeatArguments,
  initialMachine,
  queuesLeaseUpdates,
  sendsHeartbeats,
  sendsLeaseUpdates,
  servedScopes,
  statusGetSection,
} from "../../mod/ha/state_machine.ts";
import { dhcpServiceEnabled } from "../../mod/ha/communication.ts";
import type { HaConfig, HaMode, HaPause, HaRole, HaState } from "../../mod/ha/types.ts";

const T0 = Date.UTC(2026, 10, 27, 20, 0, 0);

/** A relationship seen from `me`: server1 is the primary, server2 the secondary/standby (or backup), server3 a backup. */
function cfgOf(mode: HaMode, me = "server1", over: Partial<HaConfig> = {}): HaConfig {
  const role2: HaRole = mode === "hot-standby" ? "standby" : mode === "load-balancing" ? "secondary" : "backup";
  const peer = (n: number, role: HaRole) => ({
    name: `server${n}`,
    url: `http://198.18.0.${n}/`,
    role,
    autoFailover: n < 3,
  });
  const ms = { heartbeatDelayMs: 10_000, maxResponseDelayMs: 60_000, maxAckDelayMs: 10_000, syncTimeoutMs: 60_000 };
  return {
    ...ms,
    thisServerName: me,
    mode,
    maxUnackedClients: 2,
    maxRejectedLeaseUpdates: 3,
    delayedUpdatesLimit: mode === "load-balancing" ? 100 : 0,
    sendLeaseUpdates: true,
    syncLeases: true,
    syncPageLimit: 10_000,
    waitBackupAck: false,
    peers: [peer(1, "primary"), peer(2, role2), peer(3, "backup")],
    pauses: new Map(),
    ...over,
  };
}

const LB = cfgOf("load-balancing");
const LB2 = cfgOf("load-balancing", "server2");
const HS = cfgOf("hot-standby");
const HS2 = cfgOf("hot-standby", "server2");

/** A machine already in `state`, last in touch with the partner at `T0`. */
const at = (cfg: HaConfig, state: HaState, extra: Partial<HaMachine> = {}): HaMachine => ({
  ...initialMachine(cfg, T0),
  ...{ state, previousState: "waiting", dhcpEnabled: dhcpServiceEnabled(state), ...extra },
});
type HbMore = { unsent?: number; dateTime?: string; scopes?: string[] };
function hb(state: HaState, now = T0 + 10_000, more: HbMore = {}): TimedEvent {
  const dateTime = more.dateTime ?? new Date(now).toUTCString();
  return {
    kind: "heartbeat-ok",
    now,
    partner: { state, scopes: more.scopes ?? [], unsentUpdateCount: more.unsent ?? 0, dateTime },
  };
}
const fail = (now: number): TimedEvent => ({ kind: "heartbeat-failed", now, error: "connection refused" });
const tick = (now: number): TimedEvent => ({ kind: "tick", now });
type CmdMore = { partnerReachable?: boolean; partnerError?: string };
const cmd = (name: HaCommandName, more: CmdMore = {}): TimedEvent => ({ kind: "command", name, ...more });
const query = (now: number, clientKey: string, secs: number): TimedEvent => ({ kind: "query", now, clientKey, secs });

/** Feed events; return the final machine and every action. */
function feed(m0: HaMachine, cfg: HaConfig, evs: TimedEvent[]): { m: HaMachine; actions: HaAction[] } {
  let m = m0;
  const actions: HaAction[] = [];
  for (const ev of evs) {
    const r = stepAt(m, ev, cfg);
    m = r.machine;
    actions.push(...r.actions);
  }
  return { m, actions };
}
const kinds = (a: HaAction[]): string[] =>
  a.filter((x) => x.kind !== "log" && x.kind !== "transition").map((x) => x.kind);
const logIds = (a: HaAction[]) => a.flatMap((x) => (x.kind === "log" ? [x.id] : []));
const path = (a: HaAction[]) => a.flatMap((x) => (x.kind === "transition" ? [x.to] : []));
const LATE = T0 + 61_000; // communication interrupted (max-response-delay 60 s)

/** Configurations by short name for the table below. */
const noAuto = cfgOf("load-balancing");
noAuto.peers = noAuto.peers.map((p) => (p.name === "server1" ? { ...p, autoFailover: false } : p));
const CFG: Record<string, HaConfig> = {
  ...{ LB, LB2, HS, HS2, NOAUTO: noAuto },
  PB: cfgOf("passive-backup"),
  B3: cfgOf("load-balancing", "server3"),
  NOSYNC: cfgOf("load-balancing", "server1", { syncLeases: false }),
  NODELAY: cfgOf("load-balancing", "server1", { delayedUpdatesLimit: 0 }),
  UNACK0: cfgOf("load-balancing", "server1", { maxUnackedClients: 0 }),
};

/**
 * One event per token; times are seconds after T0 (default 10): `hb:STATE[#unsent]@s`, `skew:STATE:secs@s`,
 * `fail@s`, `tick@s`, `q:client:secs@s`, `rej:client@s`, `ok:client`, `upd-fail@s`, `sync-ok@s`, `overflow`,
 * `backlog-ok`, `backlog-fail`.
 */
const EV: Record<string, (now: number, a: string, b: string) => TimedEvent> = {
  hb: (now, a) => hb(a.split("#")[0] as HaState, now, { unsent: Number(a.split("#")[1] ?? 0) }),
  skew: (now, a, b) => hb(a as HaState, now, { dateTime: new Date(now + Number(b) * 1000).toUTCString() }),
  fail: (now) => fail(now),
  tick: (now) => tick(now),
  q: (now, a, b) => query(now, a, Number(b)),
  rej: (now, a) => ({ kind: "update-rejected", now, clientKey: a }),
  ok: (_, a) => ({ kind: "update-ok", clientKey: a }),
  "upd-fail": (now) => ({ kind: "update-failed", now }),
  "sync-ok": (now) => ({ kind: "sync-result", now, ok: true }),
  overflow: () => ({ kind: "backlog-overflow" }),
  "backlog-ok": () => ({ kind: "backlog-sent", ok: true }),
  "backlog-fail": () => ({ kind: "backlog-sent", ok: false }),
};
function events(spec: string): TimedEvent[] {
  return spec.split(/\s+/).map((tok) => {
    const [word, at] = tok.split("@");
    const [kind, a, b] = word.split(":");
    return EV[kind](T0 + Number(at ?? 10) * 1000, a, b);
  });
}

/**
 * Every row of the States table: start state | config | events | transitions (`=` none, `a>b` exactly these) |
 * actions that must appear | what the row checks. Max-response-delay is 60 s, so `fail@61` is "interrupted".
 */
const TABLE = `
waiting                | B3      | tick@0                    | backup             |                     | backup role
waiting                | PB      | tick@0                    | passive-backup     | enable-dhcp         | passive-backup mode
waiting                | LB      | hb:load-balancing         | syncing            | start-sync          | partner normal
waiting                | LB2     | hb:in-maintenance         | syncing            | start-sync          | partner in-maintenance
waiting                | NOSYNC  | hb:partner-down           | ready              |                     | sync-leases false
waiting                | LB      | hb:waiting                | syncing            | start-sync          | both waiting: primary
waiting                | LB2     | hb:waiting                | =                  |                     | both waiting: secondary
waiting                | LB      | hb:syncing                | =                  |                     | partner syncing
waiting                | LB      | hb:terminated@540         | =                  |                     | partner terminated 9 min
waiting                | LB      | hb:terminated@601         | terminated         | enable-dhcp         | partner terminated 10 min
waiting                | LB      | fail@60                   | =                  |                     | not yet interrupted
waiting                | LB      | fail@61                   | partner-down       | enable-dhcp         | interrupted, DHCP off
syncing                | LB      | hb:terminated             | terminated         |                     | partner terminated
syncing                | LB      | fail@61                   | partner-down       |                     | interrupted
syncing                | LB      | hb:waiting sync-ok@11     | ready              | start-sync          | sync done
ready                  | LB2     | hb:load-balancing         | load-balancing     | enable-dhcp         | partner normal
ready                  | LB2     | hb:communication-recovery | load-balancing     | enable-dhcp         | partner comm-recovery
ready                  | HS2     | hb:hot-standby            | hot-standby        | enable-dhcp         | partner hot-standby
ready                  | HS      | hb:ready                  | hot-standby        | enable-dhcp         | both ready: primary
ready                  | HS2     | hb:ready                  | =                  |                     | both ready: standby
ready                  | LB      | hb:in-maintenance         | partner-in-maintenance | enable-dhcp     | partner in-maintenance
ready                  | LB      | hb:partner-in-maintenance | in-maintenance     |                     | partner p-i-m
ready                  | LB      | hb:terminated             | terminated         | enable-dhcp         | partner terminated
ready                  | LB      | fail@61                   | partner-down       | enable-dhcp         | interrupted
load-balancing         | LB      | hb:in-maintenance         | partner-in-maintenance |                 | partner in-maintenance
load-balancing         | LB      | hb:partner-down           | waiting>syncing    | disable-dhcp        | partner-down: sync from it
hot-standby            | HS      | hb:partner-in-maintenance | in-maintenance     | disable-dhcp        | partner p-i-m
hot-standby            | HS      | hb:terminated             | terminated         |                     | partner terminated
load-balancing         | LB      | fail@10                   | communication-recovery |                 | LB, unavailable
load-balancing         | LB      | upd-fail@1                | communication-recovery |                 | LB, lease update failed
load-balancing         | NODELAY | fail@10                   | =                  |                     | no backlog: stay
hot-standby            | HS      | fail@61                   | partner-down       |                     | HS primary at once
load-balancing         | LB      | hb:hot-standby            | waiting>syncing    | disable-dhcp        | invalid partner state
communication-recovery | LB      | hb:partner-down           | waiting>syncing    |                     | partner partner-down
communication-recovery | LB      | hb:waiting                | =                  |                     | partner waiting, no overflow
communication-recovery | LB2     | overflow hb:waiting       | waiting            | clear-backlog       | partner waiting, overflow
communication-recovery | LB      | hb:load-balancing         | =                  | send-backlog        | resumed: send backlog
communication-recovery | LB      | hb:load-balancing backlog-ok | load-balancing  | send-backlog        | backlog sent
communication-recovery | LB      | hb:load-balancing backlog-fail | waiting>syncing | send-ha-reset     | backlog failed
communication-recovery | LB      | overflow hb:load-balancing | waiting>syncing   | send-ha-reset       | backlog overflowed
communication-recovery | LB      | fail@61 tick@62           | =                  |                     | 0 unacked: no failure
partner-down           | HS      | hb:ready                  | hot-standby        |                     | partner ready
partner-down           | LB      | hb:communication-recovery | waiting>syncing    | disable-dhcp        | partner comm-recovery
partner-down           | LB      | hb:partner-down           | waiting>syncing    | disable-dhcp        | partner partner-down
partner-down           | LB      | hb:partner-in-maintenance | waiting>syncing    |                     | partner p-i-m
partner-down           | LB      | hb:terminated             | terminated         |                     | partner terminated
partner-down           | LB      | hb:waiting                | =                  |                     | partner waiting
partner-in-maintenance | LB      | fail@1                    | partner-down       |                     | partner unavailable
in-maintenance         | LB      | hb:partner-in-maintenance fail@61 | =          |                     | stays
passive-backup         | PB      | tick@61                   | =                  |                     | no heartbeats
backup                 | B3      | hb:load-balancing tick@61 | =                  |                     | only receives updates
terminated             | LB      | hb:load-balancing fail@61 | =                  |                     | left only by restart
communication-recovery | LB      | fail@61 q:a:30@61 q:a:40@61 q:b:11@61 q:c:5@61 tick@62 | = |    | LB: 2 unacked = max, not enough
communication-recovery | LB      | fail@61 q:a:30@61 q:b:11@61 q:c:12@61 tick@62 | partner-down |   | LB: 3 unacked > max 2
communication-recovery | LB      | q:a:30@20 q:b:30@20 q:c:30@20 fail@61 tick@62 | = |            | LB: queries before interruption ignored
load-balancing         | UNACK0  | fail@10 fail@60 fail@61   | communication-recovery>partner-down | | max-unacked-clients 0
hot-standby            | HS2     | fail@61 tick@62           | =                  |                     | standby: no unacked clients
hot-standby            | HS2     | fail@61 q:a:20@61 q:b:3072@61 q:c:15@61 tick@62 | partner-down | | standby: 3 unacked (1 swapped)
hot-standby            | HS2     | fail@61 q:a:20@61 q:b:20@61 q:c:20@61 hb:hot-standby@62 fail@123 tick@124 | = | | heartbeat clears unacked
partner-down           | LB      | hb:waiting#5@1 hb:ready#5@2 | load-balancing   |                     | partner ready, no new unsent
partner-down           | LB      | hb:waiting#5@1 hb:ready#6@2 | waiting>syncing  | start-sync          | partner ready with new unsent
partner-down           | LB      | hb:waiting#3@1 hb:ready#0@2 | load-balancing   |                     | unsent 0 is never new
partner-down           | NOSYNC  | hb:ready#7@1              | load-balancing     |                     | unsent ignored without sync
load-balancing         | LB      | skew:load-balancing:31@10 | =                  | HA_HIGH_CLOCK_SKEW  | clock skew 31 s warns
load-balancing         | LB      | skew:load-balancing:-62@10 | terminated | HA_HIGH_CLOCK_SKEW_CAUSED_TERMINATION | skew over 60 s
waiting                | LB      | skew:load-balancing:60@0  | syncing            |                     | skew of 60 s tolerated
load-balancing         | LB      | hb:load-balancing@0 rej:a@1 rej:a@2 rej:b@3 ok:b rej:c@4 | = |   | 2 clients rejected (max 3)
load-balancing         | LB | hb:load-balancing@0 rej:a@1 rej:b@2 rej:c@3 | terminated | HA_LEASE_UPDATE_REJECTS_CAUSED_TERMINATION | 3 rejected
`;

for (const line of TABLE.trim().split("\n")) {
  const [from, cfgName, evSpec, want, must, note] = line.split("|").map((x) => x.trim());
  Deno.test(`states table: ${from}, ${note}`, () => {
    const cfg = CFG[cfgName];
    const { m, actions } = feed(at(cfg, from as HaState), cfg, events(evSpec));
    const expected = want === "=" ? [] : want.split(">");
    assert.deepEqual(path(actions), expected);
    assert.equal(m.state, expected.at(-1) ?? from);
    const got = [...kinds(actions), ...logIds(actions)];
    for (const k of must ? must.split(",") : []) assert.ok(got.includes(k), `expected ${k}; got ${got.join(",")}`);
  });
}

Deno.test("start-up of a pair: both waiting → primary syncs first → ready → both load-balancing", () => {
  const cfgs = [LB, LB2];
  const ms = cfgs.map((c) => initialMachine(c, T0));
  const paths: HaState[][] = [[], []];
  for (let now = T0 + 1_000; now < T0 + 120_000; now += 5_000) {
    for (const [i, j] of [[0, 1], [1, 0]]) {
      const peer = heartbeatArguments(ms[j], cfgs[j], now, 0);
      let r = stepAt(ms[i], hb(peer.state, now, { scopes: peer.scopes }), cfgs[i]);
      paths[i].push(...path(r.actions));
      if (r.actions.some((x) => x.kind === "start-sync")) {
        r = stepAt(r.machine, { kind: "sync-result", now, ok: true }, cfgs[i]);
        paths[i].push(...path(r.actions));
      }
      ms[i] = r.machine;
    }
  }
  assert.deepEqual(paths, [["syncing", "ready", "load-balancing"], ["syncing", "ready", "load-balancing"]]);
  assert.deepEqual(ms.map((m, i) => servedScopes(m, cfgs[i])), [["server1"], ["server2"]]);
  assert.deepEqual(ms.map((m) => m.dhcpEnabled), [true, true]);
});

Deno.test("sync failure logs HA_SYNC_FAILED, stays syncing and retries on the next heartbeat", () => {
  const failed: TimedEvent = { kind: "sync-result", now: T0 + 11_000, ok: false, error: "timeout" };
  const r = feed(at(LB, "syncing"), LB, [hb("load-balancing"), failed]);
  assert.deepEqual([r.m.state, logIds(r.actions).includes("HA_SYNC_FAILED")], ["syncing", true]);
  const again = stepAt(r.m, hb("load-balancing", T0 + 20_000), LB);
  assert.deepEqual(kinds(again.actions), ["start-sync"]);
});

Deno.test("status-get reports connecting and unacked clients while communication is interrupted", () => {
  const evs = [fail(LATE), query(LATE, "c1", 30), query(LATE, "c1", 40), query(LATE, "c2", 11), query(LATE, "c3", 5)];
  const { m } = feed(at(LB, "communication-recovery"), LB, evs);
  const st = statusGetSection(m, LB, LATE + 1) as { "ha-servers": { remote: Record<string, unknown> } };
  const keys = ["connecting-clients", "unacked-clients", "unacked-clients-left", "analyzed-packets", "age"];
  assert.deepEqual(keys.map((k) => st["ha-servers"].remote[k]), [3, 2, 1, 4, 61]);
});

Deno.test("ha-maintenance-start: notify first, then partner-in-maintenance; cancel reverts", () => {
  const m = at(LB, "load-balancing", { partnerState: "load-balancing" });
  const p1 = stepAt(m, cmd("ha-maintenance-start"), LB);
  assert.deepEqual(p1.actions, [{ kind: "send-maintenance-notify", cancel: false }]);
  const p2 = stepAt(p1.machine, cmd("ha-maintenance-start", { partnerReachable: true }), LB);
  assert.equal(p2.machine.state, "partner-in-maintenance");
  assert.ok(logIds(p2.actions).includes("HA_MAINTENANCE_STARTED"));
  assert.deepEqual(servedScopes(p2.machine, LB), ["server1", "server2"]);
  assert.equal(sendsLeaseUpdates(p2.machine, LB), true);
  const inMaint = stepAt(p2.machine, hb("in-maintenance", T0 + 3), LB).machine;
  assert.equal(inMaint.state, "partner-in-maintenance");
  const again = stepAt(p2.machine, cmd("ha-maintenance-start"), LB);
  assert.deepEqual(again.actions.map((a) => a.kind === "reply" && a.result), [1]);
  const c1 = stepAt(inMaint, cmd("ha-maintenance-cancel"), LB);
  assert.deepEqual(c1.actions, [{ kind: "send-maintenance-notify", cancel: true }]);
  const c2 = stepAt(c1.machine, cmd("ha-maintenance-cancel", { partnerReachable: true }), LB);
  assert.equal(c2.machine.state, "load-balancing");
  // The partner's stale "in-maintenance" must not send us straight back: wait for the next heartbeat.
  assert.equal(stepAt(c2.machine, tick(T0 + 5), LB).machine.state, "load-balancing");
  const bad = stepAt(c1.machine, cmd("ha-maintenance-cancel", { partnerReachable: true, partnerError: "no" }), LB);
  assert.equal(bad.machine.state, "partner-in-maintenance");
});

Deno.test("ha-maintenance-start with the partner unreachable → partner-down", () => {
  const r = stepAt(at(HS, "hot-standby"), cmd("ha-maintenance-start", { partnerReachable: false }), HS);
  assert.ok(r.actions.some((a) => a.kind === "reply" && a.result === 0 && a.text.includes("partner-down")));
  assert.equal(r.machine.state, "partner-down");
});

Deno.test("ha-maintenance-notify puts the server in-maintenance and cancel restores the previous state", () => {
  const r = stepAt(at(HS2, "hot-standby"), { kind: "maintenance-notify", cancel: false }, HS2);
  assert.deepEqual([r.machine.state, servedScopes(r.machine, HS2)], ["in-maintenance", []]);
  assert.ok(logIds(r.actions).includes("HA_MAINTENANCE_SHUTDOWN_SAFE"));
  assert.deepEqual(kinds(r.actions), ["reply", "disable-dhcp"]);
  const refused = stepAt(r.machine, { kind: "maintenance-notify", cancel: false }, HS2);
  assert.deepEqual(refused.actions.map((a) => a.kind === "reply" && a.result), [1001]);
  const back = stepAt(r.machine, { kind: "maintenance-notify", cancel: true }, HS2);
  assert.equal(back.machine.state, "hot-standby");
  const notIn = stepAt(at(HS2, "hot-standby"), { kind: "maintenance-notify", cancel: true }, HS2);
  assert.deepEqual(notIn.actions.map((a) => a.kind === "reply" && a.result), [1]);
});

Deno.test("pauses: always pauses every entry until ha-continue; once only the first time", () => {
  const pauses = new Map<HaState, HaPause>([["waiting", "always"], ["syncing", "once"]]);
  const cfg = cfgOf("load-balancing", "server1", { pauses });
  let m = initialMachine(cfg, T0);
  assert.equal(m.paused, true);
  m = stepAt(m, hb("load-balancing"), cfg).machine;
  assert.equal(m.state, "waiting");
  let r = stepAt(m, cmd("ha-continue"), cfg);
  assert.equal(r.machine.state, "syncing");
  assert.equal(r.machine.paused, true);
  assert.ok(r.actions.some((a) => a.kind === "reply" && a.text === "HA state machine continues."));
  r = stepAt(r.machine, { kind: "command", name: "ha-continue", now: T0 + 11_000 }, cfg);
  assert.equal(r.machine.paused, false);
  assert.deepEqual(kinds(r.actions), ["reply", "start-sync"]);
  const reset = stepAt(r.machine, cmd("ha-reset"), cfg);
  assert.deepEqual([reset.machine.state, reset.machine.paused], ["waiting", true]);
  const cont = stepAt(reset.machine, cmd("ha-continue"), cfg);
  assert.equal(cont.machine.state, "syncing");
  assert.equal(cont.machine.paused, false, "pause: once does not pause a second time");
  const np = stepAt(cont.machine, cmd("ha-continue"), cfg);
  assert.ok(np.actions.some((a) => a.kind === "reply" && a.text === "HA state machine is not paused."));
});

Deno.test("ha-reset: to waiting, or already waiting", () => {
  const r = stepAt(at(LB, "terminated"), cmd("ha-reset"), LB);
  assert.equal(r.machine.state, "waiting");
  assert.ok(r.actions.some((a) => a.kind === "reply" && a.text === "HA state machine reset."));
  const w = stepAt(r.machine, cmd("ha-reset"), LB);
  assert.ok(w.actions.some((a) => a.kind === "reply" && a.text === "HA state machine already in WAITING state."));
  const { machine: fresh, actions } = stepAt(at(LB, "terminated"), { kind: "config-reload", now: LATE }, LB);
  assert.deepEqual([fresh.state, fresh.startedMs, kinds(actions)], ["waiting", LATE, ["disable-dhcp"]]);
});

Deno.test("clock skew over 30 s warns at most once a minute", () => {
  const evs = events("skew:load-balancing:32@10 skew:load-balancing:32@20 skew:load-balancing:32@80.001");
  const { actions } = feed(at(LB, "load-balancing"), LB, evs);
  assert.equal(logIds(actions).filter((x) => x === "HA_HIGH_CLOCK_SKEW").length, 2);
});

/** config state scopes (`-` = none), for servedScopes */
const SCOPES = `LB waiting - | LB syncing - | LB ready - | LB load-balancing server1 | LB2 load-balancing server2
LB2 communication-recovery server2 | LB2 partner-down server1,server2 | NOAUTO partner-down server1 | LB terminated server1
LB partner-in-maintenance server1,server2 | LB in-maintenance - | HS hot-standby server1 | HS2 hot-standby -
HS2 partner-down server1 | HS2 terminated - | PB passive-backup server1 | B3 backup -`;

Deno.test("servedScopes per state, mode, role and auto-failover; ha-scopes overrides", () => {
  for (const c of SCOPES.split(/[|\n]/)) {
    const [cfg, st, want] = c.trim().split(" ");
    const got = servedScopes(at(CFG[cfg], st as HaState), CFG[cfg]);
    assert.deepEqual(got, want === "-" ? [] : want.split(","), c);
  }
  const m = stepAt(at(LB, "load-balancing"), { kind: "scopes", scopes: [] }, LB).machine;
  assert.deepEqual(servedScopes(m, LB), []);
});

Deno.test("lease updates: sent in normal and partner-in-maintenance, queued in communication-recovery", () => {
  const backup = LB.peers[2];
  assert.equal(sendsLeaseUpdates(at(LB, "load-balancing"), LB), true);
  assert.equal(sendsLeaseUpdates(at(LB, "partner-down"), LB), false);
  assert.equal(sendsLeaseUpdates(at(LB, "partner-down"), LB, backup), true);
  assert.equal(sendsLeaseUpdates(at(LB, "communication-recovery"), LB), false);
  assert.equal(queuesLeaseUpdates(at(LB, "communication-recovery"), LB), true);
  assert.equal(queuesLeaseUpdates(at(LB, "communication-recovery"), LB, backup), false);
  const off = cfgOf("load-balancing", "server1", { sendLeaseUpdates: false });
  assert.equal(sendsLeaseUpdates(at(off, "load-balancing"), off), false);
  const beats = [at(LB, "partner-down"), at(LB, "terminated"), at(CFG.PB, "passive-backup"), at(CFG.B3, "backup")];
  assert.deepEqual(beats.map((m, i) => sendsHeartbeats(m, [LB, LB, CFG.PB, CFG.B3][i])), [true, false, false, false]);
});

Deno.test("heartbeat arguments and status-get section", () => {
  const m = stepAt(at(LB, "load-balancing"), hb("load-balancing", T0 + 10_000, { scopes: ["server2"] }), LB).machine;
  assert.deepEqual(heartbeatArguments(m, LB, T0 + 12_000, 3), {
    state: "load-balancing",
    "date-time": "Fri, 27 Nov 2026 20:00:12 GMT",
    scopes: ["server1"],
    "unsent-update-count": 3,
  });
  const local = { role: "primary", scopes: ["server1"], "server-name": "server1", state: "load-balancing" };
  const remote = { age: 15, "analyzed-packets": 0, "clock-skew": 0, "communication-interrupted": false };
  const more = { "connecting-clients": 0, "in-touch": true, "last-scopes": ["server2"] };
  const who = { role: "secondary", "server-name": "server2", "system-time": "2026-11-27 20:00:10" };
  assert.deepEqual(statusGetSection(m, LB, T0 + 25_000), {
    "ha-mode": "load-balancing",
    "ha-servers": {
      local: { ...local, "system-time": "2026-11-27 20:00:25" },
      remote: {
        ...remote,
        ...more,
        ...who,
        "last-state": "load-balancing",
        "unacked-clients": 0,
        "unacked-clients-left": 0,
      },
    },
  });
  const pb = statusGetSection(at(CFG.PB, "passive-backup"), CFG.PB, T0) as { "ha-servers": object };
  assert.equal("remote" in pb["ha-servers"], false);
});

Deno.test("machine-owned heartbeat: one in flight at a time, the answer lands with its epoch", () => {
  const m0 = at(LB, "load-balancing", { partnerState: "load-balancing" });
  const t1 = stepAt(m0, { kind: "heartbeat-timer", now: T0 + 1000 }, LB);
  assert.deepEqual(t1.actions.filter((a) => a.kind === "send-heartbeat"), [{ kind: "send-heartbeat", epoch: 0 }]);
  assert.equal(t1.machine.heartbeatInFlight, true);
  // the next period while the answer is out: the handlers run, no second heartbeat
  const t2 = stepAt(t1.machine, { kind: "heartbeat-timer", now: T0 + 2000 }, LB);
  assert.deepEqual(kinds(t2.actions), []);
  assert.equal(t2.machine.heartbeatInFlight, true);
  const landed = stepAt(t2.machine, hb("load-balancing", T0 + 2100), LB).machine;
  assert.equal(landed.heartbeatInFlight, false);
  assert.equal(landed.lastContactMs, T0 + 2100);
  assert.ok(
    stepAt(landed, { kind: "heartbeat-timer", now: T0 + 3000 }, LB).actions.some((a) => a.kind === "send-heartbeat"),
  );
  // a failed heartbeat also frees the slot; a passive-backup server sends none
  assert.equal(stepAt(t1.machine, fail(T0 + 1500), LB).machine.heartbeatInFlight, false);
  const pb = at(CFG.PB, "passive-backup");
  assert.deepEqual(stepAt(pb, { kind: "heartbeat-timer", now: T0 + 1000 }, CFG.PB).actions, []);
});

Deno.test("maintenance cancel: the machine holds the cancelling flag and dates heartbeat answers", () => {
  const inPim = at(LB, "partner-in-maintenance", { previousState: "load-balancing", partnerState: "in-maintenance" });
  const sent = stepAt(inPim, { kind: "heartbeat-timer", now: T0 + 1000 }, LB); // a heartbeat out before the cancel
  const c1 = stepAt(sent.machine, cmd("ha-maintenance-cancel"), LB);
  assert.equal(c1.machine.cancelling, true);
  // meanwhile this server answers heartbeats with the state the cancel restores
  const view = heartbeatArguments(c1.machine, LB, T0 + 1100, 0);
  assert.deepEqual([view.state, view.scopes], ["load-balancing", ["server1"]]);
  const c2 = stepAt(c1.machine, cmd("ha-maintenance-cancel", { partnerReachable: true }), LB);
  assert.deepEqual([c2.machine.state, c2.machine.cancelling, c2.machine.heartbeatEpoch], ["load-balancing", false, 1]);
  // the answer to the heartbeat sent before the cancel is stale: it would send us back to partner-in-maintenance
  const stale = stepAt(c2.machine, { ...hb("in-maintenance", T0 + 1200), epoch: 0 }, LB);
  assert.equal(stale.machine.state, "load-balancing");
  assert.deepEqual(logIds(stale.actions), ["HA_HEARTBEAT_STALE"]);
  assert.equal(stale.machine.heartbeatInFlight, false);
  // one sent after the cancel counts
  const fresh = stepAt(stale.machine, { ...hb("in-maintenance", T0 + 2200), epoch: 1 }, LB);
  assert.equal(fresh.machine.state, "partner-in-maintenance");
  // a refused cancel clears the flag and stays
  const refused = stepAt(c1.machine, cmd("ha-maintenance-cancel", { partnerReachable: false }), LB);
  assert.deepEqual([refused.machine.state, refused.machine.cancelling], ["partner-in-maintenance", false]);
  assert.equal(heartbeatArguments(refused.machine, LB, T0, 0).state, "partner-in-maintenance");
});
