/**
 * DHCPv6 preferred lifetimes as dhcpd sends them (ISC dhcpd's server/dhcpv6.c, reply_process_is_addressed() and
 * reply_process_is_prefixed(); dhcpd.conf(5) "The preferred lifetime defaults to 5/8 the default lease time"):
 *
 * - with no `preferred-lifetime`, dhcpd sends valid/2 + valid/8 (5/8 of the lease time) where Kea 2.2 would send its
 *   own default (3600 s, more than a short lease's valid lifetime): wherever the translation sets `valid-lifetime`
 *   and no preferred lifetime is configured above, `preferred-lifetime` is written as dhcpd computes it;
 * - a configured `preferred-lifetime` above the valid lifetime in force is sent as it is by dhcpd, and RFC 8415
 *   §21.6 clients discard such an address; it is clamped with dhcpd's own rule for a preferred lifetime that is not
 *   below the valid one (5/8 of valid), with a `///` note saying so.
 *
 * Scopes are walked as Kea inherits them: global → shared network → subnet.
 */

import type { Ctx } from "./context.ts";
import { JArr, JObj } from "./emit.ts";

/** Kea 2.2's default valid-lifetime (Dhcp6), in force when the translation sets none. */
const KEA_VALID = 7200;

/** dhcpd's preferred lifetime for a valid lifetime it is not below: valid/2 + valid/8 (integer halves, as in C). */
export function fiveEighths(valid: number): number {
  return Math.floor(valid / 2) + Math.floor(valid / 8);
}

interface Inherited {
  valid?: number;
  /** a preferred lifetime the dhcpd.conf configured (not one derived here) */
  preferred?: number;
  /** the scope above wrote a clamped value in place of `preferred` */
  clamped?: boolean;
}

function num(o: JObj, key: string): number | undefined {
  const v = o.get(key);
  return typeof v === "number" ? v : undefined;
}

function scope(o: JObj, up: Inherited, ctx: Ctx, top: boolean): Inherited {
  const ownValid = num(o, "valid-lifetime");
  const ownPref = num(o, "preferred-lifetime");
  const valid = ownValid ?? up.valid;
  const preferred = ownPref ?? up.preferred;
  const own = ownPref !== undefined || ownValid !== undefined || top;
  let clamped = ownPref === undefined && up.clamped === true;
  if (preferred !== undefined && own) {
    const v = valid ?? KEA_VALID;
    if (preferred > v) {
      const p = fiveEighths(v);
      o.set("preferred-lifetime", p, [
        `preferred-lifetime ${preferred} is above the valid lifetime ${v}: RFC 8415 clients would drop the address`,
        `(dhcpd sends it as configured); ${p} is dhcpd's rule for a preferred lifetime not below valid: valid * 5/8`,
      ]);
      ctx.note(ctx.prefLoc ?? ctx.mainLoc(), `preferred-lifetime ${preferred} > valid lifetime ${v}: clamped to ${p}`);
      clamped = true;
    } else if (clamped) {
      // the scope above holds a clamped value; this one's valid lifetime takes dhcpd's configured preferred one
      o.set("preferred-lifetime", preferred, [`preferred-lifetime ${preferred} as configured (valid lifetime ${v})`]);
    }
  } else if (preferred === undefined && ownValid !== undefined) {
    o.set("preferred-lifetime", fiveEighths(ownValid), [
      `dhcpd's preferred lifetime: 5/8 of the default lease time ${ownValid} (Kea's default of 3600 would differ)`,
    ]);
  }
  return { valid, preferred, clamped };
}

/** Applies the rules of the module comment to the translated `Dhcp6` map in `ctx.dhcp`. */
export function dhcpdLifetimes6(ctx: Ctx): void {
  if (!ctx.v6) return;
  const g = scope(ctx.dhcp, {}, ctx, true);
  const subnets = (list: unknown, up: Inherited) => {
    if (!(list instanceof JArr)) return;
    for (const s of list.active()) if (s instanceof JObj) scope(s, up, ctx, false);
  };
  subnets(ctx.dhcp.get("subnet6"), g);
  const nets = ctx.dhcp.get("shared-networks");
  if (nets instanceof JArr) {
    for (const n of nets.active()) {
      if (!(n instanceof JObj)) continue;
      subnets(n.get("subnet6"), scope(n, g, ctx, false));
    }
  }
}
