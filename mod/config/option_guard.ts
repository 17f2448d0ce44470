/**
 * Kea 3's `client-classes` on an option-data entry (CfgOption::allowedForClientClasses): an option with a non-empty
 * list goes only to a client in at least one of the classes; without one it goes to every client. Several entries
 * of one code in one scope are tried in the order written, and an inner scope's guarded option that does not apply
 * lets the outer scope's option of the same code through (Kea walks its option scopes until an allowed one). weka
 * keeps one OptionValue per code per scope, so the entries a guard may skip hang off it as a chain (`next`).
 */
import type { OptionValue } from "./model.ts";

/** Chains the entries of one code of one scope, first written first (the first allowed one is sent). */
export function chainOptions(list: readonly OptionValue[]): OptionValue {
  let out: OptionValue | undefined;
  for (let i = list.length - 1; i >= 0; i--) out = out ? { ...list[i], next: out } : list[i];
  return out!;
}

/** The entries of a chain, in order, each without its `next`. */
export function chainOf(o: OptionValue): OptionValue[] {
  const out: OptionValue[] = [];
  for (let x: OptionValue | undefined = o; x; x = x.next) {
    const { next: _, ...entry } = x;
    out.push(entry);
  }
  return out;
}

/** Appends `outer` as the fallback of a guarded `inner` chain (the inner scope wins when its guard lets it). */
export function overOuter(inner: OptionValue, outer: OptionValue): OptionValue {
  return inner.next ? { ...inner, next: overOuter(inner.next, outer) } : { ...inner, next: outer };
}

/** True when an option chain holds an entry guarded by classes (it must go through allowedOption). */
export function isGuarded(o: OptionValue): boolean {
  for (let x: OptionValue | undefined = o; x; x = x.next) if (x.clientClasses) return true;
  return false;
}

/**
 * The entry of a chain that goes to a client in `classes` (Kea's allowedForClientClasses; "ALL" holds every
 * client), or undefined when every entry is guarded by classes the client is not in.
 */
export function allowedOption(
  o: OptionValue | undefined,
  classes: ReadonlySet<string> | undefined,
): OptionValue | undefined {
  for (let x = o; x; x = x.next) {
    if (!x.clientClasses || x.clientClasses.some((c) => c === "ALL" || classes?.has(c))) return x;
  }
  return undefined;
}

/** True when any of the option maps holds an option guarded by `client-classes` (the query must be classified). */
export function anyGuarded(maps: Iterable<ReadonlyMap<number, OptionValue> | undefined>): boolean {
  for (const m of maps) for (const o of m?.values() ?? []) if (isGuarded(o)) return true;
  return false;
}
