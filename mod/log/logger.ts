/**
 * Kea `loggers` → LogTape sinks. Lines look like Kea's default pattern so operators can grep them the same way:
 * `2026-11-27 17:08:08.901 INFO  [kea-dhcp4.leases/4242] DHCP4_LEASE_ALLOC [hwtype=1 aa:bb:…], tid=0x…: lease …`.
 * Severity maps FATAL/ERROR → error/fatal, WARN → warning, INFO → info, DEBUG → debug, NONE → nothing; at DEBUG,
 * `debuglevel` (0..99) keeps the debug messages whose Kea debug level is at most it. Outputs: `stdout`, `stderr`,
 * `syslog` / `syslog:FACILITY` (mod/log/syslog.ts), or a file path (rotated by size with `maxsize`/`maxver`, as
 * Kea does); an output's `pattern` replaces the default layout (mod/log/pattern.ts). One LogTape configuration
 * serves the process: `setupLogging` sets it, `reconfigureLoggers` replaces one daemon's loggers in it (a reload),
 * and every Log handed out follows the new severities at once.
 */
import {
  configure,
  dispose,
  getLogger,
  getStreamSink,
  type LogLevel,
  type LogRecord,
  reset,
  type Sink,
} from "@logtape/logtape";
import { keaFileSink } from "./file_sink.ts";
import type { LoggerSpec } from "../config/model.ts";
import { compilePattern, DEFAULT_SYSLOG_PATTERN } from "./pattern.ts";
import { facilityOf, syslogAvailable, syslogSink } from "./syslog.ts";
import { recentSink } from "./recent.ts";

/** The small interface the rest of weka logs through: a Kea message id and its text. */
export interface Log {
  /** a debug message at Kea debug `level` (0..99, default 0): written when the logger's debuglevel reaches it */
  debug(id: string, text: string, level?: number): void;
  info(id: string, text: string): void;
  warn(id: string, text: string): void;
  error(id: string, text: string): void;
  /** true when info lines are written (lets the hot path skip building text) */
  readonly infoEnabled: boolean;
  readonly debugEnabled: boolean;
}

const LEVEL_NAME: Record<LogLevel, string> = {
  trace: "DEBUG",
  debug: "DEBUG",
  info: "INFO ",
  warning: "WARN ",
  error: "ERROR",
  fatal: "FATAL",
};

function severityToLevel(sev: LoggerSpec["severity"]): LogLevel | null {
  switch (sev) {
    case "FATAL":
      return "fatal";
    case "ERROR":
      return "error";
    case "WARN":
      return "warning";
    case "DEBUG":
      return "debug";
    case "NONE":
      return null;
    default:
      return "info";
  }
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, "0");
}

/** A time in Kea's log layout ("2026-11-27 17:08:08.901", local time, like Kea). */
export function keaLogTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:` +
    `${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** Formats a record in Kea's default layout (local time, like Kea). */
export function keaLine(r: LogRecord): string {
  const ts = keaLogTime(r.timestamp);
  const msg = r.message.map((m) => (typeof m === "string" ? m : String(m))).join("");
  return `${ts} ${LEVEL_NAME[r.level]} [${r.category.join(".")}/${Deno.pid}] ${msg}\n`;
}

function streamSink(stream: WritableStream<Uint8Array>): Sink {
  return getStreamSink(stream, { formatter: keaLine });
}

// A process stream can be locked by one writer only: every logger writing to stdout (or stderr) shares one sink.
let stdoutSink: Sink | undefined;
let stderrSink: Sink | undefined;

/** A record as a Kea pattern sees it. */
function fieldsOf(r: LogRecord) {
  return {
    time: r.timestamp,
    severity: LEVEL_NAME[r.level].trim(),
    logger: r.category.join("."),
    message: r.message.map((m) => (typeof m === "string" ? m : String(m))).join(""),
    pid: Deno.pid,
    host: hostName(),
  };
}

let host: string | undefined;
function hostName(): string {
  if (host === undefined) {
    try {
      host = Deno.hostname();
    } catch {
      host = "localhost";
    }
  }
  return host;
}

/** The formatter of an output: its `pattern`, or Kea's default layout (`syslog`: Kea's syslog pattern). */
function formatterFor(output: LoggerSpec["outputs"][number], syslog: boolean): (r: LogRecord) => string {
  const pattern = output.pattern ?? (syslog ? DEFAULT_SYSLOG_PATTERN : undefined);
  if (pattern === undefined) return keaLine;
  const f = compilePattern(pattern);
  return (r) => f(fieldsOf(r));
}

function sinkFor(output: LoggerSpec["outputs"][number], root: string): Sink {
  const o = output.output;
  if (o === "stdout" && output.pattern === undefined) return stdoutSink ??= streamSink(Deno.stdout.writable);
  if (o === "stderr" && output.pattern === undefined) return stderrSink ??= streamSink(Deno.stderr.writable);
  if (o === "stdout" || o === "stderr") return patternStreamSink(o, formatterFor(output, false));
  if (o === "syslog" || o.startsWith("syslog:")) {
    // an unknown facility name: log4cplus falls back to user
    const sink = syslogSink(facilityOf(o) ?? 1, root, formatterFor(output, true));
    return sink ?? (stderrSink ??= streamSink(Deno.stderr.writable));
  }
  return keaFileSink(o, {
    formatter: formatterFor(output, false),
    flush: output.flush,
    maxsize: output.maxsize,
    maxver: Math.max(1, output.maxver),
  });
}

/** stdout/stderr with a pattern of its own: written line by line (the shared stream sink keeps Kea's layout). */
function patternStreamSink(which: "stdout" | "stderr", format: (r: LogRecord) => string): Sink {
  const enc = new TextEncoder();
  const out = which === "stdout" ? Deno.stdout : Deno.stderr;
  return (r) => {
    const bytes = enc.encode(format(r));
    for (let off = 0; off < bytes.length;) off += out.writeSync(bytes.subarray(off));
  };
}

/**
 * Kea's debug levels (src/lib/log/log_dbglevels.cc): a debug message carries one, and a logger at DEBUG writes it
 * when its `debuglevel` is at least that.
 */
export const DBG = {
  START_SHUT: 0,
  COMMAND: 10,
  PKT_HANDLING: 15,
  COMMAND_DATA: 20,
  TRACE_BASIC: 40,
  TRACE_BASIC_DATA: 45,
  TRACE_DETAIL: 50,
  TRACE_DETAIL_DATA: 55,
} as const;

/** Kea's logger of a daemon that configures none: INFO to stdout under its root name. */
export function defaultLogger(name: string): LoggerSpec {
  return { name, severity: "INFO", debuglevel: 0, outputs: [{ output: "stdout", flush: true, maxsize: 0, maxver: 1 }] };
}

const RANK = { trace: 0, debug: 1, info: 2, warning: 3, error: 4, fatal: 5 } as const;

/** What a root category logs now: the rank of its lowest severity (99 = nothing) and its debuglevel. */
interface Level {
  rank: number;
  debuglevel: number;
}
const levels = new Map<string, Level>();
/** The loggers configured now (every daemon's, in order). */
let current: LoggerSpec[] = [];

const rootOf = (spec: LoggerSpec) => spec.name.split(".")[0];

/** Applies `specs` as the process's whole LogTape configuration (throws when an output cannot be opened). */
async function apply(specs: LoggerSpec[]): Promise<void> {
  const made: Record<string, Sink> = {};
  const streams: [string, LoggerSpec["outputs"][number]][] = [];
  const loggers: { category: string[]; lowestLevel: LogLevel; sinks: string[] }[] = [];
  const next = new Map<string, Level>();
  // files and syslog first: one that cannot be opened refuses the whole set and the old one keeps logging. The
  // shared stdout/stderr sinks are made after the reset, which releases the streams the old ones hold.
  specs.forEach((spec, i) => {
    const level = severityToLevel(spec.severity);
    const root = rootOf(spec);
    if (spec.name === root || !next.has(root)) {
      next.set(root, { rank: level === null ? 99 : RANK[level], debuglevel: spec.debuglevel ?? 0 });
    }
    if (level === null) return;
    const names = spec.outputs.map((o, j) => {
      const key = `s${i}_${j}`;
      if (isSharedStream(o)) streams.push([key, o]);
      else made[key] = sinkFor(o, root);
      return key;
    });
    loggers.push({ category: spec.name.split("."), lowestLevel: level, sinks: names });
  });
  // the root category sees every record once: its sink keeps the last warnings and errors (status page)
  made.recent = recentSink(keaLogTime);
  loggers.push({ category: [], lowestLevel: "warning", sinks: ["recent"] });
  loggers.push({ category: ["logtape", "meta"], lowestLevel: "warning", sinks: [] });
  await reset();
  stdoutSink = stderrSink = undefined; // reset() disposed them
  for (const [key, o] of streams) made[key] = sinkFor(o, "");
  await configure({ sinks: made, loggers, reset: true });
  current = specs;
  levels.clear();
  for (const [k, v] of next) levels.set(k, v);
}

/**
 * stdout or stderr in Kea's layout (and syslog when no transport is wired: stderr): one LogTape stream sink per
 * stream, shared by every logger.
 */
function isSharedStream(o: LoggerSpec["outputs"][number]): boolean {
  if (o.output === "syslog" || o.output.startsWith("syslog:")) return !syslogAvailable();
  return (o.output === "stdout" || o.output === "stderr") && o.pattern === undefined;
}

/**
 * Configures logging from Kea `loggers` entries (the first entry's name is the root category, e.g. "kea-dhcp4")
 * and returns the {@link Log} for `category`. Without loggers, INFO goes to stdout as Kea's default does.
 */
export async function setupLogging(specs: LoggerSpec[], category: string): Promise<Log> {
  await apply(specs.length ? specs : [defaultLogger(category)]);
  return categoryLog(category);
}

/**
 * Replaces the loggers of one daemon (`category`, e.g. "kea-dhcp4") in the process's configuration with `specs`
 * (Kea's default when empty), as a reload re-applies a daemon's `loggers`; the other daemons' loggers stay. Throws,
 * leaving the running configuration, when an output cannot be opened. Nothing happens when they are unchanged.
 */
export async function reconfigureLoggers(category: string, specs: readonly LoggerSpec[]): Promise<boolean> {
  const mine = specs.length ? [...specs] : [defaultLogger(category)];
  const others = current.filter((s) => rootOf(s) !== category);
  const before = JSON.stringify(current.filter((s) => rootOf(s) === category));
  if (before === JSON.stringify(mine)) return false;
  await apply([...others, ...mine]);
  return true;
}

/**
 * The Log of a further role under the one LogTape configuration setupLogging made (it may run once per process:
 * it owns the stdout/stderr streams): Kea-style lines in `category`, enabled per the severity its logger in the
 * configuration sets (INFO when none names it). `specs` is accepted for the callers that pass the list they set up.
 */
export function roleLog(category: string, _specs?: readonly LoggerSpec[]): Log {
  return categoryLog(category);
}

/**
 * The Kea-style Log of one LogTape category (dotted `category` split into its path). Its info/debug flags and
 * debug-level filter follow the severity and debuglevel configured for the category's root now (so a reload
 * that changes them takes effect on every Log already handed out); a root nobody configured logs INFO.
 */
export function categoryLog(category: string): Log {
  const lg = getLogger(category.split("."));
  const root = category.split(".")[0];
  const level = () => levels.get(root) ?? { rank: RANK.info, debuglevel: 0 };
  return {
    debug: (id, text, dbg = 0) => {
      if (dbg <= level().debuglevel) lg.debug`${id} ${text}`;
    },
    info: (id, text) => lg.info`${id} ${text}`,
    warn: (id, text) => lg.warn`${id} ${text}`,
    error: (id, text) => lg.error`${id} ${text}`,
    get infoEnabled() {
      return level().rank <= RANK.info;
    },
    get debugEnabled() {
      return level().rank <= RANK.debug;
    },
  };
}

/** A Log that writes nothing (tests, or before logging is configured). */
export const nullLog: Log = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  infoEnabled: false,
  debugEnabled: false,
};

/** Flushes and closes every sink (call before the process exits, or the last lines may be lost). */
export async function closeLogging(): Promise<void> {
  await dispose();
}
