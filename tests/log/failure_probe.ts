/**
 * What the "no silent death" tests (issue 9 item 8) share: a Log that records every line with its level and Kea
 * message id, and a probe that catches unhandled promise rejections while a test runs (a background loop whose
 * failure nobody handles would otherwise end the process, or pass unnoticed). Tests only.
 */
import assert from "node:assert/strict";
import type { Log } from "../../mod/log/logger.ts";

/** One recorded log line. */
export interface Line {
  level: "debug" | "info" | "warn" | "error";
  id: string;
  text: string;
}

/** A Log keeping its lines (debug included) for assertions. */
export class CaptureLog implements Log {
  readonly lines: Line[] = [];
  readonly infoEnabled = true;
  readonly debugEnabled = true;
  debug(id: string, text: string): void {
    this.lines.push({ level: "debug", id, text });
  }
  info(id: string, text: string): void {
    this.lines.push({ level: "info", id, text });
  }
  warn(id: string, text: string): void {
    this.lines.push({ level: "warn", id, text });
  }
  error(id: string, text: string): void {
    this.lines.push({ level: "error", id, text });
  }
  /** Lines with message id `id`. */
  with(id: string): Line[] {
    return this.lines.filter((l) => l.id === id);
  }
}

/**
 * Runs `body` with an `unhandledrejection` listener installed and asserts that no rejection went unhandled,
 * including any that surfaces within `settleMs` after the body ends.
 */
export async function noUnhandledRejection(body: () => Promise<void>, settleMs = 20): Promise<void> {
  const seen: unknown[] = [];
  const probe = (e: PromiseRejectionEvent) => {
    e.preventDefault();
    seen.push(e.reason);
  };
  globalThis.addEventListener("unhandledrejection", probe);
  try {
    await body();
    await new Promise((r) => setTimeout(r, settleMs));
  } finally {
    globalThis.removeEventListener("unhandledrejection", probe);
  }
  assert.deepEqual(seen.map(String), [], "no promise rejection may go unhandled");
}
