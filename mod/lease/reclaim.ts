/**
 * The reclamation edge: runs Kea's two `expired-leases-processing` timers over a lease store
 * (lease-expiration.rst). `reclaim-timer-wait-time` drives a reclamation cycle (`planReclaim`), and
 * `flush-reclaimed-timer-wait-time` drives the removal of old reclaimed leases (`planFlush`); a zero wait time
 * disables its timer, and the flush timer runs only with lease affinity on. As Kea's timer manager does, each timer
 * is re-armed only after its cycle finished, so cycles never overlap. Time comes from an injected clock and timer
 * API, so tests run on fake time. Statistics and events are reported only after the commit is durable.
 * No silent death: a failed cycle (store, plan, clock, configuration) is logged at error level with its Kea id
 * (`…_LEASES_RECLAMATION_FAILED`, `…_RECLAIMED_LEASES_DELETE_FAILED`) and its timer is armed again, whatever fails.
 *
 * A cycle works in batches of at most `RECLAIM_BATCH` leases, each committed (and reported) before the next is
 * planned, with a turn of the event loop in between, so a cycle that reclaims a hundred thousand leases never holds
 * the packets back: a DHCPACK waits for at most one batch's commit besides its own (issue 16: reclamation at a
 * million leases). Between batches the cycle also stops once it has spent `max-reclaim-time` on its batches (the
 * turns it gave the packets not counted), as Kea's `reclaimExpiredLeases4` checks its timeout between leases
 * (Kea's single thread serves no packet meanwhile); `max-reclaim-leases` bounds the cycle's total. A flush deletes
 * its (at most `FLUSH_LIMIT`) old reclaimed leases in the same batches with the same turns between them: at a
 * million leases one flush of 10 000 deletions in a single commit held every packet back ~75 ms (bench:scale).
 */
import { REAL_TIMERS, type Timers } from "../clock/timers.ts";
import type { ExpiredLeasesProcessing } from "../config/model.ts";
import type { StatDelta } from "../stats/stats.ts";
import { leaseAffinity, planFlush, planReclaim, type ReclaimEvent } from "./reclaim_plan.ts";
import type { LeaseStore } from "./types.ts";

/**
 * What a reclaimer needs of one lease family (DHCPv4 by default; reclaim6.ts gives the DHCPv6 one): the planning
 * functions, the durable apply and Kea's log-id prefix ("ALLOC_ENGINE_V4" / "ALLOC_ENGINE_V6").
 */
export interface ReclaimFamily<E> {
  logPrefix: string;
  plan(
    now: number,
    cfg: ExpiredLeasesProcessing,
    remove: boolean,
  ): { mutations: unknown[]; stats: StatDelta[]; events: E[] };
  /** the deletions of at most `limit` reclaimed leases older than hold-reclaimed-time */
  flush(now: number, cfg: ExpiredLeasesProcessing, limit: number): unknown[];
  apply(mutations: unknown[]): Promise<void>;
  /** whether expired leases are left at `now` */
  more(now: number): boolean;
  /** a shared (SQL) store: reads the database's expired rows before planning (each server reclaims what is there) */
  before?(now: number, cfg: ExpiredLeasesProcessing): Promise<void>;
}

function family4(store: LeaseStore): ReclaimFamily<ReclaimEvent> {
  return {
    logPrefix: "ALLOC_ENGINE_V4",
    plan: (now, cfg, remove) => planReclaim(store, now, cfg, remove),
    flush: (now, cfg, limit) => planFlush(store, now, cfg, limit),
    apply: (m) => store.apply(m as Parameters<LeaseStore["apply"]>[0]),
    more: (now) => store.expired(now, 1).length > 0,
    ...(store.refreshExpired
      ? { before: (now, cfg) => store.refreshExpired!(now, cfg.maxReclaimLeases || 1000, cfg.holdReclaimedTime) }
      : {}),
  };
}

export { leaseAffinity, planFlush, planReclaim, type ReclaimEvent, type ReclaimPlan } from "./reclaim_plan.ts";

/** What the reclaimer is wired to: a DHCPv4 `store`, or another lease `family` (E is its event type). */
export interface ReclaimerDeps<E = ReclaimEvent> {
  store?: LeaseStore;
  family?: ReclaimFamily<E>;
  /** the current `expired-leases-processing` (a function, so a config reload takes effect at the next cycle) */
  config: () => ExpiredLeasesProcessing;
  /** unix seconds */
  clock: () => number;
  timers?: Timers;
  /** statistic deltas, after the commit is durable */
  onStats?: (deltas: StatDelta[]) => void;
  /** reclaimed leases (for DDNS removal), after the commit is durable */
  onEvents?: (events: E[]) => void;
  /** a log line with its Kea id; failures come at "error", the rest at "info" */
  log?: (id: string, text: string, level: "info" | "error") => void;
  /** a monotonic clock in ms for `max-reclaim-time` (default performance.now) */
  elapsedMs?: () => number;
  /** lets the packets in between two batches (default: a zero-delay timer) */
  yieldTurn?: () => Promise<void>;
}

/** How long a timer waits before trying again when even the configuration could not be read, seconds. */
export const RECLAIM_RETRY_SECONDS = 10;

/** Leases planned and committed together within a cycle (see the file comment). */
export const RECLAIM_BATCH = 250;

/** Most reclaimed leases one flush deletes (the rest wait for the next flush timer). */
export const FLUSH_LIMIT = 10000;

/** Result of one reclamation cycle. */
export interface ReclaimResult {
  reclaimed: number;
  /** true when expired leases remain after this cycle (max-reclaim-leases cut it short) */
  more: boolean;
}

/** Runs reclamation and flush cycles on Kea's timers. */
export class Reclaimer<E = ReclaimEvent> {
  private reclaimTimer: unknown;
  private flushTimer: unknown;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = true;
  /** set by stop(): a running cycle ends after its current batch */
  private stopping = false;
  /** consecutive cycles that left expired leases behind (Kea's unwarned-reclaim-cycles) */
  private incomplete = 0;
  private readonly timers: Timers;
  private readonly fam: ReclaimFamily<E>;

  constructor(private readonly deps: ReclaimerDeps<E>) {
    if (deps.family) this.fam = deps.family;
    else if (deps.store) this.fam = family4(deps.store) as unknown as ReclaimFamily<E>;
    else throw new Error("Reclaimer: give a lease store or a lease family");
    this.timers = deps.timers ?? REAL_TIMERS;
  }

  /** Logs through the injected log; a log that throws must not stop the reclaimer. */
  private log(id: string, text: string, level: "info" | "error" = "info"): void {
    try {
      this.deps.log?.(id, text, level);
    } catch { /* nothing more to do: the next cycle runs all the same */ }
  }

  private failed(id: string, what: string, e: unknown): void {
    this.log(`${this.fam.logPrefix}_${id}`, `${what} failed: ${e instanceof Error ? e.message : String(e)}`, "error");
  }

  /** Arms both timers from the current configuration. */
  start(): void {
    this.stopped = false;
    this.stopping = false;
    this.armReclaim();
    this.armFlush();
  }

  /** Disarms the timers and waits for a running cycle to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping = true;
    if (this.reclaimTimer !== undefined) this.timers.clearTimeout(this.reclaimTimer);
    if (this.flushTimer !== undefined) this.timers.clearTimeout(this.flushTimer);
    this.reclaimTimer = this.flushTimer = undefined;
    await this.running.catch(() => {});
  }

  /** Resolves when no reclamation or flush cycle is running. */
  async idle(): Promise<void> {
    await this.running.catch(() => {});
  }

  /**
   * Runs one reclamation cycle now (the timer's work, and the `leases-reclaim` command: `remove` true deletes the
   * leases instead of keeping them expired-reclaimed). Resolves after the commit; rejects if it failed.
   */
  reclaimNow(remove?: boolean): Promise<ReclaimResult> {
    const run = this.running.catch(() => {}).then(() => this.cycle(remove));
    this.running = run;
    return run;
  }

  /**
   * Runs one flush now: deletes reclaimed leases older than hold-reclaimed-time, at most `FLUSH_LIMIT`, committed
   * `RECLAIM_BATCH` at a time with a turn of the event loop between batches. Resolves with the count.
   */
  flushNow(): Promise<number> {
    const run = this.running.catch(() => {}).then(() => this.flushCycle());
    this.running = run;
    return run;
  }

  private async flushCycle(): Promise<number> {
    const now = this.deps.clock(), cfg = this.deps.config();
    let deleted = 0;
    for (let left = FLUSH_LIMIT; left > 0;) {
      const want = Math.min(RECLAIM_BATCH, left);
      const muts = this.fam.flush(now, cfg, want);
      if (muts.length === 0) break;
      await this.fam.apply(muts);
      deleted += muts.length;
      left -= muts.length;
      if (muts.length < want || left <= 0 || this.stopping) break;
      await this.turn();
      if (this.stopping) break;
    }
    if (deleted > 0) {
      this.log(`${this.fam.logPrefix}_RECLAIMED_LEASES_DELETE_COMPLETE`, `deleted ${deleted} reclaimed lease(s)`);
    }
    return deleted;
  }

  /** A turn of the event loop for the packets, between two batches. */
  private turn(): Promise<void> {
    return this.deps.yieldTurn?.() ?? new Promise<void>((r) => setTimeout(r, 0));
  }

  private async cycle(remove?: boolean): Promise<ReclaimResult> {
    const cfg = this.deps.config();
    const now = this.deps.clock();
    const clockMs = this.deps.elapsedMs ?? (() => performance.now());
    await this.fam.before?.(now, cfg);
    const rm = remove ?? !leaseAffinity(cfg);
    const cap = cfg.maxReclaimLeases > 0 ? cfg.maxReclaimLeases : Number.MAX_SAFE_INTEGER;
    let reclaimed = 0, spentMs = 0;
    for (let left = cap; left > 0;) {
      const batchStart = clockMs();
      const want = Math.min(RECLAIM_BATCH, left);
      const plan = this.fam.plan(now, { ...cfg, maxReclaimLeases: want }, rm);
      if (plan.mutations.length === 0) break;
      await this.fam.apply(plan.mutations);
      // durable now: a failing listener is logged, and the cycle still counts as done
      try {
        this.deps.onStats?.(plan.stats);
        this.deps.onEvents?.(plan.events);
      } catch (e) {
        this.failed("LEASES_RECLAMATION_FAILED", `reporting ${plan.events.length} reclaimed lease(s)`, e);
      }
      reclaimed += plan.events.length;
      left -= plan.events.length;
      spentMs += clockMs() - batchStart;
      if (plan.events.length < want || this.stopping || !this.fam.more(now)) break; // fewer than asked: none left
      // the cycle's own time (the turns given to the packets do not count): Kea's max-reclaim-time
      if (cfg.maxReclaimTime > 0 && spentMs >= cfg.maxReclaimTime) break;
      await this.turn();
      if (this.stopping) break;
    }
    const more = this.fam.more(now);
    this.log(
      `${this.fam.logPrefix}_LEASES_RECLAMATION_COMPLETE`,
      `reclaimed ${reclaimed} expired lease(s)${more ? "; expired leases remain" : ""}`,
    );
    if (more) {
      this.incomplete++;
      if (cfg.unwarnedReclaimCycles > 0 && this.incomplete >= cfg.unwarnedReclaimCycles) {
        this.log(
          `${this.fam.logPrefix}_LEASES_RECLAMATION_SLOW`,
          `expired leases are still left after ${this.incomplete} reclamation cycles; consider raising ` +
            `max-reclaim-leases or lowering reclaim-timer-wait-time`,
        );
        this.incomplete = 0;
      }
    } else this.incomplete = 0;
    return { reclaimed, more };
  }

  /** The configured wait of a timer in seconds (0: off); a configuration that cannot be read retries later. */
  private waitOf(pick: (cfg: ExpiredLeasesProcessing) => number, id: string): number {
    try {
      return pick(this.deps.config());
    } catch (e) {
      this.failed(id, "reading expired-leases-processing", e);
      return RECLAIM_RETRY_SECONDS;
    }
  }

  private armReclaim(): void {
    const wait = this.waitOf((c) => c.reclaimTimerWaitTime, "LEASES_RECLAMATION_FAILED");
    if (this.stopped || wait <= 0) return;
    this.reclaimTimer = this.timers.setTimeout(() => {
      this.reclaimTimer = undefined;
      this.reclaimNow().catch((e) => this.failed("LEASES_RECLAMATION_FAILED", "reclamation", e))
        .finally(() => this.armReclaim());
    }, wait * 1000);
  }

  private armFlush(): void {
    const wait = this.waitOf(
      (c) => leaseAffinity(c) ? c.flushReclaimedTimerWaitTime : 0,
      "RECLAIMED_LEASES_DELETE_FAILED",
    );
    if (this.stopped || wait <= 0) return;
    this.flushTimer = this.timers.setTimeout(() => {
      this.flushTimer = undefined;
      this.flushNow().catch((e) => this.failed("RECLAIMED_LEASES_DELETE_FAILED", "flush", e))
        .finally(() => this.armFlush());
    }, wait * 1000);
  }
}
