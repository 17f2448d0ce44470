/**
 * Kea `loggers` → LogTape sinks. Lines look like Kea's default pattern so operators can grep them the same way:
 * `2026-11-27 17:08:08.901 INFO  [kea-dhcp4.leases/4242] DHCP4_LEASE_ALLOC [hwtype=1 aa:bb:…], tid=0x…: lease …`.
 * Severity maps FATAL/ERROR → error/fatal, WARN → warning, INFO → info, DEBUG → debug, NONE → nothing.
 * Outputs: `stdout`, `stderr`, `syslog` (written to stderr with a note: no syslog socket is assumed), or a file
 * path (rotated by size with `maxsize`/`maxver`, as Kea does).
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
import { recentSink } from "./recent.ts";

/** The small interface the rest of weka logs through: a Kea message id and its text. */
export interface Log {
  debug(id: string, text: string): void;
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

function sinkFor(output: LoggerSpec["outputs"][number]): Sink {
  switch (output.output) {
    case "stdout":
      return stdoutSink ??= streamSink(Deno.stdout.writable);
    case "stderr":
    case "syslog":
      return stderrSink ??= streamSink(Deno.stderr.writable);
    default:
      return keaFileSink(output.output, {
        formatter: keaLine,
        flush: output.flush,
        maxsize: output.maxsize,
        maxver: Math.max(1, output.maxver),
      });
  }
}

/**
 * Configures logging from Kea `loggers` entries (the first entry's name is the root category, e.g. "kea-dhcp4")
 * and returns the {@link Log} for `category`. Without loggers, INFO goes to stdout as Kea's default does.
 */
export async function setupLogging(specs: LoggerSpec[], category: string): Promise<Log> {
  await reset();
  stdoutSink = stderrSink = undefined; // reset() disposed them
  const list: LoggerSpec[] = specs.length ? specs : [{
    name: category,
    severity: "INFO",
    debuglevel: 0,
    outputs: [{ output: "stdout", flush: true, maxsize: 0, maxver: 1 }],
  }];
  const sinks: Record<string, Sink> = {};
  const loggers: { category: string[]; lowestLevel: LogLevel; sinks: string[] }[] = [];
  let minLevel: LogLevel | null = null;
  list.forEach((spec, i) => {
    const level = severityToLevel(spec.severity);
    if (level === null) return;
    const names = spec.outputs.map((o, j) => {
      const key = `s${i}_${j}`;
      sinks[key] = sinkFor(o);
      return key;
    });
    loggers.push({ category: spec.name.split("."), lowestLevel: level, sinks: names });
    if (spec.name.split(".")[0] === category) minLevel = level;
  });
  // the root category sees every record once: its sink keeps the last warnings and errors (status page)
  sinks.recent = recentSink(keaLogTime);
  loggers.push({ category: [], lowestLevel: "warning", sinks: ["recent"] });
  loggers.push({ category: ["logtape", "meta"], lowestLevel: "warning", sinks: [] });
  await configure({ sinks, loggers, reset: true });
  return makeLog(category, minLevel);
}

/**
 * The Log of a further role under the one LogTape configuration setupLogging made (it may run once per process:
 * it owns the stdout/stderr streams): Kea-style lines in `category`, enabled per the severity its logger in
 * `specs` configures (INFO when none names it).
 */
export function roleLog(category: string, specs: readonly LoggerSpec[]): Log {
  const spec = specs.find((s) => s.name.split(".")[0] === category);
  return makeLog(category, spec ? severityToLevel(spec.severity) : "info");
}

function makeLog(category: string, level: LogLevel | null): Log {
  const rank = { trace: 0, debug: 1, info: 2, warning: 3, error: 4, fatal: 5 } as const;
  return categoryLog(category, level === null ? 99 : rank[level]);
}

/**
 * The Kea-style Log of one LogTape category (dotted `category` split into its path), reporting info/debug as
 * enabled per `r`, the rank of the lowest configured severity (1 debug, 2 info, 3 warning …, 99 none), as Kea's
 * logger severity filters messages.
 */
export function categoryLog(category: string, r: number): Log {
  const lg = getLogger(category.split("."));
  return {
    debug: (id, text) => lg.debug`${id} ${text}`,
    info: (id, text) => lg.info`${id} ${text}`,
    warn: (id, text) => lg.warn`${id} ${text}`,
    error: (id, text) => lg.error`${id} ${text}`,
    infoEnabled: r <= 2,
    debugEnabled: r <= 1,
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
