/**
 * Subnet selection for a DHCPv4-over-DHCPv6 query (RFC 7341), as Kea's `CfgSubnets4::selectSubnet4o6` does it:
 * the subnets in configuration order, each only if it sets a 4o6 selector (subnet4o6.ts) and its class guard
 * admits the client; the first whose `4o6-subnet` holds the query's DHCPv6 source address (the client's, or the
 * relay's for a relayed query), else whose `4o6-interface-id` equals the relay's Interface-Id option, else whose
 * `4o6-interface` names the DHCPv6 server's interface the query came in. Shared networks play no part. Pure.
 */
import type { Dhcp4Config, Subnet4 } from "../../config/model.ts";
import { clientAllowed } from "../../classify/classify4.ts";

/** What the DHCPv6 side tells about a DHCPv4-over-DHCPv6 query (Kea's SubnetSelector for dhcp4o6). */
export interface Arrival4o6 {
  /** the DHCPv6 source address (ISC sub-option 60001) */
  remote: bigint;
  /** the DHCPv6 server's interface name (ISC sub-option 60000) */
  iface: string;
  /** the Interface-Id option (18) of the relay closest to the client (Kea: RELAY_GET_FIRST), if it has one */
  interfaceId?: Uint8Array;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function inPrefix(a: bigint, p: { network: bigint; len: number }): boolean {
  const shift = BigInt(128 - p.len);
  return (a >> shift) === (p.network >> shift);
}

/** The subnet for a DHCPv4-over-DHCPv6 query, or undefined (Kea's DHCPSRV_SUBNET4O6_SELECT_FAILED). */
export function selectSubnet4o6(
  config: Dhcp4Config,
  q: Arrival4o6,
  classes?: ReadonlySet<string>,
): Subnet4 | undefined {
  for (const s of config.subnets) {
    const c = s.dhcp4o6;
    if (!c || (s.clientClasses && !clientAllowed(s.clientClasses, classes))) continue;
    if (c.prefix && inPrefix(q.remote, c.prefix)) return s;
    if (c.interfaceId && q.interfaceId && sameBytes(c.interfaceId, q.interfaceId)) return s;
    if (c.iface && q.iface !== "" && c.iface === q.iface) return s;
  }
  return undefined;
}
