/**
 * Opening a Kea SQL database for weka: the pool for its type, then the schema check Kea 2.2 makes at start-up
 * (`schema_version` must be the version this code speaks: PostgreSQL 13.0, MySQL 14.0, as `kea-dhcp4 -V` of Kea 2.2
 * reports), refusing with the `kea-admin` command that fixes it. weka never creates or alters the schema:
 * `kea-admin db-init` makes it, `kea-admin db-upgrade` upgrades it.
 */
import type { DbAccess } from "../config/model.ts";
import type { SqlDb } from "./sql_db.ts";

/** The schema versions of Kea 2.2's backends. */
export const KEA_SCHEMA: Record<DbAccess["type"], [number, number]> = { postgresql: [13, 0], mysql: [14, 0] };

/** kea-admin's name of a backend. */
const ADMIN: Record<DbAccess["type"], string> = { postgresql: "pgsql", mysql: "mysql" };

/** Why the schema `found` cannot be used (undefined when it is Kea 2.2's), with the command that fixes it. */
export function schemaProblem(db: DbAccess, found: [number, number] | undefined): string | undefined {
  const [major, minor] = KEA_SCHEMA[db.type];
  const want = `${major}.${minor}`;
  const where = `the ${db.type} database '${db.name}' on ${db.host}:${db.port}`;
  const admin = `kea-admin db-${found ? "upgrade" : "init"} ${ADMIN[db.type]} -n ${db.name} -h ${db.host} ` +
    `-P ${db.port}${db.user ? ` -u ${db.user}` : ""}`;
  if (!found) return `${where} has no Kea schema (no schema_version table); create it with '${admin}'`;
  const [fMajor, fMinor] = found;
  if (fMajor === major && fMinor === minor) return undefined;
  if (fMajor < major || (fMajor === major && fMinor < minor)) {
    return `${where} has schema version ${fMajor}.${fMinor}; weka speaks Kea 2.2's ${want}: run '${admin}'`;
  }
  return `${where} has schema version ${fMajor}.${fMinor}, newer than Kea 2.2's ${want} that weka speaks: ` +
    `use it with the Kea that made it, or a database at version ${want}`;
}

/** Reads `schema_version` (undefined when the table is missing). */
export async function readSchemaVersion(sql: SqlDb): Promise<[number, number] | undefined> {
  try {
    const rows = await sql.query("SELECT version, minor FROM schema_version");
    if (!rows.length) return undefined;
    return [Number(rows[0].version), Number(rows[0].minor)];
  } catch (e) {
    if (/schema_version/.test(String((e as Error).message))) return undefined;
    throw e;
  }
}

/**
 * Opens a pool of `connections` to `db` and checks its schema; throws (closing the pool) with an operator's
 * message when it cannot connect or the schema is not Kea 2.2's.
 */
export async function openSqlDb(db: DbAccess, connections = 4): Promise<SqlDb> {
  // the drivers are loaded only when a SQL database is configured: a router on Deno KV does not carry them
  // (mysql2 alone is some 100 modules; `deno task bench:footprint` counts them)
  const sql = db.type === "postgresql"
    ? (await import("./sql_pg.ts")).openPg(db, connections)
    : (await import("./sql_mysql.ts")).openMysql(db, connections);
  try {
    const problem = schemaProblem(db, await readSchemaVersion(sql));
    if (problem) throw new Error(problem);
    return sql;
  } catch (e) {
    await sql.close().catch(() => {});
    throw e;
  }
}
