/**
 * Compiles Kea's database access maps (`lease-database` of type postgresql/mysql, `hosts-database`,
 * `hosts-databases`) into model.ts's DbAccess with Kea 2.2's defaults (defaults.ts DB_ACCESS_DEFAULTS), and the
 * one-line description of a database that logs and reload checks use (never the password).
 */

import { DB_ACCESS_DEFAULTS } from "./defaults.ts";
import type { DbAccess } from "./model.ts";
import type { HostsDatabaseIn, LeaseDatabaseIn } from "./schema_db.ts";

/** A validated SQL database map (the schema guarantees a name for the SQL types) → DbAccess. */
export function compileDbAccess(d: LeaseDatabaseIn | HostsDatabaseIn): DbAccess {
  const type = d.type as DbAccess["type"];
  const D = DB_ACCESS_DEFAULTS;
  return {
    type,
    name: d.name!,
    host: d.host || D.host,
    port: d.port || D.port[type],
    ...(d.user !== undefined ? { user: d.user } : {}),
    ...(d.password !== undefined ? { password: d.password } : {}),
    connectTimeout: d["connect-timeout"] ?? D["connect-timeout"],
    readTimeout: d["read-timeout"] ?? D["read-timeout"],
    writeTimeout: d["write-timeout"] ?? D["write-timeout"],
    tcpUserTimeout: d["tcp-user-timeout"] ?? D["tcp-user-timeout"],
    maxReconnectTries: d["max-reconnect-tries"] ?? D["max-reconnect-tries"],
    reconnectWaitTime: d["reconnect-wait-time"] ?? D["reconnect-wait-time"],
    onFail: d["on-fail"] ?? D["on-fail"],
    readonly: "readonly" in d ? d.readonly ?? false : false,
    ...(d["trust-anchor"] !== undefined ? { trustAnchor: d["trust-anchor"] } : {}),
    ...(d["cert-file"] !== undefined ? { certFile: d["cert-file"] } : {}),
    ...(d["key-file"] !== undefined ? { keyFile: d["key-file"] } : {}),
    ...(d["cipher-list"] !== undefined ? { cipherList: d["cipher-list"] } : {}),
  };
}

/** `postgresql://kea@db.example:5432/kea`: which database, without the password (logs, reload comparison). */
export function describeDb(db: DbAccess): string {
  return `${db.type}://${db.user ? `${db.user}@` : ""}${db.host}:${db.port}/${db.name}`;
}

/** The host databases of a server map: `hosts-database`, then the entries of `hosts-databases` (Kea's order). */
export function compileHostsDbs(single?: HostsDatabaseIn, list?: HostsDatabaseIn[]): DbAccess[] {
  return [...(single ? [single] : []), ...(list ?? [])].map(compileDbAccess);
}
