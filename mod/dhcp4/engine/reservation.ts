/**
 * The host reservation that applies to a client in its selected subnet, under the subnet's reservation flags
 * (Kea's `reservations-in-subnet`, `reservations-global`): the lookup Kea's allocation engine does in
 * `findReservation` and reads back through `ClientContext4::currentHost()`.
 */
import type { Dhcp4Config, Reservation4, Subnet4 } from "../../config/model.ts";

/** Global reservations whose address lies outside a given subnet, without that address (cached per subnet). */
const stripped = new WeakMap<Subnet4, Map<Reservation4, Reservation4>>();

function withoutAddress(subnet: Subnet4, r: Reservation4): Reservation4 {
  let m = stripped.get(subnet);
  if (!m) stripped.set(subnet, m = new Map());
  let out = m.get(r);
  if (!out) {
    const { ipAddress: _, ...rest } = r;
    m.set(r, out = rest);
  }
  return out;
}

/**
 * The reservation of hardware address `hwaddr` in `subnet`, or undefined. Kea's order (`currentHost()`: "host
 * from the most preferred subnet; if there is no such host and global reservations are enabled, the global
 * host"): the subnet's own reservation when reservations-in-subnet is on (the default), else the global one
 * (`Dhcp4.reservations`) when reservations-global is on. A global reservation's hostname, options and boot
 * fields always apply; its address is kept only when it lies inside the subnet (a reserved address must belong
 * to the subnet it is given in), otherwise the client gets a dynamic address.
 */
export function findReservation(config: Dhcp4Config, subnet: Subnet4, hwaddr: string): Reservation4 | undefined {
  if (subnet.reservationsInSubnet !== false) {
    const own = subnet.reservations.get(hwaddr);
    if (own) return own;
  }
  if (!subnet.reservationsGlobal) return undefined;
  const g = config.globalReservations?.get(hwaddr);
  if (!g || g.ipAddress === undefined) return g;
  const a = g.ipAddress;
  const inside = ((a & subnet.mask) >>> 0) === subnet.network;
  return inside ? g : withoutAddress(subnet, g);
}
