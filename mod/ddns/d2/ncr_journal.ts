/**
 * A durable journal of accepted NameChangeRequests in Deno KV, so none is lost across a D2 restart or crash
 * (weka's addition: Kea's D2 queue is memory only and is lost on shutdown). Writes are grouped: every append and
 * completion made while the previous commit was in flight goes into the next `kv.atomic()` (at most 1000
 * mutations each), as the lease store does. Storage edge: the only module of the role that opens KV.
 *
 * Bounded: the pending group is a map by sequence number, and a request appended and finished before its write
 * was committed costs no write at all, so the group never holds more than one entry per request the service still
 * holds (its queue is bounded) plus one delete per committed one. A failed commit is reported through `onError`
 * (DHCP_DDNS_JOURNAL_WRITE_FAILED, once per failing spell) and the writer goes on with the next group.
 */
import { type NameChangeRequest, ncrToJson, parseNcrJson } from "../ncr/ncr.ts";

const PREFIX = "ncr";
const MAX_MUTATIONS = 1000;

/** The next group: seq → JSON to write, or null to delete the committed entry. */
type Group = Map<number, string | null>;

/** The journal: `append` when a request is accepted, `done` when its transaction has finished (either way). */
export class NcrJournal {
  private next = 1;
  private batch: Group = new Map();
  private flushing: Promise<void> | undefined;
  private failed: Error | undefined;

  private constructor(private readonly kv: Deno.Kv, private readonly onError: (e: Error) => void) {}

  /**
   * Opens (or creates) the journal file. One process owns it: a second one gets Deno KV's "database is locked".
   * `onError` hears about a failed commit (the requests stay in memory and are still served).
   */
  static async open(path: string, onError: (e: Error) => void = () => {}): Promise<NcrJournal> {
    const kv = await Deno.openKv(path);
    const j = new NcrJournal(kv, onError);
    for await (const e of kv.list<string>({ prefix: [PREFIX] }, { reverse: true, limit: 1 })) {
      j.next = Number(e.key[1]) + 1;
    }
    return j;
  }

  /** Requests accepted but not finished before the last stop, oldest first (to be queued again at start). */
  async pending(): Promise<{ seq: number; ncr: NameChangeRequest }[]> {
    const out: { seq: number; ncr: NameChangeRequest }[] = [];
    for await (const e of this.kv.list<string>({ prefix: [PREFIX] })) {
      try {
        out.push({ seq: Number(e.key[1]), ncr: parseNcrJson(e.value) });
      } catch (err) {
        this.onError(
          new Error(`journal entry ${String(e.key[1])} is unreadable and is dropped: ${(err as Error).message}`),
        );
        this.batch.set(Number(e.key[1]), null);
      }
    }
    return out;
  }

  /** Writes waiting for the next commit (at most one per request; see the module comment). */
  get pendingWrites(): number {
    return this.batch.size;
  }

  /** Records an accepted request; returns its sequence number. The write is committed with the next group. */
  append(ncr: NameChangeRequest): number {
    const seq = this.next++;
    this.batch.set(seq, ncrToJson(ncr));
    this.schedule();
    return seq;
  }

  /** Forgets a finished request; one whose write is still waiting is simply not written. */
  done(seq: number): void {
    if (typeof this.batch.get(seq) === "string") this.batch.delete(seq);
    else this.batch.set(seq, null);
    this.schedule();
  }

  /** Resolves when everything appended or finished so far is committed (or its commit failed, reported). */
  async flush(): Promise<void> {
    while (this.flushing || this.batch.size) {
      if (!this.flushing) this.schedule();
      await this.flushing;
    }
  }

  /** Commits what is pending and closes the file. */
  async close(): Promise<void> {
    await this.flush();
    this.kv.close();
  }

  /** The writer loop: one group per commit while writes wait; a failure never ends it (see the module comment). */
  private schedule(): void {
    if (this.flushing) return;
    this.flushing = (async () => {
      await Promise.resolve();
      try {
        while (this.batch.size) await this.commitGroup();
      } finally {
        this.flushing = undefined;
      }
    })();
  }

  private async commitGroup(): Promise<void> {
    const group: [number, string | null][] = [];
    for (const entry of this.batch) {
      group.push(entry);
      if (group.length === MAX_MUTATIONS) break;
    }
    for (const [seq] of group) this.batch.delete(seq);
    try {
      const op = this.kv.atomic();
      for (const [seq, json] of group) {
        if (json === null) op.delete([PREFIX, seq]);
        else op.set([PREFIX, seq], json);
      }
      const res = await op.commit();
      if (!res.ok) throw new Error(`the journal commit of ${group.length} write(s) was refused`);
      this.failed = undefined;
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      if (!this.failed) {
        try {
          this.onError(err);
        } catch { /* a failing reporter must not end the writer */ }
      }
      this.failed = err;
    }
  }
}
