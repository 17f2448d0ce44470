/**
 * The passes of the configuration loader over a parsed text, for the sections (maps) it is given: schema-checked
 * → semantically checked → compiled runtime model, with every problem reported as `file:line:col: path: message`.
 * Each section (Dhcp4, Dhcp6, DhcpDdns, Control-agent) comes as a {@link Sections} entry, so a role loads the
 * schemas, checks, compilers and option tables of the maps its file holds and no other (issue 16 item 5):
 * load.ts passes every section (the full loader), load_role.ts imports those a file names. Pure.
 */

import { type ConfigProblem, formatPath, type Locator, Problems } from "./errors.ts";
import { PrunedDoc } from "./prune.ts";
import type { Dhcp4Config } from "./model.ts";
import type { Dhcp6Config } from "./model6.ts";
import type { D2Config } from "./model_d2.ts";
import type { OptionCodec4 } from "./option_codec.ts";
import type { ParsedText } from "./parse_text.ts";
import type { IncludeReader } from "./preprocess.ts";
import type { AgentConfig } from "./schema_agent.ts";
import { type ConfigIn, type SectionSchemas, validateSchema } from "./schema_top.ts";
import type { Checked4 } from "./validate4.ts";
import type { Checked6 } from "./validate6.ts";
import type { Dhcp4In } from "./schema4.ts";
import type { Dhcp6In } from "./schema6.ts";
import type { DhcpDdnsIn } from "./schema_d2.ts";
import type { ControlAgentIn } from "./schema_agent.ts";
import type { IssueWords } from "./schema_issues.ts";

/** The Dhcp4 map's passes (section4.ts). */
export interface Section4 {
  schema: NonNullable<SectionSchemas["Dhcp4"]>["schema"];
  words: IssueWords;
  check(d: Dhcp4In, p: Problems): Checked4;
  compile(d: Dhcp4In, checked: Checked4, p: Problems, opts: LoadOptions): Dhcp4Config;
}

/** The Dhcp6 map's passes (section6.ts). */
export interface Section6 {
  schema: NonNullable<SectionSchemas["Dhcp6"]>["schema"];
  words: IssueWords;
  check(d: Dhcp6In, p: Problems): Checked6;
  compile(d: Dhcp6In, checked: Checked6, p: Problems, opts: LoadOptions): Dhcp6Config;
}

/** The DhcpDdns map's passes (section_d2.ts). */
export interface SectionD2 {
  schema: NonNullable<SectionSchemas["DhcpDdns"]>["schema"];
  compile(d: DhcpDdnsIn, p: Problems, reader: IncludeReader): D2Config | undefined;
}

/** The Control-agent map's passes (section_agent.ts). */
export interface SectionAgent {
  schema: NonNullable<SectionSchemas["Control-agent"]>["schema"];
  check(d: ControlAgentIn, p: Problems): void;
  compile(d: ControlAgentIn): AgentConfig;
}

/** The sections a load can check: a map of the file whose section is absent here is an internal error. */
export interface Sections {
  Dhcp4?: Section4;
  Dhcp6?: Section6;
  DhcpDdns?: SectionD2;
  "Control-agent"?: SectionAgent;
}

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
function schemaPass(value: unknown, out: Passes, p: Problems, sections: Sections): void {
  out.doc = validateSchema(value, p, sections);
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
function checkPass(out: Passes, p: Problems, sections: Sections): void {
  const { doc } = out;
  out.checked4 = doc.Dhcp4 && sections.Dhcp4!.check(doc.Dhcp4, p);
  out.checked6 = doc.Dhcp6 && sections.Dhcp6!.check(doc.Dhcp6, p);
  if (doc["Control-agent"]) sections["Control-agent"]!.check(doc["Control-agent"], p);
}

/** The compile pass: each role's immutable model (option data encoded, classes parsed, D2 checked and built). */
function compilePass(out: Passes, p: Problems, reader: IncludeReader, opts: LoadOptions, sections: Sections): void {
  const { doc } = out;
  const freeze = <T extends object>(x: T | undefined) => x && Object.freeze(x);
  out.dhcp4 = doc.Dhcp4 && out.checked4 && freeze(sections.Dhcp4!.compile(doc.Dhcp4, out.checked4, p, opts));
  out.dhcp6 = doc.Dhcp6 && out.checked6 && freeze(sections.Dhcp6!.compile(doc.Dhcp6, out.checked6, p, opts));
  out.d2 = doc.DhcpDdns && freeze(sections.DhcpDdns!.compile(doc.DhcpDdns, p, reader));
  out.agent = doc["Control-agent"] && sections["Control-agent"]!.compile(doc["Control-agent"]);
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
 * Runs the schema, check and compile passes of `sections` over a parsed text (see load.ts parseConfigText for
 * what a load checks); throws the ConfigError listing every problem. A map of the text whose section is not in
 * `sections` is a programming error (load_role.ts imports the section of every map a file holds).
 */
export function loadParsed(
  parsed: ParsedText,
  sections: Sections,
  reader: IncludeReader,
  opts: LoadOptions = {},
): LoadedConfig {
  for (const k of mapsOf(parsed.value)) {
    if (k in SECTION_KEYS && !sections[k as keyof Sections]) {
      throw new Error(`internal: the ${k} section is not loaded`);
    }
  }
  const problems = new Problems(parsed.locate);
  const out: Passes = { doc: {} };
  runPasses(parsed, problems, [
    (value, p) => schemaPass(value, out, p, sections),
    (_, p) => checkPass(out, p, sections),
    (_, p) => compilePass(out, p, reader, opts, sections),
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

/** The maps of a parsed document (none when it is not a map: the schema pass refuses it). */
export function mapsOf(value: unknown): string[] {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? Object.keys(value) : [];
}

/** The maps that have a section (a key besides these is refused by the top-level schema). */
export const SECTION_KEYS = { Dhcp4: 1, Dhcp6: 1, DhcpDdns: 1, "Control-agent": 1 } as const;
