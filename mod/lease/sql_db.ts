/**
 * The SQL connection the lease and host stores use, whatever the backend (Kea's PostgreSQL and MySQL backends,
 * pgsql_lease_mgr.cc / mysql_lease_mgr.cc, on the schema `kea-admin db-init` creates). Statements are written once
 * with `?` placeholders and the few spellings that differ come from the dialect (`SqlDialect`); binary columns are
 * passed as `Bytes` and read back as hex text, so identifiers and hostnames keep their exact bytes, as Kea stores
 * them. `transact` runs a group of statements in one transaction and lets the caller commit or roll back after
 * seeing how many rows each statement touched (the conditional writes of the group commit, sql_commit.ts).
 */

/** A binary value (hardware address, client identifier, DUID) as lower-case hex without separators. */
export class Bytes {
  constructor(readonly hex: string) {}
  /** From Kea's colon-hex text ("aa:bb:cc"; "" = empty). */
  static fromColon(s: string): Bytes {
    return new Bytes(s.replaceAll(":", "").toLowerCase());
  }
}

/** A statement parameter. */
export type SqlValue = string | number | boolean | null | Bytes;

/** One statement with its parameters. */
export interface SqlStmt {
  text: string;
  params: SqlValue[];
}

/** A result row, keyed by the (aliased) column names of the statement. */
export type SqlRow = Record<string, unknown>;

/** What one statement of a transaction did: rows affected, rows returned. */
export interface SqlResult {
  count: number;
  rows: SqlRow[];
}

/** How the two backends spell what differs (epoch ↔ timestamp, bytes → hex text). */
export interface SqlDialect {
  name: "postgresql" | "mysql";
  /** a timestamp column/expression from a unix-seconds parameter placeholder */
  ts(placeholder: string): string;
  /** unix seconds (integer) of a timestamp column */
  epoch(column: string): string;
  /** the hex text of a binary column ('' for empty, NULL stays NULL) */
  hex(column: string): string;
  /** a text column as read (PostgreSQL: the text; MySQL: its bytes as hex, decoded by `readText`) */
  text(column: string): string;
  /** a binary column with NULL read as empty (pre-image comparisons) */
  nz(column: string): string;
  /**
   * `column` equal to one of `values` (integers, `Bytes` for a binary column, or key text made only of letters,
   * digits, ':' and '.', such as an IPv6 address): PostgreSQL one array parameter
   * (`= ANY`, the same text whatever the count: prepared once); MySQL an IN list.
   */
  anyOf(column: string, values: readonly (number | string | Bytes)[]): { text: string; params: SqlValue[] };
  /** "INSERT INTO" that does nothing when the key exists, and its tail */
  insertOrNothing: { head: string; tail: string };
  /** whether Kea's backend stores an absent identifier / user-context as NULL (MySQL) rather than empty (PostgreSQL) */
  absentIsNull: boolean;
  /** a value of `text(column)` back to its string */
  readText(v: unknown): string;
}

/** The error of a lost or refused connection (drives on-fail and reconnection; sql_failover.ts). */
export class SqlConnectionError extends Error {
  override name = "SqlConnectionError";
}

/** A pooled connection to one database. */
export interface SqlDb {
  readonly dialect: SqlDialect;
  readonly kind: "postgresql" | "mysql";
  /** runs one statement, returns its rows; `prepare` false for texts built per call (IN lists) */
  query(text: string, params?: SqlValue[], prepare?: boolean): Promise<SqlRow[]>;
  /**
   * Runs `stmts` in one transaction (sent together: one round trip where the driver allows), then commits when
   * `keep(results)` is true, else rolls back. A result is the rows a statement affected (`count`) and the rows it
   * returned (PostgreSQL's `RETURNING`; always empty on MySQL).
   */
  transact(
    stmts: SqlStmt[],
    keep: (results: SqlResult[]) => boolean,
  ): Promise<{ results: SqlResult[]; committed: boolean }>;
  close(): Promise<void>;
}

const utf8 = new TextDecoder();

/** Hex text → the UTF-8 string its bytes spell (MySQL text columns are read as hex to keep Kea's bytes). */
export function hexToText(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = String(v);
  const b = new Uint8Array(s.length >> 1);
  for (let i = 0; i < b.length; i++) b[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return utf8.decode(b);
}

/** Hex text ("aabbcc") → Kea's colon-hex ("aa:bb:cc"); NULL and empty → "". */
export function hexToColon(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = String(v).toLowerCase();
  return s.replace(/(..)(?!$)/g, "$1:");
}

/**
 * `p`, or a SqlConnectionError when no answer came within `seconds` (0: no deadline); `onTimeout` then drops the
 * connection the statement was on (Kea: a timed-out read or write is a lost connection, then `on-fail`).
 */
export function withDeadline<T>(p: Promise<T>, seconds: number, what: string, onTimeout: () => void): Promise<T> {
  if (!seconds) return p;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new SqlConnectionError(`no answer from the database within ${seconds} s (${what})`));
    }, seconds * 1000);
  });
  p.catch(() => {}); // the loser of the race must not become an unhandled rejection
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** Whether a driver error means the connection is gone (rather than a refused statement). */
export function isConnectionLoss(e: unknown): boolean {
  if (e instanceof SqlConnectionError) return true;
  const err = e as { code?: unknown; errno?: unknown; message?: unknown };
  const code = String(err?.code ?? "");
  if (
    /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH|CONNECTION_|PROTOCOL_CONNECTION_LOST)/.test(code)
  ) {
    return true;
  }
  if (/^(57P01|57P02|57P03|08)/.test(code)) return true; // PostgreSQL admin shutdown, cannot connect, connection class
  const msg = String(err?.message ?? "");
  return /connection (refused|reset|closed|lost|terminated|ended)|Connection lost|write after end|ECONNREFUSED/i
    .test(msg);
}

/** Whether a driver error is a transient conflict worth retrying the transaction (deadlock, serialization). */
export function isRetryable(e: unknown): boolean {
  const err = e as { code?: unknown; errno?: unknown };
  const code = String(err?.code ?? "");
  return code === "40P01" || code === "40001" || code === "ER_LOCK_DEADLOCK" || code === "ER_LOCK_WAIT_TIMEOUT" ||
    err?.errno === 1213 || err?.errno === 1205;
}
