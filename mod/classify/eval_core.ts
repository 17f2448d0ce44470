/**
 * The family-independent part of Kea's classification evaluator (`evaluateBool` with the token semantics of
 * `src/lib/eval/token.cc`): literals, `option[N]` presence and payload, `substring`, `concat`, `ifelse`,
 * `hexstring`, `split`, `lcase`/`ucase`, the `…totext` conversions, `==`, `and`/`or`/`not` and `member`. The
 * tokens that read packet fields of one protocol (`pkt4`, `pkt6`, `pkt`, `relay4`, `relay6`, `vendor…`) are
 * delegated to an {@link EvalFamily}, so the DHCPv4 (evaluate.ts) and DHCPv6 (evaluate6.ts) evaluators share
 * every other rule. Values are byte strings (one JS char per byte, 0..255).
 */
import type { BoolExpr, StrExpr } from "./expr/ast.ts";
import { formatIpv4 } from "../wire/addr.ts";

/** An evaluation failure (Kea's EvalTypeError): the expression cannot give a value for this packet. */
export class EvalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EvalError";
  }
}

/** The string tokens whose value depends on the protocol of the packet. */
export type FamilyStr = Extract<
  StrExpr,
  { t: "pkt4" | "pkt" | "relay4" | "pkt6" | "relay6" | "relay6field" | "vendor" }
>;
/** The boolean tokens whose value depends on the protocol of the packet. */
export type FamilyBool = Extract<BoolExpr, { t: "relay4exists" | "relay6exists" | "vendorexists" }>;

/** What every evaluation input carries: the classes the query already belongs to (for `member()`). */
export interface ClassesInput {
  classes: ReadonlySet<string>;
}

/**
 * The protocol-specific half of the evaluator: how `option[N]` finds an option in the (innermost) query, and
 * the value of every protocol-specific token. A token of the other protocol throws EvalError.
 */
export interface EvalFamily<I extends ClassesInput> {
  /** the payload of the first option `code` of the query (no code/length header), or undefined */
  option(inp: I, code: number): Uint8Array | undefined;
  str(e: FamilyStr, inp: I): string;
  bool(e: FamilyBool, inp: I): boolean;
}

/** Bytes as a byte string ("" for undefined). */
export const bytes = (b: Uint8Array | undefined): string => (b ? String.fromCharCode(...b) : "");
/** A number as Kea's 4-byte big-endian string (`EvalContext::fromUint32`). */
export const u32 = (n: number): string =>
  String.fromCharCode((n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);

/** Kea's TokenSubstring: a negative start counts from the end, a negative length takes bytes before start. */
export function substring(s: string, start: number, len: number | "all"): string {
  const n = s.length;
  if (n === 0 || start < -n || start >= n) return "";
  let pos = start < 0 ? n + start : start;
  let l = len === "all" ? n : len;
  if (l < 0) {
    l = -l;
    if (l <= pos) pos -= l;
    else {
      l = pos;
      pos = 0;
    }
  }
  return s.substr(pos, l);
}

function intToText(kind: string, s: string): string {
  const size = kind.endsWith("8") ? 1 : kind.endsWith("16") ? 2 : 4;
  if (s.length !== size) throw new EvalError(`${kind}totext needs ${size} byte(s), got ${s.length}`);
  let v = 0;
  for (let i = 0; i < size; i++) v = v * 256 + s.charCodeAt(i);
  if (kind.startsWith("int") && v >= 2 ** (8 * size - 1)) v -= 2 ** (8 * size);
  return String(v);
}

function addrToText(s: string): string {
  if (s.length === 4) {
    const v = ((s.charCodeAt(0) << 24) | (s.charCodeAt(1) << 16) | (s.charCodeAt(2) << 8) | s.charCodeAt(3)) >>> 0;
    return formatIpv4(v);
  }
  if (s.length === 16) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(((s.charCodeAt(i) << 8) | s.charCodeAt(i + 1)).toString(16));
    return compressV6(groups);
  }
  throw new EvalError(`addrtotext needs 4 or 16 bytes, got ${s.length}`);
}

function compressV6(g: string[]): string {
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === "0") j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  if (best < 0) return g.join(":");
  return `${g.slice(0, best).join(":")}::${g.slice(best + bestLen).join(":")}`;
}

/**
 * Evaluates a string expression to a byte string with Kea's token semantics; `option[N].hex` and `.text` give
 * the option payload ("" when absent), protocol-specific tokens go to `fam`. Throws EvalError on a type error.
 */
export function evalStr<I extends ClassesInput>(e: StrExpr, inp: I, fam: EvalFamily<I>): string {
  switch (e.t) {
    case "lit":
      return e.value;
    case "option":
      return bytes(fam.option(inp, e.code));
    case "substring":
      return substring(evalStr(e.str, inp, fam), e.start, e.len);
    case "concat":
      return evalStr(e.a, inp, fam) + evalStr(e.b, inp, fam);
    case "ifelse":
      return evalBoolean(e.cond, inp, fam) ? evalStr(e.a, inp, fam) : evalStr(e.b, inp, fam);
    case "hexstring": {
      const s = evalStr(e.str, inp, fam), sep = evalStr(e.sep, inp, fam);
      return [...s].map((c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join(sep);
    }
    case "split": {
      const s = evalStr(e.str, inp, fam), sep = evalStr(e.sep, inp, fam);
      if (sep === "") return s;
      const parts = s.split(new RegExp(`[${sep.replace(/[\]\\^-]/g, "\\$&")}]`));
      return e.field >= 1 && e.field <= parts.length ? parts[e.field - 1] : "";
    }
    case "case": {
      const s = evalStr(e.str, inp, fam);
      return e.upper ? s.replace(/[a-z]+/g, (m) => m.toUpperCase()) : s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
    }
    case "inttotext":
      return intToText(e.kind, evalStr(e.str, inp, fam));
    case "addrtotext":
      return addrToText(evalStr(e.str, inp, fam));
    default:
      return fam.str(e, inp);
  }
}

/**
 * Evaluates a boolean expression (Kea's `evaluateBool`): `==` compares bytes, `and`/`or` short-circuit,
 * `member('X')` looks at the classes assigned so far, `option[N].exists` tests presence in the query;
 * protocol-specific tokens go to `fam`. Throws EvalError when a conversion cannot apply to the packet's data.
 */
export function evalBoolean<I extends ClassesInput>(e: BoolExpr, inp: I, fam: EvalFamily<I>): boolean {
  switch (e.t) {
    case "eq":
      return evalStr(e.a, inp, fam) === evalStr(e.b, inp, fam);
    case "not":
      return !evalBoolean(e.e, inp, fam);
    case "and":
      return evalBoolean(e.a, inp, fam) && evalBoolean(e.b, inp, fam);
    case "or":
      return evalBoolean(e.a, inp, fam) || evalBoolean(e.b, inp, fam);
    case "exists":
      return fam.option(inp, e.code) !== undefined;
    case "member":
      return inp.classes.has(e.name);
    default:
      return fam.bool(e, inp);
  }
}
