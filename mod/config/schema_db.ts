/**
 * The valibot schemas of Kea's database access maps: `lease-database`, `hosts-database` and each entry of
 * `hosts-databases` (Kea's DbAccessParser, database_connection.cc; ARM "Lease Storage" and "Hosts Storage"). The
 * `memfile` lease backend and weka's own `kv` keep their keys; `postgresql` and `mysql` take Kea's connection
 * parameters: `name`, `host`, `port`, `user`, `password`, `connect-timeout`, `read-timeout`, `write-timeout`,
 * `tcp-user-timeout`, `max-reconnect-tries`, `reconnect-wait-time`, `on-fail`, `trust-anchor`, `cert-file`,
 * `key-file`, `cipher-list`, `ssl-mode`, `retry-on-startup` (false only) (and `readonly` for host databases). A SQL database must have a `name`, as Kea requires.
 */

import * as v from "valibot";
import { annotations, bool, str, strictMap, uint32 } from "./schema_common.ts";

/** Kea's `on-fail` values (database_connection.h: OnFailAction). */
export const ON_FAIL = ["stop-retry-exit", "serve-retry-exit", "serve-retry-continue"] as const;

/** Kea's `ssl-mode` values (libpq's sslmode; Kea ≥ 2.7, PostgreSQL only). */
export const SSL_MODES = ["disable", "prefer", "require", "verify-ca", "verify-full"] as const;

/** A TCP port number. */
const port = v.pipe(uint32, v.maxValue(65535, "must be at most 65535"));

/** The connection keys Kea's DbAccessParser accepts for a SQL backend. */
const connectionParams = {
  // Kea 2.2's DbAccessParser takes an empty name (the client library then uses its default database)
  name: v.optional(str),
  host: v.optional(str),
  port: v.optional(port),
  user: v.optional(str),
  password: v.optional(str),
  "connect-timeout": v.optional(uint32),
  "read-timeout": v.optional(uint32),
  "write-timeout": v.optional(uint32),
  "tcp-user-timeout": v.optional(uint32),
  "max-reconnect-tries": v.optional(uint32),
  "reconnect-wait-time": v.optional(uint32),
  "on-fail": v.optional(v.picklist(ON_FAIL, `must be one of ${ON_FAIL.map((s) => `"${s}"`).join(", ")}`)),
  "trust-anchor": v.optional(str),
  "cert-file": v.optional(str),
  "key-file": v.optional(str),
  "cipher-list": v.optional(str),
  /** Kea ≥ 2.7 (PostgreSQL): libpq's sslmode — disable, prefer, require, verify-ca, verify-full */
  "ssl-mode": v.optional(v.picklist(SSL_MODES, `must be one of ${SSL_MODES.map((s) => `"${s}"`).join(", ")}`)),
  /** Kea ≥ 2.5: keep retrying a database unreachable at start-up (false, the default: start-up fails) */
  "retry-on-startup": v.optional(v.pipe(
    bool,
    v.check(
      (r) => !r,
      "'retry-on-startup: true' is not supported by weka yet: set it to false (Kea's default: a database that " +
        "cannot be reached at start-up is a start-up failure)",
    ),
  )),
};

const isSql = (t: string) => t === "postgresql" || t === "mysql";

/** A SQL database must name its database (Kea: "name is mandatory"). */
const sqlNeedsName = <T extends { type: string; name?: string }>(d: T) => !isSql(d.type) || d.name !== undefined;

/** The `lease-database` map. */
export const leaseDatabase = v.pipe(
  strictMap({
    type: v.pipe(
      str,
      v.check(
        (t) => t === "memfile" || t === "kv" || isSql(t),
        (i) =>
          `lease database type '${i.input}' is not supported by weka (use "memfile", "kv", "postgresql" or "mysql")`,
      ),
    ),
    persist: v.optional(bool),
    "lfc-interval": v.optional(uint32),
    "max-row-errors": v.optional(uint32),
    ...connectionParams,
    ...annotations,
  }, "must be a map"),
  v.check(sqlNeedsName, "a postgresql or mysql lease database needs a 'name' (the database to use)"),
);

/** One host database (`hosts-database`, or an entry of `hosts-databases`). */
export const hostsDatabase = v.pipe(
  strictMap({
    type: v.picklist(["postgresql", "mysql"], 'host database type must be "postgresql" or "mysql"'),
    readonly: v.optional(bool),
    ...connectionParams,
    ...annotations,
  }, "must be a map"),
  v.check(sqlNeedsName, "a host database needs a 'name' (the database to use)"),
);

/**
 * One entry of `config-control.config-databases` (Kea's configuration backend: a MySQL or PostgreSQL database the
 * server reads its subnets, options and classes from). weka accepts it with a warning and does not read it
 * (compile_server.ts), so only its shape is checked.
 */
export const configDatabase = strictMap({
  type: v.picklist(["postgresql", "mysql"], 'configuration backend type must be "mysql" or "postgresql"'),
  ...connectionParams,
  ...annotations,
}, "must be a map");

/** `hosts-databases`: a list of host databases, searched in order. */
export const hostsDatabaseList = v.array(hostsDatabase, "must be a list");

export type LeaseDatabaseIn = v.InferOutput<typeof leaseDatabase>;
export type HostsDatabaseIn = v.InferOutput<typeof hostsDatabase>;
