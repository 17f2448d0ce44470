/**
 * Kea's `libdhcp_flex_option.so` applied to a DHCPv4 response (Kea 2.2 flex_option.h `process`, called from its
 * `pkt4_send` callout for every response): first each option entry, in order, for a query in its `client-class`:
 * `add` sets the option from the string expression's value when the response does not carry it yet and the value
 * is not empty; `supersede` replaces it (or adds it) when the value is not empty; `remove` deletes it when the
 * boolean expression is true. Then each sub-option entry edits its container the same way (the container is made
 * when absent if `container-add`, and dropped once empty if `container-remove`); sub-options are (code, length,
 * data) triples, as in an encapsulated DHCPv4 space. The value is raw bytes, or CSV text for the definition
 * (`csv-format`). Expressions are evaluated on the query. A failing evaluation stops the processing of the
 * remaining entries and is logged as FLEX_OPTION_PROCESS_ERROR, as Kea's callout catches it.
 */
import { evalBool, evalString } from "../../classify/evaluate.ts";
import type { FlexAction, FlexOptions4, FlexSubOption4 } from "../../config/flex_option4.ts";
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

/** Printable text of option data for a log line. */
const shown = (d: Uint8Array) => [...d].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".")).join("");

/** The value of an add/supersede entry as option data, or undefined when the expression gives "". */
function valueOf(e: Extract<FlexAction, { action: "add" | "supersede" }>, input: FlexInput): Uint8Array | undefined {
  const v = evalString(e.expr, input);
  if (v === "") return undefined;
  return e.encode ? e.encode(v) : bytesOf(v);
}

/** The sub-options of a container's data: [code, data] in order (a truncated tail is kept as it was sent). */
function subOptions(data: Uint8Array): [number, Uint8Array][] {
  const out: [number, Uint8Array][] = [];
  for (let i = 0; i + 2 <= data.length;) {
    const len = data[i + 1];
    if (i + 2 + len > data.length) break;
    out.push([data[i], data.subarray(i + 2, i + 2 + len)]);
    i += 2 + len;
  }
  return out;
}

function encodeSubs(subs: readonly [number, Uint8Array][]): Uint8Array {
  const out = new Uint8Array(subs.reduce((n, [, d]) => n + 2 + d.length, 0));
  let o = 0;
  for (const [code, d] of subs) {
    out[o] = code;
    out[o + 1] = d.length;
    out.set(d, o + 2);
    o += 2 + d.length;
  }
  return out;
}

/** One sub-option entry applied to `opts`; the log line of what it did, if anything. */
function applySub(e: FlexSubOption4, opts: Map<number, Uint8Array>, input: FlexInput, label: string): EngineLog[] {
  if (e.containerClass && !input.classes.has(e.containerClass)) return [];
  if (e.clientClass && !input.classes.has(e.clientClass)) return [];
  const container = opts.get(e.container);
  const subs = container ? subOptions(container) : [];
  const what = `sub-option code ${e.code} of option code ${e.container}`;
  if (e.action === "remove") {
    if (!container || !subs.some(([c]) => c === e.code) || !evalBool(e.expr, input)) return [];
    const left = subs.filter(([c]) => c !== e.code);
    if (left.length === 0 && e.containerRemove) opts.delete(e.container);
    else opts.set(e.container, encodeSubs(left));
    return [{ id: "FLEX_OPTION_PROCESS_SUB_REMOVE", text: `${label}: removed ${what}`, debug: true }];
  }
  if (!container && !e.containerAdd) return [];
  const data = valueOf(e, input);
  if (!data) return [];
  if (e.action === "add" && subs.some(([c]) => c === e.code)) return [];
  if (data.length > 255) throw new Error(`${what}: value of ${data.length} bytes does not fit a sub-option`);
  const next = encodeSubs([...subs.filter(([c]) => c !== e.code), [e.code, data]]);
  if (next.length > 255) throw new Error(`option code ${e.container}: ${next.length} bytes do not fit an option`);
  opts.delete(e.container);
  opts.set(e.container, next);
  const id = e.action === "add" ? "FLEX_OPTION_PROCESS_SUB_ADD" : "FLEX_OPTION_PROCESS_SUB_SUPERSEDE";
  return [{
    id,
    text: `${label}: ${e.action === "add" ? "added" : "superseded"} ${what} with '${shown(data)}'`,
    debug: true,
  }];
}

/** Applies the hook's entries to `reply` (in place); returns the log lines (an error, or debug lines). */
export function applyFlexOptions(
  flex: FlexOptions4,
  reply: Packet4,
  inp: Omit<FlexInput, "classes"> & { classes?: ReadonlySet<string> },
  label: string,
): EngineLog[] {
  const log: EngineLog[] = [];
  const input = { ...inp, classes: inp.classes ?? ALL };
  const opts = reply.options;
  try {
    for (const e of flex.options) {
      if (e.clientClass && !input.classes.has(e.clientClass)) continue;
      if (e.action === "remove") {
        if (!opts.has(e.code) || !evalBool(e.expr, input)) continue;
        opts.delete(e.code);
        log.push({ id: "FLEX_OPTION_PROCESS_REMOVE", text: `${label}: removed option code ${e.code}`, debug: true });
        continue;
      }
      if (e.action === "add" && opts.has(e.code)) continue;
      const data = valueOf(e, input);
      if (!data) continue;
      opts.delete(e.code);
      opts.set(e.code, data);
      log.push({
        id: e.action === "add" ? "FLEX_OPTION_PROCESS_ADD" : "FLEX_OPTION_PROCESS_SUPERSEDE",
        text: `${label}: ${e.action === "add" ? "added" : "superseded"} option code ${e.code} with '${shown(data)}'`,
        debug: true,
      });
    }
    for (const e of flex.subOptions) log.push(...applySub(e, opts, input, label));
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    log.push({ id: "FLEX_OPTION_PROCESS_ERROR", text: `${label}: processing failed: ${why}` });
  }
  return log;
}
