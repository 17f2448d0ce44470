/**
 * The IPv6 lease store on Kea's PostgreSQL or MySQL lease database (issue 15): the IPv4 store's design
 * (sql_store.ts) over Kea's `lease6` table (sql_lease6.ts) and the DHCPv6 indexes (`Lease6Index`). The cache is
 * filled at start-up; `prefetch` re-reads, in one query per receive batch, the rows of the batch's DUIDs and of
 * the addresses and prefixes its IAs name; `apply` commits through the group commit, conditional on each row's
 * pre-image (the database decides between servers; a loser re-reads and decides again); `refresh` and
 * `refreshExpired` re-read the table for the lease commands, statistics and reclamation. Nothing is acknowledged
 * before its row is committed; the schema must be Kea 2.2's and weka never changes it.
 */
import { Lease6Index } from "./memory_index6.ts";
import type { Lease6, Lease6Mutation, Lease6Store, Lease6Type, LeaseKeys6 } from "./types6.ts";
import type { SqlDb } from "./sql_db.ts";
import type { SqlGroupCommit } from "./sql_commit.ts";
import { addressOf, lease6Sql, rowToLease6 } from "./sql_lease6.ts";
import { SqlCache, type SqlLeaseTable, type SqlLog } from "./sql_cache.ts";
import { formatIpv6Big } from "../config/addr6.ts";
import type { SqlStoreOptions } from "./sql_store.ts";

/** How many addresses past a conflicting one the cache re-reads (the iterative allocator's next candidates). */
export const CONFLICT_WINDOW6 = 64;

/** lease6 as the cache reads and writes it. */
function lease6Table(db: SqlDb): SqlLeaseTable<Lease6, bigint> {
  const sql = lease6Sql(db.dialect);
  return {
    family: "IPv6",
    keyOf: (l) => l.address,
    fromRow: (r) => rowToLease6(r, db.dialect),
    show: formatIpv6Big,
    all: sql.all,
    expired: sql.expired,
    reclaimed: sql.reclaimed,
    byKeys: (keys) => sql.byKeys(keys, []),
    window: (a) => sql.byKeys(Array.from({ length: CONFLICT_WINDOW6 }, (_, i) => a + BigInt(i + 1)), []),
    insert: sql.insert,
    update: sql.update,
    del: sql.del,
    batch: sql.batch,
    atomic: sql.atomic,
    returnedKey: (row) => addressOf(row.k),
  };
}

/** `Lease6Store` on Kea's lease6 table (see the file comment). */
export class SqlLease6Store implements Lease6Store {
  private readonly index = new Lease6Index();
  private readonly cache: SqlCache<Lease6, bigint>;
  private readonly sql;

  private constructor(readonly db: SqlDb, log: SqlLog) {
    this.sql = lease6Sql(db.dialect);
    this.cache = new SqlCache(db, lease6Table(db), this.index, log);
  }

  /** Builds the store on an open database and loads every lease into the cache. */
  static async open(db: SqlDb, opts: SqlStoreOptions = {}): Promise<SqlLease6Store> {
    const store = new SqlLease6Store(db, opts.log ?? (() => {}));
    if (opts.onConnectionLost) store.onConnectionLost = opts.onConnectionLost;
    await store.cache.load();
    return store;
  }

  /** The group commit (its counters: commits, conflicts). */
  get commit(): SqlGroupCommit<Lease6, bigint> {
    return this.cache.commit;
  }

  /** Where a lost connection is reported (settable: the recovery is built after the store). */
  get onConnectionLost(): (why: string) => void {
    return this.cache.onConnectionLost;
  }
  set onConnectionLost(f: (why: string) => void) {
    this.cache.onConnectionLost = f;
  }

  /** The lease of an address or delegated prefix, from the cache. */
  byAddress(address: bigint): Lease6 | undefined {
    return this.index.byAddress(address);
  }

  /** The leases of a client's IA in a subnet, from the cache. */
  byIa(duid: string, iaid: number, type: Lease6Type, subnetId: number): Lease6[] {
    return this.index.byIa(duid, iaid, type, subnetId);
  }

  /** Every lease of a DUID, from the cache. */
  byDuid(duid: string): Lease6[] {
    return this.index.byDuid(duid);
  }

  /** DEFAULT/DECLINED leases expired at `now`, from the cache (`refreshExpired` first reads the database's). */
  expired(now: number, limit: number): Lease6[] {
    return this.index.expired(now, limit);
  }

  /** Released/reclaimed leases past their hold time, from the cache. */
  reclaimedOlderThan(now: number, holdSeconds: number, limit: number): Lease6[] {
    return this.index.reclaimedOlderThan(now, holdSeconds, limit);
  }

  /** Every cached lease, ascending by address (`refresh` first for the database's). */
  all(): Iterable<Lease6> {
    return this.index.all();
  }

  /** Number of cached leases. */
  size(): number {
    return this.index.size();
  }

  /** Changes the cache now and resolves once the rows are committed (see the file comment). */
  apply(mutations: readonly Lease6Mutation[]): Promise<void> {
    const changes: [bigint, Lease6 | undefined][] = mutations.map((m) =>
      m.op === "put" ? [m.lease.address, m.lease] : [m.address, undefined]
    );
    return this.cache.commit.schedule(changes, () => this.index.apply(mutations));
  }

  /** Re-reads the rows of one receive batch's addresses and DUIDs (one query) into the cache. */
  async prefetch(p: LeaseKeys6): Promise<void> {
    if (!p.addresses.length && !p.duids.length) return;
    const s = this.sql.byKeys(p.addresses, p.duids);
    this.cache.absorb(await this.cache.read(s, this.db.kind === "postgresql"), p.addresses);
  }

  /** Re-reads the whole table into the cache (lease commands, statistics, start-up). */
  refresh(): Promise<void> {
    return this.cache.refresh();
  }

  /** Reads the database's expired rows into the cache (Kea getExpiredLeases6; see SqlCache.refreshExpired). */
  refreshExpired(now: number, limit: number, holdSeconds?: number): Promise<void> {
    return this.cache.refreshExpired(now, limit, holdSeconds);
  }

  /** Waits for in-flight commits, then closes the connections. */
  close(): Promise<void> {
    return this.cache.close();
  }
}
