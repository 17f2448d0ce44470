/**
 * The options module (mod/options) as the compiler's OptionCodec4: Kea's standard DHCPv4 definitions and its
 * option-data text encoder. The loader uses it unless a caller passes another codec (tests do).
 */

import { encodeOptionData, findOption4, type OptionDef } from "../options/mod.ts";
import type { OptionCodec4 } from "./option_codec.ts";

/** The standard DHCPv4 option codec (Kea's std_option_defs.h table and option-data parser). */
export const STANDARD_OPTIONS4: OptionCodec4 = {
  findOption4: (nameOrCode, space) => findOption4(nameOrCode, space),
  encodeOptionData: (def, data, csvFormat) => encodeOptionData(def as OptionDef, data, csvFormat),
};
