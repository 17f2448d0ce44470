/**
 * Where the translated host reservations go, and what Kea needs to take them as dhcpd did:
 *
 * - global (Kea `reservations` with `reservations-global`) by default, or, with -N, in the subnet holding the
 *   address (keama); a reservation that fits no subnet is then an orphan and is commented out;
 * - one identifier in two host declarations (the same MAC with a fixed address in two subnets): dhcpd picks the
 *   declaration whose address fits the client's subnet, Kea refuses a second global host with that identifier, so
 *   such reservations go into their subnets, where each is unique; two for one subnet cannot be told apart by Kea
 *   and the later one is commented out;
 * - one address in two host declarations (the wired + wireless laptop): dhcpd allows it, Kea 2.2 takes it with
 *   `"ip-reservations-unique": false`, which is written with a note.
 */

import type { Ctx } from "./context.ts";
import { JArr } from "./emit.ts";
import { commentLast } from "./comments.ts";
import { inPrefix, type PendingHost } from "./hosts.ts";

const IDS = ["hw-address", "client-id", "duid", "flex-id"];

function idOf(h: PendingHost): string | undefined {
  for (const k of IDS) {
    const v = h.obj.get(k);
    if (typeof v === "string") return `${k}=${v.toLowerCase()}`;
  }
  return undefined;
}

function addressesOf(h: PendingHost): string[] {
  const a = h.obj.get("ip-address");
  if (typeof a === "string") return [a];
  const list = h.obj.get("ip-addresses");
  return list instanceof JArr ? list.active().map(String) : [];
}

/** Places the translated reservations (see the module comment); invalid ones and orphans are commented out. */
export function placeHosts(hosts: PendingHost[], ctx: Ctx): void {
  const subnetOf = (h: PendingHost) =>
    h.addr === undefined ? undefined : ctx.subnetList.find((x) => inPrefix(h.addr!, x.prefix, x.len, ctx.v6));
  const seen = new Set<string>();
  let clash = false;
  for (const h of hosts) {
    const id = h.ok ? idOf(h) : undefined;
    if (id === undefined) continue;
    if (seen.has(id)) clash = true;
    seen.add(id);
  }
  const inSubnets = ctx.opts.subnetReservations || clash;
  let global = false, subnets = false;
  const byList = new Map<JArr, { ids: Set<string>; addrs: Set<string> }>();
  let shared = false;
  for (const h of hosts) {
    let target: JArr;
    const s = inSubnets ? subnetOf(h) : undefined;
    if (ctx.opts.subnetReservations && !s) {
      ctx.dhcp.arr("reservations").off(h.obj, ["Orphan reservation: no subnet holds its address", ...h.why]);
      commentLast(ctx.dhcp.arr("reservations"), h.comments);
      ctx.skip(h.loc, `host ${h.obj.get("hostname")}: orphan reservation`);
      continue;
    }
    if (s) {
      target = s.obj.arr("reservations");
      subnets = true;
    } else {
      target = ctx.dhcp.arr("reservations");
      global = true;
    }
    if (!h.ok) {
      target.off(h.obj, h.why);
      commentLast(target, h.comments);
      ctx.skip(h.loc, `host ${h.obj.get("hostname")}: ${h.why.join("; ")}`);
      continue;
    }
    const seenHere = byList.get(target) ?? { ids: new Set<string>(), addrs: new Set<string>() };
    byList.set(target, seenHere);
    const id = idOf(h);
    if (id !== undefined && seenHere.ids.has(id)) {
      const why = `another host declaration of this scope already reserves ${id.replace("=", " ")}; Kea keeps one`;
      target.off(h.obj, [why]);
      commentLast(target, h.comments);
      ctx.skip(h.loc, `host ${h.obj.get("hostname")}: ${why}`);
      continue;
    }
    if (id !== undefined) seenHere.ids.add(id);
    for (const a of addressesOf(h)) {
      if (seenHere.addrs.has(a)) shared = true;
      seenHere.addrs.add(a);
    }
    target.push(
      h.obj,
      clash && s && !ctx.opts.subnetReservations
        ? ["in its subnet: its identifier is reserved in another subnet too (dhcpd picks by subnet, as Kea does here)"]
        : undefined,
    );
    commentLast(target, h.comments);
  }
  if (hosts.length > 0 && ctx.hostIds.length > 0) {
    const ids = new JArr();
    for (const id of ctx.hostIds) ids.push(id);
    ctx.dhcp.set("host-reservation-identifiers", ids);
  }
  if (shared) {
    ctx.dhcp.set("ip-reservations-unique", false, [
      "some address is reserved for two host declarations (e.g. a laptop's wired and wireless cards)",
      "dhcpd allows it; Kea 2.2 does with ip-reservations-unique false (the first of them to ask gets it)",
    ]);
  }
  if (global && ctx.dhcp.arr("reservations").active().length > 0) {
    ctx.dhcp.set("reservations-global", true);
    ctx.dhcp.set("reservations-in-subnet", subnets);
  }
}
