/**
 * The evaluator of Kea classification expressions over a DHCPv6 query, as kea-dhcp6 2.2 runs them (token
 * semantics of `src/lib/eval/token.cc`). The family-independent rules are eval_core.ts's; this file supplies the
 * DHCPv6 tokens: `option[N]` reads the innermost (client) message, `relay6[n]` the relay layers in Kea's
 * `relay_info_` order (0 = the outermost layer, the relay closest to the server; a negative n counts from the
 * relay closest to the client, -1), `pkt6.msgtype|transid` and `pkt.len` as 4-byte big-endian integers,
 * `pkt.src|dst` and `relay6[n].peeraddr|linkaddr` as 16 bytes, and the vendor tokens over options 16 and 17.
 */
import type { BoolExpr, StrExpr } from "./expr/ast.ts";
import type { Message6, Relay6 } from "../packet6/packet.ts";
import { encode6 } from "../packet6/codec.ts";
import { bytes, evalBoolean, EvalError, type EvalFamily, evalStr, type FamilyStr, u32 } from "./eval_core.ts";
import { decodeVendor6, vendorMatches } from "./vendor6.ts";

/** What an expression over a DHCPv6 query may look at. */
export interface EvalInput6 {
  /** the client message (inside every relay layer) */
  message: Message6;
  /** the relay layers, outermost (closest to the server) first: Kea's `Pkt6::relay_info_` */
  relays: readonly Relay6[];
  /** arrival interface name ("" when unknown) */
  iface?: string;
  /** IPv6 source and destination addresses of the datagram (16 bytes each; :: when unknown) */
  src?: Uint8Array;
  dst?: Uint8Array;
  /** the length of the query on the wire in bytes (computed by re-encoding when not given) */
  len?: number;
  /** classes the query already belongs to */
  classes: ReadonlySet<string>;
}

const ZERO16 = new Uint8Array(16);

/** The payload of the first option `code` of the client message; IA_NA/IA_PD are re-encoded from `ias`. */
function option6(inp: EvalInput6, code: number): Uint8Array | undefined {
  const m = inp.message;
  for (const o of m.options) if (o.code === code) return o.data;
  if (code !== 3 && code !== 25) return undefined;
  const ia = m.ias.find((x) => x.kind === (code === 3 ? "na" : "pd"));
  if (!ia) return undefined;
  // msg-type(1) + transaction-id(3) + option-code(2) + option-len(2), then the IA payload
  return encode6({ kind: "message", msgType: m.msgType, transactionId: 0, ias: [ia], options: [] }).subarray(8);
}

/** Kea's nesting level: n >= 0 as is, a negative n counts back from the number of relays; undefined if out of range. */
function relayAt(inp: EvalInput6, nest: number): Relay6 | undefined {
  const level = nest >= 0 ? nest : inp.relays.length + nest;
  return level >= 0 && level < inp.relays.length ? inp.relays[level] : undefined;
}

function relayOption(inp: EvalInput6, nest: number, code: number): Uint8Array | undefined {
  for (const o of relayAt(inp, nest)?.options ?? []) if (o.code === code) return o.data;
  return undefined;
}

function wireLength(inp: EvalInput6): number {
  if (inp.len !== undefined) return inp.len;
  try {
    return encode6(inp.relays[0] ?? inp.message).length;
  } catch (e) {
    throw new EvalError(`pkt.len: the query cannot be re-encoded (${(e as Error).message})`);
  }
}

function vendorStr(e: Extract<FamilyStr, { t: "vendor" }>, inp: EvalInput6): string {
  const v = decodeVendor6(e.kind, option6(inp, e.kind === "vendor" ? 17 : 16));
  if (!vendorMatches(v, e.enterprise)) return "";
  switch (e.field) {
    case "enterprise":
      return u32(v.enterprise);
    case "option":
      return bytes(v.subs.find((s) => s.code === e.code)?.data);
    default:
      return bytes(v.tuples[e.index ?? 0]);
  }
}

function str6(e: FamilyStr, inp: EvalInput6): string {
  switch (e.t) {
    case "pkt6":
      return u32(e.field === "msgtype" ? inp.message.msgType : inp.message.transactionId);
    case "pkt":
      switch (e.field) {
        case "iface":
          return inp.iface ?? "";
        case "src":
          return bytes(inp.src ?? ZERO16);
        case "dst":
          return bytes(inp.dst ?? ZERO16);
        default:
          return u32(wireLength(inp));
      }
    case "relay6":
      return bytes(relayOption(inp, e.nest, e.code));
    case "relay6field": {
      const r = relayAt(inp, e.nest);
      return r ? bytes(e.field === "peeraddr" ? r.peerAddress : r.linkAddress) : "";
    }
    case "vendor":
      return vendorStr(e, inp);
    default:
      throw new EvalError(`'${e.t}' cannot be evaluated over a DHCPv6 query`);
  }
}

/** The DHCPv6 tokens (Kea's TokenPkt6, TokenRelay6Option, TokenRelay6Field, TokenVendor, TokenVendorClass). */
const FAMILY6: EvalFamily<EvalInput6> = {
  option: option6,
  str: str6,
  bool(e, inp) {
    switch (e.t) {
      case "relay6exists":
        return relayOption(inp, e.nest, e.code) !== undefined;
      case "vendorexists": {
        const v = decodeVendor6(e.kind, option6(inp, e.kind === "vendor" ? 17 : 16));
        if (!vendorMatches(v, e.enterprise)) return false;
        return e.code === undefined || v.subs.some((s) => s.code === e.code);
      }
      default:
        throw new EvalError(`'${e.t}' cannot be evaluated over a DHCPv6 query`);
    }
  },
};

/** Evaluates a string expression over a DHCPv6 query to a byte string (one char per byte). */
export function evalString6(e: StrExpr, inp: EvalInput6): string {
  return evalStr(e, inp, FAMILY6);
}

/**
 * Evaluates a boolean expression over a DHCPv6 query as kea-dhcp6 does (`evaluateBool`): the shared rules, plus
 * `relay6[n].option[c].exists` and `vendor[E].exists` / `vendor[E].option[c].exists` / `vendor-class[E].exists`.
 * Throws EvalError on a type error or a DHCPv4-only token (`pkt4`, `relay4`).
 */
export function evalBool6(e: BoolExpr, inp: EvalInput6): boolean {
  return evalBoolean(e, inp, FAMILY6);
}
