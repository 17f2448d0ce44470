/**
 * What keeps a listener alive when its clients are hostile (docs/ARCHITECTURE.md rule 8): a bounded table of open
 * connections, and an accept loop that survives anything `accept()` throws. Every device on the LAN can reach the
 * control and HA ports; Kea's agent drops a stalled client after 10 s, and weka does the same (the per-connection
 * deadlines live in the listeners), but a flood of connections can still outpace the deadlines, so:
 *
 * - a listener holds at most `max` connections; when a new one arrives at the limit, the oldest connection that
 *   is not being answered (idle, or still sending a request it has not finished) is closed to make room — a
 *   stalled flood cannot lock out a fresh client, and a request being answered is never cut;
 * - when the process runs out of file descriptors (EMFILE/ENFILE), the loop closes idle connections, refuses new
 *   ones for a moment (the kernel keeps them in the backlog), logs one WARN for the burst, and accepts again —
 *   never ends, never throws (Deno's `Deno.serve` and `node:net` servers stop accepting for good there, which is
 *   why weka runs its own loop);
 * - any other accept error is logged and retried with a back-off; only `close()` ends the loop.
 */

/** Levels a listener logs with; ids are Kea-style (`HTTP_CONNECTION_LIMIT`, `COMMAND_ACCEPT_FAILED` …). */
export type ListenerLog = (level: "debug" | "info" | "warn" | "error", id: string, text: string) => void;

/** One open connection as the table sees it. */
export interface Tracked {
  /** true while a request is being answered (never evicted then) */
  busy: boolean;
  /** closes the connection (its serving loop then ends and removes it from the table) */
  evict(): void;
}

/** Default connection limit of one listener, and the share of the descriptor limit all listeners may use. */
export const DEFAULT_MAX_CONNECTIONS = 256;

/**
 * The connection limit for a listener: `DEFAULT_MAX_CONNECTIONS`, lowered so that the listeners of a process
 * together keep within a quarter of its descriptor limit (`ulimit -n`; read from /proc/self/limits by the caller),
 * with a floor of 8 so a tiny limit still serves someone.
 */
export function connectionLimit(fdSoftLimit: number | undefined, listeners = 4): number {
  if (!fdSoftLimit || !Number.isFinite(fdSoftLimit)) return DEFAULT_MAX_CONNECTIONS;
  return Math.max(8, Math.min(DEFAULT_MAX_CONNECTIONS, Math.floor(fdSoftLimit / 4 / Math.max(1, listeners))));
}

/** The open connections of one listener, oldest first, at most `max`. */
export class ConnTable {
  private readonly open = new Set<Tracked>();
  /** connections closed to make room, and connections refused because every slot was busy */
  evicted = 0;
  refused = 0;

  constructor(readonly max: number) {}

  get size(): number {
    return this.open.size;
  }

  /**
   * Admits a new connection: true when it may be served. At the limit the oldest connection that is not busy is
   * evicted first; when every connection is busy the new one is refused (false) and the caller closes it.
   */
  add(t: Tracked): boolean {
    if (this.open.size >= this.max && this.evictIdle(1) === 0) {
      this.refused++;
      return false;
    }
    this.open.add(t);
    return true;
  }

  /** Forgets a connection that ended. */
  delete(t: Tracked): void {
    this.open.delete(t);
  }

  /** Closes up to `n` connections that are not busy, oldest first; returns how many. */
  evictIdle(n: number): number {
    let done = 0;
    for (const t of this.open) {
      if (done >= n) break;
      if (t.busy) continue;
      this.open.delete(t);
      t.evict();
      done++;
    }
    this.evicted += done;
    return done;
  }

  /** Closes every connection (listener shutdown). */
  closeAll(): void {
    for (const t of [...this.open]) t.evict();
    this.open.clear();
  }
}

/** True for the errors of a process (EMFILE) or system (ENFILE) out of file descriptors. */
export function isDescriptorExhaustion(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return err?.code === "EMFILE" || err?.code === "ENFILE" || /\(os error 2[34]\)/.test(String(err?.message));
}

/** True for the errors `accept()` throws once its listener was closed. */
function isClosedError(e: unknown): boolean {
  return e instanceof Deno.errors.BadResource || e instanceof Deno.errors.Interrupted;
}

/** Logs one line per id and period; the next line says how many were left out meanwhile. */
export class RateLimitedLog {
  private readonly last = new Map<string, { at: number; skipped: number }>();

  constructor(private readonly log: ListenerLog, private readonly periodMs = 10_000) {}

  /** Logs now, or counts the line when the same id was logged less than a period ago. */
  say(level: "debug" | "info" | "warn" | "error", id: string, text: string, now = Date.now()): void {
    const l = this.last.get(id);
    if (l && now - l.at < this.periodMs) {
      l.skipped++;
      return;
    }
    const note = l?.skipped ? ` (${l.skipped} more since the last report)` : "";
    if (!l && this.last.size >= 64) this.last.clear();
    this.last.set(id, { at: now, skipped: 0 });
    this.log(level, id, text + note);
  }
}

/** What the accept loop needs. */
export interface AcceptLoopOptions<C> {
  /** what the listener is, for log lines ("control socket http://127.0.0.1:8000/") */
  name: string;
  table: ConnTable;
  /** serves one accepted connection (must not throw; it owns the connection from here) */
  serve(conn: C): void;
  closed(): boolean;
  log: RateLimitedLog;
  /** pause after descriptor exhaustion, ms (default 500) */
  exhaustedPauseMs?: number;
}

/**
 * Accepts connections until the listener is closed (see the module comment for what happens on errors). Never
 * rejects.
 */
export async function acceptLoop<C extends Deno.Conn>(
  listener: Deno.Listener<C>,
  o: AcceptLoopOptions<C>,
): Promise<void> {
  let backoff = 0;
  while (!o.closed()) {
    let conn: C;
    try {
      conn = await listener.accept();
      backoff = 0;
    } catch (e) {
      if (o.closed() || isClosedError(e)) return;
      if (isDescriptorExhaustion(e)) {
        const freed = o.table.evictIdle(Math.max(1, Math.ceil(o.table.size / 4)));
        o.log.say(
          "warn",
          "LISTENER_DESCRIPTORS_EXHAUSTED",
          `${o.name}: out of file descriptors (${(e as Error).message}); closed ${freed} idle connection(s), ` +
            `refusing new connections for ${o.exhaustedPauseMs ?? 500} ms`,
        );
        await sleep(o.exhaustedPauseMs ?? 500);
      } else {
        backoff = Math.min(5000, backoff ? backoff * 2 : 50);
        o.log.say("error", "LISTENER_ACCEPT_FAILED", `${o.name}: accept failed: ${(e as Error).message}; retrying`);
        await sleep(backoff);
      }
      continue;
    }
    try {
      o.serve(conn);
    } catch (e) {
      o.log.say("error", "LISTENER_SERVE_FAILED", `${o.name}: ${(e as Error).message}`);
      try {
        conn.close();
      } catch { /* already closed */ }
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
