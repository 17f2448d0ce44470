/**
 * The DhcpDdns map's passes for the loader (load_core.ts SectionD2): kea-dhcp-ddns's schema and compiler (TSIG
 * keys, domains; a key's `secret-file` read through the loader's reader). Imported by the full loader and, for a
 * file with a DhcpDdns map, by load_role.ts.
 */
import type { SectionD2 } from "./load_core.ts";
import { compileD2 } from "./compile_d2.ts";
import { DhcpDdnsSchema } from "./schema_d2.ts";

/** DhcpDdns: schema and compile. */
export const SECTION_D2: SectionD2 = {
  schema: DhcpDdnsSchema,
  compile: (d, p, reader) => compileD2(d, ["DhcpDdns"], p, reader),
};
