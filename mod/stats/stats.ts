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
  /** Kea's per-statistic limit: at most this many samples, or samples no older than this many ms (one or the other) */
  maxCount?: number;
  maxAgeMs?: number;
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
  /** the limit of statistics without their own (`statistic-sample-*-set-all`); an age limit wins when set */
  private defaultAgeMs?: number;
  constructor(
    private readonly clock: () => number = Date.now,
    public maxSamples = 20,
    readonly sampleIntervalMs = 1000,
  ) {}

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
      this.trim(s, now);
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

  /** Drops the samples over the statistic's limit (count, or age: the newest sample always stays). */
  private trim(s: Stat, now: number): void {
    const age = s.maxCount === undefined ? s.maxAgeMs ?? this.defaultAgeMs : undefined;
    if (age !== undefined) {
      const oldest = now - age;
      let keep = 1;
      while (keep < s.samples.length && Date.parse(s.samples[keep][1].replace(" ", "T") + "Z") >= oldest) keep++;
      s.samples.length = keep;
      return;
    }
    const max = Math.max(1, s.maxCount ?? this.maxSamples);
    if (s.samples.length > max) s.samples.length = max;
  }

  /**
   * Kea's `statistic-default-sample-count` / `statistic-default-sample-age` from the configuration: with a count,
   * each statistic keeps at most that many samples (at most `cap`, weka's bound); with count 0, the samples of the
   * last `ageSeconds`; both 0 keep the latest sample only. Applies to every statistic, at once and from now on, as
   * `statistic-sample-count-set-all` / `-age-set-all` do.
   */
  setSampleLimits(count: number, ageSeconds: number, cap = 10000): void {
    if (count > 0) this.setSampleCount(Math.min(count, cap));
    else if (ageSeconds > 0) this.setSampleAge(ageSeconds * 1000);
    else this.setSampleCount(1);
  }

  /**
   * Kea's `statistic-sample-count-set` (`name`) and `-set-all` (no name: every statistic, and the default of new
   * ones): keep at most `count` samples; replaces an age limit. False when the statistic is unknown.
   */
  setSampleCount(count: number, name?: string): boolean {
    const targets = name === undefined ? [...this.stats.values()] : [this.stats.get(name)];
    if (targets.some((s) => !s)) return false;
    if (name === undefined) {
      this.maxSamples = count;
      this.defaultAgeMs = undefined;
    }
    for (const s of targets as Stat[]) {
      s.maxCount = count;
      s.maxAgeMs = undefined;
      this.trim(s, this.clock());
    }
    return true;
  }

  /**
   * Kea's `statistic-sample-age-set` (`name`) and `-set-all`: keep the samples of the last `ms` milliseconds;
   * replaces a count limit. False when the statistic is unknown.
   */
  setSampleAge(ms: number, name?: string): boolean {
    const targets = name === undefined ? [...this.stats.values()] : [this.stats.get(name)];
    if (targets.some((s) => !s)) return false;
    if (name === undefined) this.defaultAgeMs = ms;
    for (const s of targets as Stat[]) {
      s.maxAgeMs = ms;
      s.maxCount = undefined;
      this.trim(s, this.clock());
    }
    return true;
  }

  /** Kea's `statistic-remove`; false when unknown. */
  remove(name: string): boolean {
    return this.stats.delete(name);
  }
}
