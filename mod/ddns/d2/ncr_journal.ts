/**
 * A durable journal of accepted NameChangeRequests in Deno KV, so none is lost across a D2 restart or crash
 * (weka's addition: Kea's D2 queue is memory only and is lost on shutdown). Writes are grouped: every append and
 * completion made while the previous commit was in flight goes into the next `kv.atomic()` (at most 1000
 * mutations each), as the lease store does. Storage edge: the only module of the role that opens KV.
 */
import { type NameChangeRequest, ncrToJson, parseNcrJson } from "../ncr/ncr.ts";

const PREFIX = "ncr";
const MAX_MUTATIONS = 1000;

type Mutation = { kind: "set"; seq: number; json: string } | { kind: "delete"; seq: number };

/** The journal: `append` when a request is accepted, `done` when its transaction has finished (either way). */
export class NcrJournal {
  private next = 1;
  private batch: Mutation[] = [];
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
        this.batch.push({ kind: "delete", seq: Number(e.key[1]) });
      }
    }
    return out;
  }

  /** Records an accepted request; returns its sequence number. The write is committed with the next group. */
  append(ncr: NameChangeRequest): number {
    const seq = this.next++;
    this.batch.push({ kind: "set", seq, json: ncrToJson(ncr) });
    this.schedule();
    return seq;
  }

  /** Forgets a finished request. */
  done(seq: number): void {
    this.batch.push({ kind: "delete", seq });
    this.schedule();
  }

  /** Resolves when everything appended or finished so far is committed. */
  async flush(): Promise<void> {
    while (this.flushing || this.batch.length) {
      if (!this.flushing) this.schedule();
      await this.flushing;
    }
  }

  /** Commits what is pending and closes the file. */
  async close(): Promise<void> {
    await this.flush();
    this.kv.close();
  }

  private schedule(): void {
    if (this.flushing) return;
    this.flushing = (async () => {
      await Promise.resolve();
      while (this.batch.length) {
        const group = this.batch.splice(0, MAX_MUTATIONS);
        const op = this.kv.atomic();
        for (const m of group) {
          if (m.kind === "set") op.set([PREFIX, m.seq], m.json);
          else op.delete([PREFIX, m.seq]);
        }
        try {
          await op.commit();
          this.failed = undefined;
        } catch (e) {
          if (!this.failed) this.onError(e as Error);
          this.failed = e as Error;
        }
      }
      this.flushing = undefined;
    })();
  }
}
