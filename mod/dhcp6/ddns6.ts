/**
 * The DHCPv6 server's DDNS edge: the shared sender of mod/dhcp4/ddns_sender.ts (bounded NCR queue, UDP to
 * `dhcp-ddns.server-ip:server-port` or an in-process D2) with the DHCPv6 family — removes for reclaimed IA_NA
 * leases with DNS records (Kea's reclaimExpiredLease → queueNCR), log ids DHCP6_*.
 */
import type { Dhcp6Config } from "../config/model6.ts";
import type { Lease6 } from "../lease/types6.ts";
import { type DdnsFamily, type DdnsSender, type DdnsSenderDeps, startDdnsSender } from "../dhcp4/ddns_sender.ts";
import { removeNcrs6 } from "./engine/ddns_ncr6.ts";
import { ncrNameProblem } from "../ddns/ncr/generate.ts";
import { formatIpv6Big } from "../config/addr6.ts";

/** DHCPv6's family of the shared sender. */
export const DDNS_FAMILY6: DdnsFamily<Dhcp6Config, Lease6> = {
  prefix: "DHCP6",
  removes: removeNcrs6,
  problem: ncrNameProblem,
  address: (l) => formatIpv6Big(l.address),
};

/** A running DHCPv6 DDNS sender. */
export type DdnsSender6 = DdnsSender<Dhcp6Config, Lease6>;

/** Starts the DHCPv6 DDNS sender, or returns undefined when `dhcp-ddns.enable-updates` is false. */
export function startDdnsSender6(config: Dhcp6Config, deps: DdnsSenderDeps): DdnsSender6 | undefined {
  return startDdnsSender(config, deps, DDNS_FAMILY6);
}
