/**
 * Client classes in the DHCPv4 engine (Kea's classification steps in `Dhcpv4Srv::processPacket` and the
 * allocation engine): the first pass before subnet selection, the KNOWN/UNKNOWN pass after the host lookup,
 * the `DROP` class, pool guards, and what class membership gives a reply (options below the subnet's and above
 * the global ones, boot fields below the host's, lifetimes above the subnet's).
 */
import { anyGuarded } from "../../config/option_guard.ts";
import type { ClientClass4, Dhcp4Config, OptionValue, Reservation4, Subnet4, Timers4 } from "../../config/model.ts";
import { classifyAdditional, classifyAfterHost, classifyQuery, clientAllowed } from "../../classify/classify4.ts";
import { poolIndexOf } from "./address.ts";
import type { EngineContext } from "./types.ts";
import type { Packet4 } from "../../packet4/packet.ts";
import { drop, type DropOutcome, type Exchange } from "./outcome.ts";

const USES = new WeakMap<Dhcp4Config, boolean>();

/**
 * True when the configuration has client classes, any subnet/pool guard, a reservation that puts its host in
 * classes or an option guarded by `client-classes` (cached per compiled model).
 */
export function usesClasses(config: Dhcp4Config): boolean {
  let u = USES.get(config);
  if (u === undefined) {
    const hostClasses = (m: ReadonlyMap<string, Reservation4> | undefined) =>
      [...(m?.values() ?? [])].some((r) => r.clientClasses);
    u = (config.clientClasses?.length ?? 0) > 0 ||
      config.subnets.some((s) =>
        s.clientClasses || s.pools.some((p) => p.clientClasses) || hostClasses(s.reservations)
      ) ||
      hostClasses(config.globalReservations) ||
      anyGuarded([
        config.options,
        ...config.subnets.flatMap((s) => [
          s.options,
          ...s.pools.map((p) => p.options),
          ...[...s.reservations?.values() ?? []].map((r) => r.options),
        ]),
        ...[...config.globalReservations?.values() ?? []].map((r) => r.options),
      ]);
    USES.set(config, u);
  }
  return u;
}

const BY_NAME = new WeakMap<Dhcp4Config, Map<string, ClientClass4>>();

/** The configuration's classes by name (cached per compiled model). */
export function classesByName(config: Dhcp4Config): Map<string, ClientClass4> {
  let m = BY_NAME.get(config);
  if (!m) BY_NAME.set(config, m = new Map((config.clientClasses ?? []).map((c) => [c.name, c])));
  return m;
}

/**
 * The first classification pass of a query (Kea's `classifyPacket`: ALL, then the classes not depending on
 * KNOWN/UNKNOWN, in order) plus the query's HA scope class when HA set one, or undefined when the configuration
 * uses no classes at all (the hot path then skips every class step). `hostClasses`: the classes of the client's
 * global reservation when `early-global-reservations-lookup` found one (they join first, so the tests and the
 * subnet selection see them, as in Kea); `hookClass` is a class a hook gave the query before, BOOTP for
 * libdhcp_bootp.so.
 */
export function earlyClasses(
  query: Packet4,
  ctx: EngineContext,
  hostClasses: readonly string[] = [],
  hookClass?: string,
): Set<string> | undefined {
  if (!usesClasses(ctx.config)) return undefined;
  const a = ctx.arrival;
  const arrival = { iface: a.iface, src: a.srcAddr, dst: a.dstAddr };
  const set = classifyQuery(query, ctx.config.clientClasses ?? [], arrival, hostClasses, hookClass);
  if (ctx.haClass) set.add(ctx.haClass);
  return set;
}

/** Kea drops a query in the `DROP` class without an answer (counted in pkt4-receive-drop). */
export function classDrop(ex: Exchange): DropOutcome | undefined {
  if (!ex.classes?.has("DROP")) return undefined;
  return drop("pkt4-receive-drop", ex.received, [{
    id: "DHCP4_PACKET_DROP_0010",
    text: `${ex.client.label}: the query is in the DROP class, dropping`,
  }]);
}

/**
 * The pass after the host lookup: `KNOWN` when a reservation matched, else `UNKNOWN`, then the classes depending
 * on them; returns the drop outcome when the query ends up in `DROP` (Kea checks DROP again at this point).
 */
export function classifyHost(ex: Exchange, reservation: Reservation4 | undefined): DropOutcome | undefined {
  if (!ex.classes) return undefined;
  const a = ex.ctx.arrival;
  classifyAfterHost(ex.classes, ex.query, reservation !== undefined, ex.ctx.config.clientClasses ?? [], {
    iface: a.iface,
    src: a.srcAddr,
    dst: a.dstAddr,
  }, reservation?.clientClasses);
  return classDrop(ex);
}

/** True when the client may use pool `i` of `subnet` (Kea `Pool::clientSupported`). */
export function poolAllowed(subnet: Subnet4, i: number, classes: ReadonlySet<string> | undefined): boolean {
  return clientAllowed(subnet.pools[i].clientClasses, classes);
}

/**
 * The configured classes the client belongs to, in the order it joined them (Kea's ClientClasses keep insertion
 * order: ALL, vendor, evaluated classes, KNOWN/UNKNOWN, the host's classes, KNOWN-dependent and additional ones),
 * which is the order their options and fields are looked up in.
 */
export function memberClasses(config: Dhcp4Config, classes: ReadonlySet<string> | undefined): ClientClass4[] {
  if (!classes || !config.clientClasses?.length) return [];
  const byName = classesByName(config);
  const out: ClientClass4[] = [];
  for (const n of classes) {
    const c = byName.get(n);
    if (c) out.push(c);
  }
  return out;
}

/**
 * Kea's additional classification (`evaluate-additional-classes` / `require-client-classes`), run once the address
 * is chosen and before the reply's options are gathered: the classes named by the pool of `yiaddr`, then the
 * subnet, then its shared network (Kea ≥ 2.6's order) are evaluated for the query. Returns a new set with those
 * the client joined, or `classes` itself when no scope names any.
 */
export function withAdditionalClasses(
  query: Packet4,
  ctx: EngineContext,
  subnet: Subnet4,
  yiaddr: number,
  classes: ReadonlySet<string>,
): ReadonlySet<string> {
  const pi = yiaddr ? poolIndexOf(subnet, yiaddr) : -1;
  const pool = pi >= 0 ? subnet.pools[pi].additionalClasses : undefined;
  if (!pool && !subnet.additionalClasses && !subnet.networkAdditionalClasses) return classes;
  const names = [...(pool ?? []), ...(subnet.additionalClasses ?? []), ...(subnet.networkAdditionalClasses ?? [])];
  const a = ctx.arrival;
  return classifyAdditional(new Set(classes), query, names, classesByName(ctx.config), {
    iface: a.iface,
    src: a.srcAddr,
    dst: a.dstAddr,
  });
}

/**
 * The lifetime triplet after classes: Kea takes valid/min/max-valid-lifetime from the first class (in order)
 * that sets valid-lifetime, over the subnet's.
 */
export function classTimers(timers: Timers4, config: Dhcp4Config, classes: ReadonlySet<string> | undefined): Timers4 {
  if (!classes) return timers;
  const c = memberClasses(config, classes).find((k) => k.validLifetime !== undefined);
  if (!c) return timers;
  const valid = c.validLifetime!;
  return {
    ...timers,
    validLifetime: valid,
    minValidLifetime: c.minValidLifetime ?? valid,
    maxValidLifetime: c.maxValidLifetime ?? valid,
  };
}

/**
 * Seconds an OFFER holds its address for the client (Kea 2.6 `offer-lifetime`, `AllocEngine::getOfferLft`): the
 * value of the first class of the client (in order) that sets it, else the subnet's (inherited from its shared
 * network or the global scope); 0 when none does, and then an offer holds nothing, as in Kea 2.2.
 */
export function offerLifetime(subnet: Subnet4, config: Dhcp4Config, classes: ReadonlySet<string> | undefined): number {
  if (classes) {
    const c = memberClasses(config, classes).find((k) => k.offerLifetime !== undefined);
    if (c) return c.offerLifetime!;
  }
  return subnet.offerLifetime ?? 0;
}

/**
 * The option sources below the pool, in Kea's precedence: the subnet's own options, then each class's (class
 * order), then the global options. Without classes this is the subnet's merged map alone.
 */
export function subnetAndClassOptions(
  config: Dhcp4Config,
  subnet: Subnet4,
  classes: ReadonlySet<string> | undefined,
): Map<number, OptionValue>[] {
  const member = memberClasses(config, classes);
  if (!member.length || !subnet.ownOptions) return [subnet.options];
  return [subnet.ownOptions, ...member.map((c) => c.options), config.options];
}
