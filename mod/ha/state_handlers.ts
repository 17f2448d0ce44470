/**
 * The state handlers of the HA machine (ha_service.cc `*StateHandler`): given the machine, the relationship and the
 * time, each decides what happens next — a transition, actions to run first (logs included), changes to the
 * record — and returns that decision as data; mod/ha/state_machine.ts applies it. Nothing here builds a machine or
 * appends to an action list.
 */
import {
  commInterrupted,
  failureDetected,
  formatClockSkew,
  type HaAction,
  type HaMachine,
  normalState,
  partnerHasNewUnsentUpdates,
  type PartnerState,
  rejectsShouldTerminate,
  skewShouldTerminate,
} from "./communication.ts";
import { type HaConfig, type HaState, thisPeer } from "./types.ts";

/** A handler's verdict: a transition (with actions to run first) and/or changes to the record; undefined = stay. */
export type Next = { to?: HaState; reason?: string; pre?: HaAction[]; patch?: Partial<HaMachine> } | undefined;

/** A log action. */
export function logAction(level: "debug" | "info" | "warn" | "error", id: string, text: string): HaAction {
  return { kind: "log", level, id, text };
}

const go = (to: HaState, reason: string, pre?: HaAction[]): Next => ({ to, reason, pre });

/** Kea's `shouldPartnerDown()`: interrupted, and (with DHCP enabled in LB or on the standby) failure detected. */
function shouldPartnerDown(m: HaMachine, cfg: HaConfig, now: number): boolean {
  if (!commInterrupted(m, cfg, now)) return false;
  if (m.dhcpEnabled && (cfg.mode === "load-balancing" || thisPeer(cfg).role === "standby")) {
    return failureDetected(m, cfg);
  }
  return true;
}

/** Kea's `shouldTerminate()`: clock skew above 60 s or too many rejected lease updates. */
function terminateCheck(m: HaMachine, cfg: HaConfig, now: number): Next {
  if (skewShouldTerminate(m)) {
    const why = logAction(
      "error",
      "HA_HIGH_CLOCK_SKEW_CAUSED_TERMINATION",
      `clock skew too high: ${formatClockSkew(m, now)}`,
    );
    return go("terminated", "clock skew over 60 s", [why]);
  }
  if (!rejectsShouldTerminate(m, cfg)) return undefined;
  const text = `the partner rejected lease updates for ${m.rejectedClients.size} clients`;
  return go("terminated", "too many rejected lease updates", [
    logAction("error", "HA_LEASE_UPDATE_REJECTS_CAUSED_TERMINATION", text),
  ]);
}

/** Kea's `isPartnerStateInvalid()`: the partner reports a normal state of the other mode. */
function partnerInvalid(p: PartnerState | undefined, cfg: HaConfig): boolean {
  const lb = cfg.mode === "load-balancing";
  return ((p === "communication-recovery" || p === "load-balancing") && !lb) ||
    (p === "hot-standby" && cfg.mode !== "hot-standby");
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
export function handle(m: HaMachine, cfg: HaConfig, now: number): Next {
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
  const t = terminateCheck(m, cfg, now);
  if (t) return t;
  switch (st) {
    case "waiting": {
      const next: HaState = cfg.syncLeases ? "syncing" : "ready";
      if (p !== undefined && TO_SYNC.has(p)) return go(next, `partner is ${p}`);
      if (p === "waiting" && primary) return go(next, "both servers waiting; the primary goes first");
      if (p === "terminated" && now - m.stateSinceMs > 10 * 60_000) {
        return go("terminated", "partner did not restart after termination", [
          logAction("error", "HA_TERMINATED_PARTNER_DID_NOT_RESTART", "partner stayed terminated for over 10 minutes"),
        ]);
      }
      return downIf();
    }
    case "syncing":
      if (p === "terminated") return go("terminated", "partner is terminated");
      if (p === "unavailable") return downIf();
      if (m.syncInProgress) return undefined;
      return { pre: [{ kind: "start-sync" }], patch: { syncInProgress: true } };
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
    case "communication-recovery":
      return normalHandler(m, cfg, now, downIf);
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

/** The load-balancing, hot-standby and communication-recovery handlers (they share Kea's checks). */
function normalHandler(m: HaMachine, cfg: HaConfig, now: number, downIf: () => Next): Next {
  const p = m.partnerState;
  if (partnerInvalid(p, cfg)) {
    return go("waiting", `invalid partner state ${p}`, [
      logAction("warn", "HA_INVALID_PARTNER_STATE", `partner is in ${p}, which ${cfg.mode} does not use`),
    ]);
  }
  if (p === "in-maintenance") return go("partner-in-maintenance", "partner is in-maintenance");
  if (p === "partner-down") return go("waiting", "partner is partner-down");
  if (p === "partner-in-maintenance") return go("in-maintenance", "partner is partner-in-maintenance");
  if (p === "terminated") return go("terminated", "partner is terminated");
  const recovering = m.state === "communication-recovery";
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
  return { pre: [{ kind: "send-backlog" }], patch: { backlogSending: true } };
}
