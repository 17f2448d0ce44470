/**
 * The HA state machine of one relationship, after Kea's `HAService` (ha_service.cc, ../shared/reference/
 * kea-features.md §1d "States"): a pure `step(machine, event, cfg) → {machine, actions}`. The service (mod/ha/
 * service.ts) feeds it heartbeat results, timer ticks, sync and backlog results, queries aimed at the partner and
 * commands, then runs the returned actions. Like Kea, after every transition the new state's handler runs at once.
 */
import { type HaConfig, type HaState, thisPeer } from "../config/model_ha.ts";
import {
  analyzeQuery,
  commInterrupted,
  dhcpServiceEnabled,
  failureDetected,
  formatClockSkew,
  type HaAction,
  type HaCommand,
  type HaEvent,
  type HaMachine,
  initialComm,
  normalState,
  partnerHasNewUnsentUpdates,
  type PartnerState,
  recordHeartbeat,
  recordRejected,
  rejectsShouldTerminate,
  RESULT_MAINTENANCE_NOT_ALLOWED,
  skewShouldTerminate,
  skewShouldWarn,
} from "./communication.ts";
import { MAX_CONNECTING_CLIENTS } from "./connecting_clients.ts";

export { RESULT_MAINTENANCE_NOT_ALLOWED };
export type { HaAction, HaCommand, HaCommandName, HaEvent, HaMachine, PartnerReport } from "./communication.ts";
export {
  heartbeatArguments,
  queuesLeaseUpdates,
  sendsHeartbeats,
  sendsLeaseUpdates,
  servedScopes,
  statusGetSection,
} from "./machine_views.ts";

/**
 * Kea's start-up: every server starts in `waiting` with DHCP disabled; the communication-interrupted timer runs from
 * the start, so a partner that never answers is declared down after `max-response-delay`.
 */
export function initialMachine(cfg: HaConfig, now: number): HaMachine {
  const base: HaMachine = {
    ...initialComm(now),
    state: "waiting",
    previousState: "waiting",
    stateSinceMs: now,
    startedMs: now,
    lastEventMs: now,
    paused: false,
    pausedOnce: new Set(),
    dhcpEnabled: false,
    syncInProgress: false,
    backlogSending: false,
    backlogOverflowed: false,
  };
  return applyPause(base, cfg, "waiting", []);
}

/** Kea's `isCommunicationInterrupted()` for the machine. */
export function communicationInterrupted(m: HaMachine, cfg: HaConfig, now: number): boolean {
  return commInterrupted(m, cfg, now);
}

/**
 * Apply one event (Kea's `runModel` after a heartbeat, a timer, a command or a partner notification) and return the
 * new machine with the actions the service must run, in order.
 */
export function step(m0: HaMachine, ev: HaEvent, cfg: HaConfig): { machine: HaMachine; actions: HaAction[] } {
  const out: HaAction[] = [];
  const now = ev.now ?? m0.lastEventMs;
  let m: HaMachine = { ...m0, lastEventMs: now };
  switch (ev.kind) {
    case "heartbeat-ok":
      m = { ...m, ...recordHeartbeat(m, now, ev.partner) };
      if (skewShouldWarn(m, now)) {
        m = { ...m, lastSkewWarnMs: now };
        log(out, "warn", "HA_HIGH_CLOCK_SKEW", `high clock skew: ${formatClockSkew(m, now)}`);
      }
      return done(run(m, cfg, now, out), out);
    case "heartbeat-failed":
      log(out, "warn", "HA_HEARTBEAT_COMMUNICATIONS_FAILED", `heartbeat to the partner failed: ${ev.error}`);
      return done(run({ ...m, partnerState: "unavailable" }, cfg, now, out), out);
    case "update-failed":
      return done(run({ ...m, partnerState: "unavailable" }, cfg, now, out), out);
    case "tick":
      return done(run(m, cfg, now, out), out);
    case "query": {
      // Kea analyzes queries for the partner's scope only while communication is interrupted.
      if (!commInterrupted(m, cfg, now)) return done(m, out);
      const before = m.clients.dropped;
      m = { ...m, ...analyzeQuery(m, cfg, ev.clientKey, ev.secs) };
      if (before === 0 && m.clients.dropped > 0) {
        const text = `more than ${MAX_CONNECTING_CLIENTS} clients aimed at the partner since the last contact: ` +
          "further acked clients are not recorded (counted in ha-connecting-clients-full)";
        log(out, "warn", "HA_CONNECTING_CLIENTS_FULL", text);
      }
      return done(m, out);
    }
    case "update-rejected":
      return done(run({ ...m, ...recordRejected(m, cfg, ev.clientKey) }, cfg, now, out), out);
    case "update-ok":
      return done({ ...m, rejectedClients: m.rejectedClients.delete(ev.clientKey) }, out);
    case "sync-result":
      if (m.state !== "syncing" || !m.syncInProgress) return done(m, out);
      m = { ...m, syncInProgress: false };
      if (!ev.ok) {
        log(out, "error", "HA_SYNC_FAILED", `lease database synchronization failed: ${ev.error ?? "unknown error"}`);
        return done(m, out);
      }
      log(out, "info", "HA_SYNC_SUCCESSFUL", "lease database synchronization with the partner complete");
      return done(run(enter(m, cfg, "ready", "lease database synchronized", now, out), cfg, now, out), out);
    case "backlog-overflow":
      return done({ ...m, backlogOverflowed: true }, out);
    case "backlog-sent":
      if (m.state !== "communication-recovery" || !m.backlogSending) return done(m, out);
      m = { ...m, backlogSending: false };
      if (ev.ok) {
        return done(run(enter(m, cfg, normalState(cfg), "lease update backlog sent", now, out), cfg, now, out), out);
      }
      out.push({ kind: "send-ha-reset" });
      return done(
        run(enter(m, cfg, "waiting", "failed to send the lease update backlog", now, out), cfg, now, out),
        out,
      );
    case "scopes":
      return done({ ...m, scopesOverride: [...ev.scopes] }, out);
    case "config-reload": // Kea rebuilds the HA service: back to waiting with DHCP disabled
      if (m.state !== "waiting") {
        out.push({ kind: "transition", from: m.state, to: "waiting", reason: "config reload" });
      }
      if (m.dhcpEnabled) out.push({ kind: "disable-dhcp" });
      return done(initialMachine(cfg, now), out);
    case "maintenance-notify":
      return done(maintenanceNotify(m, cfg, ev.cancel, now, out), out);
    case "command":
      return done(command(m, cfg, ev, now, out), out);
  }
}

function done(machine: HaMachine, actions: HaAction[]) {
  return { machine, actions };
}

function log(out: HaAction[], level: "info" | "warn" | "error", id: string, text: string): void {
  out.push({ kind: "log", level, id, text });
}

/** Enter a state: transition + Kea's on-entry work (scopes, adjustNetworkState, pause, logs). */
function enter(m0: HaMachine, cfg: HaConfig, to: HaState, reason: string, now: number, out: HaAction[]): HaMachine {
  out.push({ kind: "transition", from: m0.state, to, reason });
  log(out, "info", "HA_STATE_TRANSITION", `state transition from ${m0.state} to ${to} (${reason})`);
  let m: HaMachine = {
    ...m0,
    previousState: m0.state,
    state: to,
    stateSinceMs: now,
    syncInProgress: false,
    backlogSending: false,
    scopesOverride: undefined,
  };
  if (to === "waiting") {
    // A full synchronisation follows, so the communication-recovery backlog is useless.
    m = { ...m, backlogOverflowed: false };
    out.push({ kind: "clear-backlog" });
  }
  const enable = dhcpServiceEnabled(to);
  if (enable !== m.dhcpEnabled) {
    out.push({ kind: enable ? "enable-dhcp" : "disable-dhcp" });
    m = { ...m, dhcpEnabled: enable };
  }
  if (to === "in-maintenance") {
    log(out, "info", "HA_MAINTENANCE_SHUTDOWN_SAFE", "the server can now be shut down for maintenance");
  } else if (to === "partner-in-maintenance") {
    log(out, "info", "HA_MAINTENANCE_STARTED", "the partner can now be shut down for maintenance");
  } else if (to === "terminated") {
    log(out, "error", "HA_TERMINATED", "HA service terminated; restart both servers after fixing the problem");
  }
  return applyPause(m, cfg, to, out);
}

function applyPause(m: HaMachine, cfg: HaConfig, st: HaState, out: HaAction[]): HaMachine {
  const p = cfg.pauses.get(st) ?? "never";
  if (p === "never" || (p === "once" && m.pausedOnce.has(st))) return { ...m, paused: false };
  log(out, "info", "HA_STATE_MACHINE_PAUSED", `state machine paused in ${st}; send ha-continue to resume`);
  return { ...m, paused: true, pausedOnce: new Set(m.pausedOnce).add(st) };
}

/** A handler's verdict: a transition (with actions to run first) and/or changes to the record; undefined = stay. */
type Next = { to?: HaState; reason?: string; pre?: HaAction[]; patch?: Partial<HaMachine> } | undefined;

const go = (to: HaState, reason: string, pre?: HaAction[]): Next => ({ to, reason, pre });

/** Run state handlers until no transition happens (Kea's runModel with verboseTransition + NOP_EVT). */
function run(m0: HaMachine, cfg: HaConfig, now: number, out: HaAction[]): HaMachine {
  let m = m0;
  for (let i = 0; i < 16 && !m.paused; i++) {
    const r = handle(m, cfg, now, out);
    if (r?.patch) m = { ...m, ...r.patch };
    if (!r?.to) break;
    if (r.pre) out.push(...r.pre);
    m = enter(m, cfg, r.to, r.reason ?? "", now, out);
  }
  return m;
}

/** Kea's `shouldPartnerDown()`: interrupted, and (with DHCP enabled in LB or on the standby) failure detected. */
function shouldPartnerDown(m: HaMachine, cfg: HaConfig, now: number): boolean {
  if (!commInterrupted(m, cfg, now)) return false;
  if (m.dhcpEnabled && (cfg.mode === "load-balancing" || thisPeer(cfg).role === "standby")) {
    return failureDetected(m, cfg);
  }
  return true;
}

/** Kea's `shouldTerminate()`: clock skew above 60 s or too many rejected lease updates. */
function terminateCheck(m: HaMachine, cfg: HaConfig, now: number, out: HaAction[]): Next {
  if (skewShouldTerminate(m)) {
    log(out, "error", "HA_HIGH_CLOCK_SKEW_CAUSED_TERMINATION", `clock skew too high: ${formatClockSkew(m, now)}`);
    return go("terminated", "clock skew over 60 s");
  }
  if (!rejectsShouldTerminate(m, cfg)) return undefined;
  const text = `the partner rejected lease updates for ${m.rejectedClients.size} clients`;
  log(out, "error", "HA_LEASE_UPDATE_REJECTS_CAUSED_TERMINATION", text);
  return go("terminated", "too many rejected lease updates");
}

/** Kea's `isPartnerStateInvalid()`: the partner reports a normal state of the other mode. */
function partnerInvalid(p: PartnerState | undefined, cfg: HaConfig, out: HaAction[]): boolean {
  const lb = cfg.mode === "load-balancing";
  const bad = ((p === "communication-recovery" || p === "load-balancing") && !lb) ||
    (p === "hot-standby" && cfg.mode !== "hot-standby");
  if (bad) log(out, "warn", "HA_INVALID_PARTNER_STATE", `partner is in ${p}, which ${cfg.mode} does not use`);
  return bad;
}

/** Partner states that let a waiting server go on to syncing (or ready). */
const TO_SYNC: ReadonlySet<string> = new Set([
  "communication-recovery",
  "hot-standby",
  "load-balancing",
  "in-maintenance",
  "partner-down",
  "partner-in-maintenance",
  "ready",
]);

/** One pass of the current state's handler (ha_service.cc `*StateHandler`). */
function handle(m: HaMachine, cfg: HaConfig, now: number, out: HaAction[]): Next {
  const me = thisPeer(cfg);
  const primary = me.role === "primary";
  const p = m.partnerState;
  const downIf = (): Next =>
    p === "unavailable" && shouldPartnerDown(m, cfg, now)
      ? go("partner-down", "partner unavailable and the partner-down condition holds")
      : undefined;
  const st = m.state;
  if (st === "passive-backup" || st === "backup" || st === "terminated") return undefined;
  if (st === "waiting" && me.role === "backup") return go("backup", "this server is a backup");
  if (st === "waiting" && cfg.mode === "passive-backup") return go("passive-backup", "passive-backup mode");
  // Just after a maintenance cancel the partner's state is stale: wait for the next heartbeat (isMaintenanceCanceled).
  if (p === undefined && st !== "waiting") return undefined;
  const t = terminateCheck(m, cfg, now, out);
  if (t) return t;
  switch (st) {
    case "waiting": {
      const next: HaState = cfg.syncLeases ? "syncing" : "ready";
      if (p !== undefined && TO_SYNC.has(p)) return go(next, `partner is ${p}`);
      if (p === "waiting" && primary) return go(next, "both servers waiting; the primary goes first");
      if (p === "terminated" && now - m.stateSinceMs > 10 * 60_000) {
        log(out, "error", "HA_TERMINATED_PARTNER_DID_NOT_RESTART", "partner stayed terminated for over 10 minutes");
        return go("terminated", "partner did not restart after termination");
      }
      return downIf();
    }
    case "syncing":
      if (p === "terminated") return go("terminated", "partner is terminated");
      if (p === "unavailable") return downIf();
      if (m.syncInProgress) return undefined;
      out.push({ kind: "start-sync" });
      return { patch: { syncInProgress: true } };
    case "ready":
      if (p === "load-balancing" || p === "hot-standby" || p === "communication-recovery") {
        return go(normalState(cfg), `partner is ${p}`);
      }
      if (p === "ready" && primary) return go(normalState(cfg), "both servers ready; the primary goes first");
      if (p === "in-maintenance") return go("partner-in-maintenance", "partner is in-maintenance");
      if (p === "partner-in-maintenance") return go("in-maintenance", "partner is partner-in-maintenance");
      if (p === "terminated") return go("terminated", "partner is terminated");
      return downIf();
    case "load-balancing":
    case "hot-standby":
    case "communication-recovery": {
      if (partnerInvalid(p, cfg, out)) return go("waiting", `invalid partner state ${p}`);
      if (p === "in-maintenance") return go("partner-in-maintenance", "partner is in-maintenance");
      if (p === "partner-down") return go("waiting", "partner is partner-down");
      if (p === "partner-in-maintenance") return go("in-maintenance", "partner is partner-in-maintenance");
      if (p === "terminated") return go("terminated", "partner is terminated");
      const recovering = st === "communication-recovery";
      if (p === "unavailable") {
        const down = downIf();
        if (down || recovering || cfg.mode !== "load-balancing" || cfg.delayedUpdatesLimit <= 0) return down;
        return go("communication-recovery", "communication with the partner interrupted");
      }
      if (!recovering) return undefined;
      if (p === "waiting" || p === "syncing" || p === "ready") {
        return m.backlogOverflowed ? go("waiting", "lease update backlog overflowed") : undefined;
      }
      if (commInterrupted(m, cfg, now) || m.backlogSending) return undefined;
      if (m.backlogOverflowed) return go("waiting", "lease update backlog overflowed", [{ kind: "send-ha-reset" }]);
      out.push({ kind: "send-backlog" });
      return { patch: { backlogSending: true } };
    }
    case "partner-down":
      if (p === "communication-recovery" || p === "partner-down" || p === "partner-in-maintenance") {
        return go("waiting", `partner is ${p}`);
      }
      if (p === "ready") {
        return cfg.syncLeases && partnerHasNewUnsentUpdates(m)
          ? go("waiting", "partner has new unsent lease updates")
          : go(normalState(cfg), "partner is ready");
      }
      return p === "terminated" ? go("terminated", "partner is terminated") : undefined;
    case "partner-in-maintenance":
      return p === "unavailable" ? go("partner-down", "partner went down for maintenance") : undefined;
    default: // in-maintenance: left by a maintenance cancel
      return undefined;
  }
}

const PARTNER_SAID = "The partner server responded with the following message to the ha-maintenance-notify command:";

/** Kea's `processMaintenanceNotify`: the partner puts this server in (or takes it out of) in-maintenance. */
function maintenanceNotify(m: HaMachine, cfg: HaConfig, cancel: boolean, now: number, out: HaAction[]): HaMachine {
  const say = (result: number, text: string) => (out.push({ kind: "reply", result, text }), m);
  if (cancel) {
    if (m.state !== "in-maintenance") {
      return say(1, "Unable to cancel maintenance request because the server is not in the in-maintenance state.");
    }
    say(0, "Server maintenance canceled.");
    return enter({ ...m, partnerState: undefined }, cfg, m.previousState, "maintenance canceled", now, out);
  }
  if (["backup", "in-maintenance", "partner-in-maintenance", "terminated", "passive-backup"].includes(m.state)) {
    const text = `Unable to transition the server from the ${m.state} to in-maintenance state.`;
    return say(RESULT_MAINTENANCE_NOT_ALLOWED, text);
  }
  say(0, "Server is in-maintenance state.");
  return enter(m, cfg, "in-maintenance", "partner requested maintenance", now, out);
}

/** Kea's processHAReset / processContinue / processMaintenanceStart / processMaintenanceCancel. */
function command(m: HaMachine, cfg: HaConfig, ev: HaCommand, now: number, out: HaAction[]): HaMachine {
  const say = (result: number, text: string) => (out.push({ kind: "reply", result, text }), m);
  switch (ev.name) {
    case "ha-reset":
      if (m.state === "waiting") return say(0, "HA state machine already in WAITING state.");
      say(0, "HA state machine reset.");
      return run(enter(m, cfg, "waiting", "ha-reset", now, out), cfg, now, out);
    case "ha-continue":
      if (!m.paused) return say(0, "HA state machine is not paused.");
      say(0, "HA state machine continues.");
      log(out, "info", "HA_STATE_MACHINE_CONTINUED", `state machine continues in ${m.state}`);
      return run({ ...m, paused: false }, cfg, now, out);
    case "ha-maintenance-start":
      if (["backup", "partner-in-maintenance", "passive-backup", "terminated"].includes(m.state)) {
        return say(1, `Unable to transition the server from the ${m.state} to partner-in-maintenance state.`);
      }
      if (ev.partnerReachable === undefined) return (out.push({ kind: "send-maintenance-notify", cancel: false }), m);
      if (!ev.partnerReachable) {
        say(0, "Server is now in the partner-down state as its partner appears to be offline for maintenance.");
        return enter(m, cfg, "partner-down", "ha-maintenance-start; partner unreachable", now, out);
      }
      if (ev.partnerError !== undefined) {
        return say(1, `Unable to transition to the partner-in-maintenance state. ${PARTNER_SAID} ${ev.partnerError}.`);
      }
      say(
        0,
        "Server is now in the partner-in-maintenance state and its partner is in-maintenance state. " +
          "The partner can be now safely shut down.",
      );
      return enter(m, cfg, "partner-in-maintenance", "ha-maintenance-start", now, out);
    case "ha-maintenance-cancel":
      if (m.state !== "partner-in-maintenance") {
        return say(1, "Unable to cancel the maintenance for the server not in the partner-in-maintenance state.");
      }
      if (ev.partnerReachable === undefined) return (out.push({ kind: "send-maintenance-notify", cancel: true }), m);
      if (!ev.partnerReachable || ev.partnerError !== undefined) {
        return say(1, `Unable to cancel maintenance. ${PARTNER_SAID} ${ev.partnerError ?? "partner unreachable"}.`);
      }
      say(0, "Server maintenance successfully canceled.");
      return enter({ ...m, partnerState: undefined }, cfg, m.previousState, "ha-maintenance-cancel", now, out);
  }
}
