/**
 * Client classification of a DHCPv4 query in Kea's order (`Dhcpv4Srv::classifyPacket` and the KNOWN-dependent
 * pass after the host lookup): `ALL`, then every non-additional class whose test holds, in configuration order;
 * after the host lookup `KNOWN` or `UNKNOWN` and the classes depending on them. Pure: the query, the arrival
 * facts and the compiled classes in, a set of class names out.
 */
import { type ClassDef, spawnedClass } from "./class_def.ts";
import type { Packet4 } from "../packet4/packet.ts";
import { evalBool, EvalError, type EvalInput, evalString } from "./evaluate.ts";

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
 * Evaluates one class for the query and adds what it gives to `set`: its name when its test holds, or, for a
 * template class (`template-test`), its name and `SPAWN_<name>_<value>` when the value is not empty. A class
 * without either is not assigned by evaluation. Returns whether the client joined it.
 */
export function assignClass(cls: ClassDef, set: Set<string>, input: EvalInput): boolean {
  if (cls.templateTest) {
    let value: string;
    try {
      value = evalString(cls.templateTest, input);
    } catch (e) {
      if (e instanceof EvalError) return false;
      throw e;
    }
    if (value === "") return false;
    set.add(cls.name);
    set.add(spawnedClass(cls.name, value));
    return true;
  }
  if (!cls.test || !evaluate(cls, input)) return false;
  set.add(cls.name);
  return true;
}

/**
 * The first classification pass (before subnet selection): `ALL`, `VENDOR_CLASS_<option 60 text>` when the
 * client sends a vendor class identifier (Kea's `classifyByVendor`), `hookClass` (a class a `buffer4_receive` hook
 * set before classification, e.g. BOOTP), then, in configuration order, each class with
 * a test that does not depend on KNOWN/UNKNOWN and is not additional-only, when its test holds. A test sees the
 * classes assigned before it (Kea evaluates in order, so `member()` of a later class is false). `hostClasses` are
 * the classes of a global reservation found before subnet selection (`early-global-reservations-lookup`).
 */
export function classifyQuery(
  query: Packet4,
  classes: readonly ClassDef[],
  arrival: ArrivalFacts = {},
  hostClasses: readonly string[] = [],
  hookClass?: string,
): Set<string> {
  const set = new Set<string>(["ALL"]);
  if (hookClass) set.add(hookClass);
  for (const c of hostClasses) set.add(c);
  const vendor = query.options.get(60);
  if (vendor && vendor.length) set.add(`VENDOR_CLASS_${new TextDecoder().decode(vendor)}`);
  const input: EvalInput = { query, ...arrival, classes: set };
  for (const c of classes) if (!c.afterHost && !c.additional) assignClass(c, set, input);
  return set;
}

/**
 * The pass after the host lookup (Kea's "KNOWN-dependent classes"): adds `KNOWN` when a host reservation
 * matched, else `UNKNOWN`, then the reservation's own `client-classes` (Kea adds them to the query as they are),
 * then evaluates in order the classes whose test depends on them. Modifies `set`.
 */
export function classifyAfterHost(
  set: Set<string>,
  query: Packet4,
  known: boolean,
  classes: readonly ClassDef[],
  arrival: ArrivalFacts = {},
  hostClasses: readonly string[] = [],
): Set<string> {
  set.add(known ? "KNOWN" : "UNKNOWN");
  for (const h of hostClasses) set.add(h);
  const input: EvalInput = { query, ...arrival, classes: set };
  for (const c of classes) if (c.afterHost && !c.additional) assignClass(c, set, input);
  return set;
}

/**
 * Kea's additional classes (`evaluate-additional-classes`, Kea 2.2's `require-client-classes`), evaluated once an
 * address is chosen: `names` in the order given (pool's, then subnet's, then shared network's, duplicates once),
 * each looked up in `byName`; a class with a test (or template test) joins when it holds, a class without one joins
 * outright (Kea ≥ 2.6), an undefined name is skipped. Modifies `set`.
 */
export function classifyAdditional(
  set: Set<string>,
  query: Packet4,
  names: Iterable<string>,
  byName: ReadonlyMap<string, ClassDef>,
  arrival: ArrivalFacts = {},
): Set<string> {
  const input: EvalInput = { query, ...arrival, classes: set };
  for (const n of new Set(names)) {
    const c = byName.get(n);
    if (!c) continue;
    if (!c.test && !c.templateTest) set.add(n);
    else assignClass(c, set, input);
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
