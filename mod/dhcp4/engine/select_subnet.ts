/**
 * Subnet selection for a DHCPv4 query, in Kea's order (`CfgSubnets4::selectSubnet`): RAI link-selection
 * (RFC 3527) and then option 118 (RFC 3011) name the link outright; a relayed query is matched on the
 * subnets' `relay.ip-addresses` and then on the subnet containing giaddr (RFC 2131 §4.3.1); a unicast query
 * from a configured client on ciaddr or its source address; a broadcast on the arrival interface, by the
 * subnet's `interface` name and then by the interface's own addresses. A member of a shared network carries its
 * network's interface and relay addresses (the compiler inherits them), so any member selects the network; the
 * allocation then walks the whole network (shared_network.ts), as Kea selects "a whole shared network at once".
 */
import { Opt, type Packet4 } from "../../packet4/packet.ts";
import type { Dhcp4Config, Subnet4 } from "../../config/model.ts";
import type { Arrival } from "./types.ts";
import { parseRai, RaiSub, readAddr } from "./payload.ts";
import { clientAllowed } from "../../classify/classify4.ts";

const BROADCAST = 0xffffffff;

/**
 * The first subnet (in configuration order) whose prefix contains the address and whose class guard admits the
 * client (Kea skips a subnet whose `client-class` the client lacks; `classes` undefined = no classification).
 */
export function subnetContaining(
  config: Dhcp4Config,
  addr: number,
  classes?: ReadonlySet<string>,
): Subnet4 | undefined {
  for (const s of config.subnets) {
    if (((addr & s.mask) >>> 0) === s.network && (!s.clientClasses || clientAllowed(s.clientClasses, classes))) {
      return s;
    }
  }
  return undefined;
}

/**
 * Chooses the subnet a query belongs to, or undefined when no subnet fits (the caller logs
 * DHCP4_SUBNET_SELECTION_FAILED). Follows Kea's selector: link-selection sub-option 5 takes precedence over
 * option 118 (unless `compatibility.ignore-rai-link-selection`), then giaddr via relay addresses and prefixes,
 * then ciaddr / source address for unicast queries, then the arrival interface.
 */
export function selectSubnet(
  query: Packet4,
  config: Dhcp4Config,
  arrival: Arrival,
  classes?: ReadonlySet<string>,
): Subnet4 | undefined {
  const ok = (s: Subnet4) => !s.clientClasses || clientAllowed(s.clientClasses, classes);
  const rai = parseRai(query.options.get(Opt.RELAY_AGENT_INFO));
  const linkSel = config.compatibility?.ignoreRaiLinkSelection ? undefined : readAddr(rai.get(RaiSub.LINK_SELECTION));
  const optSel = linkSel ?? readAddr(query.options.get(Opt.SUBNET_SELECTION));
  if (optSel !== undefined && optSel !== 0) return subnetContaining(config, optSel, classes);

  if (query.giaddr !== 0) {
    for (const s of config.subnets) if (s.relayAddresses.includes(query.giaddr) && ok(s)) return s;
    return subnetContaining(config, query.giaddr, classes);
  }
  const unicast = arrival.dstAddr !== BROADCAST;
  if (unicast && query.ciaddr !== 0) return subnetContaining(config, query.ciaddr, classes);
  if (unicast && arrival.srcAddr !== 0) return subnetContaining(config, arrival.srcAddr, classes);
  if (arrival.iface !== "") {
    for (const s of config.subnets) if (s.interface === arrival.iface && ok(s)) return s;
  }
  const local = arrival.localAddr;
  const ordered = local ? [local, ...arrival.ifaceAddrs.filter((a) => a !== local)] : arrival.ifaceAddrs;
  for (const a of ordered) {
    const s = subnetContaining(config, a, classes);
    if (s) return s;
  }
  return undefined;
}
