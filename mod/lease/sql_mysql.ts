/**
 * The MySQL/MariaDB side of sql_db.ts over the `mysql2` npm driver: a small pool with Kea's session settings
 * (CLIENT_FOUND_ROWS, as Kea's MySqlConnection sets it, so an UPDATE that rewrites a row with equal values still
 * counts it), and the statements of one transaction sent as one multi-statement text (one round trip), each
 * statement's affected-row count read back from its own result. Values are inlined as literals this file makes:
 * numbers checked finite, every byte value and every string as a hex literal (`X'…'`) except text made only of
 * letters, digits, ':' and '.' (addresses: a quoted literal, which the column's index serves), so no client text is
 * ever parsed as SQL whatever the server's sql_mode. Kea's parameters: `host` (a path is a unix socket), `port`, `user`,
 * `password`, `name`, `connect-timeout`, and TLS (`trust-anchor`, `cert-file`, `key-file`, `cipher-list`).
 */
import mysql from "mysql2/promise";
import { Buffer } from "node:buffer";
import { readFileSync } from "node:fs";
import type { DbAccess } from "../config/model.ts";
import {
  Bytes,
  hexToText,
  type SqlDb,
  type SqlDialect,
  type SqlResult,
  type SqlRow,
  type SqlStmt,
  type SqlValue,
  withDeadline,
} from "./sql_db.ts";

const MY: SqlDialect = {
  name: "mysql",
  ts: (p) => `FROM_UNIXTIME(${p})`,
  epoch: (c) => `UNIX_TIMESTAMP(${c})`,
  hex: (c) => `LOWER(HEX(${c}))`,
  text: (c) => `HEX(${c})`,
  nz: (c) => `IFNULL(${c}, X'')`,
  anyOf: (c, vals) => ({ text: `${c} IN (${vals.map(() => "?").join(", ")})`, params: [...vals] }),
  insertOrNothing: { head: "INSERT IGNORE INTO", tail: "" },
  absentIsNull: true,
  readText: hexToText,
};

const enc = new TextEncoder();

/** One value as a SQL literal (hex for every string: see the file comment). */
export function literal(v: SqlValue): string {
  if (v === null) return "NULL";
  if (typeof v === "boolean") return v ? "1" : "0";
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new Error(`cannot store the number ${v}`);
    return String(v);
  }
  // key text (an IPv6 address) as a plain literal, so the comparison with the column uses its index
  if (typeof v === "string" && /^[0-9A-Za-z:.]*$/.test(v)) return `'${v}'`;
  const hex = v instanceof Bytes ? v.hex : Buffer.from(enc.encode(v)).toString("hex");
  if (!/^[0-9a-f]*$/.test(hex)) throw new Error("a binary value is not hex");
  return `X'${hex}'`;
}

/** `?` placeholders replaced by literals. */
export function inline(text: string, params: SqlValue[]): string {
  let i = 0;
  const out = text.replace(/\?/g, () => literal(params[i++]));
  if (i !== params.length) throw new Error(`statement has ${i} placeholder(s) for ${params.length} value(s)`);
  return out;
}

type Header = { affectedRows: number };

/**
 * Opens a pool of `max` connections to the MySQL/MariaDB database `db` (connections are made on first use).
 * `read-timeout` and `write-timeout` bound each statement's answer (see `timed`); `tcp-user-timeout` is
 * PostgreSQL's (Kea's MySQL backend does not use it either).
 */
export function openMysql(db: DbAccess, max = 4): SqlDb {
  const ssl = db.trustAnchor || db.certFile || db.keyFile
    ? {
      ...(db.trustAnchor ? { ca: readFileSync(db.trustAnchor) } : {}),
      ...(db.certFile ? { cert: readFileSync(db.certFile) } : {}),
      ...(db.keyFile ? { key: readFileSync(db.keyFile) } : {}),
      ...(db.cipherList ? { ciphers: db.cipherList } : {}),
    }
    : undefined;
  const pool = mysql.createPool({
    ...(db.host.startsWith("/") ? { socketPath: db.host } : { host: db.host, port: db.port }),
    database: db.name,
    ...(db.user !== undefined ? { user: db.user } : {}),
    ...(db.password !== undefined ? { password: db.password } : {}),
    connectionLimit: max,
    multipleStatements: true,
    flags: ["FOUND_ROWS"],
    connectTimeout: (db.connectTimeout || 30) * 1000,
    supportBigNumbers: true,
    ...(ssl ? { ssl } : {}),
  });
  // an idle connection that dies emits 'error' on the pool's connection; the next query reconnects
  pool.on("connection", (c) => c.on("error", () => {}));
  // Kea sets MYSQL_OPT_READ_TIMEOUT / WRITE_TIMEOUT, which libmysqlclient tries 3 and 2 times: a statement whose
  // answer takes longer than that is a lost connection (the connection is destroyed; on-fail decides)
  const limit = 3 * db.readTimeout + 2 * db.writeTimeout;
  const timed = <T>(p: Promise<T>, lost: () => void) => withDeadline(p, limit, "read-timeout/write-timeout", lost);
  return {
    dialect: MY,
    kind: "mysql",
    async query(text: string, params: SqlValue[] = []): Promise<SqlRow[]> {
      const conn = await pool.getConnection();
      let broken = false;
      try {
        const [rows] = await timed(conn.query(inline(text, params)), () => (broken = true, conn.destroy()));
        return rows as SqlRow[];
      } finally {
        if (!broken) conn.release();
      }
    },
    async transact(stmts: SqlStmt[], keep: (results: SqlResult[]) => boolean) {
      const conn = await pool.getConnection();
      let broken = false;
      const lost = () => (broken = true, conn.destroy());
      try {
        const text = ["START TRANSACTION", ...stmts.map((s) => inline(s.text, s.params))].join(";\n");
        const [res] = await timed(conn.query(text), lost);
        const results = (res as Header[]).slice(1).map((h) => ({ count: h.affectedRows, rows: [] }));
        const committed = keep(results);
        await timed(conn.query(committed ? "COMMIT" : "ROLLBACK"), lost);
        return { results, committed };
      } catch (e) {
        if (!broken) {
          try {
            await timed(conn.query("ROLLBACK"), lost);
          } catch {
            if (!broken) conn.destroy();
            broken = true;
          }
        }
        throw e;
      } finally {
        if (!broken) conn.release();
      }
    },
    close: () => pool.end(),
  };
}
