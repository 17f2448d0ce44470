/**
 * The wiring of Kea SQL lease and host databases into a DHCP role (issue 15): opening them (schema checked, the cache
 * loaded, the reserved addresses read), the recovery from a lost connection per Kea's `on-fail`
 * (mod/lease/sql_recovery.ts: dhcp-disable'd with origin DB_CONNECTION, reconnect tries, exit), and fresh reads for
 * the control channel: every lease command and lease statistic first re-reads the database, as Kea's lease_cmds and
 * stat-lease4-get read it.
 */
import type { DbAccess } from "../config/model.ts";
import type { Log } from "../log/logger.ts";
import { openSqlDb } from "../lease/sql_open.ts";
import { SqlLeaseStore } from "../lease/sql_store.ts";
import { SqlLease6Store } from "../lease/sql_store6.ts";
import { SqlHosts4 } from "../lease/host_cache4.ts";
import { SqlHosts6 } from "../lease/host_cache6.ts";
import type { SqlDb } from "../lease/sql_db.ts";
import { DB_CONNECTION_ORIGIN, DbRecovery } from "../lease/sql_recovery.ts";
import type { DhcpState } from "../control/dhcp_state.ts";
import { describeDb } from "../config/compile_db.ts";
import type { RoleLife, RolePrefix } from "./role_common.ts";

/** Opens the SQL lease database of a DHCPv4 role, or logs `<P>_LEASE_DB_OPEN_FAILED` and returns undefined. */
export function openSqlStore4(prefix: RolePrefix, db: DbAccess, log: Log): Promise<SqlLeaseStore | undefined> {
  return openSqlStore(prefix, db, log, (sql, opts) => SqlLeaseStore.open(sql, opts));
}

/** Opens the SQL lease database of a DHCPv6 role (Kea's lease6 table), or logs and returns undefined. */
export function openSqlStore6(prefix: RolePrefix, db: DbAccess, log: Log): Promise<SqlLease6Store | undefined> {
  return openSqlStore(prefix, db, log, (sql, opts) => SqlLease6Store.open(sql, opts));
}

async function openSqlStore<S>(
  prefix: RolePrefix,
  db: DbAccess,
  log: Log,
  open: (sql: SqlDb, opts: { log: (id: string, text: string, level?: "info" | "error") => void }) => Promise<S>,
): Promise<S | undefined> {
  let sql: SqlDb | undefined;
  try {
    sql = await openSqlDb(db);
    return await open(sql, { log: (id, text, level = "info") => log[level](id, text) });
  } catch (e) {
    await sql?.close().catch(() => {});
    log.error(
      `${prefix}_LEASE_DB_OPEN_FAILED`,
      `cannot open the lease database ${describeDb(db)}: ${(e as Error).message}`,
    );
    return undefined;
  }
}

/**
 * Opens the host databases of a DHCPv4 role (`hosts-database`, then `hosts-databases`: Kea searches them in that
 * order), checks their schema and reads their reserved addresses; undefined when there are none, false when one
 * cannot be used (`DHCP4_HOSTS_DB_OPEN_FAILED` logged).
 */
export function openHosts4(dbs: DbAccess[] | undefined, log: Log): Promise<SqlHosts4 | undefined | false> {
  return openHosts("DHCP4", dbs, log, (open, warn) => new SqlHosts4(open, warn));
}

/** The same for a DHCPv6 role: Kea's hosts with their ipv6_reservations and dhcp6_options (host_cache6.ts). */
export function openHosts6(dbs: DbAccess[] | undefined, log: Log): Promise<SqlHosts6 | undefined | false> {
  return openHosts("DHCP6", dbs, log, (open, warn) => new SqlHosts6(open, warn));
}

async function openHosts<H extends SqlHostsLike & { start(ms: number, onError: (e: unknown) => void): Promise<void> }>(
  prefix: RolePrefix,
  dbs: DbAccess[] | undefined,
  log: Log,
  make: (open: SqlDb[], warn: (text: string) => void) => H,
): Promise<H | undefined | false> {
  if (!dbs?.length) return undefined;
  const open: SqlDb[] = [];
  for (const db of dbs) {
    try {
      open.push(await openSqlDb(db, 2));
      log.info(`${prefix}_HOSTS_DB`, `host reservations are also read from the ${db.type} database ${describeDb(db)}`);
    } catch (e) {
      log.error(
        `${prefix}_HOSTS_DB_OPEN_FAILED`,
        `cannot open the hosts database ${describeDb(db)}: ${(e as Error).message}`,
      );
      await Promise.all(open.map((o) => o.close().catch(() => {})));
      return false;
    }
  }
  const hosts = make(open, (text) => log.warn(`${prefix}_HOSTS_DB_OPTION`, text));
  try {
    await hosts.start(HOSTS_REFRESH_MS, (e) => log.error(`${prefix}_HOSTS_DB_READ_FAILED`, (e as Error).message));
  } catch (e) {
    log.error(`${prefix}_HOSTS_DB_OPEN_FAILED`, `cannot read the reserved addresses: ${(e as Error).message}`);
    await hosts.close();
    return false;
  }
  return hosts;
}

/** What recovery needs of a role's host databases (SqlHosts4, SqlHosts6). */
export interface SqlHostsLike {
  readonly dbs: SqlDb[];
  refreshReserved(): Promise<void>;
  onConnectionLost: (why: string) => void;
  close(): Promise<void>;
}

/** What recovery needs of a SQL lease store (SqlLeaseStore, SqlLease6Store). */
export interface SqlStoreLike {
  readonly db: SqlDb;
  refresh(): Promise<void>;
  onConnectionLost: (why: string) => void;
}

/** How often the host databases' reserved addresses are read again (mod/lease/host_cache4.ts, host_cache6.ts). */
export const HOSTS_REFRESH_MS = 10_000;

/**
 * Connects the lost-connection reports of a role's SQL databases (the lease store, the host databases) to Kea's
 * recovery (on-fail of the lease database, else of the first host database); returns what stops it.
 */
export function recoverSql(
  prefix: RolePrefix,
  db: DbAccess,
  parts: { store?: SqlStoreLike; hosts?: SqlHostsLike },
  dhcpState: DhcpState,
  life: RoleLife,
  log: Log,
): () => void {
  const dbs = [...(parts.store ? [parts.store.db] : []), ...(parts.hosts?.dbs ?? [])];
  const recovery = new DbRecovery({
    db,
    prefix,
    probe: () => Promise.all(dbs.map((d) => d.query("SELECT 1"))).then(() => {}),
    resync: async () => {
      await parts.store?.refresh();
      await parts.hosts?.refreshReserved();
    },
    setServing: (on) =>
      on
        ? dhcpState.enable({ kind: "local", id: DB_CONNECTION_ORIGIN })
        : dhcpState.disable({ kind: "local", id: DB_CONNECTION_ORIGIN }),
    exit: (reason) => life.fail(reason),
    log: (id, text, level) => log[level](id, text),
  });
  if (parts.store) parts.store.onConnectionLost = (why) => recovery.connectionLost(why);
  if (parts.hosts) parts.hosts.onConnectionLost = (why) => recovery.connectionLost(why);
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
