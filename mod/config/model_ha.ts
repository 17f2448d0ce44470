/**
 * The compiled model of the built-in High Availability hook (Kea's `libdhcp_ha.so`, ARM "High Availability"; Kea
 * 2.2's ha_config.cc) and its vocabulary: modes, roles, states and one relationship with Kea's defaults applied.
 * compile_ha.ts produces {@link HaConfig}; the HA module (mod/ha: state machine, query filter, partner protocol,
 * service) reads it. Pure data, plus two lookups on it.
 */

/** Kea's HA modes. */
export type HaMode = "load-balancing" | "hot-standby" | "passive-backup";

/** Every mode, for validation of a relationship's `mode`. */
export const HA_MODES: readonly HaMode[] = ["load-balancing", "hot-standby", "passive-backup"];

/** Kea's peer roles: load-balancing uses primary + secondary, hot-standby primary + standby; backups in any mode. */
export type HaRole = "primary" | "secondary" | "standby" | "backup";

/** Every role, for validation of a peer's `role`. */
export const HA_ROLES: readonly HaRole[] = ["primary", "secondary", "standby", "backup"];

/** Kea's HA states, spelled as `ha-heartbeat` and `status-get` report them. */
export type HaState =
  | "waiting"
  | "syncing"
  | "ready"
  | "load-balancing"
  | "hot-standby"
  | "communication-recovery"
  | "partner-down"
  | "partner-in-maintenance"
  | "in-maintenance"
  | "passive-backup"
  | "backup"
  | "terminated";

/** Every state name, for validation of `state-machine.states[].state` and of a partner's heartbeat answer. */
export const HA_STATES: readonly HaState[] = [
  "waiting",
  "syncing",
  "ready",
  "load-balancing",
  "hot-standby",
  "communication-recovery",
  "partner-down",
  "partner-in-maintenance",
  "in-maintenance",
  "passive-backup",
  "backup",
  "terminated",
];

/** Kea's `state-machine.states[].pause`. */
export type HaPause = "never" | "once" | "always";

/** Every pause value. */
export const HA_PAUSES: readonly HaPause[] = ["never", "once", "always"];

/** One peer of the relationship (`peers[]`). */
export interface HaPeer {
  name: string;
  /** the peer's HA listener, e.g. http://198.18.0.1:8000/ (host is an IP literal, as Kea requires) */
  url: string;
  role: HaRole;
  autoFailover: boolean;
  /** HTTP basic authentication weka uses when it sends commands to this peer */
  basicAuth?: { user: string; password: string };
  /** TLS client files for this peer (its own `trust-anchor`/`cert-file`/`key-file`, else the relationship's); absent = plain HTTP */
  tls?: HaTls;
}

/** The three TLS files Kea requires together (paths, read at the I/O edge). */
export interface HaTls {
  trustAnchor: string;
  certFile: string;
  keyFile: string;
}

/** Kea 2.2's `multi-threading` map of the HA relationship (defaults all false / 0). */
export interface HaMultiThreading {
  enableMultiThreading: boolean;
  httpDedicatedListener: boolean;
  httpListenerThreads: number;
  httpClientThreads: number;
}

/** One compiled `high-availability[]` entry (defaults applied, Kea's checks passed). */
export interface HaConfig {
  thisServerName: string;
  mode: HaMode;
  heartbeatDelayMs: number;
  maxResponseDelayMs: number;
  maxAckDelayMs: number;
  maxUnackedClients: number;
  maxRejectedLeaseUpdates: number;
  delayedUpdatesLimit: number;
  sendLeaseUpdates: boolean;
  syncLeases: boolean;
  syncTimeoutMs: number;
  syncPageLimit: number;
  waitBackupAck: boolean;
  /** every peer, this server included, in configuration order */
  peers: HaPeer[];
  /** states to pause in until `ha-continue` */
  pauses: Map<HaState, HaPause>;
  /** `require-client-certs` (default true; used by the TLS listener) — optional so hand-built configs may leave it out */
  requireClientCerts?: boolean;
  /** `restrict-commands` (default true) */
  restrictCommands?: boolean;
  /** the `multi-threading` map with Kea 2.2's defaults applied */
  multiThreading?: HaMultiThreading;
}

/** This server's own peer entry. */
export function thisPeer(c: HaConfig): HaPeer {
  return c.peers.find((p) => p.name === c.thisServerName)!;
}

/** The active partner (the primary's secondary/standby or the other way round); undefined for a backup-only setup. */
export function partnerPeer(c: HaConfig): HaPeer | undefined {
  return c.peers.find((p) => p.name !== c.thisServerName && p.role !== "backup");
}
