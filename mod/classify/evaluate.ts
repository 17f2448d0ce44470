/**
 * The pure evaluator of Kea classification expressions over a DHCPv4 query (Kea's `evaluateBool` with the token
 * semantics of `src/lib/eval/token.cc`). Values are byte strings; a missing option reads as "" (`.hex`) and
 * false (`.exists`); packet integer fields are 4-byte big-endian, as Kea pads them to uint32. A type error (e.g.
 * `uint8totext` of two bytes) throws EvalError; the classifier then leaves the class out, as Kea does.
 */
import type { BoolExpr, StrExpr } from "./ast.ts";
import { hwAddr, type Packet4 } from "../dhcp4/packet.ts";
import { formatIpv4 } from "../wire/addr.ts";

/** What an expression may look at: the query, its arrival, and the classes assigned so far. */
export interface EvalInput {
  query: Packet4;
  /** arrival interface name ("" when unknown) */
  iface?: string;
  /** IP source and destination addresses (u32) */
  src?: number;
  dst?: number;
  /** the length of the query on the wire, in bytes */
  len?: number;
  /** classes the query already belongs to */
  classes: ReadonlySet<string>;
}

/** An evaluation failure (Kea's EvalTypeError): the expression cannot give a value for this packet. */
export class EvalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EvalError";
  }
}

const bytes = (b: Uint8Array | undefined): string => (b ? String.fromCharCode(...b) : "");
const u32 = (n: number): string => String.fromCharCode((n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);

/** Parses Kea's RAI payload (RFC 3046 §2.0) and returns sub-option `code`, or undefined. */
function raiSub(p: Uint8Array | undefined, code: number): Uint8Array | undefined {
  if (!p) return undefined;
  for (let i = 0; i + 2 <= p.length;) {
    const c = p[i], l = p[i + 1];
    if (i + 2 + l > p.length) return undefined;
    if (c === code) return p.subarray(i + 2, i + 2 + l);
    i += 2 + l;
  }
  return undefined;
}

function pkt4(q: Packet4, field: string): string {
  switch (field) {
    case "mac":
      return bytes(hwAddr(q));
    case "hlen":
      return u32(q.hlen);
    case "htype":
      return u32(q.htype);
    case "ciaddr":
      return u32(q.ciaddr);
    case "giaddr":
      return u32(q.giaddr);
    case "yiaddr":
      return u32(q.yiaddr);
    case "siaddr":
      return u32(q.siaddr);
    case "msgtype": {
      const t = q.options.get(53);
      return u32(t && t.length === 1 ? t[0] : 0);
    }
    default:
      return u32(q.xid);
  }
}

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
  if (s.length === 4) return formatIpv4(u32decode(s));
  if (s.length === 16) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(((s.charCodeAt(i) << 8) | s.charCodeAt(i + 1)).toString(16));
    return compressV6(groups);
  }
  throw new EvalError(`addrtotext needs 4 or 16 bytes, got ${s.length}`);
}

function u32decode(s: string): number {
  return ((s.charCodeAt(0) << 24) | (s.charCodeAt(1) << 16) | (s.charCodeAt(2) << 8) | s.charCodeAt(3)) >>> 0;
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

/** Evaluates a string expression to a byte string (one char per byte). */
export function evalString(e: StrExpr, inp: EvalInput): string {
  switch (e.t) {
    case "lit":
      return e.value;
    case "option":
      return bytes(inp.query.options.get(e.code));
    case "relay4":
      return bytes(raiSub(inp.query.options.get(82), e.code));
    case "pkt4":
      return pkt4(inp.query, e.field);
    case "pkt":
      switch (e.field) {
        case "iface":
          return inp.iface ?? "";
        case "src":
          return u32(inp.src ?? 0);
        case "dst":
          return u32(inp.dst ?? 0);
        default:
          return u32(inp.len ?? 0);
      }
    case "substring":
      return substring(evalString(e.str, inp), e.start, e.len);
    case "concat":
      return evalString(e.a, inp) + evalString(e.b, inp);
    case "ifelse":
      return evalBool(e.cond, inp) ? evalString(e.a, inp) : evalString(e.b, inp);
    case "hexstring": {
      const s = evalString(e.str, inp), sep = evalString(e.sep, inp);
      return [...s].map((c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join(sep);
    }
    case "split": {
      const s = evalString(e.str, inp), sep = evalString(e.sep, inp);
      if (sep === "") return s;
      const parts = s.split(new RegExp(`[${sep.replace(/[\]\\^-]/g, "\\$&")}]`));
      return e.field >= 1 && e.field <= parts.length ? parts[e.field - 1] : "";
    }
    case "case": {
      const s = evalString(e.str, inp);
      return e.upper ? s.replace(/[a-z]+/g, (m) => m.toUpperCase()) : s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
    }
    case "inttotext":
      return intToText(e.kind, evalString(e.str, inp));
    case "addrtotext":
      return addrToText(evalString(e.str, inp));
    case "pkt6":
    case "relay6":
    case "relay6field":
    case "vendor":
      throw new EvalError(`'${e.t}' cannot be evaluated over a DHCPv4 query`);
  }
}

/**
 * Evaluates a boolean expression (Kea's `evaluateBool`) over a DHCPv4 query: `==` compares bytes, `and`/`or`
 * short-circuit, `member('X')` looks at the classes assigned so far, `option[N].exists` and `relay4[N].exists`
 * test presence. Throws EvalError when a conversion cannot apply to the packet's data.
 */
export function evalBool(e: BoolExpr, inp: EvalInput): boolean {
  switch (e.t) {
    case "eq":
      return evalString(e.a, inp) === evalString(e.b, inp);
    case "not":
      return !evalBool(e.e, inp);
    case "and":
      return evalBool(e.a, inp) && evalBool(e.b, inp);
    case "or":
      return evalBool(e.a, inp) || evalBool(e.b, inp);
    case "exists":
      return inp.query.options.has(e.code);
    case "relay4exists":
      return raiSub(inp.query.options.get(82), e.code) !== undefined;
    case "member":
      return inp.classes.has(e.name);
    case "relay6exists":
    case "vendorexists":
      throw new EvalError(`'${e.t}' cannot be evaluated over a DHCPv4 query`);
  }
}
