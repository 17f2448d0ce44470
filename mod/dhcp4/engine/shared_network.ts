/**
 * Shared networks in the DHCPv4 engine (Kea's allocation engine with `shared-networks`): once subnet selection has
 * picked a subnet, a client may be served from any subnet of that subnet's network that its classes allow. The
 * client keeps its lease in whichever member holds it, a reservation in any member applies, and allocation moves
 * on to the next member when a subnet's pools are exhausted. Plain subnets behave as a network of one.
 */
import type { Dhcp4Config, Reservation4, Subnet4 } from "../../config/model.ts";
import type { Lease4 } from "../../lease/types.ts";
import { clientAllowed } from "../../classify/classify4.ts";
import { clientKey, findClientLease } from "./client.ts";
import { findReservation, isReservedFor } from "./reservation.ts";
import { classifyHost } from "./classes.ts";
import type { DropOutcome, Exchange } from "./outcome.ts";

const MEMBERS = new WeakMap<Dhcp4Config, Map<string, Subnet4[]>>();

/**
 * The subnets of `subnet`'s shared network in configuration order (Kea's order within a network), or just
 * `subnet` when it belongs to none. Built once per compiled model.
 */
export function networkMembers(config: Dhcp4Config, subnet: Subnet4): readonly Subnet4[] {
  if (subnet.sharedNetwork === undefined) return [subnet];
  let byName = MEMBERS.get(config);
  if (!byName) {
    byName = new Map();
    for (const s of config.subnets) {
      if (s.sharedNetwork === undefined) continue;
      const list = byName.get(s.sharedNetwork);
      if (list) list.push(s);
      else byName.set(s.sharedNetwork, [s]);
    }
    MEMBERS.set(config, byName);
  }
  return byName.get(subnet.sharedNetwork) ?? [subnet];
}

/**
 * The subnets a client may be served from, in the order Kea tries them (`Subnet::getNextSubnet`): `first`, then
 * the members after it in the network, wrapping round to those before it, skipping a member whose class guard the
 * client fails. `first` itself is always kept (subnet selection has already admitted the client to it).
 */
export function networkCandidates(
  config: Dhcp4Config,
  first: Subnet4,
  classes: ReadonlySet<string> | undefined,
): Subnet4[] {
  const members = networkMembers(config, first);
  if (members.length <= 1) return [first];
  const k = members.indexOf(first);
  const out = [first];
  for (let i = 1; i < members.length; i++) {
    const s = members[(k + i) % members.length];
    if (!s.clientClasses || clientAllowed(s.clientClasses, classes)) out.push(s);
  }
  return out;
}

/** Where a client stands in the network its query selected. */
export interface Placement {
  /** the subnet serving the client: that of its address reservation, else of its lease, else the selected one */
  subnet: Subnet4;
  /** the offer key of the client in `subnet` */
  key: string;
  /** the client's reservation in `subnet` (Kea's currentHost), when any */
  reservation?: Reservation4;
  /** the client's lease anywhere in the network (any state), when any */
  existing?: Lease4;
  /** the subnets allocation may use, `subnet` first (see networkCandidates) */
  candidates: Subnet4[];
}

/**
 * The reservation that applies to the client in `subnet`. The one place the shared-network code asks for host
 * reservations (reservation.ts decides what matches).
 */
export function reservationIn(ex: Exchange, subnet: Subnet4): Reservation4 | undefined {
  return findReservation(ex, subnet);
}

/**
 * Places a client in the network of its selected subnet, in Kea's order: the host lookup covers every allowed
 * member (the client is KNOWN when a reservation exists in any of them, and the classes that depend on KNOWN are
 * evaluated; a DROP result is returned as the drop outcome); the client's lease is looked up member by member
 * (`findClientLease` walks the network) and its subnet becomes the serving one; a reservation with an address,
 * searched from that subnet on (`hasAddressReservation`), moves the client to the reservation's subnet.
 */
export function placeClient(ex: Exchange, selected: Subnet4): Placement | DropOutcome {
  const { ctx, client } = ex;
  const config = ctx.config;
  if (selected.sharedNetwork === undefined) {
    const reservation = reservationIn(ex, selected);
    const dropped = classifyHost(ex, reservation);
    if (dropped) return dropped;
    const existing = findClientLease(ctx.leases, client, selected);
    return { subnet: selected, key: clientKey(client, selected), reservation, existing, candidates: [selected] };
  }
  const hosts = new Map<Subnet4, Reservation4 | undefined>();
  const hostOf = (s: Subnet4) => {
    if (!hosts.has(s)) hosts.set(s, reservationIn(ex, s));
    return hosts.get(s);
  };
  const early = networkCandidates(config, selected, ex.classes);
  const dropped = classifyHost(ex, early.map(hostOf).find((h) => h !== undefined));
  if (dropped) return dropped;
  const all = networkCandidates(config, selected, ex.classes);

  let subnet = selected;
  let existing: Lease4 | undefined;
  for (const s of all) {
    existing = findClientLease(ctx.leases, client, s);
    if (existing) {
      subnet = s;
      break;
    }
  }
  const fromHere = networkCandidates(config, subnet, ex.classes);
  const reserved = fromHere.find((s) => hostOf(s)?.ipAddress !== undefined);
  if (reserved) subnet = reserved;
  return {
    subnet,
    key: clientKey(client, subnet),
    reservation: hostOf(subnet),
    existing,
    candidates: subnet === fromHere[0] ? fromHere : networkCandidates(config, subnet, ex.classes),
  };
}

/**
 * The client as served from `subnet`, a member of its placement's candidates (allocation may end in another
 * member than the placement's): that subnet's offer key and reservation.
 */
export function servedFrom(
  ex: Exchange,
  placed: Placement,
  subnet: Subnet4,
): { subnet: Subnet4; key: string; reservation?: Reservation4 } {
  if (subnet === placed.subnet) return { subnet, key: placed.key, reservation: placed.reservation };
  return { subnet, key: clientKey(ex.client, subnet), reservation: reservationIn(ex, subnet) };
}

/**
 * The member of the placement's candidates that owns a requested address: the first whose allowed pool holds
 * it, else one where it is reserved for this client, else one whose prefix holds it; undefined when the address
 * lies outside every subnet of the network.
 */
export function subnetForAddress(
  ex: Exchange,
  placed: Placement,
  addr: number,
  poolOk: (s: Subnet4, addr: number) => boolean,
): Subnet4 | undefined {
  const c = placed.candidates;
  return c.find((s) => poolOk(s, addr)) ??
    c.find((s) => isReservedFor(s, addr, ex.client, ex.ctx.hosts)) ??
    c.find((s) => ((addr & s.mask) >>> 0) === s.network);
}
