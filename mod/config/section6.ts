/**
 * The Dhcp6 map's passes for the loader (load_core.ts Section6): kea-dhcp6's schema, its semantic checks, the
 * compiler with the standard DHCPv6 option table. Imported by the full loader and, for a file with a Dhcp6 map,
 * by load_role.ts.
 */
import type { Section6 } from "./load_core.ts";
import { compile6 } from "./compile6.ts";
import { STANDARD_OPTIONS6 } from "./options6.ts";
import { Dhcp6Schema } from "./schema6.ts";
import { DHCP_WORDS } from "./schema_top.ts";
import { checkDhcp6 } from "./validate6.ts";

/** Dhcp6: schema, checks, compile (the caller's option codec, else the standard DHCPv6 options). */
export const SECTION6: Section6 = {
  schema: Dhcp6Schema,
  words: DHCP_WORDS,
  check: checkDhcp6,
  compile: (d, checked, p, opts) => compile6(d, checked, opts.codec6 ?? STANDARD_OPTIONS6, p),
};
