/**
 * The wiring of a Kea SQL lease database into a DHCP role (issue 15): opening it (schema checked, the cache
 * loaded), the recovery from a lost connection per Kea's `on-fail` (mod/lease/sql_recovery.ts: dhcp-disable'd with
 * origin DB_CONNECTION, reconnect tries, exit), and fresh reads for the control channel: every lease command and
 * lease statistic first re-reads the database, as Kea's lease_cmds and stat-lease4-get read it.
 */
import type { DbAccess } from "../config/model.ts";
import type { Log } from "../log/logger.ts";
import { openSqlDb } from "../lease/sql_open.ts";
import { SqlLeaseStore } from "../lease/sql_store.ts";
import { DB_CONNECTION_ORIGIN, DbRecovery } from "../lease/sql_recovery.ts";
import type { DhcpState } from "../control/dhcp_state.ts";
import { describeDb } from "../config/compile_db.ts";
import type { RoleLife, RolePrefix } from "./role_common.ts";

/** Opens the SQL lease database of a role, or logs `<P>_LEASE_DB_OPEN_FAILED` and returns undefined. */
export async function openSqlStore4(prefix: RolePrefix, db: DbAccess, log: Log): Promise<SqlLeaseStore | undefined> {
  try {
    const sql = await openSqlDb(db);
    return await SqlLeaseStore.open(sql, { log: (id, text, level = "info") => log[level](id, text) });
  } catch (e) {
    log.error(
      `${prefix}_LEASE_DB_OPEN_FAILED`,
      `cannot open the lease database ${describeDb(db)}: ${(e as Error).message}`,
    );
    return undefined;
  }
}

/** Connects the store's lost-connection reports to Kea's recovery; returns what stops it. */
export function recoverSqlStore(
  prefix: RolePrefix,
  db: DbAccess,
  store: SqlLeaseStore,
  dhcpState: DhcpState,
  life: RoleLife,
  log: Log,
): () => void {
  const recovery = new DbRecovery({
    db,
    prefix,
    probe: () => store.db.query("SELECT 1").then(() => {}),
    resync: () => store.refresh(),
    setServing: (on) =>
      on
        ? dhcpState.enable({ kind: "local", id: DB_CONNECTION_ORIGIN })
        : dhcpState.disable({ kind: "local", id: DB_CONNECTION_ORIGIN }),
    exit: (reason) => life.fail(reason),
    log: (id, text, level) => log[level](id, text),
  });
  store.onConnectionLost = (why) => recovery.connectionLost(why);
  return () => recovery.stop();
}

const FRESH = /^(lease[46]-|stat-lease[46]-get|statistic-get)/;

/**
 * Wraps a control channel's dispatch so lease commands and lease statistics answer from the database: the store
 * re-reads it first; when it cannot, the command fails with result 1 naming the database.
 */
export function freshLeaseReads(
  dispatch: (text: string) => Promise<unknown>,
  store: { refresh?: () => Promise<void> },
): (text: string) => Promise<unknown> {
  if (!store.refresh) return dispatch;
  return async (text: string) => {
    let name = "";
    try {
      const cmd = JSON.parse(text)?.command;
      if (typeof cmd === "string") name = cmd;
    } catch { /* the registry answers the syntax error */ }
    if (FRESH.test(name)) {
      try {
        await store.refresh!();
      } catch (e) {
        return { result: 1, text: `the lease database cannot be read: ${(e as Error).message}` };
      }
    }
    return dispatch(text);
  };
}
