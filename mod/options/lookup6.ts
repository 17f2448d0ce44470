/**
 * Finding a standard DHCPv6 option definition by name or code, per option space, as Kea's `LibDHCP::getOptionDef`
 * does for kea-dhcp6 `option-data` entries that give `name`, `code` or both.
 */
import { DHCP6_OPTION_DEFS, DHCP6_SPACE_DEFS } from "./std_dhcp6.ts";
import type { OptionDef } from "./types.ts";
import { findInSpaces, indexSpace, indexSpaces, listInSpaces, type SpaceIndex } from "./lookup.ts";

const SPACES: Record<string, SpaceIndex> = {
  "dhcp6": indexSpace(DHCP6_OPTION_DEFS),
  ...indexSpaces(DHCP6_SPACE_DEFS),
};

/**
 * Looks up a standard DHCPv6 definition in `space` ("dhcp6", "vendor-4491", an "s46-…-options" space or
 * "vendor-2495") by Kea name or by code; a numeric string ("23") is a code. Returns undefined for an unknown
 * name, code or space (Kea then needs a custom `option-def`, or hex data with a code).
 */
export function findOption6(nameOrCode: string | number, space = "dhcp6"): OptionDef | undefined {
  return findInSpaces(SPACES, nameOrCode, space);
}

/** Every standard definition of a DHCPv6-side space, in code order (empty for an unknown space). */
export function listOptions6(space = "dhcp6"): OptionDef[] {
  return listInSpaces(SPACES, space);
}

/** The names of the DHCPv6-side spaces that have standard definitions ("dhcp6" first). */
export function listSpaces6(): string[] {
  return Object.keys(SPACES);
}

/**
 * True for the spaces that exist only in kea-dhcp6: "dhcp6", "4o6" and the "s46-…-options" spaces ("vendor-<n>"
 * spaces exist in both universes, so they are not counted). Used to give custom definitions there DHCPv6 tuples.
 */
export function isSpace6(space: string): boolean {
  return space !== "vendor-4491" && space !== "docsis3-v6" && space !== "vendor-2495" && space in SPACES;
}
