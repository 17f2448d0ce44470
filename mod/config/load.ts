/**
 * The configuration loader: Kea-dialect text → parsed JSON → schema-checked → semantically checked → compiled
 * runtime model, with every problem reported as `file:line:col: path: message`. `parseConfigText` is pure (the
 * include reader is injected); `loadConfigFile` is the I/O edge that reads files from disk. This is the full loader,
 * every section imported; a role loads through load_role.ts, which imports only the sections its file holds.
 */

import { type LoadedConfig, type LoadOptions, loadParsed, type Sections } from "./load_core.ts";
import { readConfigText } from "./load_role.ts";
import { parseKeaJson } from "./parse_text.ts";
import type { IncludeReader } from "./preprocess.ts";
import { SECTION4 } from "./section4.ts";
import { SECTION6 } from "./section6.ts";
import { SECTION_AGENT } from "./section_agent.ts";
import { SECTION_D2 } from "./section_d2.ts";

export type { LoadedConfig, LoadOptions } from "./load_core.ts";

/** Every section: the full loader checks every map Kea knows. */
export const ALL_SECTIONS: Sections = {
  Dhcp4: SECTION4,
  Dhcp6: SECTION6,
  DhcpDdns: SECTION_D2,
  "Control-agent": SECTION_AGENT,
};

/**
 * Loads a configuration from text, the way `kea-dhcp4 -t`, `kea-dhcp6 -t` and `kea-dhcp-ddns -t` check one:
 * comments and includes are expanded, the JSON is parsed, every map is checked against its schema (unknown keys
 * refused, every one of them), Kea's semantic rules are applied, and the `Dhcp4`, `Dhcp6` and `DhcpDdns` maps are
 * compiled. Every map and every pass is checked in the same run (runPasses), so a ConfigError lists every problem of
 * the file. A `Control-agent` map is checked and compiled (`weka run` serves it). Pure: includes and a D2
 * `secret-file` are read through `reader`, which receives the resolved path.
 */
export function parseConfigText(
  text: string,
  name: string,
  reader: IncludeReader,
  opts: LoadOptions = {},
): LoadedConfig {
  return loadParsed(parseKeaJson(text, name, reader), ALL_SECTIONS, reader, opts);
}

/**
 * Reads and loads a configuration file (the I/O edge of the loader). Include files are read synchronously while
 * the text is expanded; a missing or unreadable file is a ConfigError naming it.
 */
export async function loadConfigFile(path: string, opts: LoadOptions = {}): Promise<LoadedConfig> {
  return parseConfigText(await readConfigText(path), path, (p) => Deno.readTextFileSync(p), opts);
}
