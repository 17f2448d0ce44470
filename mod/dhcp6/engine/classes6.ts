/**
 * Client classification of a DHCPv6 query (Kea's `Dhcpv6Srv::classifyPacket` and the KNOWN/UNKNOWN pass after
 * the host lookup): `ALL`, `VENDOR_CLASS_<data>` from option 16, then each class whose test holds, in order.
 *
 * mod/classify evaluates over DHCPv4 queries only, so this module gives it a DHCPv4-shaped view of the DHCPv6
 * message: `option[N]` reads the top-level DHCPv6 option N (IA_NA/IA_PD exist when the message has them, with an
 * empty payload), `pkt.iface` is the arrival interface. Expressions over `pkt6.*`, `relay6[…]` or `vendor[…]`
 * throw in that evaluator and leave the class out, as Kea leaves out a class whose test fails to evaluate.
 */
import type { ClientClass6, Dhcp6Config } from "../../config/model6.ts";
import type { Message6 } from "../packet.ts";
import type { Packet4 } from "../../dhcp4/packet.ts";
import { evalBool, EvalError, type EvalInput } from "../../classify/evaluate.ts";

/** A DHCPv4-shaped view of a DHCPv6 message for the shared evaluator (only `options` is meaningful). */
function view(msg: Message6): Packet4 {
  const options = new Map<number, Uint8Array>();
  for (const o of msg.options) if (!options.has(o.code)) options.set(o.code, o.data);
  for (const ia of msg.ias) {
    const code = ia.kind === "na" ? 3 : 25;
    if (!options.has(code)) options.set(code, new Uint8Array(0));
  }
  return { options } as unknown as Packet4;
}

function holds(c: ClientClass6, input: EvalInput): boolean {
  try {
    return evalBool(c.test!, input);
  } catch (e) {
    if (e instanceof EvalError) return false;
    throw e;
  }
}

/** The first data tuple of a Vendor Class option (RFC 8415 §21.16: enterprise number, then length-data tuples). */
function vendorClassData(data: Uint8Array | undefined): string | undefined {
  if (!data || data.length < 6) return undefined;
  const len = (data[4] << 8) | data[5];
  if (6 + len > data.length) return undefined;
  return new TextDecoder().decode(data.subarray(6, 6 + len));
}

/**
 * The first classification pass, or undefined when the configuration defines no client classes (the hot path
 * then skips every class step and guards admit only `ALL`-guarded scopes, as clientAllowed decides).
 */
export function classify6(msg: Message6, config: Dhcp6Config, iface: string): Set<string> | undefined {
  if (!config.clientClasses.length) return undefined;
  const set = new Set<string>(["ALL"]);
  const vc = vendorClassData(msg.options.find((o) => o.code === 16)?.data);
  if (vc !== undefined) set.add(`VENDOR_CLASS_${vc}`);
  const input: EvalInput = { query: view(msg), iface, classes: set };
  for (const c of config.clientClasses) {
    if (c.test && !c.afterHost && !c.additional && holds(c, input)) set.add(c.name);
  }
  return set;
}

/**
 * The pass after the host lookup: `KNOWN` (a reservation matched) or `UNKNOWN`, the reservation's own
 * `client-classes`, then the classes whose tests depend on KNOWN/UNKNOWN. Modifies `set`.
 */
export function classifyAfterHost6(
  set: Set<string>,
  msg: Message6,
  config: Dhcp6Config,
  iface: string,
  hostClasses: readonly string[] | undefined,
): void {
  set.add(hostClasses ? "KNOWN" : "UNKNOWN");
  for (const c of hostClasses ?? []) set.add(c);
  const input: EvalInput = { query: view(msg), iface, classes: set };
  for (const c of config.clientClasses) {
    if (c.test && c.afterHost && !c.additional && holds(c, input)) set.add(c.name);
  }
}

/**
 * Kea's `require-client-classes` step: the additional (`only-if-required`) classes named by the scopes that
 * served the query (pool, subnet) are evaluated now and added when their test holds (or when they have none).
 */
export function requiredClasses6(
  set: Set<string>,
  msg: Message6,
  config: Dhcp6Config,
  iface: string,
  names: readonly string[],
): void {
  if (!names.length) return;
  const input: EvalInput = { query: view(msg), iface, classes: set };
  for (const n of names) {
    const c = config.clientClasses.find((k) => k.name === n);
    if (c && (!c.test || holds(c, input))) set.add(n);
  }
}
