/**
 * The compact row form of Kea's standard option tables (std_dhcp4.ts, std_dhcp6.ts) and the one builder that
 * turns rows into frozen `OptionDef`s. Only the tuple length rule differs between the universes, so the caller
 * passes it: DHCPv4 tuples carry a one-byte length (but 143, RFC 8572, two), DHCPv6 tuples always two (RFC 8415
 * §21.16, Kea `OpaqueDataTuple`).
 */
import type { OptionDef, RecordFieldType } from "./types.ts";

/** One option definition as a table row: name, code, type, array flag, record fields, encapsulated space. */
export type Row = [
  name: string,
  code: number,
  type: OptionDef["type"],
  array?: boolean,
  rec?: RecordFieldType[],
  enc?: string,
];

/**
 * Builds the frozen definitions of one space from its rows (Kea `OptionDefinition` fields: array flag defaults to
 * false; record fields and encapsulated space only when given). `tupleLength` gives the length width of a row's
 * tuples, or undefined when the row has none.
 */
export function buildDefs(
  rows: Row[],
  space: string,
  tupleLength: (type: OptionDef["type"], rec: RecordFieldType[] | undefined, code: number) => 1 | 2 | undefined,
): readonly OptionDef[] {
  return Object.freeze(rows.map(([name, code, type, array, rec, enc]) => {
    const def: OptionDef = { name, code, type, array: array ?? false, space };
    if (rec) def.recordTypes = rec;
    if (enc) def.encapsulate = enc;
    const t = tupleLength(type, rec, code);
    if (t !== undefined) def.tupleLength = t;
    return Object.freeze(def);
  }));
}
