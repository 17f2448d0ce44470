/**
 * Kea's DOCSIS 3 DHCPv4 vendor sub-options (CableLabs CL-SP-CANN-DHCP-Reg; Kea `std_option_defs.h`,
 * DOCSIS3_V4_OPTION_DEFINITIONS), reachable in `option-data` as space "docsis3-v4" and as the vendor space of
 * CableLabs' enterprise number, "vendor-4491" (Kea's own example reservations.json uses the latter). Facts only.
 */
import type { OptionDef } from "./types.ts";

const rows = (space: string): readonly OptionDef[] =>
  Object.freeze([
    Object.freeze({ name: "oro", code: 1, type: "uint8", array: true, space }),
    Object.freeze({ name: "tftp-servers", code: 2, type: "ipv4-address", array: true, space }),
  ] as OptionDef[]);

/** The DOCSIS 3 DHCPv4 tables by space name. */
export const DOCSIS3_V4_SPACES: Readonly<Record<string, readonly OptionDef[]>> = Object.freeze({
  "docsis3-v4": rows("docsis3-v4"),
  "vendor-4491": rows("vendor-4491"),
});
