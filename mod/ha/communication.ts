/**
 * The HA machine's record and vocabulary (HaMachine, HaEvent, HaAction; mod/ha/state_machine.ts re-exports them),
 * what this server knows about its partner (Kea's `CommunicationState4`, communication_state.cc: last contact, the
 * partner's state, scopes, unsent-update count and clock, unacked clients, rejected updates). The read-only views of
 * a machine (served scopes, lease-update policy, ha-heartbeat answer, status-get) are in mod/ha/machine_views.ts.
 * All pure; time is ms.
 */
import {
  type ConnectingClients,
  noConnectingClients,
  recordConnectingClient,
  secsUnacked,
} from "./connecting_clients.ts";
import { PersistentMap } from "./persistent_map.ts";
import type { HaConfig, HaState } from "../config/model_ha.ts";

/** The partner's state as weka last saw it; "unavailable" after a failed heartbeat or lease update. */
export type PartnerState = HaState | "unavailable";

/** The communication part of the HA machine record (immutable: functions return a new one). */
export interface CommState {
  /** last successful contact with the partner (heartbeat answer); the start time until the first one */
  lastContactMs: number;
  /** undefined = never heard of the partner, or the last answer is stale (after a maintenance cancel) */
  partnerState?: PartnerState;
  partnerScopes: readonly string[];
  /** the partner's unsent-update-count: the previous and the latest value (Kea keeps the pair) */
  partnerUnsentPrev: number;
  partnerUnsent: number;
  /** the partner's clock from its last heartbeat answer, ms since the epoch */
  partnerTimeMs?: number;
  /** partner's clock minus ours, ms (positive: the partner is ahead) */
  clockSkewMs: number;
  lastSkewWarnMs?: number;
  /** clients aimed at the partner seen while communication is interrupted (bounded: mod/ha/connecting_clients.ts) */
  clients: ConnectingClients;
  analyzedPackets: number;
  /**
   * clients whose lease updates the partner rejected as conflicts (key → true); at most `max-rejected-lease-updates`
   * of them (none when it is 0): reaching that many terminates the relationship, so more would change nothing
   */
  rejectedClients: PersistentMap<true>;
}

/** The whole machine: immutable; `step` returns a new one. */
export interface HaMachine extends CommState {
  state: HaState;
  /** the state before the current one (Kea's `getPrevState()`, where a maintenance cancel returns to) */
  previousState: HaState;
  stateSinceMs: number;
  startedMs: number;
  /** a heartbeat is out and its answer not stepped in yet: the next period does not send another */
  heartbeatInFlight: boolean;
  /**
   * Dates heartbeat answers: raised when the machine forgets the partner's state (a maintenance cancel), so an
   * answer to a heartbeat sent before that describes the partner as it was and is ignored (`send-heartbeat` carries
   * the epoch, the answer brings it back)
   */
  heartbeatEpoch: number;
  /**
   * an ha-maintenance-cancel waits for the partner's answer to its ha-maintenance-notify: this server's heartbeat
   * answer names the state the cancel restores (see `heartbeatView`)
   */
  cancelling: boolean;
  /** paused by `state-machine.states[].pause` until `ha-continue` */
  paused: boolean;
  /** states already paused in once (for `pause: once`) */
  pausedOnce: ReadonlySet<HaState>;
  dhcpEnabled: boolean;
  syncInProgress: boolean;
  backlogSending: boolean;
  backlogOverflowed: boolean;
  /** set by `ha-scopes` until the next transition */
  scopesOverride?: readonly string[];
}

/** A heartbeat answer from the partner. */
export interface PartnerReport {
  state: HaState;
  scopes: readonly string[];
  unsentUpdateCount: number;
  /** RFC 1123 date-time */
  dateTime: string;
}

/** The HA commands that drive the machine (ha-scopes, ha-sync and ha-heartbeat do not change the state). */
export type HaCommandName =
  | "ha-reset"
  | "ha-continue"
  | "ha-maintenance-start"
  | "ha-maintenance-cancel";

/**
 * Everything that can happen to the machine. Time is not part of an event: `step(machine, event, now, cfg)` takes
 * it explicitly, ms since the epoch from the injected clock.
 */
export type HaEvent =
  /** the heartbeat period elapsed (Kea's heartbeat timer): run the state handlers, send a heartbeat if due */
  | { kind: "heartbeat-timer" }
  /** the answer to the heartbeat sent with `epoch` */
  | { kind: "heartbeat-ok"; epoch: number; partner: PartnerReport }
  | { kind: "heartbeat-failed"; epoch: number; error: string }
  /** run the state handlers (time passed), without a heartbeat */
  | { kind: "tick" }
  | { kind: "sync-result"; ok: boolean; error?: string }
  | { kind: "query"; clientKey: string; secs: number; unacked?: boolean }
  | { kind: "update-failed" }
  | { kind: "update-rejected"; clientKey: string }
  /** a later update for this client was accepted, so it no longer counts as rejected */
  | { kind: "update-ok"; clientKey: string }
  | { kind: "backlog-overflow" }
  | { kind: "backlog-sent"; ok: boolean }
  /**
   * Maintenance commands run in two phases: without `partnerReachable` the machine validates and asks for
   * `send-maintenance-notify`; the service sends it and steps again with `partnerReachable` (and `partnerError`
   * when the partner answered with an error).
   */
  | { kind: "command"; name: HaCommandName; partnerReachable?: boolean; partnerError?: string }
  | { kind: "maintenance-notify"; cancel: boolean }
  /** `ha-scopes` */
  | { kind: "scopes"; scopes: readonly string[] }
  | { kind: "config-reload" };

/** The `command` event. */
export type HaCommand = Extract<HaEvent, { kind: "command" }>;

/** What the service must do, in order. */
export type HaAction =
  | { kind: "transition"; from: HaState; to: HaState; reason: string }
  | { kind: "log"; level: "debug" | "info" | "warn" | "error"; id: string; text: string }
  /** send `ha-heartbeat` to the partner and step its answer in with this epoch */
  | { kind: "send-heartbeat"; epoch: number }
  | { kind: "start-sync" }
  | { kind: "send-ha-reset" }
  | { kind: "send-backlog" }
  | { kind: "clear-backlog" }
  | { kind: "send-maintenance-notify"; cancel: boolean }
  | { kind: "disable-dhcp" }
  | { kind: "enable-dhcp" }
  /** the answer to a command or to `ha-maintenance-notify` (Kea result code and text) */
  | { kind: "reply"; result: number; text: string };

/** Kea's HA_CONTROL_RESULT_MAINTENANCE_NOT_ALLOWED, returned when a maintenance transition is refused. */
export const RESULT_MAINTENANCE_NOT_ALLOWED = 1001;

/** The communication state at start-up: no contact yet, so the interruption timer runs from `now`. */
export function initialComm(now: number): CommState {
  return {
    lastContactMs: now,
    partnerScopes: [],
    partnerUnsentPrev: 0,
    partnerUnsent: 0,
    clockSkewMs: 0,
    clients: noConnectingClients(),
    analyzedPackets: 0,
    rejectedClients: PersistentMap.empty(),
  };
}

/**
 * Kea's `isCommunicationInterrupted()`: no successful communication with the partner for more than
 * `max-response-delay` milliseconds.
 */
export function commInterrupted(c: CommState, cfg: HaConfig, now: number): boolean {
  return now - c.lastContactMs > cfg.maxResponseDelayMs;
}

/** Number of distinct unacked clients (Kea's `getUnackedClientsCount()`), kept with the table: O(1). */
export function unackedCount(c: CommState): number {
  return c.clients.unacked;
}

/**
 * Kea's `failureDetected()`: `max-unacked-clients` 0 means at once, otherwise more than that many distinct clients
 * must have been left unanswered by the partner (secs above `max-ack-delay`).
 */
export function failureDetected(c: CommState, cfg: HaConfig): boolean {
  return cfg.maxUnackedClients === 0 || unackedCount(c) > cfg.maxUnackedClients;
}

/**
 * Kea's `CommunicationState4::analyzeMessage`: record a client aimed at the partner; it is unacked when
 * `secs * 1000 > max-ack-delay` (a byte-swapped `secs` is read as Kea reads it), or as `unackedOverride` says
 * (DHCPv6: CommunicationState6 reads the Elapsed Time option, mod/ha/family6.ts). A client once unacked stays unacked
 * until communication resumes. O(log32 n) and bounded (mod/ha/connecting_clients.ts): the table is never copied.
 */
export function analyzeQuery(
  c: CommState,
  cfg: HaConfig,
  clientKey: string,
  secs: number,
  unackedOverride?: boolean,
): CommState {
  const unacked = unackedOverride ?? secsUnacked(secs, cfg.maxAckDelayMs);
  const clients = recordConnectingClient(c.clients, clientKey, unacked, cfg.maxUnackedClients);
  return { ...c, clients, analyzedPackets: c.analyzedPackets + 1 };
}

/**
 * Kea's `reportRejectedLeaseUpdate`: the partner rejected an update for `clientKey` as a conflict. Kept only while
 * fewer than `max-rejected-lease-updates` clients are recorded (0: the check is off, nothing is kept), since that
 * many already terminates the relationship; O(log32 n).
 */
export function recordRejected(c: CommState, cfg: HaConfig, clientKey: string): CommState {
  if (c.rejectedClients.size >= cfg.maxRejectedLeaseUpdates) return c;
  return { ...c, rejectedClients: c.rejectedClients.set(clientKey, true) };
}

/**
 * Kea's `poke()` plus `setPartnerState/Scopes/Time/UnsentUpdateCount` after a successful heartbeat: resets the
 * interruption timer, forgets the connecting clients and records what the partner reported. The clock skew is the
 * partner's `date-time` (RFC 1123, one-second resolution) minus our time.
 */
export function recordHeartbeat(
  c: CommState,
  now: number,
  p: { state: HaState; scopes: readonly string[]; unsentUpdateCount: number; dateTime: string },
): CommState {
  const partnerTimeMs = Date.parse(p.dateTime);
  const valid = Number.isFinite(partnerTimeMs);
  return {
    ...c,
    lastContactMs: now,
    partnerState: p.state,
    partnerScopes: [...p.scopes],
    partnerUnsentPrev: c.partnerUnsent,
    partnerUnsent: p.unsentUpdateCount,
    partnerTimeMs: valid ? partnerTimeMs : c.partnerTimeMs,
    clockSkewMs: valid ? partnerTimeMs - now : c.clockSkewMs,
    clients: noConnectingClients(),
    analyzedPackets: 0,
  };
}

/** Kea's `hasPartnerNewUnsentUpdates()`: the partner's unsent-update-count is non-zero and changed. */
export function partnerHasNewUnsentUpdates(c: CommState): boolean {
  return c.partnerUnsent > 0 && c.partnerUnsent !== c.partnerUnsentPrev;
}

/** Clock skew in whole seconds, truncated toward zero as Kea's `total_seconds()` does. */
export function clockSkewSeconds(c: CommState): number {
  return Math.trunc(c.clockSkewMs / 1000);
}

/** Kea's `clockSkewShouldTerminate()`: more than 60 s either way. */
export function skewShouldTerminate(c: CommState): boolean {
  return Math.abs(clockSkewSeconds(c)) > 60;
}

/** Kea's `clockSkewShouldWarn()`: more than 30 s either way, at most one warning a minute. */
export function skewShouldWarn(c: CommState, now: number): boolean {
  if (Math.abs(clockSkewSeconds(c)) <= 30) return false;
  return c.lastSkewWarnMs === undefined || now - c.lastSkewWarnMs > 60_000;
}

/** Kea's `logFormatClockSkew()` text: "my time: …, partner's time: …, partner's clock is Ns ahead|behind". */
export function formatClockSkew(c: CommState, now: number): string {
  if (c.partnerTimeMs === undefined) return "skew not initialized";
  const s = clockSkewSeconds(c);
  return `my time: ${simpleTime(now)}, partner's time: ${simpleTime(c.partnerTimeMs)}, ` +
    `partner's clock is ${Math.abs(s)}s ${s < 0 ? "behind" : "ahead"}`;
}

/**
 * Kea's `rejectedLeaseUpdatesShouldTerminate()`: the partner rejected updates for at least
 * `max-rejected-lease-updates` distinct clients; 0 disables the check.
 */
export function rejectsShouldTerminate(c: CommState, cfg: HaConfig): boolean {
  return cfg.maxRejectedLeaseUpdates > 0 && c.rejectedClients.size >= cfg.maxRejectedLeaseUpdates;
}

/** The normal state of the mode: `load-balancing` or `hot-standby` (Kea's `getNormalState()`). */
export function normalState(cfg: HaConfig): HaState {
  return cfg.mode === "hot-standby" ? "hot-standby" : "load-balancing";
}

/**
 * Kea's `adjustNetworkState()`: the local DHCP service is enabled in the normal states, communication-recovery,
 * partner-down, partner-in-maintenance, passive-backup and terminated, and disabled in the others.
 */
export function dhcpServiceEnabled(state: HaState): boolean {
  return !["waiting", "syncing", "ready", "in-maintenance", "backup"].includes(state);
}

/** HTTP date (RFC 7231 §7.1.1.1 IMF-fixdate, the RFC 1123 form) that Kea puts in `ha-heartbeat` answers. */
export function rfc1123(ms: number): string {
  return new Date(ms).toUTCString();
}

/** "YYYY-MM-DD HH:MM:SS" (UTC), the `system-time` form of Kea's status-get. */
export function simpleTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}
