/** weka's version, printed by `weka version`, `-V` and the control channel's version-get. */
export const VERSION = "0.1.0";

/** The extended version text (Kea's `-V` prints build details the same way). */
export function versionReport(): string {
  return [
    `weka ${VERSION}`,
    `deno ${Deno.version.deno} (v8 ${Deno.version.v8}, typescript ${Deno.version.typescript})`,
    "lease backend: Deno KV (group commit)",
    "roles: dhcp4, ddns, migrate",
  ].join("\n");
}
