/**
 * Kea's `libdhcp_flex_option.so` applied to a DHCPv4 response (Kea 2.2 flex_option.h `process`, called from its
 * `pkt4_send` callout for every response): first each option entry, in order, for a query in its `client-class`:
 * `add` sets the option from the string expression's value when the response does not carry it yet and the value
 * is not empty; `supersede` replaces it (or adds it) when the value is not empty; `remove` deletes it when the
 * boolean expression is true. Then each sub-option entry edits its container the same way (the container is made
 * when absent if `container-add`, and dropped once empty if `container-remove`); sub-options are (code, length,
 * data) triples, as in an encapsulated DHCPv4 space. The value is raw bytes, or CSV text for the definition
 * (`csv-format`). Expressions are evaluated on the query. A failing evaluation stops the processing of the
 * remaining entries and is logged as FLEX_OPTION_PROCESS_ERROR, as Kea's callout catches it. The edits themselves
 * (applyFlex) are family-neutral: the DHCPv6 engine (dhcp6/engine/flex_option6.ts, Kea's `pkt6_send` callout)
 * runs them over a DHCPv6 message's options with its own evaluator and two-byte sub-option codes and lengths.
 */
import { evalBool, evalString } from "../../classify/evaluate.ts";
import type { BoolExpr, StrExpr } from "../../classify/expr/ast.ts";
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

/** The response's top-level options as the hook edits them (Kea's `getOption` / `delOption` / `addOption`). */
export interface FlexStore {
  has(code: number): boolean;
  /** the data of the (first) option `code` */
  get(code: number): Uint8Array | undefined;
  /** removes every option `code` */
  delete(code: number): void;
  /** replaces option `code` (every copy) with one carrying `data` */
  set(code: number, data: Uint8Array): void;
}

/** The family's evaluator over the query, and the width of a sub-option's code and length (1 v4, 2 v6). */
export interface FlexFamilyEval {
  bool(e: BoolExpr): boolean;
  str(e: StrExpr): string;
  classes: ReadonlySet<string>;
  width: 1 | 2;
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
function valueOf(e: Extract<FlexAction, { action: "add" | "supersede" }>, ev: FlexFamilyEval): Uint8Array | undefined {
  const v = ev.str(e.expr);
  if (v === "") return undefined;
  return e.encode ? e.encode(v) : bytesOf(v);
}

const field = (d: Uint8Array, i: number, w: 1 | 2) => (w === 1 ? d[i] : (d[i] << 8) | d[i + 1]);

/** The sub-options of a container's data: [code, data] in order (a truncated tail is kept as it was sent). */
function subOptions(data: Uint8Array, w: 1 | 2): [number, Uint8Array][] {
  const out: [number, Uint8Array][] = [];
  for (let i = 0; i + 2 * w <= data.length;) {
    const len = field(data, i + w, w);
    if (i + 2 * w + len > data.length) break;
    out.push([field(data, i, w), data.subarray(i + 2 * w, i + 2 * w + len)]);
    i += 2 * w + len;
  }
  return out;
}

function encodeSubs(subs: readonly [number, Uint8Array][], w: 1 | 2): Uint8Array {
  const out = new Uint8Array(subs.reduce((n, [, d]) => n + 2 * w + d.length, 0));
  let o = 0;
  const put = (v: number) => {
    if (w === 2) out[o++] = v >> 8;
    out[o++] = v & 0xff;
  };
  for (const [code, d] of subs) {
    put(code);
    put(d.length);
    out.set(d, o);
    o += d.length;
  }
  return out;
}

/** One sub-option entry applied to `opts`; the log line of what it did, if anything. */
function applySub(e: FlexSubOption4, opts: FlexStore, ev: FlexFamilyEval, label: string): EngineLog[] {
  if (e.containerClass && !ev.classes.has(e.containerClass)) return [];
  if (e.clientClass && !ev.classes.has(e.clientClass)) return [];
  const w = ev.width, max = w === 1 ? 255 : 65535;
  const container = opts.get(e.container);
  const subs = container ? subOptions(container, w) : [];
  const what = `sub-option code ${e.code} of option code ${e.container}`;
  if (e.action === "remove") {
    if (!container || !subs.some(([c]) => c === e.code) || !ev.bool(e.expr)) return [];
    const left = subs.filter(([c]) => c !== e.code);
    if (left.length === 0 && e.containerRemove) opts.delete(e.container);
    else opts.set(e.container, encodeSubs(left, w));
    return [{ id: "FLEX_OPTION_PROCESS_SUB_REMOVE", text: `${label}: removed ${what}`, debug: true }];
  }
  if (!container && !e.containerAdd) return [];
  const data = valueOf(e, ev);
  if (!data) return [];
  if (e.action === "add" && subs.some(([c]) => c === e.code)) return [];
  if (data.length > max) throw new Error(`${what}: value of ${data.length} bytes does not fit a sub-option`);
  const next = encodeSubs([...subs.filter(([c]) => c !== e.code), [e.code, data]], w);
  if (next.length > max) throw new Error(`option code ${e.container}: ${next.length} bytes do not fit an option`);
  opts.set(e.container, next);
  const id = e.action === "add" ? "FLEX_OPTION_PROCESS_SUB_ADD" : "FLEX_OPTION_PROCESS_SUB_SUPERSEDE";
  return [{
    id,
    text: `${label}: ${e.action === "add" ? "added" : "superseded"} ${what} with '${shown(data)}'`,
    debug: true,
  }];
}

/**
 * Kea's flex_option `process` over either family's response: the option entries in order, then the sub-option
 * entries, each guarded by its `client-class`; returns the log lines (an error, or debug lines).
 */
export function applyFlex(flex: FlexOptions4, opts: FlexStore, ev: FlexFamilyEval, label: string): EngineLog[] {
  const log: EngineLog[] = [];
  try {
    for (const e of flex.options) {
      if (e.clientClass && !ev.classes.has(e.clientClass)) continue;
      if (e.action === "remove") {
        if (!opts.has(e.code) || !ev.bool(e.expr)) continue;
        opts.delete(e.code);
        log.push({ id: "FLEX_OPTION_PROCESS_REMOVE", text: `${label}: removed option code ${e.code}`, debug: true });
        continue;
      }
      if (e.action === "add" && opts.has(e.code)) continue;
      const data = valueOf(e, ev);
      if (!data) continue;
      opts.set(e.code, data);
      log.push({
        id: e.action === "add" ? "FLEX_OPTION_PROCESS_ADD" : "FLEX_OPTION_PROCESS_SUPERSEDE",
        text: `${label}: ${e.action === "add" ? "added" : "superseded"} option code ${e.code} with '${shown(data)}'`,
        debug: true,
      });
    }
    for (const e of flex.subOptions) log.push(...applySub(e, opts, ev, label));
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    log.push({ id: "FLEX_OPTION_PROCESS_ERROR", text: `${label}: processing failed: ${why}` });
  }
  return log;
}

/** Applies the hook's entries to a DHCPv4 `reply` (in place); returns the log lines (an error, or debug lines). */
export function applyFlexOptions(
  flex: FlexOptions4,
  reply: Packet4,
  inp: Omit<FlexInput, "classes"> & { classes?: ReadonlySet<string> },
  label: string,
): EngineLog[] {
  const input = { ...inp, classes: inp.classes ?? ALL };
  const m = reply.options;
  const store: FlexStore = {
    has: (c) => m.has(c),
    get: (c) => m.get(c),
    delete: (c) => void m.delete(c),
    set: (c, d) => void (m.delete(c), m.set(c, d)),
  };
  const ev: FlexFamilyEval = {
    bool: (e) => evalBool(e, input),
    str: (e) => evalString(e, input),
    classes: input.classes,
    width: 1,
  };
  return applyFlex(flex, store, ev, label);
}
