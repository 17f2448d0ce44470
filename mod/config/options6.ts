/**
 * The options module (mod/options) as the Dhcp6 compiler's option codec: Kea's standard DHCPv6 definitions
 * (space "dhcp6" and the spaces beside it: "vendor-4491", "4o6"/"vendor-2495", the "s46-…-options" spaces) and the
 * shared option-data text encoder. It has the OptionCodec4 shape so the v4 and v6 compilers take the same kind of
 * argument; here a lookup without a space means "dhcp6".
 */

import { encodeOptionData, findOption6, type OptionDef } from "../options/mod.ts";
import type { OptionCodec4, OptionDefLike } from "./option_codec.ts";

/**
 * A definition as kea-dhcp6 reads it: a definition without a space is in "dhcp6", and a tuple (in any space,
 * custom ones included) has a 2-byte length, as Kea's `OpaqueDataTuple` has in the DHCPv6 universe (RFC 8415
 * §21.16); a DHCPv4 tuple has a 1-byte length.
 */
function asV6(def: OptionDefLike): OptionDef {
  const d = def as OptionDef;
  return { ...d, space: d.space ?? "dhcp6", tupleLength: d.tupleLength ?? 2 };
}

/** The standard DHCPv6 option codec (Kea's std_option_defs.h DHCPv6 tables and option-data parser). */
export const STANDARD_OPTIONS6: OptionCodec4 = {
  findOption4: (nameOrCode, space = "dhcp6") => findOption6(nameOrCode, space),
  encodeOptionData: (def, data, csvFormat) => encodeOptionData(asV6(def), data, csvFormat),
};
