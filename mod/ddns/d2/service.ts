/**
 * The D2 update manager (Kea's `D2QueueMgr` + `D2UpdateMgr`): queues NameChangeRequests, runs up to
 * `maxTransactions` transactions at once (Kea: 32), never two for the same DHCID at the same time, and keeps D2's
 * statistics under Kea's names. It drives the pure transaction machine and hands its sends to an
 * {@link UpdateSender}; it opens no socket itself.
 *
 * Bounded (docs/ARCHITECTURE.md rule 8): at most `maxQueue` requests wait (queued, or held back behind a transaction on their
 * DHCID); more are dropped and counted in Kea's `queue-mgr-queue-full`, logged once per full spell. Each request is
 * touched O(1) times: one held back waits in a per-DHCID list instead of being scanned past again.
 */
import { DBG, type Log } from "../../log/logger.ts";
import { escapedLog } from "../../log/escaped_log.ts";
import { Stats } from "../../stats/stats.ts";
import { toHex } from "../../wire/addr.ts";
import type { NameChangeRequest } from "../ncr/ncr.ts";
import { logsNth } from "../ncr/queue.ts";
import type { D2Config } from "../../config/model_d2.ts";
import type { UpdateSender } from "./dns_client.ts";
import { matchDomain, reverseName } from "./domains.ts";
import { newTransaction, requestId, transition, type TxEvent, type TxPlan, type TxState } from "./transaction.ts";

/** Default of {@link D2ServiceOptions.maxQueue}: weka's D2 queue (Kea's D2 keeps 1024). */
export const D2_MAX_QUEUE = 1 << 16;

/** Tuning of the manager; Kea hard-codes 32 transactions and a 1024-entry queue. */
export interface D2ServiceOptions {
  maxTransactions?: number;
  /** requests waiting at most (default {@link D2_MAX_QUEUE}) */
  maxQueue?: number;
  /** a durable journal (weka's addition): accepted requests survive a restart until their transaction ends */
  journal?: { append(ncr: NameChangeRequest): number; done(seq: number): void };
}

interface Queued {
  ncr: NameChangeRequest;
  seq?: number;
}

/** Kea's per-key statistic names (`key[NAME].update-sent` …), built once per key name (bounded by the config's keys). */
const keyStats = new Map<string, Record<"sent" | "success" | "timeout" | "error", string>>();
function keyStatNames(key: string): Record<"sent" | "success" | "timeout" | "error", string> {
  let n = keyStats.get(key);
  if (!n) {
    n = {
      sent: `key[${key}].update-sent`,
      success: `key[${key}].update-success`,
      timeout: `key[${key}].update-timeout`,
      error: `key[${key}].update-error`,
    };
    if (keyStats.size >= 1024) keyStats.clear();
    keyStats.set(key, n);
  }
  return n;
}

/** D2 statistics that exist from start-up (Kea ARM "DHCP-DDNS statistics"). */
export const D2_STATS = [
  "ncr-received",
  "ncr-invalid",
  "ncr-error",
  "queue-mgr-queue-full",
  "update-sent",
  "update-signed",
  "update-unsigned",
  "update-success",
  "update-timeout",
  "update-error",
];

/**
 * The update manager: `submit` requests, read `stats`, `idle()` to wait for the backlog, `quiesce`/`abandon` to
 * stop. Kea's D2UpdateMgr rules: FIFO, bounded concurrency, one transaction per DHCID at a time.
 */
export class D2Service {
  readonly stats: Stats;
  /** FIFO of requests not yet looked at: `queue[head…]` */
  private queue: Queued[] = [];
  private head = 0;
  /** requests held back while a transaction runs on their DHCID, by DHCID (hex), oldest first */
  private held = new Map<string, Queued[]>();
  private heldCount = 0;
  /** held requests whose DHCID became free: they go before the queue */
  private ready: Queued[] = [];
  private fullLogged = false;
  /** invalid datagrams since the last valid request (thins their log lines) */
  private invalidRun = 0;
  private active = new Set<string>();
  private running = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly maxTx: number;
  private readonly maxQueue: number;
  private readonly journal?: D2ServiceOptions["journal"];
  private stopping = false;
  /** requests finished (ok or failed) since start, for throughput measurements */
  finished = 0;

  /** every line D2 writes quotes NCR fields an untrusted sender chose: escaped and capped (escaped_log.ts) */
  private readonly log: Log;

  constructor(
    private cfg: D2Config,
    private readonly sender: UpdateSender,
    log: Log,
    opts: D2ServiceOptions = {},
    stats?: Stats,
  ) {
    this.log = escapedLog(log);
    this.maxTx = opts.maxTransactions ?? 32;
    this.maxQueue = Math.max(1, opts.maxQueue ?? D2_MAX_QUEUE);
    this.journal = opts.journal;
    this.stats = stats ?? new Stats();
    for (const n of D2_STATS) this.stats.add(n, 0);
    for (const k of cfg.keys.keys()) {
      for (const s of ["sent", "success", "timeout", "error"]) this.stats.add(`key[${k}].update-${s}`, 0);
    }
  }

  /** Swaps the configuration (config-reload); running transactions finish with the one they started with. */
  reconfigure(cfg: D2Config): void {
    this.cfg = cfg;
  }

  /** Requests waiting (queued or held back behind their DHCID's transaction). */
  get waiting(): number {
    return this.queue.length - this.head + this.heldCount + this.ready.length;
  }

  /** Requests waiting plus running. */
  get backlog(): number {
    return this.waiting + this.running;
  }

  /**
   * Accepts a request from the receiver (counts ncr-received) and journals it when a journal is configured; `seq`
   * re-queues a journaled request at start-up. When `maxQueue` requests wait, the request is dropped and counted in
   * queue-mgr-queue-full, logged once until the queue has drained to half (Kea stops receiving until the queue
   * drains; dropping keeps the receiver simple and its socket buffer from holding stale requests).
   */
  submit(ncr: NameChangeRequest, seq?: number): boolean {
    if (seq === undefined) this.stats.add("ncr-received");
    this.invalidRun = 0;
    if (this.waiting >= this.maxQueue) {
      this.stats.add("queue-mgr-queue-full");
      if (!this.fullLogged) {
        this.fullLogged = true;
        this.log.error(
          "DHCP_DDNS_QUEUE_MGR_QUEUE_FULL",
          `queue full (${this.maxQueue} requests): dropped request for ${ncr.fqdn}; further drops are counted in ` +
            "queue-mgr-queue-full until the queue has drained to half",
        );
      }
      if (seq !== undefined) this.journal?.done(seq);
      return false;
    }
    this.queue.push({ ncr, seq: seq ?? this.journal?.append(ncr) });
    if (this.log.debugEnabled) {
      this.log.debug(
        "DHCP_DDNS_QUEUE_MGR_QUEUE_RECEIVE",
        `Request ID ${requestId(ncr)}: received ${ncr.changeType} for ${ncr.fqdn} ${ncr.ipAddress}`,
        DBG.TRACE_DETAIL,
      );
    }
    this.pump();
    return true;
  }

  /**
   * A datagram that was not a valid NCR: counted in ncr-invalid and logged, as Kea's DHCP_DDNS_INVALID_NCR. A
   * flood of them is thinned out in the log (logsNth: the first ten of a run with no valid request between, then
   * the 100th, 1000th…), never in the count.
   */
  invalid(reason: string, from: string): void {
    this.stats.add("ncr-invalid");
    const k = ++this.invalidRun;
    if (!logsNth(k)) return;
    const more = k > 1 ? ` (${k} invalid requests in a row; counted in ncr-invalid)` : "";
    this.log.error("DHCP_DDNS_INVALID_NCR", `invalid NameChangeRequest from ${from}: ${reason}${more}`);
  }

  /**
   * Stops for shutdown (Kea's shutdown types): `drain_first` lets the queue empty, `normal` drops what is still
   * queued (logged with its size, as Kea's queue is memory only) and lets running transactions finish.
   */
  async quiesce(type: "normal" | "drain_first"): Promise<void> {
    if (type === "normal" && this.waiting) {
      const kept = this.journal ? " (kept in the journal for the next start)" : "";
      this.log.warn(
        "DHCP_DDNS_QUEUE_MGR_STOPPED",
        `shutting down: ${this.waiting} queued requests not processed${kept}`,
      );
      this.dropWaiting();
    }
    await this.idle();
  }

  private dropWaiting(): void {
    this.queue = [];
    this.head = 0;
    this.held.clear();
    this.heldCount = 0;
    this.ready = [];
  }

  /**
   * Immediate shutdown: queued requests are dropped from memory and running transactions give up at their next
   * step; with a journal, all of them stay journaled and are served again at the next start.
   */
  abandon(): Promise<void> {
    this.stopping = true;
    this.dropWaiting();
    return this.idle();
  }

  /** Resolves when nothing is queued or running (tests, drain-first shutdown). */
  idle(): Promise<void> {
    if (this.backlog === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private plan(ncr: NameChangeRequest): TxPlan | undefined {
    const plan: TxPlan = { ncr, revName: "" };
    if (ncr.forwardChange && this.cfg.forward.length) {
      plan.fwd = matchDomain(this.cfg.forward, ncr.fqdn);
      if (!plan.fwd) {
        this.log.error(
          "DHCP_DDNS_NO_FWD_MATCH_ERROR",
          `Request ID ${requestId(ncr)}: no forward domain matches ${ncr.fqdn}`,
        );
      }
    }
    if (ncr.reverseChange && this.cfg.reverse.length) {
      plan.revName = reverseName(ncr.ipAddress);
      plan.rev = matchDomain(this.cfg.reverse, plan.revName);
      if (!plan.rev) {
        this.log.error(
          "DHCP_DDNS_NO_REV_MATCH_ERROR",
          `Request ID ${requestId(ncr)}: no reverse domain matches ${plan.revName}`,
        );
      }
    }
    if (!plan.fwd && !plan.rev) {
      this.log.info(
        "DHCP_DDNS_REQUEST_DROPPED",
        `Request ID ${requestId(ncr)}: no domain to update for ${ncr.fqdn} ${ncr.ipAddress}`,
      );
      return undefined;
    }
    return plan;
  }

  /** The next request to look at: a released held one first, then the queue's head; undefined when none. */
  private next(): Queued | undefined {
    if (this.ready.length) return this.ready.shift();
    if (this.head >= this.queue.length) return undefined;
    const q = this.queue[this.head];
    this.queue[this.head++] = undefined as unknown as Queued;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return q;
  }

  private pump(): void {
    while (this.running < this.maxTx) {
      const q = this.next();
      if (!q) break;
      const { ncr, seq } = q;
      const key = toHex(ncr.dhcid);
      if (this.active.has(key)) {
        // Kea's pickNextJob leaves it queued until the DHCID is free; here it waits in its DHCID's list
        const list = this.held.get(key);
        if (list) list.push(q);
        else this.held.set(key, [q]);
        this.heldCount++;
        continue;
      }
      const plan = this.plan(ncr);
      if (!plan) {
        if (seq !== undefined) this.journal?.done(seq);
        this.release(key); // a request held behind this one must not wait for a transaction that never runs
        continue;
      }
      this.active.add(key);
      this.running++;
      this.run(plan).catch((e) => {
        this.stats.add("ncr-error");
        this.log.error("DHCP_DDNS_TRANS_PROCESS_EXCEPTION", `Request ID ${requestId(ncr)}: ${(e as Error).message}`);
      }).finally(() => {
        if (seq !== undefined && !this.stopping) this.journal?.done(seq);
        this.active.delete(key);
        this.release(key);
        this.running--;
        this.finished++;
        if (this.waiting * 2 <= this.maxQueue) this.fullLogged = false;
        this.pump();
        if (this.backlog === 0) this.idleWaiters.splice(0).forEach((r) => r());
      });
    }
  }

  /** The transaction on DHCID `key` ended: its oldest held request (if any) goes next. */
  private release(key: string): void {
    const list = this.held.get(key);
    if (!list) return;
    this.ready.push(list.shift()!);
    this.heldCount--;
    if (list.length === 0) this.held.delete(key);
  }

  private async run(plan: TxPlan): Promise<void> {
    let step = transition(newTransaction(plan), { kind: "start" });
    let st: TxState = step.state;
    for (;;) {
      let ev: TxEvent | undefined;
      for (const e of step.effects) {
        if (e.kind === "log") this.log[e.level](e.id, e.text);
        else if (e.kind === "finish" && !e.ok) this.stats.add("ncr-error");
        else if (e.kind === "send") {
          if (this.stopping) return;
          const key = e.server.key?.name;
          const names = key ? keyStatNames(key) : undefined;
          this.stats.add("update-sent");
          this.stats.add(key ? "update-signed" : "update-unsigned");
          if (names) this.stats.add(names.sent);
          ev = await this.sender.send(e.server, e.zone, e.update);
          const outcome = ev.kind === "response" ? "success" : ev.kind === "timeout" ? "timeout" : "error";
          this.stats.add(`update-${outcome}`);
          if (names) this.stats.add(names[outcome]);
        }
      }
      if (!ev || st.status === "ok" || st.status === "failed") return;
      step = transition(st, ev);
      st = step.state;
    }
  }
}
