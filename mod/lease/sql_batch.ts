/**
 * Multi-row conditional writes for the group commit (sql_commit.ts; issue 15 "Speed"): a group's new rows, changed
 * rows and removed rows become at most three statements instead of one statement per row, each conditional as the
 * per-row ones are (an INSERT that skips a taken key, an UPDATE / DELETE that matches only the row's pre-image).
 * Per-row statements cost the database a parse-bind-execute each; Kea's statistics triggers fire per row either way.
 *
 * The rows travel as a derived table `v`: on PostgreSQL one JSON parameter read by `json_to_recordset` (one
 * prepared text whatever the group's size; PostgreSQL answers each statement with the keys it wrote, `RETURNING`);
 * on MySQL a `SELECT … UNION ALL SELECT …` of literals (sql_mysql.ts makes every literal; MySQL answers with counts
 * only). A field is a value of one kind: `int`, `bool`, `text`, `bytes` (hex, written as the column's raw bytes),
 * `ts` (unix seconds, written as a timestamp).
 */
import { Bytes, type SqlDialect, type SqlStmt, type SqlValue } from "./sql_db.ts";

/** What a field holds (see the file comment). */
export type FieldKind = "int" | "bool" | "text" | "bytes" | "ts";

/** One field of the derived table: its name in `v` and its kind. */
export interface Field {
  name: string;
  kind: FieldKind;
}

/** One row of the derived table: a value per field (bytes as `Bytes`, `ts` as unix seconds, NULL as null). */
export type BatchRow = SqlValue[];

/** A table's multi-row statements: which columns are written from which fields, and the pre-image test. */
export interface BatchTable {
  table: string;
  /** the key column and the field holding it */
  key: { column: string; field: Field };
  /** written columns, in order, each from the field of the same position in `fields` */
  columns: string[];
  fields: Field[];
  /** the pre-image fields (after the key) and the condition on `t` (the table) and `v` they make */
  pre: { fields: Field[]; where: (d: SqlDialect, value: (f: Field) => string) => string };
}

const PG_TYPE: Record<FieldKind, string> = {
  int: "bigint",
  bool: "boolean",
  text: "text",
  bytes: "text",
  ts: "bigint",
};

/** A field of `v` as the column value it stands for. */
function valueOf(d: SqlDialect, f: Field): string {
  const ref = `v.${f.name}`;
  if (f.kind === "ts") return d.ts(ref);
  if (f.kind === "bytes" && d.name === "postgresql") return `decode(${ref}, 'hex')`; // hex text → bytea
  return ref;
}

/** The JSON form of a value (PostgreSQL): bytes as hex text. */
function jsonValue(v: SqlValue): unknown {
  return v instanceof Bytes ? v.hex : v;
}

/** The derived table `v` of `rows` over `fields`: its SQL text and parameters. */
function source(d: SqlDialect, fields: Field[], rows: BatchRow[]): { text: string; params: SqlValue[] } {
  if (d.name === "postgresql") {
    const objs = rows.map((r) => Object.fromEntries(fields.map((f, i) => [f.name, jsonValue(r[i])])));
    const cols = fields.map((f) => `${f.name} ${PG_TYPE[f.kind]}`).join(", ");
    return { text: `json_to_recordset(?::text::json) AS v(${cols})`, params: [JSON.stringify(objs)] };
  }
  const params: SqlValue[] = [];
  const selects = rows.map((r, j) => {
    params.push(...r);
    return "SELECT " + fields.map((f) => (j === 0 ? `? AS ${f.name}` : "?")).join(", ");
  });
  return { text: `(${selects.join(" UNION ALL ")}) AS v`, params };
}

/** Whether the dialect answers with the keys written (PostgreSQL `RETURNING`). */
export function returnsKeys(d: SqlDialect): boolean {
  return d.name === "postgresql";
}

/** What a failed `atomic` statement says: some row was not written (`isBatchConflict`). */
const CONFLICT_MARK = "weka: a conditional write matched no row";

/** Whether a statement failed because an `atomic` write found a row that was not its pre-image (or a taken key). */
export function isBatchConflict(e: unknown): boolean {
  return String((e as { message?: unknown })?.message ?? "").includes(CONFLICT_MARK);
}

/** The multi-row statements of a table (see the file comment). */
export function batchSql(d: SqlDialect, t: BatchTable) {
  const pg = returnsKeys(d);
  const k = t.key.column;
  const ret = (p: string) => pg ? ` RETURNING ${p}${k} AS k` : "";
  const stmts = {
    /** new rows, each inserted unless its key is taken; rows = [key, ...fields] */
    insert(rows: BatchRow[]): SqlStmt {
      const all = [t.key.field, ...t.fields];
      const src = source(d, all, rows);
      const cols = [k, ...t.columns].join(", ");
      const vals = all.map((f) => valueOf(d, f)).join(", ");
      return {
        text: `${d.insertOrNothing.head} ${t.table} (${cols}) SELECT ${vals} FROM ${src.text}` +
          (pg ? ` ON CONFLICT DO NOTHING${ret("")}` : ""),
        params: src.params,
      };
    },
    /** changed rows, each rewritten only while it is still its pre-image; rows = [key, ...fields, ...pre] */
    update(rows: BatchRow[]): SqlStmt {
      const all = [t.key.field, ...t.fields, ...t.pre.fields];
      const src = source(d, all, rows);
      const set = (p: string) => t.columns.map((c, i) => `${p}${c} = ${valueOf(d, t.fields[i])}`).join(", ");
      const match = `t.${k} = v.${t.key.field.name} AND ${t.pre.where(d, (f) => valueOf(d, f))}`;
      return {
        text: pg
          ? `UPDATE ${t.table} AS t SET ${set("")} FROM ${src.text} WHERE ${match}${ret("t.")}`
          : `UPDATE ${t.table} AS t JOIN ${src.text} ON ${match} SET ${set("t.")}`,
        params: src.params,
      };
    },
    /** removed rows, each deleted only while it is still its pre-image; rows = [key, ...pre] */
    del(rows: BatchRow[]): SqlStmt {
      const all = [t.key.field, ...t.pre.fields];
      const src = source(d, all, rows);
      const match = `t.${k} = v.${t.key.field.name} AND ${t.pre.where(d, (f) => valueOf(d, f))}`;
      return {
        text: pg
          ? `DELETE FROM ${t.table} AS t USING ${src.text} WHERE ${match}${ret("t.")}`
          : `DELETE t FROM ${t.table} AS t JOIN ${src.text} ON ${match}`,
        params: src.params,
      };
    },
  };
  return {
    ...stmts,
    /**
     * PostgreSQL: the three writes as ONE statement (data-modifying CTEs), so a group costs one round trip in
     * autocommit: it counts the rows written and, when one is missing, fails on purpose (an integer cast of a
     * text naming CONFLICT_MARK), which rolls the whole statement back, so it commits all of the group or none.
     * The text is the same for every group (empty lists are `[]`): prepared once.
     */
    atomic(inserts: BatchRow[], updates: BatchRow[], deletes: BatchRow[]): SqlStmt {
      const i = stmts.insert(inserts), u = stmts.update(updates), x = stmts.del(deletes);
      const n = "(SELECT count(*) FROM i) + (SELECT count(*) FROM u) + (SELECT count(*) FROM x)";
      return {
        text: `WITH i AS (${i.text}), u AS (${u.text}), x AS (${x.text}) ` +
          `SELECT CASE WHEN ${n} = ?::bigint THEN 0 ELSE ('${CONFLICT_MARK}: ' || (${n}))::int END AS ok`,
        params: [...i.params, ...u.params, ...x.params, inserts.length + updates.length + deletes.length],
      };
    },
  };
}
