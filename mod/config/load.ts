/**
 * The configuration loader: Kea-dialect text → parsed JSON → schema-checked → semantically checked → compiled
 * runtime model, with every problem reported as `file:line:col: path: message`. `parseConfigText` is pure (the
 * include reader is injected); `loadConfigFile` is the I/O edge that reads files from disk.
 */

import { compile4 } from "./compile4.ts";
import { compile6 } from "./compile6.ts";
import { compileD2 } from "./compile_d2.ts";
import { ConfigError, type ConfigProblem, formatPath, type Locator, Problems } from "./errors.ts";
import { PrunedDoc } from "./prune.ts";
import type { Dhcp4Config } from "./model.ts";
import type { Dhcp6Config } from "./model6.ts";
import type { D2Config } from "./model_d2.ts";
import type { OptionCodec4 } from "./option_codec.ts";
import { STANDARD_OPTIONS4 } from "./options4.ts";
import { STANDARD_OPTIONS6 } from "./options6.ts";
import { parseKeaJson } from "./parse_text.ts";
import type { IncludeReader } from "./preprocess.ts";
import { type AgentConfig, checkControlAgent, compileControlAgent } from "./schema_agent.ts";
import { type ConfigIn, validateSchema } from "./schema_top.ts";
import { checkDhcp4, type Checked4 } from "./validate4.ts";
import { checkDhcp6, type Checked6 } from "./validate6.ts";

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
  /** what weka does with accepted Kea keys whose meaning differs in weka (logged at INFO; README "Configuration") */
  notices: ConfigProblem[];
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

/** Findings in file order (as ConfigError sorts its problems). */
function byPosition(list: ConfigProblem[]): ConfigProblem[] {
  return [...list].sort((a, b) => a.file === b.file ? a.line - b.line || a.col - b.col : a.file < b.file ? -1 : 1);
}

/** What the passes of one load produce: the validated maps, the roles' checks, the compiled roles. */
interface Passes {
  doc: ConfigIn;
  checked4?: Checked4;
  checked6?: Checked6;
  dhcp4?: Dhcp4Config;
  dhcp6?: Dhcp6Config;
  d2?: D2Config;
  agent?: AgentConfig;
}

/** The schema pass: every map against its schema, the document-level rules (at least one map; Kea 1.x Logging). */
function schemaPass(value: unknown, out: Passes, p: Problems): void {
  out.doc = validateSchema(value, p);
  const given = (value ?? {}) as Record<string, unknown>;
  // a misspelt map name ("Dhcp5") is already refused as an unknown key; say nothing more about it. A file holding
  // only a Control-agent map is Kea-valid (kea-ctrl-agent -t): it loads, with the warning that it is not served
  const none = typeof value === "object" && value !== null && given.Dhcp4 === undefined &&
    given.Dhcp6 === undefined && given.DhcpDdns === undefined && given["Control-agent"] === undefined;
  if (none && p.list.length === 0) {
    p.add([], "the configuration holds neither a 'Dhcp4', a 'Dhcp6' nor a 'DhcpDdns' map");
  }
  if (out.doc.Logging) {
    p.warn(["Logging"], "ignored: put 'loggers' inside the Dhcp4, Dhcp6 or DhcpDdns map", true);
  }
}

/** The semantic pass: Kea's cross-field rules of each DHCP map, and the Control-agent map's. */
function checkPass(out: Passes, p: Problems): void {
  const { doc } = out;
  out.checked4 = doc.Dhcp4 && checkDhcp4(doc.Dhcp4, p);
  out.checked6 = doc.Dhcp6 && checkDhcp6(doc.Dhcp6, p);
  if (doc["Control-agent"]) checkControlAgent(doc["Control-agent"], p);
}

/** The compile pass: each role's immutable model (option data encoded, classes parsed, D2 checked and built). */
function compilePass(out: Passes, p: Problems, reader: IncludeReader, opts: LoadOptions): void {
  const { doc } = out;
  const freeze = <T extends object>(x: T | undefined) => x && Object.freeze(x);
  out.dhcp4 = doc.Dhcp4 && out.checked4 &&
    freeze(compile4(doc.Dhcp4, out.checked4, opts.codec ?? STANDARD_OPTIONS4, p));
  out.dhcp6 = doc.Dhcp6 && out.checked6 &&
    freeze(compile6(doc.Dhcp6, out.checked6, opts.codec6 ?? STANDARD_OPTIONS6, p));
  out.d2 = doc.DhcpDdns && freeze(compileD2(doc.DhcpDdns, ["DhcpDdns"], p, reader));
  out.agent = doc["Control-agent"] && compileControlAgent(doc["Control-agent"]);
}

/**
 * Runs the passes in order over a copy of the document, each recorded once into `problems`. What a pass refuses
 * is cut out of the copy (prune.ts), and every pass so far is re-run on what is left until they all accept it, so
 * the next pass sees a document the earlier ones accept and reports its own problems too (not the cascade of the
 * earlier ones: those re-runs record nothing). Positions and paths are always those of the file as written.
 */
function runPasses(
  parsed: { value: unknown; locate: Locator },
  problems: Problems,
  passes: ((value: unknown, p: Problems) => void)[],
): void {
  const pruned = new PrunedDoc(parsed.value);
  const fresh = () => new Problems(parsed.locate, (path) => pruned.original(path));
  // a later pass's problem about a map or list that lost an element to an earlier pass (a list now empty, a map
  // now missing a key) is the earlier problem's echo, not news: it is left out
  const cut: string[] = [];
  const echo = (p: ConfigProblem) =>
    p.path.includes(".") && cut.some((c) => c === p.path || c.startsWith(p.path + ".") || c.startsWith(p.path + "["));
  for (let i = 0; i < passes.length; i++) {
    const first = fresh();
    passes[i](pruned.value, first);
    problems.take(first, (p) => !echo(p));
    let refused = first.refused;
    for (let round = 0; refused.length > 0; round++) {
      cut.push(...refused.map((path) => formatPath(pruned.original(path))));
      // a problem about the document itself (or a runaway cascade) leaves nothing sensible to check further
      if (round > 32 || !refused.map((path) => pruned.cut(path)).every(Boolean)) return;
      const again = fresh();
      for (let k = 0; k <= i && again.refused.length === 0; k++) passes[k](pruned.value, again);
      refused = again.refused;
    }
  }
}

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
  const parsed = parseKeaJson(text, name, reader);
  const problems = new Problems(parsed.locate);
  const out: Passes = { doc: {} };
  runPasses(parsed, problems, [
    (value, p) => schemaPass(value, out, p),
    (_, p) => checkPass(out, p),
    (_, p) => compilePass(out, p, reader, opts),
  ]);
  problems.throwIfAny();
  const loaded: LoadedConfig = {
    files: parsed.files,
    raw: out.doc as Record<string, unknown>,
    warnings: byPosition([...parsed.warnings, ...problems.warnings]),
    notices: byPosition(problems.notices),
    locate: parsed.locate,
  };
  if (out.dhcp4) loaded.dhcp4 = out.dhcp4;
  if (out.dhcp6) loaded.dhcp6 = out.dhcp6;
  if (out.d2) loaded.d2 = out.d2;
  if (out.agent) loaded.agent = out.agent;
  return loaded;
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
