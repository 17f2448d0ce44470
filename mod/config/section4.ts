/**
 * The Dhcp4 map's passes for the loader (load_core.ts Section4): kea-dhcp4's schema, its semantic checks, the
 * compiler with the standard DHCPv4 option table. Imported by the full loader and, for a file with a Dhcp4 map,
 * by load_role.ts.
 */
import type { Section4 } from "./load_core.ts";
import { compile4 } from "./compile4.ts";
import { STANDARD_OPTIONS4 } from "./options4.ts";
import { Dhcp4Schema } from "./schema4.ts";
import { DHCP_WORDS } from "./schema_top.ts";
import { checkDhcp4 } from "./validate4.ts";

/** Dhcp4: schema, checks, compile (the caller's option codec, else the standard DHCPv4 options). */
export const SECTION4: Section4 = {
  schema: Dhcp4Schema,
  words: DHCP_WORDS,
  check: checkDhcp4,
  compile: (d, checked, p, opts) => compile4(d, checked, opts.codec ?? STANDARD_OPTIONS4, p),
};
