/**
 * Client classification of a DHCPv6 query in kea-dhcp6's order (`Dhcpv6Srv::classifyPacket`, then the
 * KNOWN-dependent pass after the host lookup): `ALL`, `VENDOR_CLASS_…` from option 16 (Kea's
 * `classifyByVendor`), then each non-additional class whose test holds, in configuration order. Pure: the query
 * (relay chain included, so `relay6[…]` tests see it), the arrival facts and the compiled classes in, a set out.
 */
import type { BoolExpr } from "./expr/ast.ts";
import { type ClassDef, spawnedClass } from "./class_def.ts";
import type { Message6, Packet6, Relay6 } from "../packet6/packet.ts";
import { EvalError } from "./eval_core.ts";
import { evalBool6, type EvalInput6, evalString6 } from "./evaluate6.ts";
import { decodeVendor6 } from "./vendor6.ts";

/** The arrival facts `pkt.iface|src|dst|len` read (addresses as 16 bytes). */
export interface ArrivalFacts6 {
  iface?: string;
  src?: Uint8Array;
  dst?: Uint8Array;
  /** wire length; re-encoded from the query when absent */
  len?: number;
}

/**
 * The evaluation input for a DHCPv6 query: a whole packet is unwrapped (its relay layers, outermost first, as
 * Kea's `relay_info_`), a bare client message is taken with the `relays` given (none by default).
 */
export function queryInput6(
  query: Packet6,
  arrival: ArrivalFacts6,
  classes: ReadonlySet<string>,
  relays: readonly Relay6[] = [],
): EvalInput6 {
  const chain: Relay6[] = [...relays];
  let p: Packet6 = query;
  while (p.kind === "relay") {
    chain.push(p);
    p = p.inner;
  }
  return { message: p, relays: chain, ...arrival, classes };
}

/**
 * Kea's per-class evaluation: true when the class's test holds for the query. A test that fails to evaluate
 * (EvalError, Kea's EvalTypeError) leaves the class out, as Kea logs EVAL_RESULT and skips it; no test: false.
 */
export function evaluate6(cls: { test?: BoolExpr }, input: EvalInput6): boolean {
  if (!cls.test) return false;
  try {
    return evalBool6(cls.test, input);
  } catch (e) {
    if (e instanceof EvalError) return false;
    throw e;
  }
}

/**
 * Evaluates one class for a DHCPv6 query and adds what it gives to `set` (as classify4.ts assignClass): its name
 * when its test holds, or, for a template class, its name and `SPAWN_<name>_<value>` when the value is not empty.
 */
export function assignClass6(cls: ClassDef, set: Set<string>, input: EvalInput6): boolean {
  if (cls.templateTest) {
    let value: string;
    try {
      value = evalString6(cls.templateTest, input);
    } catch (e) {
      if (e instanceof EvalError) return false;
      throw e;
    }
    if (value === "") return false;
    set.add(cls.name);
    set.add(spawnedClass(cls.name, value));
    return true;
  }
  if (!evaluate6(cls, input)) return false;
  set.add(cls.name);
  return true;
}

/**
 * Kea's `Dhcpv6Srv::classifyByVendor`: with a Vendor Class option (16) carrying at least one tuple, the class
 * `VENDOR_CLASS_docsis3.0` or `VENDOR_CLASS_eRouter1.0` when a tuple says so, else `VENDOR_CLASS_<first tuple>`.
 */
export function vendorClass6(message: Message6): string | undefined {
  const v = decodeVendor6("vendor-class", message.options.find((o) => o.code === 16)?.data);
  if (!v || !v.tuples.length) return undefined;
  const texts = v.tuples.map((t) => new TextDecoder().decode(t));
  const pick = texts.find((t) => t === "docsis3.0") ?? texts.find((t) => t === "eRouter1.0") ?? texts[0];
  return `VENDOR_CLASS_${pick}`;
}

/**
 * The first classification pass (before subnet selection): `ALL`, the vendor class, then, in configuration
 * order, each class with a test that does not depend on KNOWN/UNKNOWN and is not additional-only, when its test
 * holds. A test sees the classes assigned before it (`member()` of a later class is false, as in Kea).
 */
export function classifyQuery6(
  query: Packet6,
  classes: readonly ClassDef[],
  arrival: ArrivalFacts6 = {},
  relays: readonly Relay6[] = [],
): Set<string> {
  const set = new Set<string>(["ALL"]);
  const input = queryInput6(query, arrival, set, relays);
  const vc = vendorClass6(input.message);
  if (vc) set.add(vc);
  for (const c of classes) if (!c.afterHost && !c.additional) assignClass6(c, set, input);
  return set;
}
