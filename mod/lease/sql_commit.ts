/**
 * The group commit of the SQL lease stores (docs/ARCHITECTURE.md "The lease store", issue 15): the KV store's rule
 * — every mutation produced while a commit is in flight goes into the next transaction, nothing is acknowledged
 * before its row is committed — with the database deciding between servers that share it.
 *
 * `apply` records, for each key it changes, the pre-image (the cache's row when the engine decided) and changes
 * the cache at once. A group turns each key's first pre-image and last post-image into one conditional statement:
 * no pre-image → INSERT that does nothing when the row exists; both → UPDATE … WHERE the row is still the
 * pre-image; no post-image → DELETE likewise. A statement that touches no row is a CONFLICT: the transaction is
 * rolled back, every caller whose change depends on a conflicting key (transitively, through shared keys) is set
 * aside, and the rest is committed in a new attempt. The conflicting keys are re-read from the database into the
 * cache, then their callers are rejected with a `LeaseConflictError` (the edge runs the engine again on fresh
 * rows). A deadlock or serialization failure retries the transaction (at most 3 times); any other failure rejects
 * the whole group (no ACK) and its keys are re-read once the database answers again.
 */
import { isBatchConflict, returnsKeys } from "./sql_batch.ts";
import { isRetryable, type SqlDb, type SqlResult, type SqlRow, type SqlStmt } from "./sql_db.ts";

/** A change refused because another server changed the row first: the caller should decide again. */
export class LeaseConflictError extends Error {
  override name = "LeaseConflictError";
  constructor(readonly keys: readonly string[]) {
    super(`another server changed the lease(s) of ${keys.join(", ")} first`);
  }
}

/** What the commit engine needs of a table and its cache. */
export interface CommitTable<L, K> {
  /** the cache's row of a key */
  get(key: K): L | undefined;
  insert(l: L): SqlStmt;
  update(post: L, pre: L): SqlStmt;
  del(pre: L): SqlStmt;
  /**
   * The group's changes as multi-row statements (sql_batch.ts), when the table has them: new rows, [post, pre]
   * pairs, removed pre-images. Each statement's count is the rows it wrote.
   */
  batch?(inserts: L[], updates: [L, L][], deletes: L[]): SqlStmt[];
  /** PostgreSQL: the same as one statement that writes every row or none (sql_batch.ts atomic) */
  atomic?(inserts: L[], updates: [L, L][], deletes: L[]): SqlStmt;
  /** the key of a row a batch statement returned (PostgreSQL's `RETURNING … AS k`); absent: counts only */
  returnedKey?(row: SqlRow): K;
  /** re-reads these keys from the database into the cache (absent rows removed) */
  reread(keys: K[]): Promise<void>;
  /** a key for messages */
  show(key: K): string;
}

type Caller<K> = { keys: K[]; resolve: () => void; reject: (e: unknown) => void };
type Change<L> = { pre: L | undefined; post: L | undefined };

/** Group commit with conditional writes over one table (see the file comment). */
export class SqlGroupCommit<L, K> {
  /** transactions committed */
  commits = 0;
  /** callers rejected because another server won */
  conflicts = 0;
  private pending = new Map<K, Change<L>>();
  private callers: Caller<K>[] = [];
  /** keys with a change not yet committed, and how many callers hold them */
  private readonly dirty = new Map<K, number>();
  /** keys whose cache row may be wrong after a failed group: re-read before the next group */
  private readonly unsure = new Set<K>();
  private running: Promise<void> | null = null;
  closed = false;

  constructor(
    private readonly db: SqlDb,
    private readonly table: CommitTable<L, K>,
    private readonly log: (id: string, text: string, level?: "info" | "error") => void,
    private readonly failed: (e: unknown) => void = () => {},
  ) {}

  /** Whether a key has a change not yet committed (a prefetch must not overwrite it). */
  isDirty(key: K): boolean {
    return this.dirty.has(key);
  }

  /**
   * Records the changes of one caller: `changes` are [key, post-image or undefined for a delete]; `change()` then
   * applies them to the cache. Resolves once committed; rejects with LeaseConflictError or the database's error.
   */
  schedule(changes: [K, L | undefined][], change: () => void): Promise<void> {
    if (this.closed) return Promise.reject(new Error("The lease store is closed; the lease change was not saved"));
    const pres = changes.map(([k]) => this.table.get(k));
    change();
    const keys: K[] = [];
    changes.forEach(([k, post], i) => {
      const c = this.pending.get(k);
      if (c) c.post = post;
      else this.pending.set(k, { pre: pres[i], post });
      keys.push(k);
      this.dirty.set(k, (this.dirty.get(k) ?? 0) + 1);
    });
    const p = new Promise<void>((resolve, reject) => this.callers.push({ keys, resolve, reject }));
    if (!this.running) this.running = Promise.resolve().then(() => this.pump());
    return p;
  }

  /** Waits until every scheduled change is committed or failed. */
  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  private async pump(): Promise<void> {
    try {
      while (this.callers.length > 0) {
        const changes = this.pending, callers = this.callers;
        this.pending = new Map();
        this.callers = [];
        await this.runGroup(changes, callers);
      }
    } finally {
      this.running = null;
    }
  }

  private release(c: Caller<K>): void {
    for (const k of c.keys) {
      const n = (this.dirty.get(k) ?? 1) - 1;
      if (n <= 0) this.dirty.delete(k);
      else this.dirty.set(k, n);
    }
  }

  private async runGroup(changes: Map<K, Change<L>>, callers: Caller<K>[]): Promise<void> {
    let live = callers;
    const lost: K[] = [];
    try {
      if (this.unsure.size) {
        const keys = [...this.unsure].filter((k) => !changes.has(k));
        await this.table.reread(keys);
        this.unsure.clear();
      }
      for (let attempt = 0; live.length > 0; attempt++) {
        let bad: Set<K>;
        try {
          const got = await this.write(changes);
          if (got === true) break;
          bad = got;
        } catch (e) {
          if (isRetryable(e) && attempt < 3) continue;
          throw e;
        }
        const out = this.closure(bad, live);
        for (const c of out) {
          for (const k of c.keys) {
            changes.delete(k);
            if (!lost.includes(k)) lost.push(k);
          }
        }
        live = live.filter((c) => !out.has(c));
        for (const c of out) {
          this.release(c);
          this.conflicts++;
        }
        if (lost.length) await this.table.reread(lost);
        for (const c of out) c.reject(new LeaseConflictError(c.keys.map((k) => this.table.show(k))));
      }
      this.commits++;
      for (const c of live) {
        this.release(c);
        c.resolve();
      }
    } catch (e) {
      for (const c of live) {
        this.release(c);
        for (const k of c.keys) this.unsure.add(k);
        c.reject(e);
      }
      try {
        this.failed(e);
        this.log(
          "DHCPSRV_SQL_COMMIT_FAILED",
          `could not save the lease changes of ${live.length} caller(s) to the lease database: ` +
            (e instanceof Error ? e.message : String(e)),
          "error",
        );
      } catch { /* the next group goes on */ }
    }
  }

  /**
   * Writes one attempt of a group: on PostgreSQL one all-or-nothing statement (one round trip); else, or when that
   * found a conflict, its multi-row statements in a transaction (committed when every change wrote its row; on
   * PostgreSQL they name the keys they wrote), else one statement per key. Returns true when committed, else the
   * keys that conflicted (a multi-row attempt that only has counts tries again per key to learn which).
   */
  private async write(changes: Map<K, Change<L>>): Promise<true | Set<K>> {
    const keys = [...changes.keys()].filter((k) => this.statement(changes.get(k)!) !== undefined);
    if (keys.length === 0) return true;
    const total = (r: SqlResult[]) => r.reduce((n, x) => n + x.count, 0);
    if (this.table.batch) {
      const ins: L[] = [], upd: [L, L][] = [], del: L[] = [];
      for (const k of keys) {
        const c = changes.get(k)!;
        if (c.pre === undefined) ins.push(c.post!);
        else if (c.post === undefined) del.push(c.pre);
        else upd.push([c.post, c.pre]);
      }
      if (this.table.atomic && returnsKeys(this.db.dialect)) {
        const a = this.table.atomic(ins, upd, del);
        try {
          await this.db.query(a.text, a.params);
          return true;
        } catch (e) {
          if (!isBatchConflict(e)) throw e;
        }
      }
      const res = await this.db.transact(this.table.batch(ins, upd, del), (r) => total(r) === keys.length);
      if (res.committed) return true;
      const key = this.table.returnedKey;
      if (key && returnsKeys(this.db.dialect)) {
        const wrote = new Set(res.results.flatMap((r) => r.rows.map(key)));
        const bad = new Set(keys.filter((k) => !wrote.has(k)));
        if (bad.size) return bad;
      }
    }
    const stmts = keys.map((k) => this.statement(changes.get(k)!)!);
    const res = await this.db.transact(stmts, (r) => r.every((x) => x.count > 0));
    if (res.committed) return true;
    return new Set(keys.filter((_, i) => res.results[i].count === 0));
  }

  /** The callers that depend on the keys in `bad`, through every key they share. */
  private closure(bad: Set<K>, callers: Caller<K>[]): Set<Caller<K>> {
    const out = new Set<Caller<K>>();
    let grew = true;
    while (grew) {
      grew = false;
      for (const c of callers) {
        if (out.has(c) || !c.keys.some((k) => bad.has(k))) continue;
        out.add(c);
        for (const k of c.keys) bad.add(k);
        grew = true;
      }
    }
    return out;
  }

  private statement(c: Change<L>): SqlStmt | undefined {
    if (c.pre === undefined) return c.post === undefined ? undefined : this.table.insert(c.post);
    return c.post === undefined ? this.table.del(c.pre) : this.table.update(c.post, c.pre);
  }
}
