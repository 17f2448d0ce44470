/**
 * Client classification of a DHCPv4 query in Kea's order (`Dhcpv4Srv::classifyPacket` and the KNOWN-dependent
 * pass after the host lookup): `ALL`, then every non-additional class whose test holds, in configuration order;
 * after the host lookup `KNOWN` or `UNKNOWN` and the classes depending on them. Pure: the query, the arrival
 * facts and the compiled classes in, a set of class names out.
 */
import type { ClassDef } from "./class_def.ts";
import type { Packet4 } from "../packet4/packet.ts";
import { evalBool, EvalError, type EvalInput } from "./evaluate.ts";

/** The arrival facts `pkt.iface|src|dst|len` read. */
export interface ArrivalFacts {
  iface?: string;
  src?: number;
  dst?: number;
  len?: number;
}

const BUILTIN = new Set(["ALL", "KNOWN", "UNKNOWN", "BOOTP", "DROP"]);
const BUILTIN_PREFIXES = ["VENDOR_CLASS_", "HA_", "AFTER_", "EXTERNAL_", "SPAWN_"];

/**
 * True for Kea's built-in classes and class-name prefixes (ALL, KNOWN, UNKNOWN, BOOTP, DROP, VENDOR_CLASS_…,
 * HA_…, AFTER_…, EXTERNAL_…, SPAWN_…), which `member()` may name without a definition.
 */
export function isBuiltinClass(name: string): boolean {
  return BUILTIN.has(name) || BUILTIN_PREFIXES.some((p) => name.startsWith(p));
}

function evaluate(cls: ClassDef, input: EvalInput): boolean {
  try {
    return evalBool(cls.test!, input);
  } catch (e) {
    // Kea logs EVAL_RESULT with the error and leaves the class out.
    if (e instanceof EvalError) return false;
    throw e;
  }
}

/**
 * The first classification pass (before subnet selection): `ALL`, `VENDOR_CLASS_<option 60 text>` when the
 * client sends a vendor class identifier (Kea's `classifyByVendor`), `hookClass` (a class a `buffer4_receive` hook
 * set before classification, e.g. BOOTP), then, in configuration order, each class with
 * a test that does not depend on KNOWN/UNKNOWN and is not additional-only, when its test holds. A test sees the
 * classes assigned before it (Kea evaluates in order, so `member()` of a later class is false).
 */
export function classifyQuery(
  query: Packet4,
  classes: readonly ClassDef[],
  arrival: ArrivalFacts = {},
  hookClass?: string,
): Set<string> {
  const set = new Set<string>(["ALL"]);
  if (hookClass) set.add(hookClass);
  const vendor = query.options.get(60);
  if (vendor && vendor.length) set.add(`VENDOR_CLASS_${new TextDecoder().decode(vendor)}`);
  const input: EvalInput = { query, ...arrival, classes: set };
  for (const c of classes) {
    if (c.test && !c.afterHost && !c.additional && evaluate(c, input)) set.add(c.name);
  }
  return set;
}

/**
 * The pass after the host lookup (Kea's "KNOWN-dependent classes"): adds `KNOWN` when a host reservation
 * matched, else `UNKNOWN`, then evaluates in order the classes whose test depends on them. Modifies `set`.
 */
export function classifyAfterHost(
  set: Set<string>,
  query: Packet4,
  known: boolean,
  classes: readonly ClassDef[],
  arrival: ArrivalFacts = {},
): Set<string> {
  set.add(known ? "KNOWN" : "UNKNOWN");
  const input: EvalInput = { query, ...arrival, classes: set };
  for (const c of classes) {
    if (c.test && c.afterHost && !c.additional && evaluate(c, input)) set.add(c.name);
  }
  return set;
}

/**
 * Kea's `Network::clientSupported` for a subnet or pool guard: no guard admits every client; otherwise the
 * client must belong to at least one of the guard's classes. Without classification (`classes` undefined) a
 * client is only known to be in `ALL`.
 */
export function clientAllowed(guard: readonly string[] | undefined, classes: ReadonlySet<string> | undefined): boolean {
  if (!guard || guard.length === 0) return true;
  if (!classes) return guard.includes("ALL");
  return guard.some((g) => classes.has(g));
}
