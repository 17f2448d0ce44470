/**
 * The last warnings and errors of this process, kept in a bounded ring (at most {@link RECENT_MAX} lines of at
 * most 400 characters: a client that makes the server warn cannot grow it, rule 8) and shown by the status page
 * and `weka status` through status-get's `recent-warnings` section. Kea has no such list (Stork reads the log
 * files); weka keeps it because an appliance's operator should see what went wrong without a shell on the box.
 * The ring is fed by a LogTape sink on the root category (mod/log/logger.ts), so every role's lines arrive once.
 */
import type { LogRecord } from "@logtape/logtape";

/** One remembered line: local time as Kea prints it, severity, logger, message id and text. */
export interface RecentLine {
  time: string;
  level: "WARN" | "ERROR" | "FATAL";
  logger: string;
  id: string;
  text: string;
}

/** How many lines the ring keeps. */
export const RECENT_MAX = 50;
const TEXT_MAX = 400;

const ring: RecentLine[] = [];

/** Remembers a line (the oldest goes when the ring is full). */
export function remember(line: RecentLine): void {
  ring.push({ ...line, text: line.text.length > TEXT_MAX ? `${line.text.slice(0, TEXT_MAX)}…` : line.text });
  if (ring.length > RECENT_MAX) ring.splice(0, ring.length - RECENT_MAX);
}

/** The remembered lines, oldest first (a copy). */
export function recentLines(): RecentLine[] {
  return ring.map((l) => ({ ...l }));
}

/** Forgets every line (tests). */
export function forgetRecent(): void {
  ring.length = 0;
}

/**
 * The LogTape sink that feeds the ring: warnings and above, the message split into Kea's id (the first word, as
 * every weka line starts with one) and the text; the time formatted by `stamp` (the log's own time format).
 */
export function recentSink(stamp: (ms: number) => string): (r: LogRecord) => void {
  return (r) => {
    if (r.level !== "warning" && r.level !== "error" && r.level !== "fatal") return;
    const msg = r.message.map((m) => (typeof m === "string" ? m : String(m))).join("");
    const cut = msg.indexOf(" ");
    remember({
      time: stamp(r.timestamp),
      level: r.level === "warning" ? "WARN" : r.level === "error" ? "ERROR" : "FATAL",
      logger: r.category.join("."),
      id: cut > 0 ? msg.slice(0, cut) : msg,
      text: cut > 0 ? msg.slice(cut + 1) : "",
    });
  };
}
