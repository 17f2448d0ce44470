/**
 * The DHCP side's bounded NameChangeRequest queue (Kea's NameChangeSender with `max-queue-size`): the server hands
 * it the NCRs of a lease once the lease is durable and goes on serving; one request at a time is passed to the
 * sink (a UDP sender towards D2, or D2 itself inside `weka run`). It never blocks DHCP: a full queue drops the
 * request with a log line and a statistic, and a sink failure is logged, counted and the next request goes on.
 * Bounded: at most `max-queue-size` requests are held (`ncr-queue-full` counts the rest), O(1) per request; the
 * sender loop survives anything its sink, statistics or log do (no exception leaves it, no rejection is unhandled).
 */
import type { NameChangeRequest } from "./ncr.ts";
import { printable } from "../../wire/printable.ts";

/** Where requests go: `openNcrSender(...).send` or an in-process D2's submit. */
export type NcrSink = (ncr: NameChangeRequest) => Promise<void> | void;

/** What the queue needs besides the sink. */
export interface NcrQueueOptions {
  sink: NcrSink;
  /** Kea's `max-queue-size` (default 1024); 0 is taken as 1 */
  maxSize: number;
  /** statistic bump: "ncr-sent", "ncr-queue-full" (dropped), "ncr-send-error" */
  stat?: (name: string, delta: number) => void;
  /** a log line with a Kea message id */
  log?: (level: "info" | "warn" | "error", id: string, text: string) => void;
}

/**
 * Whether the `k`th failure of a run is logged: the first ten, then the 100th, 1000th… — every one is still
 * counted. A burst reads as Kea logs it (each line); a flood from a dead peer or a hostile sender costs a handful
 * of lines instead of one per request.
 */
export function logsNth(k: number): boolean {
  return k <= 10 || k === 10 ** Math.round(Math.log10(k));
}

/** Statistics the queue keeps (weka's own names: the Kea DHCP server counts none of this). */
export const NCR_QUEUE_STATS = ["ncr-sent", "ncr-queue-full", "ncr-send-error"] as const;

const why = (e: unknown) => e instanceof Error ? e.message : String(e);

/** A request for a log line; the FQDN is the client's name (any octet with `hostname-char-set: ""`): escaped. */
function describe(n: NameChangeRequest): string {
  return `${n.changeType} ${printable(n.fqdn, 256)} ${n.ipAddress} (fwd ${n.forwardChange}, rev ${n.reverseChange})`;
}

/** A bounded FIFO of NCRs drained by one sender loop. */
export class NcrQueue {
  private readonly items: NameChangeRequest[] = [];
  private head = 0;
  private draining?: Promise<void>;
  private closed = false;
  private readonly maxSize: number;
  private fullLogged = false;
  /** consecutive sink failures (the log is thinned out while they last) */
  private failing = 0;

  constructor(private readonly opts: NcrQueueOptions) {
    this.maxSize = Math.max(1, opts.maxSize);
  }

  /** Requests waiting to be sent (the one being sent included). */
  get size(): number {
    return this.items.length - this.head;
  }

  /**
   * Queues requests in order and returns at once. A request that finds the queue full is dropped and counted in
   * `ncr-queue-full` (Kea logs DHCP_DDNS_QUEUE_FULL / DHCP4_DDNS_REQUEST_SEND_FAILED); one warning per full spell.
   * Returns how many were accepted.
   */
  enqueue(ncrs: readonly NameChangeRequest[]): number {
    let accepted = 0;
    for (const n of ncrs) {
      if (this.closed || this.size >= this.maxSize) {
        const first = !this.fullLogged;
        this.fullLogged = true;
        this.note(
          "ncr-queue-full",
          first ? "warn" : undefined,
          "DHCP4_DDNS_REQUEST_SEND_FAILED",
          () =>
            `the DDNS queue is ${this.closed ? "closed" : `full (max-queue-size ${this.maxSize})`}: ` +
            `NameChangeRequest ${describe(n)} dropped; raise dhcp-ddns.max-queue-size or check that D2 is running`,
        );
        continue;
      }
      this.items.push(n);
      accepted++;
    }
    if (accepted) this.kick();
    return accepted;
  }

  /** Resolves when every queued request has been handed to the sink. */
  async drained(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** Refuses new requests; waits up to `graceMs` for the queue to drain. Returns how many were left unsent. */
  async close(graceMs = 1000): Promise<number> {
    this.closed = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.drained(), new Promise((r) => timer = setTimeout(r, graceMs))]);
    clearTimeout(timer);
    return this.size;
  }

  private kick(): void {
    if (this.draining) return;
    this.draining = this.run()
      .catch((e) => this.note(undefined, "error", "DHCP4_DDNS_REQUEST_SEND_FAILED", () => `DDNS sender: ${why(e)}`))
      .finally(() => this.draining = undefined);
  }

  /**
   * Bumps `stat` and logs at `level` (not at all when undefined); neither may end the sender loop nor reach the
   * packet path that enqueues, so a throw from either is dropped here.
   */
  private note(stat: string | undefined, level: "info" | "warn" | "error" | undefined, id: string, text: () => string) {
    try {
      if (stat) this.opts.stat?.(stat, 1);
    } catch { /* statistics must not stop DDNS */ }
    try {
      if (level) this.opts.log?.(level, id, text());
    } catch { /* nor may logging */ }
  }

  private async run(): Promise<void> {
    while (this.head < this.items.length) {
      const n = this.items[this.head];
      try {
        await this.opts.sink(n);
        this.failing = 0;
        this.note("ncr-sent", "info", "DHCP4_DDNS_REQUEST_SENT", () => `NameChangeRequest sent to D2: ${describe(n)}`);
      } catch (e) {
        // every failure is counted; the log is thinned (logsNth), so a dead D2 cannot flood it
        const k = ++this.failing;
        const logIt = logsNth(k);
        const text = () =>
          `failed to send NameChangeRequest ${describe(n)}: ${why(e)}` +
          (k > 1 ? ` (${k} failures in a row; counted in ncr-send-error)` : "");
        this.note("ncr-send-error", logIt ? "error" : undefined, "DHCP4_DDNS_REQUEST_SEND_FAILED", text);
      }
      this.items[this.head] = undefined as unknown as NameChangeRequest; // sent: let it go
      this.head++;
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items.splice(0, this.head);
        this.head = 0;
      }
      if (this.size === 0) this.fullLogged = false;
    }
    this.items.length = 0;
    this.head = 0;
    this.fullLogged = false;
  }
}
