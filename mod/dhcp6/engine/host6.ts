/**
 * Host reservations in the DHCPv6 engine (Kea's `AllocEngine::findReservation` and the "reserved for another
 * client" checks): the client's reservation by DUID or hardware address in the selected subnet
 * (`reservations-in-subnet`), else among the global reservations (`reservations-global`), and whether an
 * address or a delegated prefix is reserved for some other host.
 */
import type { Dhcp6Config, Reservation6, Subnet6 } from "../../config/model6.ts";
import type { Client6 } from "./client6.ts";
import type { HostView6 } from "../../lease/types6.ts";

/**
 * Finds the client's reservation: each of its host keys (in `host-reservation-identifiers` order) in the
 * reservations of the selected subnet and then of the other subnets of its shared network (Kea looks a host up
 * in every subnet the allocation may use), when they keep in-subnet reservations; then in the global list when
 * `reservations-global` is on (or when no subnet fits, for an INFORMATION-REQUEST's options). In each scope the
 * configuration's reservations come first, then Kea's host databases (`hosts`, subnet 0 for the global ones), as
 * Kea's HostMgr searches its configuration before its alternate sources.
 */
export function findHost6(
  config: Dhcp6Config,
  subnets: readonly Subnet6[],
  client: Client6,
  hosts?: HostView6,
): { key: string; res: Reservation6 } | undefined {
  const search = (subnetId: number, own: Map<string, Reservation6>) => {
    if (own.size === 0 && !hosts) return undefined;
    for (const k of client.hostKeys) {
      const res = own.get(k) ?? hosts?.get(subnetId, k);
      if (res) return { key: k, res };
    }
    return undefined;
  };
  for (const s of subnets) {
    if (!s.reservationsInSubnet) continue;
    const found = search(s.id, s.reservations);
    if (found) return found;
  }
  if (!subnets.length || subnets[0].reservationsGlobal) return search(0, config.globalReservations);
  return undefined;
}

interface Reserved {
  addresses: Map<bigint, string>;
  prefixes: Map<string, string>;
}

const RESERVED = new WeakMap<object, Reserved>();

function index(reservations: Map<string, Reservation6>): Reserved {
  const out: Reserved = { addresses: new Map(), prefixes: new Map() };
  for (const [key, r] of reservations) {
    for (const a of r.addresses) out.addresses.set(a, key);
    for (const p of r.prefixes) out.prefixes.set(`${p.prefix}/${p.len}`, key);
  }
  return out;
}

function reservedIn(scope: object, reservations: Map<string, Reservation6>): Reserved {
  let r = RESERVED.get(scope);
  if (!r) RESERVED.set(scope, r = index(reservations));
  return r;
}

/**
 * The host key that reserves `address` (prefix length 128) or the delegated prefix `address/len`, in the subnet
 * or globally (the configuration's, then the host databases'), or undefined when nothing reserves it. Indexes
 * are built once per compiled model.
 */
export function reservedBy6(
  config: Dhcp6Config,
  subnet: Subnet6,
  address: bigint,
  len: number,
  hosts?: HostView6,
): string | undefined {
  const pick = (r: Reserved) => len === 128 ? r.addresses.get(address) : r.prefixes.get(`${address}/${len}`);
  if (subnet.reservationsInSubnet) {
    const own = pick(reservedIn(subnet, subnet.reservations)) ?? hosts?.reservedFor(subnet.id, address, len);
    if (own !== undefined) return own;
  }
  if (!subnet.reservationsGlobal) return undefined;
  return pick(reservedIn(config, config.globalReservations)) ?? hosts?.reservedFor(0, address, len);
}

/** True when `address/len` is reserved for a host other than this client (it must not get it dynamically). */
export function reservedForOther6(
  config: Dhcp6Config,
  subnet: Subnet6,
  address: bigint,
  len: number,
  client: Client6,
  hosts?: HostView6,
): boolean {
  const key = reservedBy6(config, subnet, address, len, hosts);
  return key !== undefined && !client.hostKeys.includes(key);
}
