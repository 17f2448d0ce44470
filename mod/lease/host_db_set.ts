/**
 * What Kea's host database backends share between the families (hosts-database / hosts-databases): a list of
 * per-database sources, the reservation of a key from the first database that has one, the per-batch prefetch from
 * every database at once, the reserved addresses re-read at start-up and every `refreshMs`, a lost connection reported
 * to `onConnectionLost` (mod/lease/sql_recovery.ts, Kea's on-fail), and closing. host_cache4.ts and host_cache6.ts
 * add what differs: the rows they read and how an address is reserved.
 */
import { isConnectionLoss, type SqlDb } from "./sql_db.ts";

/** One database's cache, as the set drives it. */
export interface HostDbSource<K, R> {
  readonly db: SqlDb;
  get(subnetId: number, key: string): R | undefined;
  prefetch(keys: K): Promise<void>;
  refreshReserved(): Promise<void>;
}

/** The host databases of one server (K: a batch's host keys, R: a reservation). */
export class HostDbSet<S extends HostDbSource<K, R>, K extends { ids: unknown[]; addresses: unknown[] }, R> {
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(protected readonly sources: S[]) {}

  /** The databases (for probes and closing). */
  get dbs(): SqlDb[] {
    return this.sources.map((s) => s.db);
  }

  /** The reservation of `key` in `subnetId`, from the first database that has one. */
  get(subnetId: number, key: string): R | undefined {
    for (const s of this.sources) {
      const r = s.get(subnetId, key);
      if (r) return r;
    }
    return undefined;
  }

  /** where a failure that means a lost connection is reported (sql_recovery.ts) */
  onConnectionLost: (why: string) => void = () => {};

  /** Fetches one batch's hosts from every database at once; rejects when one of them cannot be read. */
  async prefetch(p: K): Promise<void> {
    if (!p.ids.length && !p.addresses.length) return;
    await this.watch(Promise.all(this.sources.map((s) => s.prefetch(p))));
  }

  /** Reads every database's reserved addresses (and prefixes) again. */
  async refreshReserved(): Promise<void> {
    await this.watch(Promise.all(this.sources.map((s) => s.refreshReserved())));
  }

  /** Reads the reserved addresses now, then every `refreshMs` (failures go to `onError`). */
  async start(refreshMs: number, onError: (e: unknown) => void): Promise<void> {
    await this.refreshReserved();
    this.timer = setInterval(() => this.refreshReserved().catch(onError), refreshMs);
  }

  private async watch(p: Promise<unknown>): Promise<void> {
    try {
      await p;
    } catch (e) {
      if (isConnectionLoss(e)) this.onConnectionLost(e instanceof Error ? e.message : String(e));
      throw e;
    }
  }

  /** Stops the refresh and closes the databases. */
  async close(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all(this.sources.map((s) => s.db.close().catch(() => {})));
  }
}
