/**
 * The configuration loader: Kea-dialect text → parsed JSON → schema-checked → semantically checked → compiled
 * runtime model, with every problem reported as `file:line:col: path: message`. `parseConfigText` is pure (the
 * include reader is injected); `loadConfigFile` is the I/O edge that reads files from disk.
 */

import { compile4 } from "./compile4.ts";
import { ConfigError, type ConfigProblem, type Locator, Problems } from "./errors.ts";
import type { Dhcp4Config } from "./model.ts";
import type { OptionCodec4 } from "./option_codec.ts";
import { STANDARD_OPTIONS4 } from "./options4.ts";
import { parseKeaJson } from "./parse_text.ts";
import type { IncludeReader } from "./preprocess.ts";
import { validateSchema } from "./schema_top.ts";
import { checkDhcp4 } from "./validate4.ts";
import { compile6 } from "./compile6.ts";
import type { Dhcp6Config } from "./model6.ts";
import { STANDARD_OPTIONS6 } from "./options6.ts";
import { checkDhcp6 } from "./validate6.ts";

/** A configuration that loaded: the compiled roles it names, plus warnings to log. */
export interface LoadedConfig {
  /** the main file, then every included file */
  files: string[];
  /** the validated document as written (no defaults filled in) */
  raw: Record<string, unknown>;
  /** the compiled DHCPv4 server, when the file has a `Dhcp4` map */
  dhcp4?: Dhcp4Config;
  /** the compiled DHCPv6 server, when the file has a `Dhcp6` map */
  dhcp6?: Dhcp6Config;
  /** the `DhcpDdns` map, unvalidated here (the DDNS role validates it) */
  ddns?: Record<string, unknown>;
  /** non-fatal findings, each with its position (format them with formatProblem) */
  warnings: ConfigProblem[];
  /** maps a JSON path to its file position (for messages of later passes, e.g. a role's own checks) */
  locate: Locator;
}

/** What the loader needs besides the text. */
export interface LoadOptions {
  /** the options module's lookup and encoder; default: the standard DHCPv4 options (mod/options) */
  codec?: OptionCodec4;
  /** the DHCPv6 option lookup and encoder; default: the standard DHCPv6 options (options6.ts) */
  codec6?: OptionCodec4;
}

/**
 * Loads a configuration from text, the way `kea-dhcp4 -t` / `kea-dhcp6 -t` check one: comments and includes are
 * expanded, the JSON is parsed, every map is checked against the schema (unknown keys refused), Kea's semantic
 * rules are applied, and the `Dhcp4` and `Dhcp6` maps are compiled. Throws a ConfigError listing every problem. Pure: includes are read
 * through `reader`, which receives the resolved path.
 */
export function parseConfigText(
  text: string,
  name: string,
  reader: IncludeReader,
  opts: LoadOptions = {},
): LoadedConfig {
  const parsed = parseKeaJson(text, name, reader);
  const doc = validateSchema(parsed.value, parsed.locate);
  const problems = new Problems(parsed.locate);
  if (!doc.Dhcp4 && !doc.Dhcp6 && !doc.DhcpDdns) {
    problems.add([], "the configuration holds neither a 'Dhcp4', a 'Dhcp6' nor a 'DhcpDdns' map");
  }
  if (doc["Control-agent"]) {
    problems.warn(["Control-agent"], "ignored: weka serves the control API from each role's own control-socket", true);
  }
  if (doc.Logging) {
    problems.warn(["Logging"], "ignored: put 'loggers' inside the Dhcp4 or DhcpDdns map", true);
  }
  let dhcp4: Dhcp4Config | undefined;
  if (doc.Dhcp4) {
    const checked = checkDhcp4(doc.Dhcp4, problems);
    problems.throwIfAny();
    dhcp4 = Object.freeze(compile4(doc.Dhcp4, checked, opts.codec ?? STANDARD_OPTIONS4, problems));
  }
  let dhcp6: Dhcp6Config | undefined;
  if (doc.Dhcp6) {
    const checked = checkDhcp6(doc.Dhcp6, problems);
    problems.throwIfAny();
    dhcp6 = Object.freeze(compile6(doc.Dhcp6, checked, opts.codec6 ?? STANDARD_OPTIONS6, problems));
  }
  problems.throwIfAny();
  const out: LoadedConfig = {
    files: parsed.files,
    raw: doc as Record<string, unknown>,
    warnings: [...parsed.warnings, ...problems.warnings],
    locate: parsed.locate,
  };
  if (dhcp4) out.dhcp4 = dhcp4;
  if (dhcp6) out.dhcp6 = dhcp6;
  if (doc.DhcpDdns) out.ddns = doc.DhcpDdns;
  return out;
}

/**
 * Reads and loads a configuration file (the I/O edge of the loader). Include files are read synchronously while
 * the text is expanded; a missing or unreadable file is a ConfigError naming it.
 */
export async function loadConfigFile(path: string, opts: LoadOptions = {}): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
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
  return parseConfigText(text, path, (p) => Deno.readTextFileSync(p), opts);
}
