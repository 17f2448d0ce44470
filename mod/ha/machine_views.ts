/**
 * The read-only views of an HA machine (mod/ha/communication.ts holds its record): the scopes it serves
 * (query_filter.cc), whether lease updates are sent or queued, the `ha-heartbeat` answer, the `status-get`
 * section with the partner report (Kea's `CommunicationState::getReport()`), and whether heartbeats go out. Pure.
 */
import {
  clockSkewSeconds,
  commInterrupted,
  type CommState,
  type HaMachine,
  rfc1123,
  simpleTime,
  unackedCount,
} from "./communication.ts";
import { type HaConfig, type HaPeer, partnerPeer, thisPeer } from "./types.ts";

/**
 * Kea's `CommunicationState::getReport()` (the `remote` entry of status-get, without role and server-name):
 * in-touch, age (s since the last contact), last-state, last-scopes, communication-interrupted, connecting-clients,
 * unacked-clients, unacked-clients-left (max-unacked-clients − unacked + 1 while interrupted, else 0),
 * analyzed-packets, clock-skew (s) and the partner's system-time.
 */
export function remoteReport(c: CommState, cfg: HaConfig, now: number): Record<string, unknown> {
  const inTouch = c.partnerState !== undefined;
  const interrupted = commInterrupted(c, cfg, now);
  const unacked = unackedCount(c);
  const left = interrupted && cfg.maxUnackedClients >= unacked ? cfg.maxUnackedClients - unacked + 1 : 0;
  return {
    age: inTouch ? Math.floor((now - c.lastContactMs) / 1000) : 0,
    "analyzed-packets": c.analyzedPackets,
    "clock-skew": clockSkewSeconds(c),
    "communication-interrupted": interrupted,
    "connecting-clients": c.clients.map.size,
    "in-touch": inTouch,
    "last-scopes": [...c.partnerScopes],
    "last-state": c.partnerState ?? "",
    "system-time": c.partnerTimeMs === undefined ? null : simpleTime(c.partnerTimeMs),
    "unacked-clients": unacked,
    "unacked-clients-left": left,
  };
}

/** Kea's `serveDefaultScopes()`: LB = own scope; hot-standby and passive-backup = the primary's scope there. */
function defaultScopes(cfg: HaConfig): string[] {
  const me = thisPeer(cfg);
  if (me.role === "backup") return [];
  if (cfg.mode === "load-balancing") return [me.name];
  return me.role === "primary" ? [me.name] : [];
}

/** Kea's `serveFailoverScopes()`: every active server's scope (hot-standby has only the primary's). */
function failoverScopes(cfg: HaConfig): string[] {
  const active = cfg.peers.filter((p) => p.role === "primary" || p.role === "secondary");
  if (cfg.mode === "load-balancing") return active.map((p) => p.name);
  return cfg.peers.filter((p) => p.role === "primary").map((p) => p.name);
}

/**
 * The scopes this server answers for (query_filter.cc): none in waiting, syncing, ready, in-maintenance and backup;
 * the default scopes in the normal states, communication-recovery and terminated; all scopes in
 * partner-in-maintenance, passive-backup and partner-down (only with this server's `auto-failover`, else default).
 * An `ha-scopes` override holds until the next transition.
 */
export function servedScopes(m: HaMachine, cfg: HaConfig): string[] {
  if (m.scopesOverride) return [...m.scopesOverride];
  switch (m.state) {
    case "load-balancing":
    case "hot-standby":
    case "communication-recovery":
    case "terminated":
      return defaultScopes(cfg);
    case "partner-down":
      return thisPeer(cfg).autoFailover ? failoverScopes(cfg) : defaultScopes(cfg);
    case "partner-in-maintenance":
    case "passive-backup":
      return failoverScopes(cfg);
    default:
      return [];
  }
}

/**
 * Kea's `shouldSendLeaseUpdates(peer)`: with `send-lease-updates`, backups always get updates; the active partner
 * only in load-balancing, hot-standby and partner-in-maintenance. Without `peer`, the active partner is meant.
 */
export function sendsLeaseUpdates(m: HaMachine, cfg: HaConfig, peer: HaPeer | undefined = partnerPeer(cfg)): boolean {
  if (!cfg.sendLeaseUpdates || !peer) return false;
  if (peer.role === "backup") return true;
  return m.state === "load-balancing" || m.state === "hot-standby" || m.state === "partner-in-maintenance";
}

/** Kea's `shouldQueueLeaseUpdates(peer)`: updates for the active partner are queued in communication-recovery. */
export function queuesLeaseUpdates(m: HaMachine, cfg: HaConfig, peer: HaPeer | undefined = partnerPeer(cfg)): boolean {
  if (!cfg.sendLeaseUpdates || !peer || peer.role === "backup") return false;
  return m.state === "communication-recovery";
}

/**
 * The arguments of this server's `ha-heartbeat` answer (Kea's `processHeartbeat`): state, `date-time` as an
 * RFC 1123 GMT date, the scopes served now and the count of lease updates not sent to the partner.
 *
 * While an ha-maintenance-cancel waits for the partner's answer to its ha-maintenance-notify (`m.cancelling`), the
 * answer names the state the cancel restores: Kea handles commands one at a time and blocks in
 * `processMaintenanceCancel` until the partner answered, so a heartbeat reaching it then is answered after its own
 * transition. Answering "partner-in-maintenance" instead would reach a partner that has already left in-maintenance
 * and send it straight back (its load-balancing/hot-standby handler goes to in-maintenance on a
 * partner-in-maintenance partner); a partner still in-maintenance ignores the partner state.
 */
export function heartbeatArguments(m0: HaMachine, cfg: HaConfig, nowMs: number, unsentUpdateCount: number) {
  const m = m0.cancelling && m0.state === "partner-in-maintenance" ? { ...m0, state: m0.previousState } : m0;
  return {
    state: m.state,
    "date-time": rfc1123(nowMs),
    scopes: servedScopes(m, cfg),
    "unsent-update-count": unsentUpdateCount,
  };
}

/**
 * One entry of status-get's `high-availability` list (Kea's `HAService::processStatusGet`): `ha-mode` and
 * `ha-servers` with `local` (role, scopes, server-name, state, system-time) and `remote` (the partner report plus
 * role and server-name). There is no `remote` in passive-backup mode or without an active partner.
 */
export function statusGetSection(m: HaMachine, cfg: HaConfig, nowMs: number): Record<string, unknown> {
  const me = thisPeer(cfg);
  const local = {
    role: me.role,
    scopes: servedScopes(m, cfg),
    "server-name": me.name,
    state: m.state,
    "system-time": simpleTime(nowMs),
  };
  const partner = partnerPeer(cfg);
  const servers: Record<string, unknown> = { local };
  if (cfg.mode !== "passive-backup" && partner) {
    servers.remote = { ...remoteReport(m, cfg, nowMs), role: partner.role, "server-name": partner.name };
  }
  return { "ha-mode": cfg.mode, "ha-servers": servers };
}

/**
 * Whether the service should keep sending `ha-heartbeat` to the partner (Kea's `scheduleHeartbeat()` callers): not in
 * terminated (Kea stops the heartbeat), nor in the backup and passive-backup states, nor on a backup server.
 */
export function sendsHeartbeats(m: HaMachine, cfg: HaConfig): boolean {
  if (cfg.mode === "passive-backup" || thisPeer(cfg).role === "backup") return false;
  return m.state !== "terminated" && m.state !== "backup" && m.state !== "passive-backup";
}
