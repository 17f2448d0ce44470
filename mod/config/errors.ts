/**
 * Configuration problems and the error that carries them. Every problem names the JSON path of the offending
 * element (Kea's own messages name the element and `file:line:col`; weka gives both) so an operator can go
 * straight to the line. A whole load reports every problem it found, sorted by position, not just the first.
 */

/** A position in a configuration file (1-based line and column, as editors count). */
export interface SourceLoc {
  file: string;
  line: number;
  col: number;
}

/** One thing wrong with a configuration: where (JSON path and file position) and what. */
export interface ConfigProblem extends SourceLoc {
  /** JSON path such as `Dhcp4.subnet4[0].pools[0].pool` ("" for the document itself) */
  path: string;
  message: string;
}

/** A JSON path as a list of object keys and array indexes. */
export type JsonPath = (string | number)[];

/**
 * Formats a JSON path the way weka's messages print it: keys joined with dots, indexes in brackets
 * (`Dhcp4.subnet4[0].valid-lifetime`). Kea prints element names, not paths; the path form is weka's choice
 * because it stays unambiguous with several subnets.
 */
export function formatPath(path: JsonPath): string {
  let s = "";
  for (const p of path) s += typeof p === "number" ? `[${p}]` : (s === "" ? p : `.${p}`);
  return s;
}

/**
 * The error thrown by the loader, validator and compiler when a configuration is refused. Like `kea-dhcp4 -t`, a
 * refused configuration is refused whole; unlike Kea, which stops at the first problem, weka lists them all.
 */
export class ConfigError extends Error {
  readonly problems: ConfigProblem[];

  constructor(problems: ConfigProblem[]) {
    const sorted = [...problems].sort((a, b) =>
      a.file === b.file ? (a.line - b.line || a.col - b.col) : a.file < b.file ? -1 : 1
    );
    super(sorted.map(formatProblem).join("\n"));
    this.name = "ConfigError";
    this.problems = sorted;
  }

  /**
   * One line per problem, `file:line:col: path: message`, in file order, for `config-test` and start-up logs
   * (Kea's DHCP4_CONFIG_LOAD_FAIL text carries the same `file:line:col` position).
   */
  format(): string {
    return this.problems.map(formatProblem).join("\n");
  }
}

/** Formats one problem as `file:line:col: path: message` (the path part is left out for document-level errors). */
export function formatProblem(p: ConfigProblem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.path ? p.path + ": " : ""}${p.message}`;
}

/** Maps a JSON path to the position of its element (or of the closest existing parent). */
export type Locator = (path: JsonPath, atKey?: boolean) => SourceLoc;

/** A locator for configurations that do not come from text (config-set, tests): every position is `<config>:0:0`. */
export const NO_LOCATION: Locator = () => ({ file: "<config>", line: 0, col: 0 });

/**
 * Collects problems while a pass walks the configuration, then throws them together. Kea's parsers throw at the
 * first bad element; collecting lets `config-test` show an operator everything to fix in one run.
 */
export class Problems {
  readonly list: ConfigProblem[] = [];
  /** findings that do not refuse the configuration (Kea logs them as warnings) */
  readonly warnings: ConfigProblem[] = [];
  /**
   * what weka does with a Kea key whose meaning differs in weka's design (one line per key, logged at INFO, as Kea
   * logs its own configuration notes): the key is accepted and this says what it does here
   */
  readonly notices: ConfigProblem[] = [];
  /** the paths of the problems as the pass saw them (for cutting them out before the next pass: prune.ts) */
  readonly refused: JsonPath[] = [];

  /**
   * `mapPath` turns a path of the document a pass sees into the path of the document as written (a pass that runs on
   * a copy pruned of refused elements sees shifted list indexes: prune.ts); the identity by default.
   */
  constructor(
    private readonly locate: Locator = NO_LOCATION,
    private readonly mapPath: (path: JsonPath) => JsonPath = (p) => p,
  ) {}

  private at(path: JsonPath, atKey: boolean): SourceLoc & { path: string } {
    const p = this.mapPath(path);
    return { ...this.locate(p, atKey), path: formatPath(p) };
  }

  /** Records a problem at `path`; `atKey` points the position at the key rather than at its value. */
  add(path: JsonPath, message: string, atKey = false): void {
    this.refused.push(path);
    this.list.push({ ...this.at(path, atKey), message: redactSecret(path, message) });
  }

  /** Records a warning at `path`. */
  warn(path: JsonPath, message: string, atKey = false): void {
    this.warnings.push({ ...this.at(path, atKey), message });
  }

  /** Records a notice at `path` (at the key): what weka does with an accepted Kea key (README "Configuration"). */
  info(path: JsonPath, message: string): void {
    this.notices.push({ ...this.at(path, true), message });
  }

  /** Appends the problems (those `keep` accepts), warnings and notices another pass recorded. */
  take(other: Problems, keep: (p: ConfigProblem) => boolean = () => true): void {
    this.list.push(...other.list.filter(keep));
    this.warnings.push(...other.warnings);
    this.notices.push(...other.notices);
  }

  /** Throws a ConfigError when any problem was recorded. */
  throwIfAny(): void {
    if (this.list.length) throw new ConfigError(this.list);
  }
}

/** Keys whose values are secrets: passwords (control sockets, HA peers) and TSIG secrets. */
const SECRET_KEY = /password|secret/i;

/**
 * A problem message about a secret never quotes the value: "must be a string (got 12345)" or valibot's "…but
 * received 12345" would put a password into config-test output and into the log line of a refused reload.
 */
export function redactSecret(path: JsonPath, message: string): string {
  if (!path.some((k) => typeof k === "string" && SECRET_KEY.test(k))) return message;
  return message.replace(/ \(got [^)]*\)$/, "").replace(/ but received .*$/, "");
}
