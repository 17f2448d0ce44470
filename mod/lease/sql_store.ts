/**
 * The IPv4 lease store on Kea's PostgreSQL or MySQL lease database (issue 15). The pure engine still reads a
 * `LeaseView` from memory, so the store keeps the KV store's indexes (`LeaseIndex`) as a cache of the `lease4`
 * table, filled at start-up, and keeps it fresh where it matters (sql_cache.ts, shared with the IPv6 store):
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
 * open, sql_open.ts); weka never creates or alters it.
 */
import { LeaseIndex } from "./memory_index.ts";
import type { Lease4, LeaseKeys4, LeaseMutation, LeaseStore } from "./types.ts";
import type { SqlDb } from "./sql_db.ts";
import type { SqlGroupCommit } from "./sql_commit.ts";
import { lease4Sql, rowToLease4 } from "./sql_lease4.ts";
import { SqlCache, type SqlLeaseTable, type SqlLog } from "./sql_cache.ts";
import { formatIpv4 } from "../wire/addr.ts";

/** How far past a conflicting address the cache is re-read (another server is allocating there). */
export const CONFLICT_WINDOW = 256;

/** Options of {@link SqlLeaseStore.open}. */
export interface SqlStoreOptions {
  log?: SqlLog;
  /** a statement failed because the connection is gone (sql_recovery.ts takes it from there) */
  onConnectionLost?: (why: string) => void;
}

/** lease4 as the cache reads and writes it. */
function lease4Table(db: SqlDb): SqlLeaseTable<Lease4, number> {
  const sql = lease4Sql(db.dialect);
  return {
    family: "IPv4",
    keyOf: (l) => l.address,
    fromRow: (r) => rowToLease4(r, db.dialect),
    show: formatIpv4,
    all: sql.all,
    expired: sql.expired,
    reclaimed: sql.reclaimed,
    byKeys: (keys) => sql.byKeys(keys, [], []),
    window: (a) => ({ text: sql.range, params: [a + 1, a + 1 + CONFLICT_WINDOW] }),
    insert: sql.insert,
    update: sql.update,
    del: sql.del,
    batch: sql.batch,
    atomic: sql.atomic,
    returnedKey: (row) => Number(row.k) >>> 0,
  };
}

/** `LeaseStore` on Kea's lease4 table (see the file comment). */
export class SqlLeaseStore implements LeaseStore {
  private readonly index = new LeaseIndex();
  private readonly cache: SqlCache<Lease4, number>;
  private readonly sql;

  private constructor(readonly db: SqlDb, log: SqlLog) {
    this.sql = lease4Sql(db.dialect);
    this.cache = new SqlCache(db, lease4Table(db), this.index, log);
  }

  /** Builds the store on an open database and loads every lease into the cache. */
  static async open(db: SqlDb, opts: SqlStoreOptions = {}): Promise<SqlLeaseStore> {
    const store = new SqlLeaseStore(db, opts.log ?? (() => {}));
    if (opts.onConnectionLost) store.onConnectionLost = opts.onConnectionLost;
    await store.cache.load();
    return store;
  }

  /** The group commit (its counters: commits, conflicts). */
  get commit(): SqlGroupCommit<Lease4, number> {
    return this.cache.commit;
  }

  /** Where a lost connection is reported (settable: the recovery is built after the store). */
  get onConnectionLost(): (why: string) => void {
    return this.cache.onConnectionLost;
  }
  set onConnectionLost(f: (why: string) => void) {
    this.cache.onConnectionLost = f;
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
    return this.cache.commit.schedule(changes, () => this.index.apply(mutations));
  }

  /**
   * Re-reads the rows of one receive batch's addresses and identifiers (one query) into the cache, before the
   * engine runs; rows with an uncommitted change of ours are left as they are.
   */
  async prefetch(p: LeaseKeys4): Promise<void> {
    if (!p.addresses.length && !p.hwaddrs.length && !p.clientIds.length) return;
    const s = this.sql.byKeys(p.addresses, p.hwaddrs, p.clientIds);
    this.cache.absorb(await this.cache.read(s, this.db.kind === "postgresql"), p.addresses);
  }

  /** Re-reads the whole table into the cache (lease commands, statistics, start-up). */
  refresh(): Promise<void> {
    return this.cache.refresh();
  }

  /** Reads the database's expired rows into the cache (Kea getExpiredLeases4; see SqlCache.refreshExpired). */
  refreshExpired(now: number, limit: number, holdSeconds?: number): Promise<void> {
    return this.cache.refreshExpired(now, limit, holdSeconds);
  }

  /** Waits for in-flight commits, then closes the connections. */
  close(): Promise<void> {
    return this.cache.close();
  }
}
