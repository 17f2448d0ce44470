/**
 * Kea's `lease4` table (schema of `kea-admin db-init`, Kea 2.2: pgsql 13.0, mysql 14.0) as weka reads and writes
 * it, field for field as Kea's PgSqlLease4Exchange / MySqlLease4Exchange do: `address` the u32, `hwaddr` and
 * `client_id` the raw bytes (absent: empty on PostgreSQL, NULL on MySQL), `valid_lifetime`, `expire` = cltt +
 * valid-lft (= cltt for an infinite lease; beyond 2038-01-19 refused as Kea refuses it), `subnet_id`, `fqdn_fwd`,
 * `fqdn_rev`, `hostname`, `state`, `user_context` (JSON text; absent: empty / NULL). The 2.2 schema has no pool id.
 * The statements the store runs are built here: the conditional writes of the group commit (an INSERT that does
 * nothing when the address is taken, an UPDATE / DELETE that matches only the row's pre-image: same expire and
 * hardware address, as Kea's own `WHERE address = ? AND expire = ?`), and the reads (all, by keys, by range, expired).
 */
import { Bytes, hexToColon, type SqlDialect, type SqlRow, type SqlStmt, type SqlValue } from "./sql_db.ts";
import { INFINITE_LIFETIME, type Lease4, type LeaseState } from "./types.ts";

/** Kea's DatabaseConnection::MAX_DB_TIME: the last second a 32-bit timestamp holds. */
export const MAX_DB_TIME = 0x7fffffff;

/** The `expire` column of a lease (Kea: cltt + valid-lft; cltt alone for an infinite lease). */
export function expireOf(l: { cltt: number; validLifetime: number }): number {
  const e = l.validLifetime === INFINITE_LIFETIME ? l.cltt : l.cltt + l.validLifetime;
  if (e > MAX_DB_TIME) throw new Error(`the lease expiry ${e} is past what the database can store (${MAX_DB_TIME})`);
  return e;
}

/** The select list every read uses (aliases are what `rowToLease4` reads). */
export function columns4(d: SqlDialect): string {
  return `address AS a, ${d.hex("hwaddr")} AS hw, ${d.hex("client_id")} AS cid, valid_lifetime AS vl, ` +
    `${d.epoch("expire")} AS ex, subnet_id AS sid, fqdn_fwd AS ff, fqdn_rev AS fr, ${d.text("hostname")} AS hn, ` +
    `state AS st, ${d.text("user_context")} AS uc`;
}

/** User-context JSON text → object; empty, NULL or not a JSON object → undefined (Kea logs and ignores it too). */
export function readContext(text: string): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    const v = JSON.parse(text);
    return v && typeof v === "object" && !Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** A result row (aliases of `columns4`) → Lease4. */
export function rowToLease4(r: SqlRow, d: SqlDialect): Lease4 {
  const vl = Number(r.vl ?? 0);
  const ex = Number(r.ex ?? 0);
  const lease: Lease4 = {
    address: Number(r.a) >>> 0,
    hwaddr: hexToColon(r.hw),
    clientId: hexToColon(r.cid),
    validLifetime: vl,
    cltt: vl === INFINITE_LIFETIME ? ex : ex - vl,
    subnetId: Number(r.sid ?? 0),
    fqdnFwd: Boolean(Number(r.ff ?? 0) || r.ff === true),
    fqdnRev: Boolean(Number(r.fr ?? 0) || r.fr === true),
    hostname: d.readText(r.hn),
    state: Number(r.st ?? 0) as LeaseState,
  };
  const ctx = readContext(d.readText(r.uc));
  if (ctx) lease.userContext = ctx;
  return lease;
}

/**
 * The state column: Kea 2.2's schema knows default, declined and expired-reclaimed (its lease_state table; a
 * foreign key refuses others), and Kea 2.2 keeps a released lease as expired-reclaimed, so RELEASED is stored so.
 */
export function dbState(s: LeaseState): number {
  return s === 3 ? 2 : s;
}

function ident(d: SqlDialect, colon: string): SqlValue {
  return colon === "" && d.absentIsNull ? null : Bytes.fromColon(colon);
}

function values(l: Lease4, d: SqlDialect): SqlValue[] {
  const ctx = l.userContext ? JSON.stringify(l.userContext) : d.absentIsNull ? null : "";
  return [
    ident(d, l.hwaddr),
    ident(d, l.clientId),
    l.validLifetime,
    expireOf(l),
    l.subnetId,
    l.fqdnFwd,
    l.fqdnRev,
    l.hostname,
    dbState(l.state),
    ctx,
  ];
}

/** The pre-image condition: the row still has the expire and hardware address the engine saw. */
function preImage(pre: Lease4, d: SqlDialect): { text: string; params: SqlValue[] } {
  return {
    text: `address = ? AND expire = ${d.ts("?")} AND ${d.nz("hwaddr")} = ?`,
    params: [pre.address, expireOf(pre), Bytes.fromColon(pre.hwaddr)],
  };
}

/** The statements of `lease4`. */
export function lease4Sql(d: SqlDialect) {
  const cols = columns4(d);
  return {
    /** a new lease: inserts, or does nothing (0 rows) when the address is taken */
    insert(l: Lease4): SqlStmt {
      return {
        text: `${d.insertOrNothing.head} lease4 (address, hwaddr, client_id, valid_lifetime, expire, subnet_id, ` +
          `fqdn_fwd, fqdn_rev, hostname, state, user_context) VALUES (?, ?, ?, ?, ${d.ts("?")}, ?, ?, ?, ?, ?, ?)` +
          d.insertOrNothing.tail,
        params: [l.address, ...values(l, d)],
      };
    },
    /** a changed lease: rewrites the row only while it is still `pre` (0 rows otherwise) */
    update(post: Lease4, pre: Lease4): SqlStmt {
      const w = preImage(pre, d);
      return {
        text: `UPDATE lease4 SET hwaddr = ?, client_id = ?, valid_lifetime = ?, expire = ${d.ts("?")}, ` +
          `subnet_id = ?, fqdn_fwd = ?, fqdn_rev = ?, hostname = ?, state = ?, user_context = ? WHERE ${w.text}`,
        params: [...values(post, d), ...w.params],
      };
    },
    /** a removed lease: deletes the row only while it is still `pre` */
    del(pre: Lease4): SqlStmt {
      const w = preImage(pre, d);
      return { text: `DELETE FROM lease4 WHERE ${w.text}`, params: w.params };
    },
    all: `SELECT ${cols} FROM lease4`,
    /**
     * the rows of these addresses, hardware addresses and client identifiers (one prefetch): one SELECT per key
     * kind joined by UNION, so each uses its own index (an OR across columns makes PostgreSQL scan the table)
     */
    byKeys(addresses: readonly number[], hws: readonly string[], cids: readonly string[]): SqlStmt {
      const parts: string[] = [], params: SqlValue[] = [];
      const list = (col: string, vals: readonly SqlValue[]) => {
        if (vals.length === 0) return;
        parts.push(`SELECT ${cols} FROM lease4 WHERE ${col} IN (${vals.map(() => "?").join(", ")})`);
        params.push(...vals);
      };
      list("address", addresses);
      list("hwaddr", hws.filter((h) => h).map(Bytes.fromColon));
      list("client_id", cids.filter((c) => c).map(Bytes.fromColon));
      return { text: parts.join(" UNION ") || `SELECT ${cols} FROM lease4 WHERE address < 0`, params };
    },
    /** rows with from <= address < to */
    range: `SELECT ${cols} FROM lease4 WHERE address >= ? AND address < ?`,
    /** DEFAULT/DECLINED leases expired at a time, oldest first (Kea getExpiredLeases4), limited */
    expired: `SELECT ${cols} FROM lease4 WHERE state IN (0, 1) AND valid_lifetime != ${INFINITE_LIFETIME} ` +
      `AND expire <= ${d.ts("?")} ORDER BY expire LIMIT ?`,
    /** RELEASED/EXPIRED_RECLAIMED leases expired at a time (the flush of reclaimed leases), limited */
    reclaimed: `SELECT ${cols} FROM lease4 WHERE state IN (2, 3) AND valid_lifetime != ${INFINITE_LIFETIME} ` +
      `AND expire <= ${d.ts("?")} ORDER BY expire LIMIT ?`,
  };
}
