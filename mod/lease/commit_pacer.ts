/**
 * When the next group commit of the lease store may start (issue 16: "grouping only under load"). A token bucket:
 * a group start takes one token; tokens come back at one per `intervalMs` up to `burst`. So
 *
 * - at light load (fewer group starts than one per `intervalMs` on average) the bucket is full and every change is
 *   committed as soon as it is ready: its reply waits for one fsync'ed commit and nothing else;
 * - a burst of up to `burst` groups also starts at once, one after the other;
 * - only sustained load beyond one group per `intervalMs` is paced: once the bucket is empty each group waits
 *   for a timer (which fires ≥ 2 ms later here) and takes every change that arrived meanwhile, so the number of
 *   commits (each ~120–180 µs of CPU whatever its size) stays bounded while the leases per commit grow with the
 *   rate.
 *
 * Why a bucket rather than "at least `intervalMs` between two starts" (the store's rule until issue 16): a wait is
 * a timer, and a Deno timer fires no sooner than ~2 ms here whatever its delay (measured: `setTimeout(0)` p50 2.1 ms),
 * so that rule turned every change that followed another within 1 ms — most of them at 1 000 requests/s — into a
 * 2 ms wait before its commit even began. Pure: the clock is passed in.
 */

/**
 * Default of {@link CommitPacer}'s `intervalMs`: the sustained group rate above which groups are paced, 1 250/s, a
 * margin over one commit per REQUEST at 1 000 DORA/s.
 */
export const DEFAULT_COMMIT_INTERVAL_MS = 0.8;
/** Default of {@link CommitPacer}'s `burst`: group starts allowed back to back before pacing applies. */
export const DEFAULT_COMMIT_BURST = 32;

/** See the module comment. */
export class CommitPacer {
  #tokens: number;
  #at: number;

  /**
   * `intervalMs` 0 never paces. `burst` ≥ 1 (1 gives the plain rule "at least `intervalMs` between two starts").
   * `now` returns milliseconds (performance.now by default).
   */
  constructor(
    readonly intervalMs: number = DEFAULT_COMMIT_INTERVAL_MS,
    readonly burst: number = DEFAULT_COMMIT_BURST,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#tokens = Math.max(1, burst);
    this.#at = now();
  }

  /**
   * Asks to start a group now: 0 when it may (a token is taken), else the milliseconds until a token is due (none
   * is taken; ask again after waiting).
   */
  delay(): number {
    if (this.intervalMs <= 0) return 0;
    const t = this.now();
    this.#tokens = Math.min(Math.max(1, this.burst), this.#tokens + (t - this.#at) / this.intervalMs);
    this.#at = t;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    return (1 - this.#tokens) * this.intervalMs;
  }

  /**
   * Called after waiting out a {@link delay}: the group that waited starts now, and the time the wait overran is
   * not credited (a Deno timer fires ≥ 2 ms late here, which would otherwise refill the bucket while the load
   * lasts). So sustained load beyond the bucket's rate is paced at the timer's pace, one group per wait, as
   * many changes as arrived meanwhile in each.
   */
  resumed(): void {
    this.#tokens = 0;
    this.#at = this.now();
  }
}
