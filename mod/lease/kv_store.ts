/**
 * The durable IPv4 lease store on Deno KV with group commit (docs/ARCHITECTURE.md "The lease store").
 *
 * - The working set lives in a `LeaseIndex`; KV is the durable copy, read once by `open`.
 * - `apply` changes memory at once (so the next packet sees it) and returns a promise that resolves only when a
 *   KV commit holding all of its mutations has returned: nothing is acknowledged before it is durable.
 * - Leases are stored in blocks of 16 addresses (kv_keys.ts explains why). A mutation marks its block dirty.
 * - Group commit: while one commit is in flight, new mutations queue; when it returns, everything queued goes into
 *   the next commit. Each dirty block is written once per group from memory, so later mutations of an address
 *   supersede earlier ones. A group larger than one atomic operation allows (1000 mutations / 800 KiB) is split
 *   into chunks, each its own `kv.atomic()`, committed in order; the chunks of one group are NOT atomic together
 *   (a crash between two chunks keeps the first), which is harmless because no caller of that group has been
 *   answered yet.
 * - A group starts one event-loop turn after its first change (setImmediate, a few µs), so the rest of a receive
 *   batch joins it. Commits are paced only under load (commit_pacer.ts): while changes arrive faster than
 *   `commitPaceAbove` a second, a group waits `commitIntervalMs` first. Each Deno KV commit costs ~120–180 µs of CPU
 *   (V8 serialization, SQLite, fsync, two thread hand-offs) whatever its size, so under load pacing turns thousands
 *   of tiny commits per second into a few hundred larger ones, while at light load a change is committed as soon as
 *   it is ready.
 * - A failed commit rejects every promise of its group (their ACKs are never sent) and logs
 *   `DHCPSRV_KV_COMMIT_FAILED` at error level; memory then holds changes the file lacks (the next change in the same
 *   block rewrites it whole; otherwise lost at restart). The commit loop goes on with the next group whatever
 *   failed (the commit, the serialization, the log itself): it never dies, and no rejection goes unhandled.
 * - One process owns the file: a second process that opens it and writes gets "database is locked" from SQLite.
 *   Admin tools go through the control channel instead.
 */
import {
  blockKey,
  blockOf,
  checkStorable,
  decodeBlock,
  encodeBlock,
  estimateLeaseBytes,
  LAYOUT_VERSION,
  LEASE4_PREFIX,
  LEASES_PER_BLOCK,
  META_KEY,
} from "./kv_keys.ts";
import { CommitPacer } from "./commit_pacer.ts";
import { LeaseIndex } from "./memory_index.ts";
import type { Lease4, LeaseMutation, LeaseStore } from "./types.ts";

/** Options of `KvLeaseStore.open`. */
export interface KvStoreOptions {
  /** unix seconds; kept for the edge's convenience (the store itself never needs the time) */
  clock?: () => number;
  /** log sink: Kea-style message id, text and level (failures at "error"; absent means "info") */
  log?: (id: string, text: string, level?: "info" | "error") => void;
  /** the wait before a group under load (commit_pacer.ts); 0 never paces */
  commitIntervalMs?: number;
  /** changes per second above which groups are paced (commit_pacer.ts) */
  commitPaceAbove?: number;
}

export { DEFAULT_COMMIT_INTERVAL_MS, DEFAULT_PACE_ABOVE } from "./commit_pacer.ts";

/** Per-atomic limits of Deno KV (reference/deno-notes.md Q3), with a safety margin on the byte budget. */
export const MAX_MUTATIONS_PER_COMMIT = 1000;
export const MAX_BYTES_PER_COMMIT = 700 * 1024;

type Waiter = { resolve: () => void; reject: (e: unknown) => void };
/** The stored form of one block: its key, its value (null: the block is empty, delete it) and a size estimate. */
export type KvBlock = { key: Deno.KvKey; value: unknown[] | null; bytes: number };

/**
 * Checks the layout-version record `metaKey` of a lease database (writing `version` into a new one) and refuses a
 * file written by another layout with a message naming the file.
 */
export async function checkLayout(kv: Deno.Kv, metaKey: Deno.KvKey, version: number, path: string): Promise<void> {
  const meta = await kv.get<{ version: number }>(metaKey);
  if (meta.value === null) {
    await kv.set(metaKey, { version });
  } else if (meta.value.version !== version) {
    throw new Error(
      `The lease database ${path} has layout version ${meta.value.version}; this weka reads version ` +
        `${version}. Use the weka that wrote it, or export the leases to CSV and import them.`,
    );
  }
}

/** Opens the KV database at `path` (a file path or ":memory:") and builds a store on it, closing it on failure. */
export async function openKvStore<T>(path: string, build: (kv: Deno.Kv) => Promise<T>): Promise<T> {
  const kv = await Deno.openKv(path);
  try {
    return await build(kv);
  } catch (e) {
    kv.close();
    throw e;
  }
}

/**
 * The group-commit engine (see the file comment), generic over the block id `B`: the IPv4 store (number blocks)
 * and the IPv6 store (kv_store6.ts, bigint blocks) differ only in how a dirty block is serialized from memory.
 */
export abstract class KvGroupCommit<B> {
  /** number of `kv.atomic()` commits made (chunks count separately) */
  commits = 0;
  /** number of commit groups made */
  groups = 0;
  /** dirty block ids of the next group */
  private pending = new Set<B>();
  private waiters: Waiter[] = [];
  private running: Promise<void> | null = null;
  private closed = false;
  protected readonly log: (id: string, text: string, level?: "info" | "error") => void;
  private readonly pacer: CommitPacer;
  /** ends a pacing wait early (set while one is pending) */
  private wake: (() => void) | undefined;

  protected constructor(private readonly kv: Deno.Kv, opts: KvStoreOptions) {
    this.log = opts.log ?? (() => {});
    this.pacer = new CommitPacer(opts.commitIntervalMs, opts.commitPaceAbove);
  }

  /** The stored form of a dirty block, taken from memory at commit time. */
  protected abstract serializeBlock(id: B): KvBlock;

  /** Number of leases held. */
  abstract size(): number;

  /**
   * Loads every block stored under `prefix` with `list` batches of 1000 (Kea's memfile likewise reads the whole
   * lease file at start-up): `put` checks the key, decodes the value and puts its leases into memory. A block or
   * lease that cannot be decoded is logged (`DHCPSRV_KV_LEASE_SKIPPED`) and skipped; the load ends with a
   * `DHCPSRV_KV_LEASES_LOADED` line giving the count, the family ("IPv4", "IPv6") and the time taken.
   */
  protected async load(
    prefix: Deno.KvKey,
    family: string,
    path: string,
    put: (key: Deno.KvKey, value: unknown, bad: (text: string) => void) => void,
  ): Promise<void> {
    const started = performance.now();
    let skipped = 0;
    const bad = (text: string) => {
      skipped++;
      this.log("DHCPSRV_KV_LEASE_SKIPPED", `skipping a stored lease in ${path}: ${text}`);
    };
    for await (const e of this.kv.list({ prefix }, { batchSize: 1000 })) {
      try {
        put(e.key, e.value, bad);
      } catch (err) {
        bad((err as Error).message);
      }
    }
    const ms = Math.round(performance.now() - started);
    this.log(
      "DHCPSRV_KV_LEASES_LOADED",
      `loaded ${this.size()} ${family} lease(s) from ${path} in ${ms} ms` + (skipped ? ` (${skipped} skipped)` : ""),
    );
  }

  /**
   * Runs `change` (which validates, updates memory and returns the ids of the blocks it dirtied) and returns a
   * promise that resolves once a commit holding those blocks has returned. Rejects without running `change` when
   * the store is closed, and with `change`'s error when it throws (it must throw before touching memory).
   */
  protected schedule(change: () => Iterable<B>): Promise<void> {
    if (this.closed) return Promise.reject(new Error("The lease store is closed; the lease change was not saved"));
    try {
      for (const id of change()) this.pending.add(id);
    } catch (e) {
      return Promise.reject(e);
    }
    this.pacer.arrived(performance.now());
    const p = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.running) this.running = Promise.resolve().then(() => this.pump());
    return p;
  }

  /** Sleeps `ms` (the pacing wait); `close()` cuts it short. */
  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  /** Waits until every queued mutation is committed (or failed). */
  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Flushes queued mutations, then closes the database; later `apply` calls reject. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake?.();
    await this.flush();
    this.kv.close();
  }

  private async pump(): Promise<void> {
    try {
      while (this.pending.size > 0 || this.waiters.length > 0) {
        const wait = this.closed ? 0 : this.pacer.delay(performance.now());
        if (wait > 0) await this.pause(wait);
        else if (!this.closed) await nextTurn();
        const batch = this.pending, waiters = this.waiters;
        this.pending = new Set();
        this.waiters = [];
        try {
          await this.commitGroup(this.serialize(batch));
          for (const w of waiters) w.resolve();
        } catch (e) {
          for (const w of waiters) w.reject(e); // first: a failing log must not leave an ACK waiting forever
          try {
            this.log(
              "DHCPSRV_KV_COMMIT_FAILED",
              `could not save the lease changes of ${waiters.length} caller(s) to the lease database: ` +
                (e instanceof Error ? e.message : String(e)),
              "error",
            );
          } catch { /* the next group is committed all the same */ }
        }
      }
    } finally {
      this.running = null;
    }
  }

  /** The stored form of each dirty block, taken from memory now. */
  private serialize(blocks: Set<B>): KvBlock[] {
    const out: KvBlock[] = [];
    for (const id of blocks) out.push(this.serializeBlock(id));
    return out;
  }

  private async commitGroup(blocks: KvBlock[]): Promise<void> {
    if (blocks.length === 0) return;
    this.groups++;
    let op = this.kv.atomic(), count = 0, bytes = 0;
    for (const b of blocks) {
      if (count > 0 && (count + 1 > MAX_MUTATIONS_PER_COMMIT || bytes + b.bytes > MAX_BYTES_PER_COMMIT)) {
        await this.commitOne(op, count);
        op = this.kv.atomic();
        count = 0;
        bytes = 0;
      }
      if (b.value) op.set(b.key, b.value);
      else op.delete(b.key);
      count++;
      bytes += b.bytes;
    }
    await this.commitOne(op, count);
  }

  private async commitOne(op: Deno.AtomicOperation, count: number): Promise<void> {
    const res = await op.commit();
    this.commits++;
    if (!res.ok) throw new Error(`the KV commit of ${count} mutation(s) was refused`);
  }
}

/** Resolves after the current event-loop turn (its I/O callbacks and microtasks), not after a timer's ≥ 2 ms. */
function nextTurn(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

/** `LeaseStore` on Deno KV: memory indexes + group-committed durable copy. */
export class KvLeaseStore extends KvGroupCommit<number> implements LeaseStore {
  private readonly index = new LeaseIndex();
  private readonly watchers: ((mutations: readonly LeaseMutation[]) => void)[] = [];

  /** Registers a watcher of every applied batch of mutations (LeaseStore.subscribe). */
  subscribe(fn: (mutations: readonly LeaseMutation[]) => void): void {
    this.watchers.push(fn);
  }

  private constructor(kv: Deno.Kv, opts: KvStoreOptions) {
    super(kv, opts);
  }

  /** The lease of an address, from memory (includes changes whose commit is in flight). */
  byAddress(address: number): Lease4 | undefined {
    return this.index.byAddress(address);
  }

  /** The lease of a hardware address in a subnet, from memory. */
  byHwAddr(hwaddr: string, subnetId: number): Lease4 | undefined {
    return this.index.byHwAddr(hwaddr, subnetId);
  }

  /** The lease of a client identifier in a subnet, from memory. */
  byClientId(clientId: string, subnetId: number): Lease4 | undefined {
    return this.index.byClientId(clientId, subnetId);
  }

  /** DEFAULT/DECLINED leases with expire <= now, oldest first (see `LeaseIndex.expired`). */
  expired(now: number, limit: number): Lease4[] {
    return this.index.expired(now, limit);
  }

  /** RELEASED/EXPIRED_RECLAIMED leases with expire + hold <= now (see `LeaseIndex.reclaimedOlderThan`). */
  reclaimedOlderThan(now: number, holdSeconds: number, limit: number): Lease4[] {
    return this.index.reclaimedOlderThan(now, holdSeconds, limit);
  }

  /** Every lease, ascending by address. */
  all(): Iterable<Lease4> {
    return this.index.all();
  }

  /** The leases above `address` (-1: all), ascending (`LeaseIndex.after`). */
  after(address: number): Iterable<Lease4> {
    return this.index.after(address);
  }

  /** Number of leases held. */
  size(): number {
    return this.index.size();
  }

  /**
   * Opens (creating if needed) the KV database at `path` (a file path or ":memory:") and loads every lease into
   * memory with `list` batches of 1000 (Kea's memfile likewise reads the whole lease file at start-up). Entries that
   * cannot be decoded are logged (`DHCPSRV_KV_LEASE_SKIPPED`) and skipped. A file written by a newer layout is
   * refused with a message naming the file.
   */
  static open(path: string, opts: KvStoreOptions = {}): Promise<KvLeaseStore> {
    return openKvStore(path, (kv) => KvLeaseStore.fromKv(kv, opts, path));
  }

  /** Builds a store over an already open KV handle (used by `open`, and by tests that wrap the handle). */
  static async fromKv(kv: Deno.Kv, opts: KvStoreOptions = {}, path = "(kv)"): Promise<KvLeaseStore> {
    await checkLayout(kv, META_KEY, LAYOUT_VERSION, path);
    const store = new KvLeaseStore(kv, opts);
    await store.load(LEASE4_PREFIX, "IPv4", path, (key, value, bad) => {
      const block = key[1];
      if (typeof block !== "number") throw new Error(`bad key ${JSON.stringify(key.map(String))}`);
      for (const l of decodeBlock(block, value, bad)) store.index.put(l);
    });
    return store;
  }

  /**
   * Applies mutations to memory now and resolves once they are durable in KV (group commit, see the file comment).
   * Rejects if the commit holding them fails, or if the store is closed.
   */
  apply(mutations: LeaseMutation[]): Promise<void> {
    return this.schedule(() => {
      for (const m of mutations) if (m.op === "put") checkStorable(m.lease); // refuse before touching memory
      this.index.apply(mutations);
      for (const w of this.watchers) w(mutations);
      return mutations.map((m) => blockOf(m.op === "put" ? m.lease.address : m.address));
    });
  }

  /** The stored form of block `id` (16 addresses), from memory (see kv_keys.ts for the layout). */
  protected serializeBlock(id: number): KvBlock {
    const leases: Lease4[] = [];
    let bytes = 48;
    for (let a = id * LEASES_PER_BLOCK, end = a + LEASES_PER_BLOCK; a < end; a++) {
      const l = this.index.byAddress(a);
      if (l) {
        leases.push(l);
        bytes += estimateLeaseBytes(l);
      }
    }
    return { key: blockKey(id), value: leases.length ? encodeBlock(leases) : null, bytes };
  }
}
