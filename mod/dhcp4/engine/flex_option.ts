/**
 * Kea's `libdhcp_flex_option.so` applied to a DHCPv4 response (Kea 2.2 flex_option.h `process`, called from its
 * `pkt4_send` callout for every response): each configured entry, in order, for a query in its `client-class`:
 * `add` sets the option from the string expression's value when the response does not carry it yet and the value
 * is not empty; `supersede` replaces it (or adds it) when the value is not empty; `remove` deletes it when the
 * boolean expression is true. The value is the option's data as raw bytes, or CSV text for the option definition
 * (`csv-format`). Expressions are evaluated on the query. An evaluation that fails stops the processing of the
 * remaining entries and is logged as FLEX_OPTION_PROCESS_ERROR, as Kea's callout catches it.
 */
import { evalBool, EvalError, evalString } from "../../classify/evaluate.ts";
import type { FlexOption4 } from "../../config/flex_option4.ts";
import type { Packet4 } from "../../packet4/packet.ts";
import type { EngineLog } from "./types.ts";

/** What the expressions are evaluated on. */
export interface FlexInput {
  query: Packet4;
  iface: string;
  src: number;
  dst: number;
  classes: ReadonlySet<string>;
}

const ALL: ReadonlySet<string> = new Set(["ALL"]);

/** Latin-1 bytes of an expression value (Kea's strings are byte strings). */
function bytesOf(v: string): Uint8Array {
  const b = new Uint8Array(v.length);
  for (let i = 0; i < v.length; i++) b[i] = v.charCodeAt(i) & 0xff;
  return b;
}

/** Applies `entries` to `reply` (in place); returns the log lines (an error, or debug lines of what was done). */
export function applyFlexOptions(
  entries: readonly FlexOption4[],
  reply: Packet4,
  inp: Omit<FlexInput, "classes"> & { classes?: ReadonlySet<string> },
  label: string,
): EngineLog[] {
  const log: EngineLog[] = [];
  const input = { ...inp, classes: inp.classes ?? ALL };
  try {
    for (const e of entries) {
      if (e.clientClass && !input.classes.has(e.clientClass)) continue;
      const opts = reply.options;
      if (e.action === "remove") {
        if (!opts.has(e.code) || !evalBool(e.expr, input)) continue;
        opts.delete(e.code);
        log.push({ id: "FLEX_OPTION_PROCESS_REMOVE", text: `${label}: removed option code ${e.code}`, debug: true });
        continue;
      }
      if (e.action === "add" && opts.has(e.code)) continue;
      const value = evalString(e.expr, input);
      if (value === "") continue;
      const data = e.encode ? e.encode(value) : bytesOf(value);
      opts.delete(e.code);
      opts.set(e.code, data);
      log.push({
        id: e.action === "add" ? "FLEX_OPTION_PROCESS_ADD" : "FLEX_OPTION_PROCESS_SUPERSEDE",
        text: `${label}: ${e.action === "add" ? "added" : "superseded"} option code ${e.code} with '${
          [...data].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".")).join("")
        }'`,
        debug: true,
      });
    }
  } catch (err) {
    const why = err instanceof EvalError || err instanceof Error ? err.message : String(err);
    log.push({ id: "FLEX_OPTION_PROCESS_ERROR", text: `${label}: processing failed: ${why}` });
  }
  return log;
}
