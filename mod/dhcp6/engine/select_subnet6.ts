/**
 * DHCPv6 subnet selection, Kea's `Dhcpv6Srv::selectSubnet` / `CfgSubnets6::selectSubnet`: a relayed query is
 * placed by the relay's Interface-Id (option 18) or by the link-address of the relay closest to the client
 * (matched against `relay.ip-addresses` first, then against the subnet prefixes); a direct query by its arrival
 * interface, then by its source address. Subnets whose `client-class` guard excludes the client are skipped.
 */
import { getOption6, Opt6, type Relay6 } from "../../packet6/packet.ts";
import type { Dhcp6Config, Subnet6 } from "../../config/model6.ts";
import { clientAllowed } from "../../classify/classify4.ts";
import { bytesToBig, inSubnet } from "./exchange6.ts";
import type { Arrival6 } from "./types.ts";

const TEXT = new TextEncoder();

function allowed(s: Subnet6, classes: ReadonlySet<string> | undefined): boolean {
  return clientAllowed(s.clientClasses, classes);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A global, usable link-address: not :: and not link-local (Kea skips those when walking the relays). */
function usable(a: Uint8Array): boolean {
  if (a.every((x) => x === 0)) return false;
  return !(a[0] === 0xfe && (a[1] & 0xc0) === 0x80);
}

/** Kea's `selectSubnet(address, classes, is_relay_address)`: relay addresses first, then prefixes. */
function byAddress(
  config: Dhcp6Config,
  addr: bigint,
  relay: boolean,
  classes: ReadonlySet<string> | undefined,
): Subnet6 | undefined {
  if (relay) {
    for (const s of config.subnets) if (s.relayAddresses.includes(addr) && allowed(s, classes)) return s;
  }
  for (const s of config.subnets) {
    if (relay && s.relayAddresses.length) continue;
    if (inSubnet(s, addr) && allowed(s, classes)) return s;
  }
  return undefined;
}

/**
 * Selects the subnet of a query. For a relayed query: the first Interface-Id found walking the relays from the
 * client outwards, compared byte for byte with each subnet's `interface-id`; else the link-address of the
 * innermost relay that has a global one (Kea walks `relay_info_` in reverse for it). For a direct query: the
 * subnet whose `interface` is the arrival interface, else the subnet containing the source address.
 */
export function selectSubnet6(
  config: Dhcp6Config,
  relays: readonly Relay6[],
  arrival: Arrival6,
  classes: ReadonlySet<string> | undefined,
): Subnet6 | undefined {
  if (relays.length) {
    for (let i = relays.length - 1; i >= 0; i--) {
      const iid = getOption6(relays[i].options, Opt6.INTERFACE_ID);
      if (!iid) continue;
      for (const s of config.subnets) {
        if (s.interfaceId !== undefined && sameBytes(TEXT.encode(s.interfaceId), iid) && allowed(s, classes)) return s;
      }
      break;
    }
    for (let i = relays.length - 1; i >= 0; i--) {
      if (usable(relays[i].linkAddress)) return byAddress(config, bytesToBig(relays[i].linkAddress), true, classes);
    }
    return undefined;
  }
  if (arrival.iface) {
    for (const s of config.subnets) if (s.interface === arrival.iface && allowed(s, classes)) return s;
  }
  return arrival.srcAddr.length === 16 ? byAddress(config, bytesToBig(arrival.srcAddr), false, classes) : undefined;
}

/**
 * The subnets a client may get leases from once `subnet` is selected (Kea's shared-network walk in the
 * allocation engine): `subnet` first, then the other subnets of its shared network that admit the client.
 */
export function candidateSubnets6(
  config: Dhcp6Config,
  subnet: Subnet6 | undefined,
  classes: ReadonlySet<string> | undefined,
): Subnet6[] {
  if (!subnet) return [];
  if (!subnet.sharedNetwork) return [subnet];
  const out = [subnet];
  for (const s of config.subnets) {
    if (s !== subnet && s.sharedNetwork === subnet.sharedNetwork && allowed(s, classes)) out.push(s);
  }
  return out;
}
