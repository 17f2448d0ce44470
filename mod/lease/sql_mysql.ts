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

/** Opens a pool of `max` connections to the MySQL/MariaDB database `db` (connections are made on first use). */
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
  return {
    dialect: MY,
    kind: "mysql",
    async query(text: string, params: SqlValue[] = []): Promise<SqlRow[]> {
      const [rows] = await pool.query(inline(text, params));
      return rows as SqlRow[];
    },
    async transact(stmts: SqlStmt[], keep: (results: SqlResult[]) => boolean) {
      const conn = await pool.getConnection();
      let broken = false;
      try {
        const text = ["START TRANSACTION", ...stmts.map((s) => inline(s.text, s.params))].join(";\n");
        const [res] = await conn.query(text);
        const results = (res as Header[]).slice(1).map((h) => ({ count: h.affectedRows, rows: [] }));
        const committed = keep(results);
        await conn.query(committed ? "COMMIT" : "ROLLBACK");
        return { results, committed };
      } catch (e) {
        try {
          await conn.query("ROLLBACK");
        } catch {
          broken = true;
        }
        throw e;
      } finally {
        if (broken) conn.destroy();
        else conn.release();
      }
    },
    close: () => pool.end(),
  };
}
