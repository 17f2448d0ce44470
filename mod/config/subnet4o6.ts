/**
 * A subnet4's DHCPv4-over-DHCPv6 selectors (RFC 7341; Kea's Cfg4o6, parsed by Subnet4ConfigParser): `4o6-subnet`
 * (an IPv6 prefix the query's DHCPv6 source address must fall in), `4o6-interface-id` (the relay's Interface-Id
 * option, compared octet for octet) and `4o6-interface` (the DHCPv6 server's interface name). A subnet with none of
 * them takes no DHCPv4-over-DHCPv6 query (Kea's `Cfg4o6::enabled()`). `""` counts as unset, as in Kea.
 */
import { parseCidr6 } from "./addr6.ts";

/** The compiled selectors; at least one is set. */
export interface Subnet4o6 {
  prefix?: { network: bigint; len: number };
  interfaceId?: Uint8Array;
  iface?: string;
}

/** Compiles the three keys of one subnet4 (already checked by the schema); undefined when none is set. */
export function compileSubnet4o6(s: Record<string, unknown>): Subnet4o6 | undefined {
  const out: Subnet4o6 = {};
  const prefix = s["4o6-subnet"];
  if (typeof prefix === "string" && prefix !== "") {
    const c = parseCidr6(prefix);
    if (c) out.prefix = { network: c.network, len: c.len };
  }
  const iid = s["4o6-interface-id"];
  if (typeof iid === "string" && iid !== "") out.interfaceId = new TextEncoder().encode(iid);
  const iface = s["4o6-interface"];
  if (typeof iface === "string" && iface !== "") out.iface = iface;
  return Object.keys(out).length ? out : undefined;
}

/** `{ dhcp4o6 }` for a subnet that sets a selector, else `{}` (for Object.assign onto the compiled subnet). */
export function withSubnet4o6(s: Record<string, unknown>): { dhcp4o6?: Subnet4o6 } {
  const c = compileSubnet4o6(s);
  return c ? { dhcp4o6: c } : {};
}
