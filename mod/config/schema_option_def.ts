/**
 * The valibot schema of a Dhcp4 `option-def` entry (Kea's `{name, code, type, array, record-types, space,
 * encapsulate}`, ARM "Custom DHCPv4 Options"). Name, code and type are required, as Kea's grammar requires them;
 * the rules that need more than one key (record fields, clashes with standard options, duplicates) live in
 * option_defs4.ts.
 */

import * as v from "valibot";
import { OPTION_DEF_TYPES } from "../options/custom_defs.ts";
import { annotations, bool, str, strictMap, uint32 } from "./schema_common.ts";

/** One `option-def` entry. */
export const optionDef = strictMap({
  name: str,
  code: v.pipe(
    uint32,
    v.maxValue(255, (i) => `option code ${i.input} is over 255 (DHCPv4 option codes are one byte)`),
  ),
  type: v.pipe(
    str,
    v.check(
      (t) => (OPTION_DEF_TYPES as readonly string[]).includes(t),
      (i) => `'${i.input}' is not an option data type (expected one of ${OPTION_DEF_TYPES.join(", ")})`,
    ),
  ),
  array: v.optional(bool),
  "record-types": v.optional(str),
  space: v.optional(str),
  encapsulate: v.optional(str),
  ...annotations,
}, "must be a map");

/** The `option-def` list. */
export const optionDefList = v.array(optionDef, "must be a list");

/** A validated `option-def` entry (nothing defaulted yet). */
export type OptionDefIn = v.InferOutput<typeof optionDef>;
