/**
 * Bounded HA state (issue 9 item 6, DESIGN.md rule 8): the connecting-clients table of an interrupted relationship
 * (Kea's CommunicationState4) keeps at most MAX_CONNECTING_CLIENTS + max-unacked-clients + 1 clients, counts the
 * rest and costs the same per query at any size; rejected clients stop at max-rejected-lease-updates; the lease
 * updater bounds the queries parked on the partner, the sends to each backup and the backlog, counting each drop.
 */
import assert from "node:assert/strict";
import { stepAt, type TimedEvent } from "./step_at.ts";
import { MAX_CONNECTING_CLIENTS } from "../../mod/ha/connecting_clients.ts";
import { type HaMachine, initialMachine, statusGetSection } from "../../mod/ha/state_machine.ts";
import { type CommandSender, LeaseUpdater, updateCommands } from "../../mod/ha/service_updates.ts";
import type { PeerAnswer } from "../../mod/ha/peer_client.ts";
import type { HaConfig } from "../../mod/ha/types.ts";
import { haConfig, lease, pkt, rig, T0 } from "./service_helpers.ts";

/** load-balancing, server1, partner silent since T0: max-response-delay 3 s, max-ack-delay 1 s. */
const LB = (more = ""): HaConfig => haConfig("http://127.0.0.1:1/", "load-balancing", more);
const LATE = T0 + 10_000;

/** A machine in communication-recovery whose partner failed its last heartbeat (communication interrupted). */
function interrupted(cfg: HaConfig): HaMachine {
  const m = { ...initialMachine(cfg, T0), state: "communication-recovery" as const, dhcpEnabled: true };
  return stepAt({ ...m, partnerState: "load-balancing" }, { kind: "heartbeat-failed", now: LATE, error: "x" }, cfg)
    .machine;
}

const query = (clientKey: string, secs: number): TimedEvent => ({ kind: "query", now: LATE, clientKey, secs });

function remote(m: HaMachine, cfg: HaConfig): Record<string, unknown> {
  return (statusGetSection(m, cfg, LATE) as { "ha-servers": { remote: Record<string, unknown> } })["ha-servers"]
    .remote;
}

Deno.test("connecting clients: bounded at MAX_CONNECTING_CLIENTS, the overflow counted and logged once", () => {
  const cfg = LB(`, "max-unacked-clients": 3`);
  let m = interrupted(cfg);
  const logs: string[] = [];
  const total = MAX_CONNECTING_CLIENTS + 2_000;
  for (let i = 0; i < total; i++) {
    const r = stepAt(m, query(`acked-${i}`, 0), cfg);
    m = r.machine;
    for (const a of r.actions) if (a.kind === "log") logs.push(a.id);
  }
  assert.equal(m.clients.map.size, MAX_CONNECTING_CLIENTS);
  assert.equal(m.clients.dropped, 2_000, "every client past the bound is counted");
  assert.deepEqual(logs, ["HA_CONNECTING_CLIENTS_FULL"], "one warning per outage, not one per client");
  const rep = remote(m, cfg);
  assert.deepEqual(
    [rep["connecting-clients"], rep["unacked-clients"], rep["analyzed-packets"]],
    [MAX_CONNECTING_CLIENTS, 0, total],
  );
  // an acked client already known may still become unacked (no new entry)
  m = stepAt(m, query("acked-5", 30), cfg).machine;
  assert.deepEqual([m.clients.map.size, m.clients.unacked], [MAX_CONNECTING_CLIENTS, 1]);
  // new unacked clients are still recorded up to max-unacked-clients + 1: the partner-down decision needs them
  for (let i = 0; i < 10; i++) m = stepAt(m, query(`late-${i}`, 30), cfg).machine;
  assert.equal(m.state, "communication-recovery", "queries alone do not move the machine");
  assert.deepEqual([m.clients.map.size, m.clients.unacked], [MAX_CONNECTING_CLIENTS + 3, 4]);
  assert.equal(m.clients.dropped, 2_000 + 7);
  const down = stepAt(m, { kind: "heartbeat-failed", now: LATE + 1, error: "x" }, cfg).machine;
  assert.equal(down.state, "partner-down", "more than max-unacked-clients unacked: failure detected");
  // a successful heartbeat forgets them all (Kea's poke)
  const ok = stepAt(down, {
    kind: "heartbeat-ok",
    now: LATE + 2,
    partner: { state: "ready", scopes: [], unsentUpdateCount: 0, dateTime: new Date(LATE).toUTCString() },
  }, cfg).machine;
  assert.deepEqual([ok.clients.map.size, ok.clients.unacked, ok.clients.dropped, ok.analyzedPackets], [0, 0, 0, 0]);
});

Deno.test("connecting clients: the step is pure (older machines unchanged) and costs the same at 20 000 clients", () => {
  const cfg = LB(`, "max-unacked-clients": 100000`);
  const batch = (m0: HaMachine, from: number, n: number) => {
    let m = m0;
    const t = performance.now();
    for (let i = from; i < from + n; i++) m = stepAt(m, query(`c-${i}`, 30), cfg).machine;
    return { m, ms: performance.now() - t };
  };
  batch(interrupted(cfg), 0, 3000); // warm-up
  const early = batch(interrupted(cfg), 0, 1000);
  const snapshot = early.m;
  const grown = batch(snapshot, 1000, 19_000).m;
  const late = batch(grown, 20_000, 1000);
  assert.equal(snapshot.clients.map.size, 1000, "the older machine still holds its 1000 clients");
  assert.equal(snapshot.clients.map.has("c-5000"), false);
  assert.deepEqual([grown.clients.map.size, late.m.clients.map.size], [20_000, 21_000]);
  // copying the table per query (the old way) makes the late batch ~40× the early one; the trie keeps it flat
  const text = `1000 queries: ${early.ms.toFixed(1)} ms from 0 clients, ${late.ms.toFixed(1)} ms from 20 000`;
  assert.ok(late.ms < early.ms * 5 + 20, text);
});

Deno.test("rejected clients: kept up to max-rejected-lease-updates, then terminated; 0 keeps none", () => {
  const cfg = LB(`, "max-rejected-lease-updates": 3`);
  let m: HaMachine = { ...initialMachine(cfg, T0), state: "load-balancing", dhcpEnabled: true };
  m = { ...m, partnerState: "load-balancing", lastContactMs: LATE };
  for (const k of ["a", "b"]) m = stepAt(m, { kind: "update-rejected", now: LATE, clientKey: k }, cfg).machine;
  assert.deepEqual([m.rejectedClients.size, m.state], [2, "load-balancing"]);
  const okB = stepAt(m, { kind: "update-ok", now: LATE, clientKey: "b" }, cfg).machine;
  assert.deepEqual([okB.rejectedClients.size, m.rejectedClients.size], [1, 2], "the older machine keeps b");
  const r = stepAt(m, { kind: "update-rejected", now: LATE, clientKey: "c" }, cfg);
  assert.deepEqual([r.machine.rejectedClients.size, r.machine.state], [3, "terminated"]);
  let t = r.machine;
  for (let i = 0; i < 100; i++) t = stepAt(t, { kind: "update-rejected", now: LATE, clientKey: `x${i}` }, cfg).machine;
  assert.equal(t.rejectedClients.size, 3, "never more than the limit");
  const off = LB(`, "max-rejected-lease-updates": 0`);
  let z: HaMachine = { ...initialMachine(off, T0), state: "load-balancing", dhcpEnabled: true };
  z = { ...z, partnerState: "load-balancing", lastContactMs: LATE };
  for (let i = 0; i < 100; i++) z = stepAt(z, { kind: "update-rejected", now: LATE, clientKey: `x${i}` }, off).machine;
  assert.deepEqual([z.rejectedClients.size, z.state], [0, "load-balancing"]);
});

/** A partner whose answers the test releases; counts what it was sent. */
function heldPeer() {
  const held: PromiseWithResolvers<PeerAnswer>[] = [];
  const peer: CommandSender = {
    send() {
      const w = Promise.withResolvers<PeerAnswer>();
      held.push(w);
      return w.promise;
    },
  };
  return { peer, held, releaseAll: () => held.splice(0).forEach((w) => w.resolve({ result: 0 })) };
}

function updater(cfg: HaConfig, partner: CommandSender | undefined, backups: CommandSender[], maxInFlight: number) {
  const stats = new Map<string, number>();
  const logs: string[] = [];
  const u = new LeaseUpdater(cfg, partner, backups, {
    onOutcome: () => {},
    log: (_level, id) => logs.push(id),
    stat: (n) => stats.set(n, (stats.get(n) ?? 0) + 1),
    maxInFlight,
  });
  return { u, stats, logs };
}

const hex2 = (n: number) => (n & 0xff).toString(16).padStart(2, "0");
const cmds = (i: number) => updateCommands([{ op: "put", lease: lease(`198.18.1.${i}`, "aa:bb:cc:00:00:01") }]);

Deno.test("lease updater: at most maxInFlight queries parked on the partner; the next is refused and counted", async () => {
  const p = heldPeer();
  const { u, stats, logs } = updater(LB(), p.peer, [], 4);
  const parked = [1, 2, 3, 4].map((i) => u.replicate(cmds(i), `c${i}`, "send", () => {})!);
  assert.equal(u.inFlight, 4);
  for (const i of [5, 6, 7]) {
    await assert.rejects(u.replicate(cmds(i), `c${i}`, "send", () => {})!, /4 queries already wait/);
  }
  assert.equal(p.held.length, 4, "the refused queries sent nothing");
  assert.equal(stats.get("ha-parking-lot-full"), 3);
  assert.deepEqual(logs, ["DHCP4_HOOK_LEASES4_PARKING_LOT_FULL"], "logged once per full spell");
  p.releaseAll();
  await Promise.all(parked);
  assert.equal(u.inFlight, 0);
  const again = u.replicate(cmds(8), "c8", "send", () => {})!;
  p.releaseAll();
  await again;
  assert.equal(stats.get("ha-parking-lot-full"), 3, "room again once the partner answered");
});

Deno.test("lease updater: a slow backup gets at most maxInFlight sends; the rest are skipped and counted", async () => {
  const b = heldPeer();
  const { u, stats } = updater({ ...LB(), mode: "passive-backup" }, undefined, [b.peer], 2);
  for (let i = 1; i <= 5; i++) assert.equal(u.replicate(cmds(i), `c${i}`, "none", () => {}), undefined);
  assert.equal(b.held.length, 2);
  assert.equal(stats.get("ha-backup-queue-full"), 3);
  b.releaseAll();
  await new Promise((r) => setTimeout(r, 0));
  u.replicate(cmds(6), "c6", "none", () => {});
  assert.equal(b.held.length, 1, "sends again once the backup answered");
});

Deno.test("lease updater: the backlog stops at delayed-updates-limit, then queues nothing until cleared", () => {
  const { u, stats, logs } = updater(LB(`, "delayed-updates-limit": 3`), heldPeer().peer, [], 8);
  let overflows = 0;
  for (let i = 1; i <= 3; i++) u.replicate(cmds(i), `c${i}`, "queue", () => overflows++);
  assert.equal(u.backlogSize(), 3);
  for (let i = 4; i <= 50; i++) u.replicate(cmds(i), `c${i}`, "queue", () => overflows++);
  assert.deepEqual([u.backlogSize(), overflows], [0, 1], "dropped once, the machine told once");
  assert.equal(stats.get("ha-backlog-full"), 47, "the overflowing update and every later one are counted");
  assert.deepEqual(logs, ["HA_LEASE_UPDATES_BACKLOG_OVERFLOW"]);
  u.clearBacklog();
  u.replicate(cmds(51), "c51", "queue", () => overflows++);
  assert.equal(u.backlogSize(), 1, "queues again after the resynchronisation cleared it");
});

Deno.test("service: out-of-scope queries past the bound count in ha-connecting-clients-full (statistic from 0)", async () => {
  const r = await rig(LB(`, "max-unacked-clients": 3`));
  try {
    assert.equal(r.stats.get("ha-connecting-clients-full"), 0);
    assert.deepEqual(r.stats.samples("ha-connecting-clients-full")["ha-connecting-clients-full"].length, 1);
    const now = T0 + 4000; // never in touch: interrupted after max-response-delay; waiting serves no scope
    for (let i = 0; i < MAX_CONNECTING_CLIENTS + 5; i++) {
      const mac = `02:00:00:${hex2(i >> 16)}:${hex2(i >> 8)}:${hex2(i)}`;
      assert.equal(r.svc.admit(pkt(mac, undefined, 0), now), undefined);
    }
    assert.equal(r.svc.machine.clients.map.size, MAX_CONNECTING_CLIENTS);
    assert.equal(r.stats.get("ha-connecting-clients-full"), 5);
    assert.equal(r.stats.get("pkt4-not-for-us"), MAX_CONNECTING_CLIENTS + 5);
  } finally {
    await r.close();
  }
});
