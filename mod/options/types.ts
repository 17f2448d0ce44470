/**
 * Option definitions as data (docs/ARCHITECTURE.md rule 4). An {@link OptionDef} mirrors one entry of Kea's standard option
 * definition tables (`src/lib/dhcp/std_option_defs.h`) and the shape of a custom `option-def` in the configuration:
 * `{name, code, type, array, record-types, space, encapsulate}`.
 */

/** Kea's option data types (ARM "Custom DHCPv4 Options", `option_data_types.h`). */
export type OptionDataType =
  | "binary"
  | "boolean"
  | "empty"
  | "fqdn"
  | "ipv4-address"
  | "ipv6-address"
  | "ipv6-prefix"
  | "psid"
  | "record"
  | "string"
  | "tuple"
  | "uint8"
  | "uint16"
  | "uint32"
  | "int8"
  | "int16"
  | "int32"
  | "internal";

/** The data types a record field may have (Kea refuses `record`, `empty` and `internal` inside a record). */
export type RecordFieldType = Exclude<OptionDataType, "record" | "empty" | "internal">;

/** One option definition (Kea `OptionDefParams`). */
export interface OptionDef {
  /** Kea's name, e.g. "domain-name-servers" */
  name: string;
  /** option code in its space (1..254 for DHCPv4) */
  code: number;
  type: OptionDataType;
  /** true: the value repeats (for a record: its last field repeats, as Kea does) */
  array: boolean;
  /** field types when `type` is "record" */
  recordTypes?: RecordFieldType[];
  /** the option space whose options this option carries (e.g. 82 → "dhcp-agent-options-space") */
  encapsulate?: string;
  /** option space this definition belongs to; "dhcp4" when absent */
  space?: string;
  /** width of a tuple's length field: 1 byte in DHCPv4 except option 143 (RFC 8572: 2 bytes) */
  tupleLength?: 1 | 2;
}

/**
 * A bad `option-data` value, worded for the operator: it names the option, its code and the offending value,
 * e.g. `option 'routers' (3): '198.18.0.300' is not an IPv4 address`. The config compiler adds the JSON path.
 */
export class OptionDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OptionDataError";
  }
}

/** Formats the "option 'name' (code)" prefix used in every {@link OptionDataError}. */
export function optionLabel(def: OptionDef): string {
  return `option '${def.name}' (${def.code})`;
}
