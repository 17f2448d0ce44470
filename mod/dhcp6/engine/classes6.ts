/**
 * Client classification of a DHCPv6 query (Kea's `Dhcpv6Srv::classifyPacket` and the KNOWN/UNKNOWN pass after
 * the host lookup): `ALL`, `VENDOR_CLASS_…` from option 16, then each class whose test holds, in order. Tests
 * are evaluated by the DHCPv6 evaluator of mod/classify over the client message and its relay layers, so
 * `pkt6.*`, `relay6[n].*`, `vendor[…]` and `vendor-class[…]` read what kea-dhcp6 reads.
 */
import { anyGuarded } from "../../config/option_guard.ts";
import type { Dhcp6Config } from "../../config/model6.ts";
import type { Message6, Relay6 } from "../../packet6/packet.ts";
import type { Arrival6 } from "./types.ts";
import { type ArrivalFacts6, assignClass6, classifyQuery6, queryInput6 } from "../../classify/classify6.ts";

/**
 * The arrival facts for `pkt.*`: the engine's Arrival6, or (older callers) just the interface name. `pkt.len`
 * is re-encoded from the query when asked.
 */
function facts(arrival: Arrival6 | string): ArrivalFacts6 {
  if (typeof arrival === "string") return { iface: arrival };
  return { iface: arrival.iface, src: arrival.srcAddr, dst: arrival.dstAddr };
}

const GUARDS = new WeakMap<Dhcp6Config, boolean>();

/** True when some option of the configuration is guarded by `client-classes` (cached per compiled model). */
function optionGuards6(config: Dhcp6Config): boolean {
  let g = GUARDS.get(config);
  if (g === undefined) {
    GUARDS.set(
      config,
      g = anyGuarded([
        config.options,
        // hand-built models (tests, tools) may leave parts out
        ...(config.subnets ?? []).flatMap((s) => [
          s.options,
          ...(s.pools ?? []).map((p) => p.options),
          ...(s.pdPools ?? []).map((p) => p.options),
          ...[...s.reservations?.values() ?? []].map((r) => r.options),
        ]),
        ...[...config.globalReservations?.values() ?? []].map((r) => r.options),
      ]),
    );
  }
  return g;
}

/**
 * The first classification pass, or undefined when the configuration defines no client classes nor option guards (the hot path
 * then skips every class step and guards admit only `ALL`-guarded scopes, as clientAllowed decides). `relays`
 * are the query's relay layers, outermost first (unwrap6), which `relay6[n]` and `pkt.len` read.
 */
export function classify6(
  msg: Message6,
  config: Dhcp6Config,
  arrival: Arrival6 | string,
  relays: readonly Relay6[] = [],
): Set<string> | undefined {
  if (!config.clientClasses.length && !optionGuards6(config)) return undefined;
  return classifyQuery6(msg, config.clientClasses, facts(arrival), relays);
}

/**
 * The pass after the host lookup: `KNOWN` (a reservation matched) or `UNKNOWN`, the reservation's own
 * `client-classes`, then the classes whose tests depend on KNOWN/UNKNOWN. Modifies `set`.
 */
export function classifyAfterHost6(
  set: Set<string>,
  msg: Message6,
  config: Dhcp6Config,
  arrival: Arrival6 | string,
  hostClasses: readonly string[] | undefined,
  relays: readonly Relay6[] = [],
): void {
  set.add(hostClasses ? "KNOWN" : "UNKNOWN");
  for (const c of hostClasses ?? []) set.add(c);
  const input = queryInput6(msg, facts(arrival), set, relays);
  for (const c of config.clientClasses) if (c.afterHost && !c.additional) assignClass6(c, set, input);
}

/**
 * Kea's additional classification (`evaluate-additional-classes` / `require-client-classes`), once the reply's
 * resources are chosen: the classes named by the pools of the granted addresses and prefixes, then the subnet's,
 * then its shared network's (Kea ≥ 2.6's order, duplicates once) are evaluated, each joining when its test (or
 * template test) holds, or outright when it has none. An undefined name is skipped. Modifies `set`.
 */
export function additionalClasses6(
  set: Set<string>,
  msg: Message6,
  config: Dhcp6Config,
  arrival: Arrival6 | string,
  names: readonly string[],
  relays: readonly Relay6[] = [],
): void {
  if (!names.length) return;
  const input = queryInput6(msg, facts(arrival), set, relays);
  for (const n of new Set(names)) {
    const c = config.clientClasses.find((k) => k.name === n);
    if (!c) continue;
    if (!c.test && !c.templateTest) set.add(n);
    else assignClass6(c, set, input);
  }
}
