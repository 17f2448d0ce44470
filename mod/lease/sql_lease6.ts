/**
 * Kea's `lease6` table (schema of `kea-admin db-init`, Kea 2.2: pgsql 13.0, mysql 14.0) as weka reads and writes
 * it, field for field as Kea's PgSqlLease6Exchange / MySqlLease6Exchange do: `address` the address or prefix as
 * RFC 5952 text (the primary key), `duid` the raw bytes, `valid_lifetime`, `expire` = cltt + valid-lft (cltt for an
 * infinite lease), `subnet_id`, `pref_lifetime`, `lease_type` (0 IA_NA, 1 IA_TA, 2 IA_PD), `iaid` (PostgreSQL's INT
 * holds the 32-bit IAID as signed, as Kea's union does; MySQL's is unsigned), `prefix_len`, `fqdn_fwd`, `fqdn_rev`,
 * `hostname`, `state`, `hwaddr` with `hwtype` 1 and `hwaddr_source` 0 (unknown) when known (else, as kea-dhcp6
 * 2.2 writes it: on PostgreSQL empty bytes with type and source 0, on MySQL NULL for all three), `user_context`
 * (JSON text; absent: empty / NULL). The 2.2 schema has no pool id.
 * The conditional writes match the row's pre-image by expire and DUID, as sql_lease4.ts does by expire and
 * hardware address.
 */
import { Bytes, hexToColon, type SqlDialect, type SqlRow, type SqlStmt, type SqlValue } from "./sql_db.ts";
import { batchSql, type BatchTable, type Field } from "./sql_batch.ts";
import { dbState, expireOf, readContext } from "./sql_lease4.ts";
import { INFINITE_LIFETIME, type LeaseState } from "./types.ts";
import type { Lease6, Lease6Type } from "./types6.ts";
import { formatIpv6Big, parseIpv6Big } from "../config/addr6.ts";

/** The select list every read uses (aliases are what `rowToLease6` reads). */
export function columns6(d: SqlDialect): string {
  return `address AS a, ${d.hex("duid")} AS du, valid_lifetime AS vl, ${d.epoch("expire")} AS ex, ` +
    `subnet_id AS sid, pref_lifetime AS pl, lease_type AS lt, iaid AS ia, prefix_len AS pln, fqdn_fwd AS ff, ` +
    `fqdn_rev AS fr, ${d.text("hostname")} AS hn, state AS st, ${d.hex("hwaddr")} AS hw, ${d.text("user_context")} ` +
    `AS uc`;
}

/** The address column's text → the 128-bit address (a row whose address is not IPv6 text is refused). */
export function addressOf(text: unknown): bigint {
  const a = parseIpv6Big(String(text ?? ""));
  if (a === undefined) throw new Error(`the lease6 row's address ${JSON.stringify(text)} is not an IPv6 address`);
  return a;
}

/** A result row (aliases of `columns6`) → Lease6. */
export function rowToLease6(r: SqlRow, d: SqlDialect): Lease6 {
  const vl = Number(r.vl ?? 0);
  const ex = Number(r.ex ?? 0);
  const lease: Lease6 = {
    address: addressOf(r.a),
    prefixLen: Number(r.pln ?? 128),
    type: Number(r.lt ?? 0) as Lease6Type,
    duid: hexToColon(r.du),
    iaid: Number(r.ia ?? 0) >>> 0,
    preferredLifetime: Number(r.pl ?? 0),
    validLifetime: vl,
    cltt: vl === INFINITE_LIFETIME ? ex : ex - vl,
    subnetId: Number(r.sid ?? 0),
    fqdnFwd: Boolean(Number(r.ff ?? 0) || r.ff === true),
    fqdnRev: Boolean(Number(r.fr ?? 0) || r.fr === true),
    hostname: d.readText(r.hn),
    hwaddr: hexToColon(r.hw),
    state: Number(r.st ?? 0) as LeaseState,
  };
  const ctx = readContext(d.readText(r.uc));
  if (ctx) lease.userContext = ctx;
  return lease;
}

function bytes(d: SqlDialect, colon: string): SqlValue {
  return colon === "" && d.absentIsNull ? null : Bytes.fromColon(colon);
}

/** The column values after the address, in LEASE6_BATCH order. */
function values6(l: Lease6, d: SqlDialect): SqlValue[] {
  const ctx = l.userContext ? JSON.stringify(l.userContext) : d.absentIsNull ? null : "";
  return [
    bytes(d, l.duid),
    l.validLifetime,
    expireOf(l),
    l.subnetId,
    l.preferredLifetime,
    l.type,
    d.name === "postgresql" ? l.iaid | 0 : l.iaid >>> 0,
    l.prefixLen,
    l.fqdnFwd,
    l.fqdnRev,
    l.hostname,
    dbState(l.state),
    bytes(d, l.hwaddr),
    l.hwaddr ? 1 : d.absentIsNull ? null : 0,
    l.hwaddr || !d.absentIsNull ? 0 : null,
    ctx,
  ];
}

const COLUMNS6 = [
  "duid",
  "valid_lifetime",
  "expire",
  "subnet_id",
  "pref_lifetime",
  "lease_type",
  "iaid",
  "prefix_len",
  "fqdn_fwd",
  "fqdn_rev",
  "hostname",
  "state",
  "hwaddr",
  "hwtype",
  "hwaddr_source",
  "user_context",
];

const f = (name: string, kind: Field["kind"]): Field => ({ name, kind });
const PRE6 = [f("pex", "int"), f("pdu", "bytes")];

/** lease6 for the multi-row writes (sql_batch.ts): the fields of `values6`, the pre-image (expire, DUID). */
export const LEASE6_BATCH: BatchTable = {
  table: "lease6",
  key: { column: "address", field: f("a", "text") },
  columns: COLUMNS6,
  fields: [
    f("du", "bytes"),
    f("vl", "int"),
    f("ex", "ts"),
    f("sid", "int"),
    f("pl", "int"),
    f("lt", "int"),
    f("ia", "int"),
    f("pln", "int"),
    f("ff", "bool"),
    f("fr", "bool"),
    f("hn", "text"),
    f("st", "int"),
    f("hw", "bytes"),
    f("hwt", "int"),
    f("hws", "int"),
    f("uc", "text"),
  ],
  pre: {
    fields: PRE6,
    // expire as unix seconds: see sql_lease4.ts LEASE4_BATCH
    where: (d, v) => `${d.epoch("t.expire")} = v.pex AND ${d.nz("t.duid")} = ${v(PRE6[1])}`,
  },
};

/** The statements of `lease6`. */
export function lease6Sql(d: SqlDialect) {
  const cols = columns6(d);
  const batch = batchSql(d, LEASE6_BATCH);
  const pre = (l: Lease6): SqlValue[] => [expireOf(l), Bytes.fromColon(l.duid)];
  const rows = (inserts: Lease6[], updates: [Lease6, Lease6][], deletes: Lease6[]) => ({
    ins: inserts.map((l) => [formatIpv6Big(l.address), ...values6(l, d)]),
    upd: updates.map(([post, p]) => [formatIpv6Big(post.address), ...values6(post, d), ...pre(p)]),
    del: deletes.map((p) => [formatIpv6Big(p.address), ...pre(p)]),
  });
  const where = `address = ? AND expire = ${d.ts("?")} AND ${d.nz("duid")} = ?`;
  const list = (col: string, vals: readonly (string | Bytes)[]) => {
    const any = d.anyOf(col, vals);
    return { text: `SELECT ${cols} FROM lease6 WHERE ${any.text}`, params: any.params };
  };
  return {
    /** a group's changes as at most three multi-row statements (sql_batch.ts) */
    batch(inserts: Lease6[], updates: [Lease6, Lease6][], deletes: Lease6[]): SqlStmt[] {
      const r = rows(inserts, updates, deletes), out: SqlStmt[] = [];
      if (r.ins.length) out.push(batch.insert(r.ins));
      if (r.upd.length) out.push(batch.update(r.upd));
      if (r.del.length) out.push(batch.del(r.del));
      return out;
    },
    /** PostgreSQL: the group's changes as one all-or-nothing statement (sql_batch.ts atomic) */
    atomic(inserts: Lease6[], updates: [Lease6, Lease6][], deletes: Lease6[]): SqlStmt {
      const r = rows(inserts, updates, deletes);
      return batch.atomic(r.ins, r.upd, r.del);
    },
    /** a new lease: inserts, or does nothing (0 rows) when the address is taken */
    insert(l: Lease6): SqlStmt {
      return {
        text: `${d.insertOrNothing.head} lease6 (address, ${COLUMNS6.join(", ")}) VALUES (?, ?, ?, ${d.ts("?")}, ` +
          `?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)${d.insertOrNothing.tail}`,
        params: [formatIpv6Big(l.address), ...values6(l, d)],
      };
    },
    /** a changed lease: rewrites the row only while it is still `pre` (0 rows otherwise) */
    update(post: Lease6, p: Lease6): SqlStmt {
      const set = COLUMNS6.map((c) => `${c} = ${c === "expire" ? d.ts("?") : "?"}`).join(", ");
      return {
        text: `UPDATE lease6 SET ${set} WHERE ${where}`,
        params: [...values6(post, d), formatIpv6Big(p.address), ...pre(p)],
      };
    },
    /** a removed lease: deletes the row only while it is still `pre` */
    del(p: Lease6): SqlStmt {
      return { text: `DELETE FROM lease6 WHERE ${where}`, params: [formatIpv6Big(p.address), ...pre(p)] };
    },
    all: `SELECT ${cols} FROM lease6`,
    /**
     * the rows of these addresses and DUIDs (one prefetch), one SELECT per key kind joined by UNION ALL so each
     * uses its own index (the primary key; lease6_by_duid_iaid_subnet_id); a row may come twice
     */
    byKeys(addresses: readonly bigint[], duids: readonly string[]): SqlStmt {
      const parts: SqlStmt[] = [];
      if (addresses.length) parts.push(list("address", addresses.map(formatIpv6Big)));
      const ds = duids.filter((x) => x).map(Bytes.fromColon);
      if (ds.length) parts.push(list("duid", ds));
      if (!parts.length) return { text: `SELECT ${cols} FROM lease6 WHERE 1 = 0`, params: [] };
      return { text: parts.map((p) => p.text).join(" UNION ALL "), params: parts.flatMap((p) => p.params) };
    },
    /** DEFAULT/DECLINED leases expired at a time, oldest first (Kea getExpiredLeases6), limited */
    expired: `SELECT ${cols} FROM lease6 WHERE state IN (0, 1) AND valid_lifetime != ${INFINITE_LIFETIME} ` +
      `AND expire <= ${d.ts("?")} ORDER BY expire LIMIT ?`,
    /** RELEASED/EXPIRED_RECLAIMED leases expired at a time (the flush of reclaimed leases), limited */
    reclaimed: `SELECT ${cols} FROM lease6 WHERE state IN (2, 3) AND valid_lifetime != ${INFINITE_LIFETIME} ` +
      `AND expire <= ${d.ts("?")} ORDER BY expire LIMIT ?`,
  };
}
