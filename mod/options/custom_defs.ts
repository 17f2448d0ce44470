/**
 * Custom option definitions (Kea `option-def`): the rules a definition must follow before `option-data` may use
 * it (Kea `OptionDefinition::validate`, `OptionSpace::validateName`), and a per-configuration lookup that puts the
 * custom definitions in front of the standard tables. The data itself goes through the same per-type codecs as the
 * standard options (docs/ARCHITECTURE.md rule 4).
 */
import { findOption4 } from "./lookup.ts";
import type { OptionDataType, OptionDef, RecordFieldType } from "./types.ts";

/** The data types an `option-def` may name (Kea's type names; "internal" is Kea's own and refused in a config). */
export const OPTION_DEF_TYPES: readonly Exclude<OptionDataType, "internal">[] = [
  "binary",
  "boolean",
  "empty",
  "fqdn",
  "ipv4-address",
  "ipv6-address",
  "ipv6-prefix",
  "psid",
  "record",
  "string",
  "tuple",
  "uint8",
  "uint16",
  "uint32",
  "int8",
  "int16",
  "int32",
];

/**
 * True when `name` is a valid option or option space name for Kea: letters, digits, '-' and '_' only, not empty,
 * and neither starting nor ending with '-' or '_' (Kea `OptionDefinition::validate` refuses "-foo", "foo-",
 * "_foo"; `OptionSpace::validateName` applies the same rule to space names).
 */
export function isValidOptionName(name: string): boolean {
  return /^[A-Za-z0-9]([A-Za-z0-9_-]*[A-Za-z0-9])?$/.test(name);
}

/**
 * Parses Kea's `record-types` text ("uint8, ipv4-address, string") into field types. Empty items are skipped as
 * Kea's tokenizer skips them. Throws an Error worded for the operator on a type a record cannot hold (Kea:
 * "attempted to add invalid data type 'empty' to the record").
 */
export function parseRecordTypes(text: string): RecordFieldType[] {
  const out: RecordFieldType[] = [];
  for (const raw of text.split(",")) {
    const t = raw.trim();
    if (t === "") continue;
    if (t === "record" || t === "empty" || !(OPTION_DEF_TYPES as readonly string[]).includes(t)) {
      const known = OPTION_DEF_TYPES.filter((x) => x !== "record" && x !== "empty").join(", ");
      throw new Error(`'${t}' cannot be a record field type (expected one of ${known})`);
    }
    out.push(t as RecordFieldType);
  }
  return out;
}

/**
 * Checks a definition the way Kea's `OptionDefinition::validate` does and returns the problem as operator text,
 * or undefined when the definition is sound: no array of binary, string or empty values; a record has at least
 * two fields, only its last field may be a string or binary, and an array record's last field must not be one;
 * an array never encapsulates a space; an option never encapsulates its own space.
 */
export function checkOptionDef(def: OptionDef): string | undefined {
  const space = def.space ?? "dhcp4";
  const label = `option '${space}.${def.name}' (${def.code})`;
  if (def.type === "record") {
    const f = def.recordTypes ?? [];
    if (f.length < 2) {
      return `${label}: a record needs at least 2 fields in 'record-types', got ${f.length}`;
    }
    const early = f.slice(0, -1).find((t) => t === "string" || t === "binary");
    if (early) return `${label}: a ${early} field can only be the last field of a record`;
    const last = f[f.length - 1];
    if (def.array && (last === "string" || last === "binary")) {
      return `${label}: an array record cannot repeat a ${last} field (Kea refuses arrays of ${last} values)`;
    }
  } else if (def.array && (def.type === "binary" || def.type === "string" || def.type === "empty")) {
    return `${label}: an array of ${def.type} values is not a valid option definition`;
  }
  if (def.encapsulate !== undefined) {
    if (def.array) return `${label}: an array option cannot encapsulate an option space`;
    if (def.encapsulate === space) {
      return `${label}: an option cannot encapsulate the option space '${space}' it belongs to`;
    }
  }
  return undefined;
}

/**
 * The per-configuration definition lookup that `option-data` uses (Kea: `CfgOptionDef` for the runtime
 * definitions, then `LibDHCP`'s standard tables). Custom definitions come first, so a custom definition of a code
 * the standard table also holds (43, or a code Kea 2.2 did not define) is the one used.
 */
export class OptionDefIndex {
  private readonly byName = new Map<string, OptionDef>();
  private readonly byCode = new Map<string, OptionDef>();

  /**
   * Indexes `custom` by space and name, and by space and code (later duplicates are ignored: check first);
   * `fallback` finds the standard definitions (default: the tables of this module).
   */
  constructor(
    readonly custom: readonly OptionDef[],
    private readonly fallback: (nameOrCode: string | number, space: string) => OptionDef | undefined = findOption4,
  ) {
    for (const d of custom) {
      const s = d.space ?? "dhcp4";
      if (!this.byName.has(`${s}\0${d.name}`)) this.byName.set(`${s}\0${d.name}`, d);
      if (!this.byCode.has(`${s}\0${d.code}`)) this.byCode.set(`${s}\0${d.code}`, d);
    }
  }

  /**
   * The definition named `nameOrCode` (a name, a code, or a code as decimal text) in `space`: the custom one
   * when there is one, else the standard one (Kea `LibDHCP::getOptionDef` + `getRuntimeOptionDef`).
   */
  find(nameOrCode: string | number, space = "dhcp4"): OptionDef | undefined {
    let hit: OptionDef | undefined;
    if (typeof nameOrCode === "number") hit = this.byCode.get(`${space}\0${nameOrCode}`);
    else {
      const t = nameOrCode.trim();
      hit = /^\d+$/.test(t) ? this.byCode.get(`${space}\0${Number(t)}`) : this.byName.get(`${space}\0${t}`);
    }
    return hit ?? this.fallback(nameOrCode, space);
  }

  /** The custom definitions of one space, in configuration order. */
  inSpace(space: string): OptionDef[] {
    return this.custom.filter((d) => (d.space ?? "dhcp4") === space);
  }
}
