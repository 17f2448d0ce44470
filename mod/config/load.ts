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

/** A configuration that loaded: the compiled roles it names, plus warnings to log. */
export interface LoadedConfig {
  /** the main file, then every included file */
  files: string[];
  /** the validated document as written (no defaults filled in) */
  raw: Record<string, unknown>;
  /** the compiled DHCPv4 server, when the file has a `Dhcp4` map */
  dhcp4?: Dhcp4Config;
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
}

/**
 * Loads a configuration from text, the way `kea-dhcp4 -t` checks one: comments and includes are expanded, the
 * JSON is parsed, every map is checked against the schema (unknown keys refused), Kea's semantic rules are
 * applied, and the `Dhcp4` map is compiled. Throws a ConfigError listing every problem. Pure: includes are read
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
  if (!doc.Dhcp4 && !doc.DhcpDdns) {
    problems.add([], "the configuration holds neither a 'Dhcp4' nor a 'DhcpDdns' map");
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
  problems.throwIfAny();
  const out: LoadedConfig = {
    files: parsed.files,
    raw: doc as Record<string, unknown>,
    warnings: [...parsed.warnings, ...problems.warnings],
    locate: parsed.locate,
  };
  if (dhcp4) out.dhcp4 = dhcp4;
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
