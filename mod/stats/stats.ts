/**
 * Statistics with Kea's names and shape (Kea ARM "Statistics"): each statistic keeps its most recent samples as
 * `[value, "YYYY-MM-DD HH:MM:SS.ffffff"]` pairs, newest first, at most `statistic-default-sample-count` (20) of
 * them. Counters are bumped on the hot path, so a bump only adds to the current value; a sample is appended at
 * most once per `sampleIntervalMs` per statistic (Kea records every change; weka coalesces changes within the
 * interval to keep the per-packet cost constant — the latest value is always exact).
 */
export type Sample = [number, string];

/**
 * A statistic change: Kea's name (global, e.g. "pkt4-ack-sent", or per subnet, e.g. "subnet[1].assigned-addresses")
 * and the amount to add (negative to decrease a gauge such as assigned-addresses). The pure engines and the
 * reclaimers return these; the edge applies them once the change they count is durable.
 */
export type StatDelta = [name: string, delta: number];

interface Stat {
  value: number;
  samples: Sample[];
  lastSampleMs: number;
}

/** Formats a time like Kea's statistics timestamps (UTC, microseconds). */
export function keaTimestamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}000`;
}

/** A registry of named statistics; the clock is injected so tests run on fake time. */
export class Stats {
  private readonly stats = new Map<string, Stat>();
  /** samples older than this are dropped (0: kept by count only) */
  private maxAgeMs = 0;
  constructor(
    private readonly clock: () => number = Date.now,
    public maxSamples = 20,
    readonly sampleIntervalMs = 1000,
  ) {}

  /**
   * Kea's `statistic-default-sample-count` / `statistic-default-sample-age`: with a count, each statistic keeps at
   * most that many samples; with count 0, it keeps the samples of the last `ageSeconds` (at most `cap` of them, weka's
   * bound); both 0 keep the latest sample only. Applies to every statistic, at once and from now on.
   */
  setSampleLimits(count: number, ageSeconds: number, cap = 10000): void {
    this.maxSamples = count > 0 ? Math.min(count, cap) : ageSeconds > 0 ? cap : 1;
    this.maxAgeMs = count > 0 ? 0 : ageSeconds * 1000;
    for (const s of this.stats.values()) this.trim(s, this.clock());
  }

  private trim(s: Stat, now: number): void {
    if (s.samples.length > this.maxSamples) s.samples.length = this.maxSamples;
    if (this.maxAgeMs > 0) {
      const oldest = keaTimestamp(now - this.maxAgeMs);
      // samples are newest first; Kea's timestamps sort as text
      while (s.samples.length > 1 && s.samples[s.samples.length - 1][1] < oldest) s.samples.pop();
    }
  }

  /** Adds `delta` to a statistic, creating it at 0 first (Kea creates statistics on first use). */
  add(name: string, delta = 1): void {
    let s = this.stats.get(name);
    const now = this.clock();
    if (!s) {
      s = { value: 0, samples: [], lastSampleMs: -Infinity };
      this.stats.set(name, s);
    }
    s.value += delta;
    if (now - s.lastSampleMs >= this.sampleIntervalMs) {
      s.samples.unshift([s.value, keaTimestamp(now)]);
      if (s.samples.length > this.maxSamples || this.maxAgeMs > 0) this.trim(s, now);
      s.lastSampleMs = now;
    } else {
      s.samples[0][0] = s.value; // same sampling interval: update the newest sample in place (no allocation)
    }
  }

  /** Sets a statistic to an absolute value (gauges such as total-addresses). */
  set(name: string, value: number): void {
    const cur = this.stats.get(name)?.value ?? 0;
    this.add(name, value - cur);
  }

  /** The current value, 0 when the statistic does not exist. */
  get(name: string): number {
    return this.stats.get(name)?.value ?? 0;
  }

  /** Kea's `statistic-get` shape: `{name: [[value, ts], ...]}`, or `{}` when unknown. */
  samples(name: string): Record<string, Sample[]> {
    const s = this.stats.get(name);
    return s ? { [name]: s.samples.map((x) => [x[0], x[1]] as Sample) } : {};
  }

  /** Kea's `statistic-get-all` shape. */
  all(): Record<string, Sample[]> {
    const out: Record<string, Sample[]> = {};
    for (const name of [...this.stats.keys()].sort()) Object.assign(out, this.samples(name));
    return out;
  }

  /** Names of every statistic. */
  names(): string[] {
    return [...this.stats.keys()];
  }

  /** Kea's `statistic-reset`: value back to 0 (a new sample); false when unknown. */
  reset(name: string): boolean {
    const s = this.stats.get(name);
    if (!s) return false;
    s.lastSampleMs = -Infinity;
    this.add(name, -s.value);
    return true;
  }

  /** Kea's `statistic-remove`; false when unknown. */
  remove(name: string): boolean {
    return this.stats.delete(name);
  }
}
