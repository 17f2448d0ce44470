/**
 * The IPv4 lease store on Kea's PostgreSQL or MySQL lease database (issue 15). The pure engine still reads a
 * `LeaseView` from memory, so the store keeps the KV store's indexes (`LeaseIndex`) as a cache of the `lease4`
 * table, filled at start-up, and keeps it fresh where it matters:
 *
 * - `prefetch` re-reads, in one query per receive batch, the rows of the batch's hardware addresses, client
 *   identifiers and requested addresses before the engine runs (rows with an uncommitted change of ours stay);
 * - `apply` commits through `SqlGroupCommit` (sql_commit.ts): grouped, conditional on each row's pre-image, the
 *   database deciding between servers; a conflict re-reads the rows (and the 256 addresses after it, where the
 *   other server is likely allocating too) and rejects with `LeaseConflictError` so the edge decides again;
 * - `refresh` re-reads the whole table (the lease commands and statistics await it: Kea's lease4-get-all reads the
 *   database), `refreshExpired` the expired rows (Kea's getExpiredLeases4: each server reclaims what is there).
 *
 * Nothing is acknowledged before its row is committed. The schema must be Kea 2.2's (schema_version checked at
 * open, sql_schema.ts); weka never creates or alters it.
 */
import { LeaseIndex } from "./memory_index.ts";
import type { Lease4, LeaseKeys4, LeaseMutation, LeaseStore } from "./types.ts";
import { isConnectionLoss, type SqlDb } from "./sql_db.ts";
import { SqlGroupCommit } from "./sql_commit.ts";
import { lease4Sql, rowToLease4 } from "./sql_lease4.ts";
import { formatIpv4 } from "../wire/addr.ts";

/** How far past a conflicting address the cache is re-read (another server is allocating there). */
export const CONFLICT_WINDOW = 256;

/** Options of {@link SqlLeaseStore.open}. */
export interface SqlStoreOptions {
  log?: (id: string, text: string, level?: "info" | "error") => void;
  /** a statement failed because the connection is gone (sql_recovery.ts takes it from there) */
  onConnectionLost?: (why: string) => void;
}

/** `LeaseStore` on Kea's lease4 table (see the file comment). */
export class SqlLeaseStore implements LeaseStore {
  private readonly index = new LeaseIndex();
  private readonly sql;
  readonly commit: SqlGroupCommit<Lease4, number>;

  /** where a lost connection is reported (settable: the recovery is built after the store) */
  onConnectionLost: (why: string) => void;

  private constructor(readonly db: SqlDb, private readonly log: NonNullable<SqlStoreOptions["log"]>) {
    this.onConnectionLost = () => {};
    this.sql = lease4Sql(db.dialect);
    this.commit = new SqlGroupCommit<Lease4, number>(
      db,
      {
        get: (a) => this.index.byAddress(a),
        insert: (l) => this.sql.insert(l),
        update: (post, pre) => this.sql.update(post, pre),
        del: (pre) => this.sql.del(pre),
        reread: (keys) => this.reread(keys),
        show: formatIpv4,
      },
      log,
      (e) => this.lost(e),
    );
  }

  /** Builds the store on an open database and loads every lease into the cache. */
  static async open(db: SqlDb, opts: SqlStoreOptions = {}): Promise<SqlLeaseStore> {
    const store = new SqlLeaseStore(db, opts.log ?? (() => {}));
    if (opts.onConnectionLost) store.onConnectionLost = opts.onConnectionLost;
    const started = performance.now();
    await store.refresh();
    store.log(
      "DHCPSRV_SQL_LEASES_LOADED",
      `loaded ${store.size()} IPv4 lease(s) from the ${db.kind} lease database in ${
        Math.round(performance.now() - started)
      } ms`,
    );
    return store;
  }

  /** The lease of an address, from the cache. */
  byAddress(address: number): Lease4 | undefined {
    return this.index.byAddress(address);
  }

  /** The lease of a hardware address in a subnet, from the cache. */
  byHwAddr(hwaddr: string, subnetId: number): Lease4 | undefined {
    return this.index.byHwAddr(hwaddr, subnetId);
  }

  /** The lease of a client identifier in a subnet, from the cache. */
  byClientId(clientId: string, subnetId: number): Lease4 | undefined {
    return this.index.byClientId(clientId, subnetId);
  }

  /** DEFAULT/DECLINED leases expired at `now`, from the cache (`refreshExpired` first reads the database's). */
  expired(now: number, limit: number): Lease4[] {
    return this.index.expired(now, limit);
  }

  /** Released/reclaimed leases past their hold time, from the cache. */
  reclaimedOlderThan(now: number, holdSeconds: number, limit: number): Lease4[] {
    return this.index.reclaimedOlderThan(now, holdSeconds, limit);
  }

  /** Every cached lease, ascending by address (`refresh` first for the database's). */
  all(): Iterable<Lease4> {
    return this.index.all();
  }

  /** Number of cached leases. */
  size(): number {
    return this.index.size();
  }

  /** Changes the cache now and resolves once the rows are committed (see the file comment). */
  apply(mutations: LeaseMutation[]): Promise<void> {
    const changes: [number, Lease4 | undefined][] = mutations.map((m) =>
      m.op === "put" ? [m.lease.address, m.lease] : [m.address, undefined]
    );
    return this.commit.schedule(changes, () => this.index.apply(mutations));
  }

  /**
   * Re-reads the rows of one receive batch's addresses and identifiers (one query) into the cache, before the
   * engine runs; rows with an uncommitted change of ours are left as they are.
   */
  async prefetch(p: LeaseKeys4): Promise<void> {
    if (!p.addresses.length && !p.hwaddrs.length && !p.clientIds.length) return;
    const s = this.sql.byKeys(p.addresses, p.hwaddrs, p.clientIds);
    const rows = (await this.db.query(s.text, s.params, false).catch((e) => {
      this.lost(e);
      throw e;
    })).map((r) => rowToLease4(r, this.db.dialect));
    const seen = new Set<number>();
    for (const l of rows) {
      seen.add(l.address);
      if (!this.commit.isDirty(l.address)) this.index.put(l);
    }
    for (const a of p.addresses) if (!seen.has(a) && !this.commit.isDirty(a)) this.index.delete(a);
  }

  /** Re-reads the whole table into the cache (lease commands, statistics, start-up). */
  async refresh(): Promise<void> {
    const rows = await this.db.query(this.sql.all);
    const seen = new Set<number>();
    for (const r of rows) {
      const l = rowToLease4(r, this.db.dialect);
      seen.add(l.address);
      if (!this.commit.isDirty(l.address)) this.index.put(l);
    }
    const gone = [...this.index.all()].filter((l) => !seen.has(l.address) && !this.commit.isDirty(l.address));
    for (const l of gone) this.index.delete(l.address);
  }

  /**
   * Reads the database's expired DEFAULT/DECLINED leases (and, with `holdSeconds`, the released/reclaimed ones
   * past their hold) into the cache, so the reclaimer sees what any server left there (Kea getExpiredLeases4).
   */
  async refreshExpired(now: number, limit: number, holdSeconds?: number): Promise<void> {
    const rows = await this.db.query(this.sql.expired, [now, limit]);
    if (holdSeconds !== undefined) rows.push(...await this.db.query(this.sql.reclaimed, [now - holdSeconds, limit]));
    for (const r of rows) {
      const l = rowToLease4(r, this.db.dialect);
      if (!this.commit.isDirty(l.address)) this.index.put(l);
    }
  }

  /** Re-reads these addresses (and the window after each) into the cache after a conflict or a failure. */
  private async reread(addresses: number[]): Promise<void> {
    if (!addresses.length) return;
    const asked = new Set(addresses);
    const s = this.sql.byKeys(addresses, [], []);
    const rows = (await this.db.query(s.text, s.params, false)).map((r) => rowToLease4(r, this.db.dialect));
    const starts = [...new Set(addresses.map((a) => a + 1))];
    for (const a of starts.slice(0, 8)) {
      const more = await this.db.query(this.sql.range, [a, a + CONFLICT_WINDOW]);
      rows.push(...more.map((r) => rowToLease4(r, this.db.dialect)));
    }
    const seen = new Set<number>();
    for (const l of rows) {
      seen.add(l.address);
      if (asked.has(l.address) || !this.commit.isDirty(l.address)) this.index.put(l);
    }
    for (const a of asked) if (!seen.has(a)) this.index.delete(a);
  }

  /** Reports a failure that means the connection is gone. */
  private lost(e: unknown): void {
    if (isConnectionLoss(e)) this.onConnectionLost(e instanceof Error ? e.message : String(e));
  }

  /** Waits for in-flight commits, then closes the connections. */
  async close(): Promise<void> {
    if (this.commit.closed) return;
    this.commit.closed = true;
    await this.commit.flush();
    await this.db.close();
  }
}
