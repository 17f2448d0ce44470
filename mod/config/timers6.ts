/**
 * The lifetimes and timers of Dhcp6 scopes, inherited global → shared network → subnet as Kea inherits them, and
 * Kea 2.2's rules for them: min ≤ default ≤ max for the valid and the preferred lifetime (min and max default to
 * the scope's own value unless configured at this scope or above), renew-timer ≤ rebind-timer. A preferred
 * lifetime above the valid lifetime is accepted, as Kea 2.2 accepts it, with a warning (RFC 8415 §21.6).
 */

import { DHCP6_DEFAULTS } from "./defaults.ts";
import type { JsonPath, Problems } from "./errors.ts";
import type { Timers6 } from "./model6.ts";

/** The timer keys of one scope, as validated. */
export interface TimerKeys6 {
  "valid-lifetime"?: number;
  "min-valid-lifetime"?: number;
  "max-valid-lifetime"?: number;
  "preferred-lifetime"?: number;
  "min-preferred-lifetime"?: number;
  "max-preferred-lifetime"?: number;
  "renew-timer"?: number;
  "rebind-timer"?: number;
  "calculate-tee-times"?: boolean;
  "t1-percent"?: number;
  "t2-percent"?: number;
}

/** The effective values of a scope: configured here or above (the `…Set` bounds), else Kea's defaults. */
export interface Effective6 {
  valid: number;
  pref: number;
  /** preferred-lifetime as configured here or above (undefined: Kea's default applies) */
  prefSet?: number;
  validMinSet?: number;
  validMaxSet?: number;
  prefMinSet?: number;
  prefMaxSet?: number;
  renew?: number;
  rebind?: number;
  calc: boolean;
  t1: number;
  t2: number;
}

const KEYS: (keyof TimerKeys6)[] = [
  "valid-lifetime",
  "min-valid-lifetime",
  "max-valid-lifetime",
  "preferred-lifetime",
  "min-preferred-lifetime",
  "max-preferred-lifetime",
  "renew-timer",
  "rebind-timer",
];

/** The effective timers of `s` inheriting from `parent` (undefined: `s` is the global scope). */
export function effective6(s: TimerKeys6, parent?: Effective6): Effective6 {
  return {
    valid: s["valid-lifetime"] ?? parent?.valid ?? DHCP6_DEFAULTS["valid-lifetime"],
    pref: s["preferred-lifetime"] ?? parent?.pref ?? DHCP6_DEFAULTS["preferred-lifetime"],
    prefSet: s["preferred-lifetime"] ?? parent?.prefSet,
    validMinSet: s["min-valid-lifetime"] ?? parent?.validMinSet,
    validMaxSet: s["max-valid-lifetime"] ?? parent?.validMaxSet,
    prefMinSet: s["min-preferred-lifetime"] ?? parent?.prefMinSet,
    prefMaxSet: s["max-preferred-lifetime"] ?? parent?.prefMaxSet,
    renew: s["renew-timer"] ?? parent?.renew,
    rebind: s["rebind-timer"] ?? parent?.rebind,
    calc: s["calculate-tee-times"] ?? parent?.calc ?? DHCP6_DEFAULTS["calculate-tee-times"],
    t1: s["t1-percent"] ?? parent?.t1 ?? DHCP6_DEFAULTS["t1-percent"],
    t2: s["t2-percent"] ?? parent?.t2 ?? DHCP6_DEFAULTS["t2-percent"],
  };
}

/** The model's Timers6 of an effective scope. */
export function timers6(e: Effective6): Timers6 {
  const t: Timers6 = {
    validLifetime: e.valid,
    minValidLifetime: e.validMinSet ?? e.valid,
    maxValidLifetime: e.validMaxSet ?? e.valid,
    preferredLifetime: e.pref,
    minPreferredLifetime: e.prefMinSet ?? e.pref,
    maxPreferredLifetime: e.prefMaxSet ?? e.pref,
    calculateTeeTimes: e.calc,
    t1Percent: e.t1,
    t2Percent: e.t2,
  };
  if (e.renew !== undefined) t.renewTimer = e.renew;
  if (e.rebind !== undefined) t.rebindTimer = e.rebind;
  return t;
}

/**
 * Resolves the scope's timers and, when the scope is the global one or sets a timer key itself, applies Kea's
 * rules, reporting at the scope's own key (or at the scope when the value was inherited).
 */
export function checkLifetimes6(
  s: TimerKeys6,
  parent: Effective6 | undefined,
  base: JsonPath,
  problems: Problems,
): Effective6 {
  const e = effective6(s, parent);
  if (parent && !KEYS.some((k) => k in s)) return e;
  const own = (k: string) => (k in s ? [...base, k] : base);
  for (
    const [name, v, min, max] of [["valid", e.valid, e.validMinSet, e.validMaxSet], [
      "preferred",
      e.pref,
      e.prefMinSet,
      e.prefMaxSet,
    ]] as const
  ) {
    // at the bound when this scope sets it, else at the value it clashes with, else at the scope
    const at = (bound: string) => (bound in s ? own(bound) : own(`${name}-lifetime`));
    if ((min ?? v) > v) {
      problems.add(at(`min-${name}-lifetime`), `min-${name}-lifetime (${min}) is greater than ${name}-lifetime (${v})`);
    }
    if (v > (max ?? v)) {
      problems.add(at(`max-${name}-lifetime`), `max-${name}-lifetime (${max}) is less than ${name}-lifetime (${v})`);
    }
  }
  if (e.renew !== undefined && e.rebind !== undefined && e.renew > e.rebind) {
    problems.add(own("renew-timer"), `renew-timer (${e.renew}) is greater than rebind-timer (${e.rebind})`);
  }
  if (e.pref > e.valid) {
    problems.warn(
      own("preferred-lifetime"),
      `preferred-lifetime (${e.pref}${e.prefSet === undefined ? ", Kea's default" : ""}) ` +
        `is greater than valid-lifetime (${e.valid}); clients discard such leases (RFC 8415 §21.6)`,
    );
  }
  return e;
}
