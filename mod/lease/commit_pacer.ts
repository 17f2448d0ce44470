/**
 * When the next group commit of the lease store may start (issue 16: "grouping only under load"). The load signal
 * is the rate at which changes arrive (decayed over {@link RATE_TAU_MS}): above `paceAbove` changes a second, a
 * group waits `intervalMs` first (a timer: ≥ 2 ms here) and takes every change that arrived meanwhile; below it, a
 * group starts as soon as its first change is ready. So
 *
 * - at light load (e.g. 1 000 DORA/s: a ~0.45 ms commit a millisecond) every change is committed at once: its
 *   reply waits for one fsync'ed commit and at most the one running;
 * - under load the number of commits (each ~120–180 µs of CPU whatever its size) stays bounded by the timer's
 *   pace while the leases per commit grow with the rate.
 *
 * Why the arrival rate: the store's rule until issue 16 was "at least 1 ms between two group starts", and a Deno
 * timer fires no sooner than ~2 ms here whatever its delay (`setTimeout(0)` p50 2.1 ms), so most changes at 1 000
 * requests/s waited 2 ms before their commit began. Signals tried and measured in the lab (bench/bench.ts, 1 000 and
 * 4 000 DORA/s): a token bucket refilled by the clock refilled during each ~1 ms commit and never paced (7 400
 * commits in a 9 s step at 4 000/s against 3 900, +10 % CPU per DORA); refilled by idle time only, or "the previous
 * group was large", it stayed paced once a paced wait had gathered enough (a 2.6 ms cycle at 1 000/s gathers ~3),
 * p50 back at 1.8 ms. The arrival rate does not depend on the pacing, so it cannot trap itself. Pure: the caller
 * passes the times.
 */

/** Default of {@link CommitPacer}'s `intervalMs`: the wait before a group under load. */
export const DEFAULT_COMMIT_INTERVAL_MS = 1;
/** Default of {@link CommitPacer}'s `paceAbove`: changes per second above which groups are paced. */
export const DEFAULT_PACE_ABOVE = 2000;
/** The time constant of the arrival-rate estimate (ms). */
export const RATE_TAU_MS = 100;

/** See the module comment. */
export class CommitPacer {
  #level = 0;
  #at = 0;

  /** `intervalMs` 0 never paces. */
  constructor(
    readonly intervalMs: number = DEFAULT_COMMIT_INTERVAL_MS,
    readonly paceAbove: number = DEFAULT_PACE_ABOVE,
  ) {}

  /** The arrival level decayed from the last arrival to `now` (ms). */
  #decayed(now: number): number {
    return this.#level * Math.exp(-Math.max(0, now - this.#at) / RATE_TAU_MS);
  }

  /** A change arrived at `now` (ms). */
  arrived(now: number): void {
    this.#level = this.#decayed(now) + 1;
    this.#at = now;
  }

  /** The arrival rate at `now`, changes per second. */
  rate(now: number): number {
    return this.#decayed(now) * 1000 / RATE_TAU_MS;
  }

  /** The milliseconds the next group waits before it starts, asked at `now` (ms): 0 or `intervalMs`. */
  delay(now: number): number {
    return this.intervalMs > 0 && this.rate(now) > this.paceAbove ? this.intervalMs : 0;
  }
}
