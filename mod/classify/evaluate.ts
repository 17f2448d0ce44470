/**
 * The pure evaluator of Kea classification expressions over a DHCPv4 query (Kea's `evaluateBool` with the token
 * semantics of `src/lib/eval/token.cc`). The family-independent rules live in eval_core.ts; this file supplies
 * the DHCPv4 tokens. Values are byte strings; a missing option reads as "" (`.hex`) and false (`.exists`);
 * packet integer fields are 4-byte big-endian, as Kea pads them to uint32. A type error (e.g. `uint8totext` of
 * two bytes) throws EvalError; the classifier then leaves the class out, as Kea does.
 */
import type { BoolExpr, StrExpr } from "./expr/ast.ts";
import { hwAddr, type Packet4 } from "../packet4/packet.ts";
import { bytes, evalBoolean, EvalError, type EvalFamily, evalStr, type FamilyStr, u32 } from "./eval_core.ts";

export { EvalError, substring } from "./eval_core.ts";

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

function str4(e: FamilyStr, inp: EvalInput): string {
  switch (e.t) {
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
    default:
      throw new EvalError(`'${e.t}' cannot be evaluated over a DHCPv4 query`);
  }
}

/** The DHCPv4 tokens: options from the query's map, `relay4[N]` from option 82, `pkt4.*`, `pkt.*` as u32. */
const FAMILY4: EvalFamily<EvalInput> = {
  option: (inp, code) => inp.query.options.get(code),
  str: str4,
  bool(e, inp) {
    if (e.t === "relay4exists") return raiSub(inp.query.options.get(82), e.code) !== undefined;
    throw new EvalError(`'${e.t}' cannot be evaluated over a DHCPv4 query`);
  },
};

/** Evaluates a string expression over a DHCPv4 query to a byte string (one char per byte). */
export function evalString(e: StrExpr, inp: EvalInput): string {
  return evalStr(e, inp, FAMILY4);
}

/**
 * Evaluates a boolean expression (Kea's `evaluateBool`) over a DHCPv4 query: `==` compares bytes, `and`/`or`
 * short-circuit, `member('X')` looks at the classes assigned so far, `option[N].exists` and `relay4[N].exists`
 * test presence. Throws EvalError when a conversion cannot apply to the packet's data, or for a DHCPv6 token.
 */
export function evalBool(e: BoolExpr, inp: EvalInput): boolean {
  return evalBoolean(e, inp, FAMILY4);
}
