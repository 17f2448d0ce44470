/**
 * The core of the HA service (Kea's `HAService`, ha_service.cc): owns the pure state machine
 * (mod/ha/state_machine.ts), the query filter (served scopes follow the machine after every step), the peer clients,
 * the heartbeat timer and the lease updater, and runs the machine's actions: synchronisation from the partner,
 * ha-reset and backlog sends, the local DHCP service switch (origin 1000+N of the dhcp-disable machinery) and the
 * log lines with Kea's message ids. mod/ha/service.ts adds the server hooks and the HA commands on top.
 */
import type { DhcpState, DisableOrigin } from "../control/dhcp_state.ts";
import { REAL_TIMERS, type Timers } from "../clock/timers.ts";
import type { Lease4, LeaseMutation } from "../lease/types.ts";
import type { Packet4 } from "../packet4/packet.ts";
import { HA_FAMILY4, type HaFamily } from "./family.ts";
import { DBG, type Log } from "../log/logger.ts";
import type { Stats } from "../stats/stats.ts";
import { PeerClient } from "./peer_client.ts";
import { QueryFilter } from "./query_filter.ts";
import { parseHeartbeatAnswer } from "./service_heartbeat.ts";
import { HA_UPDATE_STATS, LeaseUpdater } from "./service_updates.ts";
import { type HaAction, type HaEvent, type HaMachine, initialMachine, servedScopes, step } from "./state_machine.ts";
import { syncFromPartner, type SyncStore } from "./sync.ts";
import { type HaConfig, type HaState, partnerPeer, thisPeer } from "../config/model_ha.ts";

/** What the HA service is built from (explicit wiring in mod/cli/ha_wiring.ts). */
export interface HaServiceDeps<Q = Packet4, L = Lease4, M = LeaseMutation> {
  config: HaConfig;
  /** the lease store the synchronisation writes to (DHCPv4's LeaseStore, DHCPv6's Lease6Store) */
  store: SyncStore<M>;
  /** the server family (DHCPv4's when absent): mod/ha/family.ts, family6.ts */
  family?: HaFamily<Q, L, M>;
  /** the server's dhcp-disable/enable machinery; HA switches its local origin 1000+N */
  dhcpState: DhcpState;
  stats: Stats;
  log: Log;
  /** ms since the epoch (default Date.now) */
  clock?: () => number;
  /** heartbeat timer (default setTimeout/clearTimeout) */
  timers?: Timers;
  /** Kea's relationship id N: local origin 1000+N, remote origin 2000+N (default 1) */
  serviceId?: number;
  /** per-command timeout of the peer clients, ms (default 10 000, Kea's) */
  peerTimeoutMs?: number;
  /** the fetch the peer clients use (tests) */
  fetchFn?: typeof fetch;
  /** leases of unknown subnets are skipped by the synchronisation */
  subnetKnown?: (subnetId: number) => boolean;
  /** queries waiting for the partner's acknowledgement at once (default MAX_UPDATES_IN_FLIGHT, service_updates.ts) */
  maxUpdatesInFlight?: number;
}

/** The machine-driving half of the HA service: state, scopes, peers, heartbeat timer, actions. */
export class HaCore<Q = Packet4, L = Lease4, M = LeaseMutation> {
  readonly filter: QueryFilter<Q>;
  protected readonly family: HaFamily<Q, L, M>;
  protected m: HaMachine;
  protected readonly cfg: HaConfig;
  protected readonly name: string;
  protected readonly clock: () => number;
  private readonly timers: Timers;
  protected readonly partner?: PeerClient;
  private readonly backups: PeerClient[];
  protected readonly updates: LeaseUpdater;
  private readonly localOrigin: DisableOrigin;
  private readonly remoteOriginId: number;
  private timer: unknown;
  private running = false;
  /** the heartbeat in flight (the machine knows whether there is one; this is for `heartbeatNow` to wait on) */
  private heartbeatOut?: Promise<void>;
  /**
   * The partner client for heartbeats: its timeout is at most heartbeat-delay (at least 1 s), so a partner that
   * silently stopped answering is marked unavailable in time for failover within max-response-delay + one heartbeat.
   */
  private readonly heartbeatClient?: PeerClient;
  /** heartbeats, synchronisations and backlog sends in flight */
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(protected readonly deps: HaServiceDeps<Q, L, M>) {
    this.family = deps.family ?? (HA_FAMILY4 as unknown as HaFamily<Q, L, M>);
    const service = this.family.service;
    this.cfg = deps.config;
    this.name = deps.config.thisServerName;
    this.clock = deps.clock ?? Date.now;
    this.timers = deps.timers ?? REAL_TIMERS;
    const n = deps.serviceId ?? 1;
    this.localOrigin = { kind: "local", id: 1000 + n };
    this.remoteOriginId = 2000 + n;
    const client = (p: NonNullable<ReturnType<typeof partnerPeer>>) =>
      new PeerClient(p, { timeoutMs: deps.peerTimeoutMs, fetchFn: deps.fetchFn, service });
    const partner = partnerPeer(this.cfg);
    this.partner = partner ? client(partner) : undefined;
    const hbTimeout = Math.min(deps.peerTimeoutMs ?? 10_000, Math.max(this.cfg.heartbeatDelayMs, 1000));
    this.heartbeatClient = partner
      ? new PeerClient(partner, { timeoutMs: hbTimeout, fetchFn: deps.fetchFn, service })
      : undefined;
    this.backups = this.cfg.peers.filter((p) => p.role === "backup" && p.name !== this.name).map(client);
    for (const s of [...HA_UPDATE_STATS, "ha-connecting-clients-full"]) deps.stats.add(s, 0);
    this.updates = new LeaseUpdater(this.cfg, this.partner, this.backups, {
      onOutcome: (o) =>
        this.guard("HA_LEASE_UPDATE_HANDLER_FAILED", () => {
          if (o.kind === "ok") this.apply({ kind: "update-ok", clientKey: o.clientKey });
          else if (o.kind === "rejected") this.apply({ kind: "update-rejected", clientKey: o.clientKey });
          else this.apply({ kind: "update-failed" });
        }),
      log: (level, id, text) =>
        level === "warn" ? deps.log.warn(id, `${this.name}: ${text}`) : deps.log.debug(id, text, DBG.TRACE_BASIC),
      stat: (name) => deps.stats.add(name),
      maxInFlight: deps.maxUpdatesInFlight,
      parkingLotId: this.family.parkingLotId,
    });
    this.m = initialMachine(this.cfg, this.clock());
    this.filter = new QueryFilter<Q>(this.cfg, (q) => this.family.lbKey(q));
    this.filter.serveScopes(servedScopes(this.m, this.cfg));
  }

  /** The current state. */
  get state(): HaState {
    return this.m.state;
  }

  /** The machine record (read-only; tests and status). */
  get machine(): HaMachine {
    return this.m;
  }

  /** Kea's unsent-update-count of this server. */
  get unsentUpdateCount(): number {
    return this.updates.unsentUpdateCount;
  }

  /** Updates waiting in the communication-recovery backlog. */
  get backlogSize(): number {
    return this.updates.backlogSize();
  }

  /**
   * Starts the relationship: the server begins in `waiting` with its DHCP service disabled (Kea's start-up), and
   * the first heartbeat goes out at once; then one every `heartbeat-delay`.
   */
  start(): void {
    if (this.running) return;
    this.running = true;
    if (!this.m.dhcpEnabled) this.deps.dhcpState.disable(this.localOrigin);
    this.deps.log.info(
      "HA_SERVICE_STARTED",
      `${this.name}: started high availability of role ${thisPeer(this.cfg).role} in mode ${this.cfg.mode}`,
    );
    this.schedule(0);
  }

  /** Stops the heartbeat and the peer clients; waits (at most 2 s) for a heartbeat or synchronisation in flight. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    // a heartbeat to a silent partner may take the whole peer timeout: shutdown waits at most 2 s for it
    let cap: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.settled(), new Promise((r) => cap = setTimeout(r, 2000))]);
    clearTimeout(cap);
    this.partner?.close();
    this.heartbeatClient?.close();
    for (const b of this.backups) b.close();
  }

  /** Resolves when no heartbeat or synchronisation is in flight (tests on fake time). */
  async settled(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }

  /**
   * Keeps `p` (a heartbeat, synchronisation or send) in flight until it settles; a failure is logged with `id` and
   * goes no further (never an unhandled rejection): the loop it belongs to runs again at its next turn.
   */
  private track(p: Promise<unknown>, id: string): void {
    this.inflight.add(p);
    p.catch((e) => this.failed(id, e)).finally(() => this.inflight.delete(p));
  }

  /** Runs `fn`; an exception is logged with `id` (Kea's HA_*_FAILED ids) instead of reaching a timer or a promise. */
  protected guard(id: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.failed(id, e);
    }
  }

  private failed(id: string, e: unknown): void {
    try {
      this.deps.log.error(id, `${this.name}: ${e instanceof Error ? e.message : String(e)}`);
    } catch { /* a failing log sink must not take the loop down with it */ }
  }

  /**
   * The heartbeat timer (Kea's `scheduleHeartbeat`): re-armed first, so a failing period (logged as
   * HA_HEARTBEAT_HANDLER_FAILED) never stops the next one. The machine decides whether a heartbeat goes out (not
   * while one is still waiting for its answer) and says so with a `send-heartbeat` action.
   */
  private schedule(ms: number): void {
    if (!this.running) return;
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.schedule(this.cfg.heartbeatDelayMs);
      this.guard("HA_HEARTBEAT_HANDLER_FAILED", () => this.apply({ kind: "heartbeat-timer" }));
    }, ms);
  }

  /**
   * One heartbeat period now (tests and the first period): the `heartbeat-timer` event, then the heartbeat it sent,
   * if any, until its answer is stepped in.
   */
  async heartbeatNow(): Promise<void> {
    const before = this.heartbeatOut;
    this.apply({ kind: "heartbeat-timer" });
    if (this.heartbeatOut !== before) await this.heartbeatOut;
  }

  /** Sends `ha-heartbeat` (Kea's asyncSendHeartbeat) and steps the answer or the failure in with `epoch`. */
  private async sendHeartbeat(epoch: number): Promise<void> {
    let event: HaEvent;
    try {
      const a = await this.heartbeatClient!.send("ha-heartbeat");
      const rep = parseHeartbeatAnswer(a);
      event = typeof rep === "string"
        ? { kind: "heartbeat-failed", epoch, error: rep }
        : { kind: "heartbeat-ok", epoch, partner: rep };
    } catch (e) {
      event = { kind: "heartbeat-failed", epoch, error: (e as Error).message };
    }
    if (this.running) this.apply(event);
  }

  /**
   * Steps the machine, serves its scopes and runs its actions; returns the actions (callers read replies). An
   * action that throws (a failing dependency) is logged as HA_SERVICE_ACTION_FAILED and the others still run, so
   * the machine's record and what the service did never part ways silently.
   */
  protected apply(ev: HaEvent, now = this.clock()): HaAction[] {
    const r = step(this.m, ev, now, this.cfg);
    this.m = r.machine;
    this.filter.serveScopes(servedScopes(this.m, this.cfg));
    for (const a of r.actions) this.guard("HA_SERVICE_ACTION_FAILED", () => this.run(a));
    return r.actions;
  }

  private run(a: HaAction): void {
    const log = this.deps.log;
    switch (a.kind) {
      case "transition":
        log.info(
          "HA_STATE_TRANSITION",
          `${this.name}: HA state transition from ${a.from} to ${a.to}, partner state is ${
            this.m.partnerState ?? "unknown"
          } (${a.reason})`,
        );
        return;
      case "log":
        // the transition is logged with its action above; sync results are logged by the sync with its counts
        if (a.id === "HA_STATE_TRANSITION" || a.id === "HA_SYNC_SUCCESSFUL" || a.id === "HA_SYNC_FAILED") return;
        if (a.level !== "debug" || log.debugEnabled) log[a.level](a.id, `${this.name}: ${a.text}`);
        return;
      case "send-heartbeat": {
        if (!this.heartbeatClient) return;
        const hb = this.sendHeartbeat(a.epoch);
        this.heartbeatOut = hb;
        this.track(hb, "HA_HEARTBEAT_HANDLER_FAILED");
        return;
      }
      case "start-sync":
        this.track(this.syncNow(), "HA_SYNC_FAILED");
        return;
      case "send-ha-reset":
        if (this.partner) {
          this.track(
            this.partner.send("ha-reset").catch((e) =>
              log.warn("HA_RESET_COMMUNICATIONS_FAILED", `${this.name}: ${(e as Error).message}`)
            ),
            "HA_RESET_COMMUNICATIONS_FAILED",
          );
        }
        return;
      case "send-backlog":
        this.track(this.backlogNow(), "HA_LEASE_UPDATES_BACKLOG_FAILED");
        return;
      case "clear-backlog":
        this.updates.clearBacklog();
        return;
      case "disable-dhcp":
        this.deps.dhcpState.disable(this.localOrigin);
        return;
      case "enable-dhcp":
        this.deps.dhcpState.enable(this.localOrigin);
        return;
      default: // reply and send-maintenance-notify: read by the command that stepped the machine
        return;
    }
  }

  /**
   * The communication-recovery state's work: send the backlog, then feed the result to the machine. A send that
   * fails unexpectedly is logged (HA_LEASE_UPDATES_BACKLOG_FAILED) and fed as a failure, so the machine leaves
   * communication-recovery (ha-reset, waiting) instead of waiting forever for a result.
   */
  private async backlogNow(): Promise<void> {
    let ok = false;
    try {
      ok = await this.updates.sendBacklog();
    } catch (e) {
      this.failed("HA_LEASE_UPDATES_BACKLOG_FAILED", e);
    }
    if (this.running) this.apply({ kind: "backlog-sent", ok });
  }

  /** The `syncing` state's work: synchronise, then feed the result to the machine. */
  private async syncNow(): Promise<void> {
    try {
      await this.runSync(Math.ceil(this.cfg.syncTimeoutMs / 1000));
      if (this.running) this.apply({ kind: "sync-result", ok: true });
    } catch (e) {
      if (this.running) this.apply({ kind: "sync-result", ok: false, error: (e as Error).message });
    }
  }

  protected async runSync(maxPeriodSec: number): Promise<void> {
    if (!this.partner) throw new Error("this relationship has no active partner to synchronise from");
    const log = this.deps.log;
    await syncFromPartner<L, M>(this.partner, this.deps.store, {
      pageLimit: this.cfg.syncPageLimit,
      originId: this.remoteOriginId,
      maxPeriodSec,
      serverName: this.name,
      subnetKnown: this.deps.subnetKnown,
      log: (id, text) => {
        if (id.endsWith("FAILED")) log.error(id, `${this.name}: ${text}`);
        else log.info(id, `${this.name}: ${text}`);
      },
    }, this.family.sync);
  }
}
