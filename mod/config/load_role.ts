/**
 * The configuration loader a server role uses (issue 16 item 5): the text is parsed first, then only the sections
 * of the maps it holds are imported — `weka dhcp4` with a Dhcp4-only file never loads the Dhcp6, DhcpDdns or
 * Control-agent schemas, checks and compilers, nor the DHCPv6 option table. What it accepts and refuses is exactly
 * what the full loader (load.ts) does for the same text; a control command's configuration (config-set,
 * config-test) is checked with the sections loaded so far, which include its role's.
 */
import { ConfigError } from "./errors.ts";
import { type LoadedConfig, type LoadOptions, loadParsed, mapsOf, SECTION_KEYS, type Sections } from "./load_core.ts";
import { parseKeaJson } from "./parse_text.ts";
import type { IncludeReader } from "./preprocess.ts";

/** The sections imported so far (this process loads each once). */
const loaded: Sections = {};

/** Imports the sections of `keys` (the maps of a document) not imported yet; returns every section loaded so far. */
export async function loadSections(keys: Iterable<string>): Promise<Sections> {
  for (const k of new Set(keys)) {
    if (!(k in SECTION_KEYS) || loaded[k as keyof Sections]) continue;
    // literal specifiers, so that deno compile bundles each section
    if (k === "Dhcp4") loaded.Dhcp4 = (await import("./section4.ts")).SECTION4;
    else if (k === "Dhcp6") loaded.Dhcp6 = (await import("./section6.ts")).SECTION6;
    else if (k === "DhcpDdns") loaded.DhcpDdns = (await import("./section_d2.ts")).SECTION_D2;
    else loaded["Control-agent"] = (await import("./section_agent.ts")).SECTION_AGENT;
  }
  return loaded;
}

/** Reads a configuration file's text; a missing or unreadable file is a ConfigError naming it. */
export async function readConfigText(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new ConfigError([{
      file: path,
      line: 0,
      col: 0,
      path: "",
      message: `cannot read the configuration: ${why}`,
    }]);
  }
}

/** load.ts loadConfigFile, importing only the sections of the maps the file holds. */
export async function loadRoleConfigFile(path: string, opts: LoadOptions = {}): Promise<LoadedConfig> {
  const reader: IncludeReader = (p) => Deno.readTextFileSync(p);
  const parsed = parseKeaJson(await readConfigText(path), path, reader);
  return loadParsed(parsed, await loadSections(mapsOf(parsed.value)), reader, opts);
}

/**
 * load.ts parseConfigText with the sections loaded so far: for a control command's document, whose maps are its
 * role's (loaded when the role started). A map whose section was never loaded is refused as an internal error.
 */
export function parseRoleConfigText(text: string, name: string, reader: IncludeReader): LoadedConfig {
  return loadParsed(parseKeaJson(text, name, reader), loaded, reader);
}
