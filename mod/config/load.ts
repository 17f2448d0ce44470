/**
 * The configuration loader: Kea-dialect text → parsed JSON → schema-checked → semantically checked → compiled
 * runtime model, with every problem reported as `file:line:col: path: message`. `parseConfigText` is pure (the
 * include reader is injected); `loadConfigFile` is the I/O edge that reads files from disk.
 */

import { compile4 } from "./compile4.ts";
import { compile6 } from "./compile6.ts";
import { compileD2 } from "./compile_d2.ts";
import { ConfigError, type ConfigProblem, type Locator, Problems } from "./errors.ts";
import type { Dhcp4Config } from "./model.ts";
import type { Dhcp6Config } from "./model6.ts";
import type { D2Config } from "./model_d2.ts";
import type { OptionCodec4 } from "./option_codec.ts";
import { STANDARD_OPTIONS4 } from "./options4.ts";
import { STANDARD_OPTIONS6 } from "./options6.ts";
import { parseKeaJson } from "./parse_text.ts";
import type { IncludeReader } from "./preprocess.ts";
import { type AgentConfig, checkControlAgent, compileControlAgent } from "./schema_agent.ts";
import { validateSchema } from "./schema_top.ts";
import { checkDhcp4 } from "./validate4.ts";
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
  /** the compiled DHCP-DDNS server (Kea's D2), when the file has a `DhcpDdns` map */
  d2?: D2Config;
  /** the compiled Control Agent endpoint (served by `weka run`), when the file has a `Control-agent` map */
  agent?: AgentConfig;
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
 * Runs a role's semantic checks and then its compiler, the compiler only when the checks added no problem (it
 * relies on them); the result is frozen. A role whose checks failed yields undefined, and the other roles go on.
 */
function compileRole<C, T extends object>(
  problems: Problems,
  check: () => C,
  compile: (checked: C) => T | undefined,
): Readonly<T> | undefined {
  const before = problems.list.length;
  const checked = check();
  if (problems.list.length !== before) return undefined;
  const out = compile(checked);
  return out && problems.list.length === before ? Object.freeze(out) : undefined;
}

/**
 * Loads a configuration from text, the way `kea-dhcp4 -t`, `kea-dhcp6 -t` and `kea-dhcp-ddns -t` check one:
 * comments and includes are expanded, the JSON is parsed, every map is checked against its schema (unknown keys
 * refused), Kea's semantic rules are applied, and the `Dhcp4`, `Dhcp6` and `DhcpDdns` maps are compiled. Every
 * map is checked in the same run, so a ConfigError lists the problems of all of them. A `Control-agent` map is
 * checked and compiled (`weka run` serves it). Pure: includes and a D2 `secret-file` are read through `reader`, which
 * receives the resolved path.
 */
export function parseConfigText(
  text: string,
  name: string,
  reader: IncludeReader,
  opts: LoadOptions = {},
): LoadedConfig {
  const parsed = parseKeaJson(text, name, reader);
  const problems = new Problems(parsed.locate);
  const doc = validateSchema(parsed.value, problems);
  const given = parsed.value as Record<string, unknown>;
  // a misspelt map name ("Dhcp5") is already refused as an unknown key; say nothing more about it. A file holding
  // only a Control-agent map is Kea-valid (kea-ctrl-agent -t): it loads
  const none = given.Dhcp4 === undefined && given.Dhcp6 === undefined && given.DhcpDdns === undefined &&
    given["Control-agent"] === undefined;
  if (none && problems.list.length === 0) {
    problems.add([], "the configuration holds neither a 'Dhcp4', a 'Dhcp6' nor a 'DhcpDdns' map");
  }
  const ca = doc["Control-agent"];
  if (ca) checkControlAgent(ca, problems);
  if (doc.Logging) {
    problems.warn(["Logging"], "ignored: put 'loggers' inside the Dhcp4, Dhcp6 or DhcpDdns map", true);
  }
  const d4 = doc.Dhcp4, d6 = doc.Dhcp6, dd = doc.DhcpDdns;
  const dhcp4 = d4 && compileRole(
    problems,
    () => checkDhcp4(d4, problems),
    (checked) => compile4(d4, checked, opts.codec ?? STANDARD_OPTIONS4, problems),
  );
  const dhcp6 = d6 && compileRole(
    problems,
    () => checkDhcp6(d6, problems),
    (checked) => compile6(d6, checked, opts.codec6 ?? STANDARD_OPTIONS6, problems),
  );
  const d2 = dd && compileD2(dd, ["DhcpDdns"], problems, reader);
  problems.throwIfAny();
  const out: LoadedConfig = {
    files: parsed.files,
    raw: doc as Record<string, unknown>,
    warnings: [...parsed.warnings, ...problems.warnings],
    locate: parsed.locate,
  };
  if (dhcp4) out.dhcp4 = dhcp4;
  if (dhcp6) out.dhcp6 = dhcp6;
  if (d2) out.d2 = d2;
  if (ca) out.agent = compileControlAgent(ca);
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
