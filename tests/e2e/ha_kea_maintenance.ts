/**
 * The maintenance steps of tests/e2e/ha_kea_test.ts (weka and Kea 2.2 in a load-balancing pair, lab prefix `wkk-`):
 * ha-maintenance-start/cancel from either side (Kea's ARM "Controlled shutdown and maintenance"), and what a client
 * served right after a cancel does to the pair. They run on the scenario's lab through {@link KeaPairRig}.
 */
import assert from "node:assert/strict";
import type { PeerClient } from "../../mod/ha/peer_client.ts";
import { controlCommand, HA_TIMING, leasePairs, until } from "./weka_proc.ts";

const HB = HA_TIMING.heartbeatDelay;

/** What the maintenance steps work with: weka's control socket, Kea's CA client and the scenario's helpers. */
export interface KeaPairRig {
  /** weka's unix control socket */
  wSock: string;
  /** Kea's Control Agent as an HA peer client */
  kPeer: PeerClient;
  /** both servers' HA states, as their ha-heartbeat answers say */
  states(): Promise<{ weka: string; kea: string }>;
  /** runs udhcpc with `mac` in cli1 and returns its lease (asserting it got one) */
  serve(mac: string): Promise<{ address: string; server: string }>;
  /** `n` fresh MACs whose queries fall in `scope` */
  macsIn(scope: string, n: number): string[];
  /** kea-dhcp4's output so far */
  keaOutput(): string;
}

/**
 * ha-maintenance-start sent `on` one server puts its partner in in-maintenance: the server asked serves both scopes
 * (a client of the partner's scope gets its lease there, replicated to both), the other none; ha-maintenance-cancel
 * on the same server brings both back to load-balancing.
 */
export async function maintenanceRoundTrip(r: KeaPairRig, on: "kea" | "weka"): Promise<void> {
  const send = (cmd: string) => on === "kea" ? r.kPeer.send(cmd) : controlCommand(r.wSock, cmd);
  const other = on === "kea" ? "weka" : "kea";
  const a = await send("ha-maintenance-start");
  assert.equal(a.result, 0, `${on} refused ha-maintenance-start: ${a.text}`);
  let s = await r.states();
  await until(async () => {
    s = await r.states();
    return s[on] === "partner-in-maintenance" && s[other] === "in-maintenance";
  }, 10_000);
  assert.equal(s[on], "partner-in-maintenance", `${on} after its ha-maintenance-start`);
  assert.equal(s[other], "in-maintenance", `${other} after its partner's ha-maintenance-start`);
  const [mac] = r.macsIn(on === "kea" ? "server1" : "server2", 1);
  const l = await r.serve(mac);
  const server = on === "kea" ? "198.18.0.2" : "198.18.0.1";
  assert.equal(l.server, server, `${mac} (the ${other}'s scope) not served by ${on} in partner-in-maintenance`);
  const w = leasePairs(await controlCommand(r.wSock, "lease4-get-all")).map((p) => p.join(" "));
  const k = leasePairs(await r.kPeer.send("lease4-get-all")).map((p) => p.join(" "));
  assert.ok(w.includes(`${l.address} ${mac}`) && k.includes(`${l.address} ${mac}`), `${l.address} not on both`);
  const mark = r.keaOutput().length;
  const c = await send("ha-maintenance-cancel");
  assert.equal(c.result, 0, `${on} refused ha-maintenance-cancel: ${c.text}`);
  const back = () =>
    until(async () => {
      s = await r.states();
      return s.weka === "load-balancing" && s.kea === "load-balancing";
    }, 15_000);
  await back();
  // Kea 2.2's stale partner state (see cancelThenClient): when a Kea heartbeat landed while weka was in
  // in-maintenance, Kea reverts to load-balancing still holding "in-maintenance" for weka and, at its next state
  // model run, goes back to partner-in-maintenance; weka follows to in-maintenance. Kea logs that transition.
  const relapse = on === "kea" &&
    /LOAD-BALANCING to PARTNER-IN-MAINTENANCE state, partner state is IN-MAINTENANCE/.test(r.keaOutput().slice(mark));
  if (relapse && s.kea !== "load-balancing") {
    assert.deepEqual(
      s,
      { weka: "in-maintenance", kea: "partner-in-maintenance" },
      "Kea relapsed on its stale partner state but the pair did not settle as a Kea 2.2 pair does",
    );
    console.log("  Kea relapsed into partner-in-maintenance on its stale partner state (as Kea 2.2 with Kea)");
    const again = await send("ha-maintenance-cancel");
    assert.equal(again.result, 0, `${on} refused the second ha-maintenance-cancel: ${again.text}`);
    await back();
  }
  assert.deepEqual(
    s,
    { weka: "load-balancing", kea: "load-balancing" },
    "not back after ha-maintenance-cancel",
  );
}

/**
 * Step g3: ha-maintenance-start on weka, two heartbeats in maintenance (Kea then holds weka's
 * partner-in-maintenance as its partner state), ha-maintenance-cancel on weka and at once a client of Kea's scope.
 *
 * Kea 2.2 acts on a stale partner state after ha-maintenance-cancel. Its ha-maintenance-notify carries only {cancel}
 * (no "state" argument: the installed libdhcp_ha.so 2.2.0 knows no other), the partner handling it reverts to its
 * previous state without touching what it knows of the canceller, and Kea runs its state model after every lease update
 * it sends (HA_LEASE_UPDATES_COMPLETE_EVT), not only after heartbeats. So a lease the reverted server allocates before
 * its next heartbeat answer makes it read the partner's last heartbeat state (partner-in-maintenance) and go back to
 * in-maintenance; the canceller then follows to partner-in-maintenance. Two real Kea 2.2 servers do exactly this, 3
 * runs of 3 (throwaway lab script scratch/kea_kea_maint.ts, gitignored: start + cancel on server1 after 2.5 s in
 * maintenance, a client of server2's scope ~100 ms after the cancel; server2 logs "LOAD-BALANCING to IN-MAINTENANCE
 * state, partner state is PARTNER-IN-MAINTENANCE" right after its DHCP4_LEASE_ALLOC). Whether a heartbeat lands between
 * the cancel and that lease is timing, so this step accepts both outcomes, each asserted exactly, and then checks that
 * a cancel with no traffic in the next heartbeat brings the pair back to load-balancing for good. That last part also
 * guards weka's side of the cancel: Kea blocks in processMaintenanceCancel until the partner answers, so it never
 * answers a heartbeat with its old partner-in-maintenance once the partner has reverted; weka answers heartbeats while
 * its notify is out and, before it named the state the cancel restores (mod/ha/service.ts), sent Kea back into
 * in-maintenance without any client in 2 of 8 quiet cancels (scratch/weka_kea_cancel.ts, likewise; 0 of 10 since).
 */
export async function cancelThenClient(r: KeaPairRig): Promise<void> {
  const a = await controlCommand(r.wSock, "ha-maintenance-start");
  assert.equal(a.result, 0, `weka refused ha-maintenance-start: ${a.text}`);
  let s = await r.states();
  await until(async () => {
    s = await r.states();
    return s.weka === "partner-in-maintenance" && s.kea === "in-maintenance";
  }, 10_000);
  assert.deepEqual(s, { weka: "partner-in-maintenance", kea: "in-maintenance" }, "maintenance not entered");
  // two heartbeats in maintenance: Kea now holds weka's partner-in-maintenance as its partner state
  await new Promise((res) => setTimeout(res, 2 * HB + 500));
  const mark = r.keaOutput().length;
  const c = await controlCommand(r.wSock, "ha-maintenance-cancel");
  assert.equal(c.result, 0, `weka refused ha-maintenance-cancel: ${c.text}`);
  const [mac] = r.macsIn("server2", 1);
  const l = await r.serve(mac);
  // Kea left in-maintenance while weka's cancel was answered, so it serves its own scope at once
  assert.equal(l.server, "198.18.0.2", `${mac} (Kea's scope) right after the cancel served by ${l.server}`);
  await new Promise((res) => setTimeout(res, 2 * HB + 500)); // both heartbeat cycles have run
  s = await r.states();
  const relapse = /LOAD-BALANCING to IN-MAINTENANCE state, partner state is PARTNER-IN-MAINTENANCE/
    .test(r.keaOutput().slice(mark));
  if (relapse) {
    assert.deepEqual(
      s,
      { weka: "partner-in-maintenance", kea: "in-maintenance" },
      "Kea relapsed into in-maintenance but the pair did not settle as a Kea 2.2 pair does",
    );
    console.log("  Kea relapsed into in-maintenance on its stale partner state (as Kea 2.2 with Kea)");
    const again = await controlCommand(r.wSock, "ha-maintenance-cancel");
    assert.equal(again.result, 0, `weka refused the second ha-maintenance-cancel: ${again.text}`);
  } else {
    console.log("  a heartbeat refreshed Kea's partner state first: no relapse");
  }
  // no client now for two heartbeats: both learn the other's real state before serving again
  const seen = new Set<string>();
  const end = Date.now() + 2 * HB + 500;
  while (Date.now() < end) {
    s = await r.states();
    seen.add(`${s.weka}/${s.kea}`);
    await new Promise((res) => setTimeout(res, 200));
  }
  assert.deepEqual([...seen], ["load-balancing/load-balancing"], "the pair did not hold load-balancing");
  for (const scope of ["server2", "server1"]) {
    const [m] = r.macsIn(scope, 1);
    const x = await r.serve(m);
    const server = scope === "server1" ? "198.18.0.1" : "198.18.0.2";
    assert.equal(x.server, server, `${m} (scope ${scope}) was served by ${x.server} after the cancel`);
  }
  await new Promise((res) => setTimeout(res, HB + 500));
  assert.deepEqual(
    await r.states(),
    { weka: "load-balancing", kea: "load-balancing" },
    "the pair left load-balancing after serving both scopes",
  );
}
