/**
 * Compiles Kea's database access maps (`lease-database` of type postgresql/mysql, `hosts-database`,
 * `hosts-databases`) into model.ts's DbAccess with Kea 2.2's defaults (defaults.ts DB_ACCESS_DEFAULTS), and the
 * one-line description of a database that logs and reload checks use (never the password).
 */

import { DB_ACCESS_DEFAULTS } from "./defaults.ts";
import type { JsonPath, Problems } from "./errors.ts";
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
    ...(d["ssl-mode"] !== undefined ? { sslMode: d["ssl-mode"] } : {}),
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

/**
 * What weka does with Kea's `ssl-mode` (Kea ≥ 2.7; libpq's sslmode, PostgreSQL only) of each database map of a
 * server (`lease-database`, `hosts-database`, `hosts-databases` entries under `root`). weka's PostgreSQL client uses
 * TLS exactly when a `trust-anchor`, `cert-file` or `key-file` is given, and then verifies the server's certificate
 * and host name (verify-full). So `verify-full` with a trust anchor, and `disable` without TLS files, are what weka
 * does; `verify-ca` is accepted with a notice (weka checks the host name too); `prefer` and `require` without a
 * trust anchor (TLS without verification) and `disable` beside TLS files are refused; MySQL ignores `ssl-mode`, as
 * Kea's MySQL backend does, with a notice.
 */
export function checkSslModes(
  d: { "lease-database"?: LeaseDatabaseIn; "hosts-database"?: HostsDatabaseIn; "hosts-databases"?: HostsDatabaseIn[] },
  root: string,
  problems: Problems,
): void {
  const maps: [JsonPath, LeaseDatabaseIn | HostsDatabaseIn | undefined][] = [
    [[root, "lease-database"], d["lease-database"]],
    [[root, "hosts-database"], d["hosts-database"]],
    ...(d["hosts-databases"] ?? []).map((h, i): [JsonPath, HostsDatabaseIn] => [[root, "hosts-databases", i], h]),
  ];
  for (const [path, m] of maps) {
    const mode = m?.["ssl-mode"];
    if (!m || mode === undefined) continue;
    const at = [...path, "ssl-mode"];
    const tls = m["trust-anchor"] !== undefined || m["cert-file"] !== undefined || m["key-file"] !== undefined;
    if (m.type === "mysql") {
      problems.info(at, "ssl-mode is PostgreSQL's: Kea's MySQL backend ignores it, and so does weka");
    } else if (mode === "disable") {
      if (tls) {
        problems.add(
          at,
          "ssl-mode 'disable' beside trust-anchor/cert-file/key-file: weka uses TLS whenever these are given; remove either",
        );
      }
    } else if (!tls) {
      problems.add(
        at,
        mode === "verify-ca" || mode === "verify-full"
          ? `ssl-mode '${mode}' needs 'trust-anchor' (the CA that signs the server's certificate)`
          : `ssl-mode '${mode}' (TLS without a trust anchor) is not supported by weka: give 'trust-anchor' ` +
            "(weka then verifies the certificate and host name, verify-full) or use 'disable'",
      );
    } else if (mode !== "verify-full") {
      problems.info(
        at,
        `weka's PostgreSQL TLS always verifies the server's certificate and its host name ('verify-full'), ` +
          `which is at least what ssl-mode '${mode}' asks`,
      );
    }
  }
}
