/**
 * Lifetimes and renewal timers of DHCPv6 leases (RFC 8415 §21.4, §21.6, §21.21, §21.22; Kea's
 * `AllocEngine::getLifetimes6` and `Dhcpv6Srv::setTeeTimes`), with client classes' lifetimes over the subnet's.
 */
import type { ClientClass6, Dhcp6Config, Timers6 } from "../../config/model6.ts";

/** Kea's value for an infinite lifetime (RFC 8415 §7.7). */
export const INFINITY6 = 0xffffffff;

/**
 * The timers after classes: Kea takes valid/min/max-valid-lifetime from the first class (configuration order)
 * that sets `valid-lifetime`, and the preferred triplet from the first that sets `preferred-lifetime`, over the
 * subnet's.
 */
export function classTimers6(timers: Timers6, config: Dhcp6Config, classes: ReadonlySet<string> | undefined): Timers6 {
  if (!classes || !config.clientClasses.length) return timers;
  const member: ClientClass6[] = config.clientClasses.filter((c) => classes.has(c.name));
  const v = member.find((c) => c.validLifetime !== undefined);
  const p = member.find((c) => c.preferredLifetime !== undefined);
  if (!v && !p) return timers;
  const out = { ...timers };
  if (v) {
    out.validLifetime = v.validLifetime!;
    out.minValidLifetime = v.minValidLifetime ?? v.validLifetime!;
    out.maxValidLifetime = v.maxValidLifetime ?? v.validLifetime!;
  }
  if (p) {
    out.preferredLifetime = p.preferredLifetime!;
    out.minPreferredLifetime = p.minPreferredLifetime ?? p.preferredLifetime!;
    out.maxPreferredLifetime = p.maxPreferredLifetime ?? p.preferredLifetime!;
  }
  return out;
}

/**
 * The preferred and valid lifetimes to grant: the configured defaults, or the client's hints from its IAADDR /
 * IAPREFIX clamped to [min, max] (a hint of 0 means "no preference", RFC 8415 §18.2: the default applies).
 * The preferred lifetime is then capped at the valid lifetime, as RFC 8415 §21.6 requires (a client discards an
 * address whose preferred lifetime exceeds its valid lifetime).
 */
export function lifetimes6(timers: Timers6, hint?: { preferred: number; valid: number }): {
  preferred: number;
  valid: number;
} {
  const clamp = (h: number | undefined, def: number, min: number, max: number) =>
    h ? Math.min(Math.max(h, min), max) : def;
  const valid = clamp(hint?.valid, timers.validLifetime, timers.minValidLifetime, timers.maxValidLifetime);
  const preferred = clamp(
    hint?.preferred,
    timers.preferredLifetime,
    timers.minPreferredLifetime,
    timers.maxPreferredLifetime,
  );
  return { preferred: Math.min(preferred, valid), valid };
}

/**
 * T1 and T2 of an IA (RFC 8415 §21.4, §21.21; Kea's `setTeeTimes` for DHCPv6): an explicit `rebind-timer` /
 * `renew-timer` wins; otherwise, with `calculate-tee-times` (the DHCPv6 default), `t2-percent` and `t1-percent`
 * of the shortest preferred lifetime in the IA, rounded. T1 is kept only when below T2 or when T2 is 0 (else 0). An IA
 * without leases (a status-only IA) gets 0 and 0. An infinite preferred lifetime gives infinite timers.
 */
export function teeTimes6(preferred: number | undefined, timers: Timers6): { t1: number; t2: number } {
  if (preferred === undefined) return { t1: 0, t2: 0 };
  if (preferred === INFINITY6 && timers.renewTimer === undefined && timers.rebindTimer === undefined) {
    return timers.calculateTeeTimes ? { t1: INFINITY6, t2: INFINITY6 } : { t1: 0, t2: 0 };
  }
  let t2 = 0;
  if (timers.rebindTimer !== undefined) t2 = timers.rebindTimer;
  else if (timers.calculateTeeTimes) t2 = Math.round(timers.t2Percent * preferred);
  let t1 = 0;
  if (timers.renewTimer !== undefined) t1 = timers.renewTimer;
  else if (timers.calculateTeeTimes) t1 = Math.round(timers.t1Percent * preferred);
  return { t1: t1 < t2 || t2 === 0 ? t1 : 0, t2 };
}
