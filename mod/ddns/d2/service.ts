/**
 * The D2 update manager (Kea's `D2QueueMgr` + `D2UpdateMgr`): queues NameChangeRequests, runs up to
 * `maxTransactions` transactions at once (Kea: 32), never two for the same DHCID at the same time, and keeps D2's
 * statistics under Kea's names. It drives the pure transaction machine and hands its sends to an
 * {@link UpdateSender}; it opens no socket itself.
 */
import type { Log } from "../../log/logger.ts";
import { escapedLog } from "../../log/escaped_log.ts";
import { Stats } from "../../stats/stats.ts";
import { toHex } from "../../wire/addr.ts";
import type { NameChangeRequest } from "../ncr/ncr.ts";
import type { D2Config } from "./config.ts";
import type { UpdateSender } from "./dns_client.ts";
import { matchDomain, reverseName } from "./domains.ts";
import { newTransaction, requestId, transition, type TxEvent, type TxPlan, type TxState } from "./transaction.ts";

/** Tuning of the manager; Kea hard-codes 32 transactions and a 1024-entry queue. */
export interface D2ServiceOptions {
  maxTransactions?: number;
  maxQueue?: number;
  /** a durable journal (weka's addition): accepted requests survive a restart until their transaction ends */
  journal?: { append(ncr: NameChangeRequest): number; done(seq: number): void };
}

interface Queued {
  ncr: NameChangeRequest;
  seq?: number;
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
  private queue: Queued[] = [];
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
    this.maxQueue = opts.maxQueue ?? 1 << 16;
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

  /** Requests waiting plus running. */
  get backlog(): number {
    return this.queue.length + this.running;
  }

  /**
   * Accepts a request from the receiver (counts ncr-received) and journals it when a journal is configured; `seq`
   * re-queues a journaled request at start-up. When the queue is full the request is dropped and counted in
   * queue-mgr-queue-full (Kea stops receiving until the queue drains; dropping keeps the receiver simple).
   */
  submit(ncr: NameChangeRequest, seq?: number): boolean {
    if (seq === undefined) this.stats.add("ncr-received");
    if (this.queue.length >= this.maxQueue) {
      this.stats.add("queue-mgr-queue-full");
      this.log.error(
        "DHCP_DDNS_QUEUE_MGR_QUEUE_FULL",
        `queue full (${this.maxQueue}): dropped request for ${ncr.fqdn}`,
      );
      if (seq !== undefined) this.journal?.done(seq);
      return false;
    }
    this.queue.push({ ncr, seq: seq ?? this.journal?.append(ncr) });
    if (this.log.debugEnabled) {
      this.log.debug(
        "DHCP_DDNS_QUEUE_MGR_QUEUE_RECEIVE",
        `Request ID ${requestId(ncr)}: received ${ncr.changeType} for ${ncr.fqdn} ${ncr.ipAddress}`,
      );
    }
    this.pump();
    return true;
  }

  /** A datagram that was not a valid NCR: counted in ncr-invalid and logged, as Kea's DHCP_DDNS_INVALID_NCR. */
  invalid(reason: string, from: string): void {
    this.stats.add("ncr-invalid");
    this.log.error("DHCP_DDNS_INVALID_NCR", `invalid NameChangeRequest from ${from}: ${reason}`);
  }

  /**
   * Stops for shutdown (Kea's shutdown types): `drain_first` lets the queue empty, `normal` drops what is still
   * queued (logged with its size, as Kea's queue is memory only) and lets running transactions finish.
   */
  async quiesce(type: "normal" | "drain_first"): Promise<void> {
    if (type === "normal" && this.queue.length) {
      const kept = this.journal ? " (kept in the journal for the next start)" : "";
      this.log.warn(
        "DHCP_DDNS_QUEUE_MGR_STOPPED",
        `shutting down: ${this.queue.length} queued requests not processed${kept}`,
      );
      this.queue.length = 0;
    }
    await this.idle();
  }

  /**
   * Immediate shutdown: queued requests are dropped from memory and running transactions give up at their next
   * step; with a journal, all of them stay journaled and are served again at the next start.
   */
  abandon(): Promise<void> {
    this.stopping = true;
    this.queue.length = 0;
    return this.idle();
  }

  /** Resolves when nothing is queued or running (tests, drain-first shutdown). */
  idle(): Promise<void> {
    if (this.backlog === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private plan(ncr: NameChangeRequest): TxPlan | undefined {
    const id = requestId(ncr);
    const plan: TxPlan = { ncr, revName: "" };
    if (ncr.forwardChange && this.cfg.forward.length) {
      plan.fwd = matchDomain(this.cfg.forward, ncr.fqdn);
      if (!plan.fwd) {
        this.log.error("DHCP_DDNS_NO_FWD_MATCH_ERROR", `Request ID ${id}: no forward domain matches ${ncr.fqdn}`);
      }
    }
    if (ncr.reverseChange && this.cfg.reverse.length) {
      plan.revName = reverseName(ncr.ipAddress);
      plan.rev = matchDomain(this.cfg.reverse, plan.revName);
      if (!plan.rev) {
        this.log.error("DHCP_DDNS_NO_REV_MATCH_ERROR", `Request ID ${id}: no reverse domain matches ${plan.revName}`);
      }
    }
    if (!plan.fwd && !plan.rev) {
      this.log.info(
        "DHCP_DDNS_REQUEST_DROPPED",
        `Request ID ${id}: no domain to update for ${ncr.fqdn} ${ncr.ipAddress}`,
      );
      return undefined;
    }
    return plan;
  }

  private pump(): void {
    while (this.running < this.maxTx && this.queue.length) {
      let idx = 0;
      const limit = Math.min(this.queue.length, 256);
      while (idx < limit && this.active.has(toHex(this.queue[idx].ncr.dhcid))) idx++;
      if (idx === limit) break; // every candidate waits for a transaction on its DHCID
      const [{ ncr, seq }] = idx === 0 ? [this.queue.shift()!] : this.queue.splice(idx, 1);
      const plan = this.plan(ncr);
      if (!plan) {
        if (seq !== undefined) this.journal?.done(seq);
        continue;
      }
      const key = toHex(ncr.dhcid);
      this.active.add(key);
      this.running++;
      this.run(plan).catch((e) => {
        this.stats.add("ncr-error");
        this.log.error("DHCP_DDNS_TRANS_PROCESS_EXCEPTION", `Request ID ${requestId(ncr)}: ${(e as Error).message}`);
      }).finally(() => {
        if (seq !== undefined && !this.stopping) this.journal?.done(seq);
        this.active.delete(key);
        this.running--;
        this.finished++;
        this.pump();
        if (this.backlog === 0) this.idleWaiters.splice(0).forEach((r) => r());
      });
    }
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
          this.stats.add("update-sent");
          this.stats.add(key ? "update-signed" : "update-unsigned");
          if (key) this.stats.add(`key[${key}].update-sent`);
          ev = await this.sender.send(e.server, e.zone, e.update);
          const outcome = ev.kind === "response" ? "success" : ev.kind === "timeout" ? "timeout" : "error";
          this.stats.add(`update-${outcome}`);
          if (key) this.stats.add(`key[${key}].update-${outcome}`);
        }
      }
      if (!ev || st.status === "ok" || st.status === "failed") return;
      step = transition(st, ev);
      st = step.state;
    }
  }
}
