/**
 * The PostgreSQL side of sql_db.ts over the `postgres` npm driver (porsager): a small pool, prepared statements,
 * and the statements of one transaction pipelined on one connection (sent without waiting for each answer), so a
 * group commit costs about one round trip whatever its size. Kea's connection parameters: `host` (a path is a
 * socket directory, as libpq takes it), `port`, `user`, `password`, `name`, `connect-timeout`, and TLS
 * (`trust-anchor`, `cert-file`, `key-file`, `cipher-list`) as Kea's PgSqlConnection passes them to libpq.
 */
import postgres from "postgres";
import { Buffer } from "node:buffer";
import { readFileSync } from "node:fs";
import { checkServerIdentity, type PeerCertificate } from "node:tls";
import type { DbAccess } from "../config/model.ts";
import {
  Bytes,
  type SqlDb,
  type SqlDialect,
  type SqlResult,
  type SqlRow,
  type SqlStmt,
  type SqlValue,
  withDeadline,
} from "./sql_db.ts";

/**
 * A PostgreSQL array literal of elements that need no escaping beyond their quotes (digits, `\\x` + hex), passed as
 * one untyped parameter that the statement casts (the driver would type an array of byte buffers as one bytea).
 */
function arrayLiteral(elements: string[]): string {
  return `{${elements.map((e) => `"${e}"`).join(",")}}`;
}

const PG: SqlDialect = {
  name: "postgresql",
  ts: (p) => `to_timestamp(${p})`,
  epoch: (c) => `extract(epoch from ${c})::bigint`,
  hex: (c) => `encode(${c}, 'hex')`,
  text: (c) => c,
  nz: (c) => `coalesce(${c}, ''::bytea)`,
  anyOf: (c, vals) => {
    if (vals[0] instanceof Bytes) {
      return {
        text: `${c} = ANY(CAST(? AS bytea[]))`,
        params: [arrayLiteral(vals.map((v) => `\\\\x${(v as Bytes).hex}`))],
      };
    }
    if (typeof vals[0] === "string") {
      if (!vals.every((v) => typeof v === "string" && /^[0-9A-Za-z:.]+$/.test(v))) throw new Error("not key text");
      return { text: `${c} = ANY(CAST(? AS text[]))`, params: [arrayLiteral(vals as string[])] };
    }
    return { text: `${c} = ANY(CAST(? AS bigint[]))`, params: [arrayLiteral(vals.map((v) => String(Number(v))))] };
  },
  insertOrNothing: { head: "INSERT INTO", tail: " ON CONFLICT DO NOTHING" },
  absentIsNull: false,
  readText: (v) => (v === null || v === undefined ? "" : String(v)),
};

/** `?` placeholders → `$1, $2, …` (statement texts here never hold a literal `?`). */
function numbered(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}

function param(v: SqlValue): unknown {
  return v instanceof Bytes ? Buffer.from(v.hex, "hex") : v;
}

const ROLLBACK = Symbol("rollback");

/**
 * Opens a pool of `max` connections to the PostgreSQL database `db` (connections are made on first use).
 * `tcp-user-timeout` (Kea passes it to libpq, which sets TCP_USER_TIMEOUT on the socket) cannot be set on a Deno
 * socket, so it bounds how long a statement may wait for the server's answer instead: past it the pool is dropped
 * and a new one made (the statement fails as a lost connection, `on-fail` decides). Kea's PostgreSQL backend has no
 * read/write timeouts: `read-timeout` and `write-timeout` are MySQL's (sql_mysql.ts) and not used here.
 */
export function openPg(db: DbAccess, max = 4): SqlDb {
  const socket = db.host.startsWith("/");
  const ssl = db.trustAnchor || db.certFile || db.keyFile
    ? {
      ...(db.trustAnchor ? { ca: readFileSync(db.trustAnchor) } : {}),
      ...(db.certFile ? { cert: readFileSync(db.certFile) } : {}),
      ...(db.keyFile ? { key: readFileSync(db.keyFile) } : {}),
      ...(db.cipherList ? { ciphers: db.cipherList } : {}),
      // the certificate must name the host as configured (a name or an IP address in its subjectAltName, libpq's
      // verify-full); Deno's TLS would otherwise check an IP host against "localhost"
      checkServerIdentity: (_: string, cert: PeerCertificate) => checkServerIdentity(db.host, cert),
    }
    : false;
  const connect = () =>
    postgres({
      ...(socket ? { path: `${db.host}/.s.PGSQL.${db.port}` } : { host: db.host, port: db.port }),
      database: db.name,
      ...(db.user !== undefined ? { username: db.user } : {}),
      ...(db.password !== undefined ? { password: db.password } : {}),
      max,
      connect_timeout: db.connectTimeout || 30,
      idle_timeout: 0,
      ssl,
      onnotice: () => {},
      prepare: true,
    });
  let sql = connect();
  /** a statement got no answer in time: the pool may hold a dead socket, so it is replaced */
  const drop = () => {
    const old = sql;
    sql = connect();
    old.end({ timeout: 0 }).catch(() => {});
  };
  const deadline = <T>(p: Promise<T>) => withDeadline(p, socket ? 0 : db.tcpUserTimeout, "tcp-user-timeout", drop);
  return {
    dialect: PG,
    kind: "postgresql",
    async query(text: string, params: SqlValue[] = [], prepare = true): Promise<SqlRow[]> {
      // deno-lint-ignore no-explicit-any
      const rows = await deadline(sql.unsafe(numbered(text), params.map(param) as any[], { prepare }).execute());
      return rows as unknown as SqlRow[];
    },
    async transact(stmts: SqlStmt[], keep: (results: SqlResult[]) => boolean) {
      let results: SqlResult[] = [];
      try {
        await deadline(sql.begin(async (tx) => {
          const got = await Promise.all(
            // deno-lint-ignore no-explicit-any
            stmts.map((s) => tx.unsafe(numbered(s.text), s.params.map(param) as any[], { prepare: true })),
          );
          results = got.map((r) => ({ count: r.count ?? 0, rows: [...r] as unknown as SqlRow[] }));
          if (!keep(results)) throw ROLLBACK;
        }));
        return { results, committed: true };
      } catch (e) {
        if (e === ROLLBACK) return { results, committed: false };
        throw e;
      }
    },
    close: () => sql.end({ timeout: 5 }),
  };
}
