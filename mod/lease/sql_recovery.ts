/**
 * What a server does when its lease or host database goes away, as Kea 2.2's ControlledDhcpv4Srv does
 * (dbLostCallback / dbRecoveredCallback / dbFailedCallback, ReconnectCtl, `on-fail`):
 *
 * - lost: logs `<P>_DB_RECONNECT_LOST_CONNECTION`; with `on-fail` stop-retry-exit the DHCP service is disabled
 *   (origin DB_CONNECTION, Kea's origin id 3) until the database is back; with no reconnection configured
 *   (`max-reconnect-tries` or `reconnect-wait-time` 0) logs `<P>_DB_RECONNECT_DISABLED` and, unless on-fail is
 *   serve-retry-continue, the server exits with status 1;
 * - retry: probes the database every `reconnect-wait-time` ms, at most `max-reconnect-tries` times;
 * - recovered: the cache is re-read (another server may have written meanwhile), the service enabled again,
 *   `<P>_DB_RECONNECT_SUCCEEDED`;
 * - failed: `<P>_DB_RECONNECT_FAILED`, then exit with status 1 unless on-fail is serve-retry-continue (the server
 *   goes on serving what it can: nothing is acknowledged without a committed row).
 *
 * Whatever the state, no reply waits on an uncommitted row: the store rejects the commit and the edge drops it.
 */
import type { DbAccess } from "../config/model.ts";

/** Kea's NetworkState origin id of the database connection (DB_CONNECTION). */
export const DB_CONNECTION_ORIGIN = 3;

/** What recovery acts on. */
export interface RecoveryDeps {
  db: Pick<DbAccess, "maxReconnectTries" | "reconnectWaitTime" | "onFail">;
  /** "DHCP4" / "DHCP6": Kea's message-id prefix */
  prefix: string;
  /** one cheap statement; rejects while the database is unreachable */
  probe: () => Promise<void>;
  /** re-reads what other servers may have written while we were cut off */
  resync: () => Promise<void>;
  /** the DHCP service off (false) / on (true) for origin DB_CONNECTION */
  setServing: (on: boolean) => void;
  /** stop the process with status 1 (Kea's shutdownServer(EXIT_FAILURE)) */
  exit: (reason: string) => void;
  log: (id: string, text: string, level: "info" | "error" | "warn") => void;
  setTimeout?: (fn: () => void, ms: number) => unknown;
}

/** The connection-loss state machine (see the file comment). */
export class DbRecovery {
  /** true while the database is lost and not yet recovered */
  lost = false;
  private tries = 0;
  private timer: unknown;
  private stopped = false;

  constructor(private readonly deps: RecoveryDeps) {}

  private get exitOnFailure(): boolean {
    return this.deps.db.onFail !== "serve-retry-continue";
  }

  /** A statement failed because the connection is gone (idempotent while recovering). */
  connectionLost(why: string): void {
    if (this.lost || this.stopped) return;
    this.lost = true;
    this.tries = 0;
    const { db, prefix, log } = this.deps;
    log(`${prefix}_DB_RECONNECT_LOST_CONNECTION`, `database connection lost: ${why}`, "warn");
    if (db.onFail === "stop-retry-exit") this.deps.setServing(false);
    if (!db.maxReconnectTries || !db.reconnectWaitTime) {
      log(
        `${prefix}_DB_RECONNECT_DISABLED`,
        `database reconnect is disabled: max-reconnect-tries ${db.maxReconnectTries}, reconnect-wait-time ` +
          `${db.reconnectWaitTime}`,
        "error",
      );
      if (this.exitOnFailure) this.deps.exit("the lease database connection was lost and reconnect is disabled");
      return;
    }
    this.arm();
  }

  /** Stops retrying (shutdown). */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer as number);
  }

  private arm(): void {
    if (this.stopped) return;
    const set = this.deps.setTimeout ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
    this.timer = set(() => void this.attempt(), this.deps.db.reconnectWaitTime);
  }

  private async attempt(): Promise<void> {
    this.timer = undefined;
    if (this.stopped) return;
    const { db, prefix, log } = this.deps;
    this.tries++;
    try {
      await this.deps.probe();
      await this.deps.resync();
    } catch (e) {
      if (this.tries < db.maxReconnectTries) return this.arm();
      log(
        `${prefix}_DB_RECONNECT_FAILED`,
        `maximum number of database reconnect attempts: ${db.maxReconnectTries}, has been exhausted without ` +
          `success (${(e as Error).message})`,
        "error",
      );
      if (this.exitOnFailure) this.deps.exit("the lease database could not be reached again");
      else this.lost = false; // serve-retry-continue: a later failure starts recovery again
      return;
    }
    this.lost = false;
    if (db.onFail === "stop-retry-exit") this.deps.setServing(true);
    log(`${prefix}_DB_RECONNECT_SUCCEEDED`, `database connection recovered after ${this.tries} attempt(s)`, "info");
  }
}
