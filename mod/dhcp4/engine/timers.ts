/**
 * Lease lifetime and renewal timers for a DHCPv4 lease (RFC 2131 §4.4.5; Kea's `getValidLft` and
 * `setTeeTimes`).
 */
import { Opt, type Packet4 } from "../../packet4/packet.ts";
import type { Timers4 } from "../../config/model.ts";
import { readU32 } from "./payload.ts";

/**
 * The valid lifetime to grant: the configured `valid-lifetime`, or the client's option 51 hint clamped to
 * [`min-valid-lifetime`, `max-valid-lifetime`] when the client sent one (Kea's lifetime triplet).
 */
export function validLifetime(query: Packet4, timers: Timers4): number {
  const hint = readU32(query.options.get(Opt.LEASE_TIME));
  if (hint === undefined) return timers.validLifetime;
  return Math.min(Math.max(hint, timers.minValidLifetime), timers.maxValidLifetime);
}

/**
 * T1 (option 58) and T2 (option 59) for a lease, Kea's rules: an explicit `renew-timer`/`rebind-timer` wins;
 * otherwise, with `calculate-tee-times`, `t1-percent`/`t2-percent` of the valid lifetime (rounded). T2 is sent
 * only when it is below the valid lifetime; T1 only when it is below T2 (or below the lifetime when no T2 is
 * sent). Either is undefined when it is not to be sent; nothing is sent by default.
 */
export function teeTimes(valid: number, timers: Timers4): { t1?: number; t2?: number } {
  const out: { t1?: number; t2?: number } = {};
  let t2 = 0;
  if (timers.rebindTimer !== undefined) t2 = timers.rebindTimer;
  else if (timers.calculateTeeTimes) t2 = Math.round(timers.t2Percent * valid);
  let ceiling = valid;
  if (t2 > 0 && t2 < ceiling) {
    out.t2 = t2;
    ceiling = t2;
  }
  let t1 = 0;
  if (timers.renewTimer !== undefined) t1 = timers.renewTimer;
  else if (timers.calculateTeeTimes) t1 = Math.round(timers.t1Percent * valid);
  if (t1 > 0 && t1 < ceiling) out.t1 = t1;
  return out;
}
