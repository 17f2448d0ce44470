/**
 * The receive side the FFI transports of both families share: drain every socket (synchronous, nonblocking), and
 * when none has data wait for readiness through the process's {@link PollGroup} — with interrupt coalescing while
 * traffic flows: an empty drain is followed by a {@link COALESCE_US} sleep and a second drain instead of a
 * readiness wait, so datagrams accumulate and one wake-up (one thread-pool round trip) serves them all, as NICs
 * and Linux NAPI do. When that drain finds nothing too, the link is idle and the next wait is the ordinary poll(2).
 * Traffic counts as flowing only when it outpaces the wake-ups ({@link HOT_BATCH}).
 */
import type { PollGroup, PollMember } from "./poll_group.ts";

/**
 * While traffic flows, how long the receive loop lets datagrams accumulate before draining them. It bounds the
 * wake-ups to 1/COALESCE_US per second whatever the packet rate, and adds at most this much to a reply's latency.
 * Measured under perfdhcp at 9 000 DORA/s in the lab: 500 µs sent replies in bursts large enough to overflow the
 * client's socket buffer; 300 µs and 200 µs did not, at equal CPU.
 */
export const COALESCE_US = 300;

/**
 * Coalescing starts only when traffic outpaces the wake-ups: a drain found at least this many datagrams, or the
 * previous batch was returned less than {@link COALESCE_US} ago (datagrams arrive faster than one per coalescing
 * sleep, so a sleep gathers more than one on average). At light load (e.g. 1 000 DORA/s, a datagram every 0.5 ms)
 * a sleep would gather nothing and only delay the reply, so the loop goes straight back to its readiness wait
 * (issue 16, measured at 1 000 DORA/s: REQUEST→ACK p50 1.0 ms with coalescing, 0.55 ms without).
 */
export const HOT_BATCH = 2;

/** Drains the transport's sockets into `out` (round robin, fair), up to `max` datagrams in all. */
export type Drain<D> = (out: D[], max: number) => void;

/** See the module comment. */
export class BatchReceiver<D> {
  readonly #member: PollMember;
  readonly #drain: Drain<D>;
  #closed = false;
  /** traffic is flowing: coalesce (sleep, then drain) instead of waiting for readiness */
  #hot = false;
  /** when the last non-empty batch was returned (performance.now, ms) */
  #lastBatch = -Infinity;
  #onRelease: (() => void) | undefined;

  /** Joins `group` with `fds`; `drain` reads the sockets behind them. `now` (ms) is for tests. */
  constructor(
    group: PollGroup,
    fds: readonly number[],
    drain: Drain<D>,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#member = group.join(fds);
    this.#drain = drain;
  }

  /**
   * Returns up to `max` datagrams, waiting for the first when none is queued; [] once closed or after `timeoutMs`
   * (when given).
   */
  async recvBatch(max: number, timeoutMs = -1): Promise<D[]> {
    const out: D[] = [];
    const deadline = timeoutMs >= 0 ? Date.now() + timeoutMs : Infinity;
    while (!this.#closed) {
      this.#drain(out, max);
      if (out.length || Date.now() >= deadline) break;
      if (this.#hot && COALESCE_US > 0) {
        await this.#member.sleep(COALESCE_US);
        if (this.#closed) break;
        this.#drain(out, max);
        if (out.length) break;
        this.#hot = false;
        continue;
      }
      const left = deadline === Infinity ? 1000 : Math.max(0, deadline - Date.now());
      await this.#member.wait(Math.min(left, 1000));
    }
    if (out.length) {
      const now = this.now();
      this.#hot = out.length >= HOT_BATCH || now - this.#lastBatch < COALESCE_US / 1000;
      this.#lastBatch = now;
    }
    return out;
  }

  /** True after close(). */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Leaves the group (waking a pending wait) and calls `release` (close the sockets) once no wait covers them
   * any more. A pending recvBatch resolves with what it has.
   */
  close(release: () => void): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#onRelease = release;
    this.#member.leave().then(() => {
      const r = this.#onRelease;
      this.#onRelease = undefined;
      r?.();
    });
  }
}
