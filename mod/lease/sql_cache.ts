/**
 * The part of the SQL lease stores that does not depend on the family (issue 15; docs/ARCHITECTURE.md "The lease
 * store"): an in-memory index that caches one Kea lease table (`lease4` or `lease6`), kept fresh by re-reading rows,
 * and the group commit that writes it (sql_commit.ts). The IPv4 store (sql_store.ts) and the IPv6 store
 * (sql_store6.ts) give it their table's statements and row mapping (`SqlLeaseTable`) and their index.
 *
 * A read never overwrites a cached row that has a change of ours not yet committed (`isDirty`); a key that was
 * asked for and came back absent is removed from the cache. A statement that fails because the connection is gone
 * is reported through `onConnectionLost` (sql_recovery.ts takes it from there).
 */
import { SqlGroupCommit } from "./sql_commit.ts";
import { isConnectionLoss, type SqlDb, type SqlRow, type SqlStmt } from "./sql_db.ts";

/** One Kea lease table as a cached store reads and writes it. */
export interface SqlLeaseTable<L, K> {
  /** "IPv4" / "IPv6", for messages */
  family: string;
  keyOf(l: L): K;
  fromRow(r: SqlRow): L;
  show(k: K): string;
  /** every row */
  all: string;
  /** DEFAULT/DECLINED rows expired at `?`, oldest first, `LIMIT ?` */
  expired: string;
  /** RELEASED/EXPIRED_RECLAIMED rows expired at `?`, `LIMIT ?` */
  reclaimed: string;
  /** the rows of these keys */
  byKeys(keys: readonly K[]): SqlStmt;
  /** the rows just after a conflicting key, where another server is likely allocating too */
  window(k: K): SqlStmt;
  insert(l: L): SqlStmt;
  update(post: L, pre: L): SqlStmt;
  del(pre: L): SqlStmt;
  batch(inserts: L[], updates: [L, L][], deletes: L[]): SqlStmt[];
  atomic(inserts: L[], updates: [L, L][], deletes: L[]): SqlStmt;
  /** the key of a row a batch statement returned (`RETURNING … AS k`) */
  returnedKey(row: SqlRow): K;
}

/** The index operations the cache needs (memory_index.ts LeaseIndex, memory_index6.ts Lease6Index). */
export interface CacheIndex<L, K> {
  byAddress(k: K): L | undefined;
  put(l: L): void;
  delete(k: K): boolean;
  all(): Iterable<L>;
  size(): number;
}

/** The log callback of the SQL stores. */
export type SqlLog = (id: string, text: string, level?: "info" | "error") => void;

/** How many conflicting keys get their window re-read (bounds the work of one conflict). */
const WINDOWS = 8;

/** A cached lease table with its group commit (see the file comment). */
export class SqlCache<L, K> {
  readonly commit: SqlGroupCommit<L, K>;
  /** where a lost connection is reported (settable: the recovery is built after the store) */
  onConnectionLost: (why: string) => void = () => {};

  constructor(
    readonly db: SqlDb,
    readonly table: SqlLeaseTable<L, K>,
    readonly index: CacheIndex<L, K>,
    readonly log: SqlLog,
  ) {
    this.commit = new SqlGroupCommit<L, K>(
      db,
      {
        get: (k) => index.byAddress(k),
        insert: (l) => table.insert(l),
        update: (post, pre) => table.update(post, pre),
        del: (pre) => table.del(pre),
        batch: (ins, upd, del) => table.batch(ins, upd, del),
        atomic: (ins, upd, del) => table.atomic(ins, upd, del),
        returnedKey: (row) => table.returnedKey(row),
        reread: (keys) => this.reread(keys),
        show: (k) => table.show(k),
      },
      log,
      (e) => this.lost(e),
    );
  }

  /** Loads the whole table, logging how many rows and how long it took. */
  async load(): Promise<void> {
    const started = performance.now();
    await this.refresh();
    this.log(
      "DHCPSRV_SQL_LEASES_LOADED",
      `loaded ${this.index.size()} ${this.table.family} lease(s) from the ${this.db.kind} lease database in ${
        Math.round(performance.now() - started)
      } ms`,
    );
  }

  /** Runs a read; a lost connection is reported before the error goes on. */
  async read(s: SqlStmt, prepare = true): Promise<L[]> {
    try {
      return (await this.db.query(s.text, s.params, prepare)).map((r) => this.table.fromRow(r));
    } catch (e) {
      this.lost(e);
      throw e;
    }
  }

  /**
   * Puts read rows into the cache, except those with a change of ours in flight (`force`: these keys too); the
   * keys in `asked` that did not come back are removed (unless dirty and not forced).
   */
  absorb(rows: L[], asked: Iterable<K> = [], force?: Set<K>): void {
    const seen = new Set<K>();
    for (const l of rows) {
      const k = this.table.keyOf(l);
      seen.add(k);
      if (force?.has(k) || !this.commit.isDirty(k)) this.index.put(l);
    }
    for (const k of asked) if (!seen.has(k) && (force?.has(k) || !this.commit.isDirty(k))) this.index.delete(k);
  }

  /** Re-reads the rows of these keys (one query) into the cache. */
  async prefetchKeys(keys: readonly K[], prepare: boolean): Promise<void> {
    if (!keys.length) return;
    this.absorb(await this.read(this.table.byKeys(keys), prepare), keys);
  }

  /** Re-reads the whole table into the cache (lease commands, statistics, start-up, after a reconnection). */
  async refresh(): Promise<void> {
    const rows = await this.read({ text: this.table.all, params: [] });
    const seen = new Set(rows.map((l) => this.table.keyOf(l)));
    this.absorb(rows);
    const gone = [...this.index.all()].map((l) => this.table.keyOf(l)).filter((k) =>
      !seen.has(k) && !this.commit.isDirty(k)
    );
    for (const k of gone) this.index.delete(k);
  }

  /**
   * Reads the database's expired DEFAULT/DECLINED rows (and, with `holdSeconds`, the released/reclaimed ones past
   * their hold) into the cache, so the reclaimer sees what any server left there (Kea getExpiredLeases4/6).
   */
  async refreshExpired(now: number, limit: number, holdSeconds?: number): Promise<void> {
    const rows = await this.read({ text: this.table.expired, params: [now, limit] });
    if (holdSeconds !== undefined) {
      rows.push(...await this.read({ text: this.table.reclaimed, params: [now - holdSeconds, limit] }));
    }
    this.absorb(rows);
  }

  /** Re-reads these keys (and the window after the first few) into the cache after a conflict or a failure. */
  async reread(keys: K[]): Promise<void> {
    if (!keys.length) return;
    const asked = new Set(keys);
    const rows = await this.read(this.table.byKeys(keys), false);
    for (const k of [...asked].slice(0, WINDOWS)) rows.push(...await this.read(this.table.window(k)));
    this.absorb(rows, asked, asked);
  }

  /** Reports a failure that means the connection is gone. */
  lost(e: unknown): void {
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
