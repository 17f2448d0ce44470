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
import { batchSql, type BatchTable, type Field } from "./sql_batch.ts";
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

const f = (name: string, kind: Field["kind"]): Field => ({ name, kind });
const PRE4 = [f("pex", "int"), f("phw", "bytes")];

/** lease4 for the multi-row writes (sql_batch.ts): the fields of `values`, the pre-image of `preImage`. */
export const LEASE4_BATCH: BatchTable = {
  table: "lease4",
  key: { column: "address", field: f("a", "int") },
  columns: [
    "hwaddr",
    "client_id",
    "valid_lifetime",
    "expire",
    "subnet_id",
    "fqdn_fwd",
    "fqdn_rev",
    "hostname",
    "state",
    "user_context",
  ],
  fields: [
    f("hw", "bytes"),
    f("cid", "bytes"),
    f("vl", "int"),
    f("ex", "ts"),
    f("sid", "int"),
    f("ff", "bool"),
    f("fr", "bool"),
    f("hn", "text"),
    f("st", "int"),
    f("uc", "text"),
  ],
  pre: {
    fields: PRE4,
    // expire compared as unix seconds: an indexable `t.expire = …` lets PostgreSQL's cached plan pick the expire
    // index (thousands of leases share a second) instead of the primary key
    where: (d, v) => `${d.epoch("t.expire")} = v.pex AND ${d.nz("t.hwaddr")} = ${v(PRE4[1])}`,
  },
};

/** The statements of `lease4`. */
export function lease4Sql(d: SqlDialect) {
  const cols = columns4(d);
  const batch = batchSql(d, LEASE4_BATCH);
  const pre = (l: Lease4): SqlValue[] => [expireOf(l), Bytes.fromColon(l.hwaddr)];
  const rows = (inserts: Lease4[], updates: [Lease4, Lease4][], deletes: Lease4[]) => ({
    ins: inserts.map((l) => [l.address, ...values(l, d)]),
    upd: updates.map(([post, p]) => [post.address, ...values(post, d), ...pre(p)]),
    del: deletes.map((p) => [p.address, ...pre(p)]),
  });
  return {
    /** a group's changes as at most three multi-row statements (sql_batch.ts) */
    batch(inserts: Lease4[], updates: [Lease4, Lease4][], deletes: Lease4[]): SqlStmt[] {
      const r = rows(inserts, updates, deletes), out: SqlStmt[] = [];
      if (r.ins.length) out.push(batch.insert(r.ins));
      if (r.upd.length) out.push(batch.update(r.upd));
      if (r.del.length) out.push(batch.del(r.del));
      return out;
    },
    /** PostgreSQL: the group's changes as one all-or-nothing statement (sql_batch.ts atomic) */
    atomic(inserts: Lease4[], updates: [Lease4, Lease4][], deletes: Lease4[]): SqlStmt {
      const r = rows(inserts, updates, deletes);
      return batch.atomic(r.ins, r.upd, r.del);
    },
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
     * kind joined by UNION ALL, so each uses its own index (an OR across columns makes PostgreSQL scan the table);
     * a row may come twice. On PostgreSQL the text depends only on which kinds are present (prepared once).
     */
    byKeys(addresses: readonly number[], hws: readonly string[], cids: readonly string[]): SqlStmt {
      const parts: string[] = [], params: SqlValue[] = [];
      const list = (col: string, vals: readonly (number | Bytes)[]) => {
        if (vals.length === 0) return;
        const any = d.anyOf(col, vals);
        parts.push(`SELECT ${cols} FROM lease4 WHERE ${any.text}`);
        params.push(...any.params);
      };
      list("address", addresses);
      list("hwaddr", hws.filter((h) => h).map(Bytes.fromColon));
      list("client_id", cids.filter((c) => c).map(Bytes.fromColon));
      return { text: parts.join(" UNION ALL ") || `SELECT ${cols} FROM lease4 WHERE address < 0`, params };
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
