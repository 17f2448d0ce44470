/**
 * The HA state machine of one relationship, after Kea's `HAService` (ha_service.cc; docs/ARCHITECTURE.md): a pure
 * `step(machine, event, now, cfg) → {machine, actions}`, time explicit. The service (mod/ha/service_core.ts) feeds it
 * the heartbeat timer, heartbeat answers, sync and backlog results, queries aimed at the partner and commands, then
 * runs the returned actions; every flag that decides what the service does next (a heartbeat in flight, the epoch
 * that dates heartbeat answers, a maintenance cancel waiting for the partner) is part of the machine. The state
 * handlers (mod/ha/state_handlers.ts) decide and return their decision; this module applies decisions and collects
 * the actions. Like Kea, after every transition the new state's handler runs at once.
 */
import type { HaConfig, HaState } from "../config/model_ha.ts";
import {
  analyzeQuery,
  commInterrupted,
  dhcpServiceEnabled,
  formatClockSkew,
  type HaAction,
  type HaCommand,
  type HaEvent,
  type HaMachine,
  initialComm,
  normalState,
  recordHeartbeat,
  recordRejected,
  RESULT_MAINTENANCE_NOT_ALLOWED,
  skewShouldWarn,
} from "./communication.ts";
import { handle, logAction } from "./state_handlers.ts";
import { MAX_CONNECTING_CLIENTS } from "./connecting_clients.ts";
import { sendsHeartbeats } from "./machine_views.ts";

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

/** A machine and the actions that got it there, in order. */
export interface Stepped {
  machine: HaMachine;
  actions: HaAction[];
}

const stay = (machine: HaMachine, ...actions: HaAction[]): Stepped => ({ machine, actions });

/** `a`, then `f` on a's machine: the actions of both, in order. */
function then(a: Stepped, f: (m: HaMachine) => Stepped): Stepped {
  const b = f(a.machine);
  return { machine: b.machine, actions: [...a.actions, ...b.actions] };
}

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
    heartbeatInFlight: false,
    heartbeatEpoch: 0,
    cancelling: false,
    paused: false,
    pausedOnce: new Set(),
    dhcpEnabled: false,
    syncInProgress: false,
    backlogSending: false,
    backlogOverflowed: false,
  };
  return applyPause(base, cfg, "waiting").machine;
}

/** Kea's `isCommunicationInterrupted()` for the machine. */
export function communicationInterrupted(m: HaMachine, cfg: HaConfig, now: number): boolean {
  return commInterrupted(m, cfg, now);
}

/**
 * Apply one event at time `now` (ms since the epoch; Kea's `runModel` after a heartbeat, a timer, a command or a
 * partner notification) and return the new machine with the actions the service must run, in order.
 */
export function step(m0: HaMachine, ev: HaEvent, now: number, cfg: HaConfig): Stepped {
  const m = m0;
  switch (ev.kind) {
    case "heartbeat-timer": {
      const r = run(m, cfg, now);
      if (!sendsHeartbeats(r.machine, cfg) || r.machine.heartbeatInFlight) return r;
      const epoch = r.machine.heartbeatEpoch;
      return then(r, (x) => stay({ ...x, heartbeatInFlight: true }, { kind: "send-heartbeat", epoch }));
    }
    case "heartbeat-ok": {
      const landed = { ...m, heartbeatInFlight: false };
      // A maintenance cancel made the machine forget the partner's state while this heartbeat was out: the answer
      // describes the partner before the cancel (e.g. still in-maintenance) and would send this server straight back.
      // Kea's "wait for the next heartbeat" means one sent after the cancel; that comes within heartbeat-delay.
      if (ev.epoch !== m.heartbeatEpoch) {
        const text = `ignoring a heartbeat answer (partner ${ev.partner.state}) sent before a maintenance cancel`;
        return stay(landed, logAction("debug", "HA_HEARTBEAT_STALE", text));
      }
      const heard = { ...landed, ...recordHeartbeat(landed, now, ev.partner) };
      if (!skewShouldWarn(heard, now)) return run(heard, cfg, now);
      const warned = { ...heard, lastSkewWarnMs: now };
      const warn = logAction("warn", "HA_HIGH_CLOCK_SKEW", `high clock skew: ${formatClockSkew(warned, now)}`);
      return then(stay(warned, warn), (x) => run(x, cfg, now));
    }
    case "heartbeat-failed": {
      const lost = { ...m, heartbeatInFlight: false, partnerState: "unavailable" as const };
      const warn = logAction(
        "warn",
        "HA_HEARTBEAT_COMMUNICATIONS_FAILED",
        `heartbeat to the partner failed: ${ev.error}`,
      );
      return then(stay(lost, warn), (x) => run(x, cfg, now));
    }
    case "update-failed":
      return run({ ...m, partnerState: "unavailable" }, cfg, now);
    case "tick":
      return run(m, cfg, now);
    case "query":
      return query(m, cfg, ev.clientKey, ev.secs, now, ev.unacked);
    case "update-rejected":
      return run({ ...m, ...recordRejected(m, cfg, ev.clientKey) }, cfg, now);
    case "update-ok":
      return stay({ ...m, rejectedClients: m.rejectedClients.delete(ev.clientKey) });
    case "sync-result":
      return syncResult(m, cfg, ev.ok, ev.error, now);
    case "backlog-overflow":
      return stay({ ...m, backlogOverflowed: true });
    case "backlog-sent": {
      if (m.state !== "communication-recovery" || !m.backlogSending) return stay(m);
      const sent = { ...m, backlogSending: false };
      if (ev.ok) {
        return then(enter(sent, cfg, normalState(cfg), "lease update backlog sent", now), (x) => run(x, cfg, now));
      }
      return then(
        enter(sent, cfg, "waiting", "failed to send the lease update backlog", now, [{ kind: "send-ha-reset" }]),
        (x) => run(x, cfg, now),
      );
    }
    case "scopes":
      return stay({ ...m, scopesOverride: [...ev.scopes] });
    case "config-reload": { // Kea rebuilds the HA service: back to waiting with DHCP disabled
      const actions: HaAction[] = [];
      if (m.state !== "waiting") {
        actions.push({ kind: "transition", from: m.state, to: "waiting", reason: "config reload" });
      }
      if (m.dhcpEnabled) actions.push({ kind: "disable-dhcp" });
      // a heartbeat still out keeps its place, but its answer predates the new relationship
      const fresh = initialMachine(cfg, now);
      return stay(
        { ...fresh, heartbeatInFlight: m.heartbeatInFlight, heartbeatEpoch: m.heartbeatEpoch + 1 },
        ...actions,
      );
    }
    case "maintenance-notify":
      return maintenanceNotify(m, cfg, ev.cancel, now);
    case "command":
      return command(m, cfg, ev, now);
  }
}

/** A query aimed at the partner: Kea analyzes such queries only while communication is interrupted. */
function query(m: HaMachine, cfg: HaConfig, clientKey: string, secs: number, now: number, unacked?: boolean): Stepped {
  if (!commInterrupted(m, cfg, now)) return stay(m);
  const analyzed = { ...m, ...analyzeQuery(m, cfg, clientKey, secs, unacked) };
  if (m.clients.dropped > 0 || analyzed.clients.dropped === 0) return stay(analyzed);
  const text = `more than ${MAX_CONNECTING_CLIENTS} clients aimed at the partner since the last contact: ` +
    "further acked clients are not recorded (counted in ha-connecting-clients-full)";
  return stay(analyzed, logAction("warn", "HA_CONNECTING_CLIENTS_FULL", text));
}

/** The end of a synchronisation in `syncing`: ready on success, a logged failure (retried next heartbeat) else. */
function syncResult(m: HaMachine, cfg: HaConfig, ok: boolean, error: string | undefined, now: number): Stepped {
  if (m.state !== "syncing" || !m.syncInProgress) return stay(m);
  const done = { ...m, syncInProgress: false };
  if (!ok) {
    return stay(
      done,
      logAction("error", "HA_SYNC_FAILED", `lease database synchronization failed: ${error ?? "unknown error"}`),
    );
  }
  const success = logAction("info", "HA_SYNC_SUCCESSFUL", "lease database synchronization with the partner complete");
  return then(
    stay(done, success),
    (x) => then(enter(x, cfg, "ready", "lease database synchronized", now), (y) => run(y, cfg, now)),
  );
}

/**
 * Enter a state: transition + Kea's on-entry work (scopes, adjustNetworkState, pause, logs). `pre` are actions to
 * run before the transition (a handler's own).
 */
function enter(m0: HaMachine, cfg: HaConfig, to: HaState, reason: string, now: number, pre: HaAction[] = []): Stepped {
  const actions: HaAction[] = [
    ...pre,
    { kind: "transition", from: m0.state, to, reason },
    logAction("info", "HA_STATE_TRANSITION", `state transition from ${m0.state} to ${to} (${reason})`),
  ];
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
    actions.push({ kind: "clear-backlog" });
  }
  const enable = dhcpServiceEnabled(to);
  if (enable !== m.dhcpEnabled) {
    actions.push({ kind: enable ? "enable-dhcp" : "disable-dhcp" });
    m = { ...m, dhcpEnabled: enable };
  }
  if (to === "in-maintenance") {
    actions.push(logAction("info", "HA_MAINTENANCE_SHUTDOWN_SAFE", "the server can now be shut down for maintenance"));
  } else if (to === "partner-in-maintenance") {
    actions.push(logAction("info", "HA_MAINTENANCE_STARTED", "the partner can now be shut down for maintenance"));
  } else if (to === "terminated") {
    actions.push(
      logAction("error", "HA_TERMINATED", "HA service terminated; restart both servers after fixing the problem"),
    );
  }
  return then(stay(m, ...actions), (x) => applyPause(x, cfg, to));
}

/** A configured pause of state `st` (`state-machine.states[].pause`): never, once or always. */
function applyPause(m: HaMachine, cfg: HaConfig, st: HaState): Stepped {
  const p = cfg.pauses.get(st) ?? "never";
  if (p === "never" || (p === "once" && m.pausedOnce.has(st))) return stay({ ...m, paused: false });
  return stay(
    { ...m, paused: true, pausedOnce: new Set(m.pausedOnce).add(st) },
    logAction("info", "HA_STATE_MACHINE_PAUSED", `state machine paused in ${st}; send ha-continue to resume`),
  );
}

/** Run state handlers until no transition happens (Kea's runModel with verboseTransition + NOP_EVT). */
function run(m0: HaMachine, cfg: HaConfig, now: number): Stepped {
  let r = stay(m0);
  for (let i = 0; i < 16 && !r.machine.paused; i++) {
    const next = handle(r.machine, cfg, now);
    const m = next?.patch ? { ...r.machine, ...next.patch } : r.machine;
    if (!next?.to) return { machine: m, actions: [...r.actions, ...(next?.pre ?? [])] };
    r = then(stay(m, ...r.actions), (x) => enter(x, cfg, next.to!, next.reason ?? "", now, next.pre));
  }
  return r;
}

const PARTNER_SAID = "The partner server responded with the following message to the ha-maintenance-notify command:";
const reply = (result: number, text: string): HaAction => ({ kind: "reply", result, text });

/** Kea's `processMaintenanceNotify`: the partner puts this server in (or takes it out of) in-maintenance. */
function maintenanceNotify(m: HaMachine, cfg: HaConfig, cancel: boolean, now: number): Stepped {
  if (cancel) {
    if (m.state !== "in-maintenance") {
      return stay(
        m,
        reply(1, "Unable to cancel maintenance request because the server is not in the in-maintenance state."),
      );
    }
    return enter(forgetPartner(m), cfg, m.previousState, "maintenance canceled", now, [
      reply(0, "Server maintenance canceled."),
    ]);
  }
  if (["backup", "in-maintenance", "partner-in-maintenance", "terminated", "passive-backup"].includes(m.state)) {
    const text = `Unable to transition the server from the ${m.state} to in-maintenance state.`;
    return stay(m, reply(RESULT_MAINTENANCE_NOT_ALLOWED, text));
  }
  return enter(m, cfg, "in-maintenance", "partner requested maintenance", now, [
    reply(0, "Server is in-maintenance state."),
  ]);
}

/** The partner's state is stale after a maintenance cancel: forget it, and date heartbeat answers anew. */
function forgetPartner(m: HaMachine): HaMachine {
  return { ...m, partnerState: undefined, heartbeatEpoch: m.heartbeatEpoch + 1 };
}

/** Kea's processHAReset / processContinue / processMaintenanceStart / processMaintenanceCancel. */
function command(m: HaMachine, cfg: HaConfig, ev: HaCommand, now: number): Stepped {
  switch (ev.name) {
    case "ha-reset":
      if (m.state === "waiting") return stay(m, reply(0, "HA state machine already in WAITING state."));
      return then(
        enter(m, cfg, "waiting", "ha-reset", now, [reply(0, "HA state machine reset.")]),
        (x) => run(x, cfg, now),
      );
    case "ha-continue":
      if (!m.paused) return stay(m, reply(0, "HA state machine is not paused."));
      return then(
        stay(
          { ...m, paused: false },
          reply(0, "HA state machine continues."),
          logAction("info", "HA_STATE_MACHINE_CONTINUED", `state machine continues in ${m.state}`),
        ),
        (x) => run(x, cfg, now),
      );
    case "ha-maintenance-start":
      if (["backup", "partner-in-maintenance", "passive-backup", "terminated"].includes(m.state)) {
        return stay(
          m,
          reply(1, `Unable to transition the server from the ${m.state} to partner-in-maintenance state.`),
        );
      }
      if (ev.partnerReachable === undefined) return stay(m, { kind: "send-maintenance-notify", cancel: false });
      if (!ev.partnerReachable) {
        const text = "Server is now in the partner-down state as its partner appears to be offline for maintenance.";
        return enter(m, cfg, "partner-down", "ha-maintenance-start; partner unreachable", now, [reply(0, text)]);
      }
      if (ev.partnerError !== undefined) {
        return stay(
          m,
          reply(1, `Unable to transition to the partner-in-maintenance state. ${PARTNER_SAID} ${ev.partnerError}.`),
        );
      }
      return enter(m, cfg, "partner-in-maintenance", "ha-maintenance-start", now, [
        reply(
          0,
          "Server is now in the partner-in-maintenance state and its partner is in-maintenance state. " +
            "The partner can be now safely shut down.",
        ),
      ]);
    case "ha-maintenance-cancel":
      if (m.state !== "partner-in-maintenance") {
        return stay(
          m,
          reply(1, "Unable to cancel the maintenance for the server not in the partner-in-maintenance state."),
        );
      }
      // first phase: the partner must be told; meanwhile heartbeat answers name the state the cancel restores
      if (ev.partnerReachable === undefined) {
        return stay({ ...m, cancelling: true }, { kind: "send-maintenance-notify", cancel: true });
      }
      if (!ev.partnerReachable || ev.partnerError !== undefined) {
        const text = `Unable to cancel maintenance. ${PARTNER_SAID} ${ev.partnerError ?? "partner unreachable"}.`;
        return stay({ ...m, cancelling: false }, reply(1, text));
      }
      return enter(forgetPartner({ ...m, cancelling: false }), cfg, m.previousState, "ha-maintenance-cancel", now, [
        reply(0, "Server maintenance successfully canceled."),
      ]);
  }
}
