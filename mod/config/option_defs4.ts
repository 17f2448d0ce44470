/**
 * Dhcp4 `option-def` → custom option definitions, checked with Kea's rules (names, codes, record fields, no
 * redefinition of a standard dhcp4 option, no duplicate name or code in a space), and the option codec that lets
 * `option-data` use them. Each problem names the JSON path of the offending key.
 */

import {
  checkOptionDef,
  encodeOptionData,
  isValidOptionName,
  OptionDefIndex,
  parseRecordTypes,
} from "../options/mod.ts";
import type { OptionDef, RecordFieldType } from "../options/mod.ts";
import type { JsonPath, Problems } from "./errors.ts";
import type { OptionCodec4, OptionDefLike } from "./option_codec.ts";
import type { OptionDefIn } from "./schema_option_def.ts";

/**
 * Standard dhcp4 codes that Kea 2.2 lets a configuration define itself: 43 is only Kea's "last resort" definition
 * (any version accepts a custom one), the others were added to Kea's table in 2.4 and later.
 */
const REDEFINABLE = new Set([43, 121, 143, 151, 152, 153, 154, 155, 156, 157, 162]);

function stdClash(e: OptionDefIn, codec: OptionCodec4, p: JsonPath, problems: Problems, top = "dhcp4"): boolean {
  const byCode = codec.findOption4(e.code, top);
  const named = /^\d+$/.test(e.name) ? undefined : codec.findOption4(e.name, top);
  const byName = named === byCode ? undefined : named;
  for (const [std, key] of [[byCode, "code"], [byName, "name"]] as const) {
    if (!std) continue;
    if (top === "dhcp4" && REDEFINABLE.has(std.code)) {
      if (std.code !== 43) {
        problems.warn(
          [...p, key],
          `option ${std.code} is the standard option '${std.name}' since Kea 2.4, which refuses this definition; ` +
            `weka uses it instead of the standard one, as Kea 2.2 does`,
        );
      }
      continue;
    }
    problems.add(
      [...p, key],
      `option ${std.code} '${std.name}' is a standard option of space '${top}' and cannot be redefined ` +
        `(Kea refuses it too); use option-data with name '${std.name}', or pick a free code such as ` +
        (top === "dhcp4" ? "224-254" : "65000-65534"),
    );
    return true;
  }
  return false;
}

/**
 * Checks and compiles the `option-def` list of a Dhcp4 map, as Kea's `OptionDefListParser` and `CfgOptionDef::add`
 * do: valid option and space names, code 0 (PAD) and 255 (END) refused in space dhcp4, `record-types` only with
 * type record, no redefinition of a standard dhcp4 option (Kea 2.2's exceptions pass, with a warning where newer
 * Kea refuses them), and no second definition with the same name or code in a space. Problems are recorded at
 * `Dhcp4.option-def[i].<key>`; the good definitions are returned.
 */
export function compileOptionDefs(
  list: OptionDefIn[] | undefined,
  codec: OptionCodec4,
  problems: Problems,
  scope: { root: string; space: string; base?: JsonPath } = { root: "Dhcp4", space: "dhcp4" },
): OptionDef[] {
  const out: OptionDef[] = [];
  const names = new Map<string, number>();
  const codes = new Map<string, number>();
  (list ?? []).forEach((e, i) => {
    const p: JsonPath = [...(scope.base ?? [scope.root]), "option-def", i];
    const space = e.space ?? scope.space;
    const bad = (key: string, message: string): true => {
      problems.add([...p, key], message);
      return true;
    };
    let failed = false;
    if (!isValidOptionName(e.name)) {
      failed = bad("name", `'${e.name}' is not a valid option name (letters, digits, '-' and '_', not at the ends)`);
    }
    if (!isValidOptionName(space)) {
      failed = bad("space", `'${space}' is not a valid option space name (letters, digits, '-' and '_')`);
    }
    const encap = e.encapsulate ?? "";
    if (encap !== "" && !isValidOptionName(encap)) {
      failed = bad("encapsulate", `'${encap}' is not a valid option space name (letters, digits, '-' and '_')`);
    }
    if (space === "dhcp4" && (e.code === 0 || e.code === 255)) {
      failed = bad("code", `option code ${e.code} is reserved for ${e.code === 0 ? "PAD" : "END"} in space 'dhcp4'`);
    }
    if (space === "dhcp6" && e.code === 0) failed = bad("code", "option code 0 is reserved in space 'dhcp6'");
    let fields: RecordFieldType[] = [];
    try {
      fields = parseRecordTypes(e["record-types"] ?? "");
    } catch (err) {
      failed = bad("record-types", (err as Error).message);
    }
    if (e.type !== "record" && fields.length > 0) {
      failed = bad("record-types", `'record-types' is only for type 'record' (this definition has type '${e.type}')`);
    }
    if (space === scope.space && stdClash(e, codec, p, problems, scope.space)) failed = true;
    const def: OptionDef = { name: e.name, code: e.code, type: e.type as OptionDef["type"], array: !!e.array, space };
    if (e.type === "record") def.recordTypes = fields;
    if (encap !== "") def.encapsulate = encap;
    if (e.type === "tuple" || fields.includes("tuple")) def.tupleLength = 1;
    if (!failed) {
      const why = checkOptionDef(def);
      if (why) failed = bad("type", why);
    }
    const nameKey = `${space}\0${e.name}`, codeKey = `${space}\0${e.code}`;
    const dupName = names.get(nameKey), dupCode = codes.get(codeKey);
    if (dupName !== undefined) {
      failed = bad("name", `option '${e.name}' is already defined in space '${space}' by option-def[${dupName}]`);
    }
    if (dupCode !== undefined) {
      failed = bad("code", `option code ${e.code} is already defined in space '${space}' by option-def[${dupCode}]`);
    }
    if (dupName === undefined) names.set(nameKey, i);
    if (dupCode === undefined) codes.set(codeKey, i);
    if (!failed) out.push(Object.freeze(def));
  });
  return out;
}

/**
 * The option codec `option-data` is encoded with once a configuration has custom definitions: lookups find the
 * custom definition of a space first, then the standard one (Kea: runtime definitions and `LibDHCP`'s tables), and
 * custom definitions are encoded by the options module's per-type codecs, like the standard ones.
 */
export function withOptionDefs(codec: OptionCodec4, defs: readonly OptionDef[], top = "dhcp4"): OptionCodec4 {
  if (defs.length === 0) return codec;
  const custom = new Set<OptionDefLike>(defs);
  const index = new OptionDefIndex(defs, (n, s) => codec.findOption4(n, s) as OptionDef | undefined);
  return {
    findOption4: (nameOrCode, space = top) => index.find(nameOrCode, space),
    encodeOptionData: (def, data, csvFormat) =>
      custom.has(def)
        ? encodeOptionData(def as OptionDef, data, csvFormat)
        : codec.encodeOptionData(def, data, csvFormat),
  };
}
