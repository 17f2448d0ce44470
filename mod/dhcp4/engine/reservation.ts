/**
 * The host reservation that applies to a client in its selected subnet: the identifiers of the query in the
 * order of `host-reservation-identifiers` (Kea's `Dhcpv4Exchange::setHostIdentifiers`), looked up in the subnet
 * and then among the global reservations under the subnet's reservation flags (Kea's allocation engine
 * `findReservation`, read back through `ClientContext4::currentHost()`).
 */
import type { Dhcp4Config, HostIdType, Reservation4, Subnet4 } from "../../config/model.ts";
import type { HostView4 } from "../../lease/types.ts";
import { DEFAULT_HOST_ID_TYPES, hostKey } from "../../config/host_ids4.ts";
import { EvalError, evalString } from "../../classify/evaluate.ts";
import { Opt, type Packet4 } from "../../packet4/packet.ts";
import { toColonHex } from "../../wire/addr.ts";
import type { ClientInfo } from "./client.ts";
import type { Exchange } from "./outcome.ts";
import { parseRai } from "./payload.ts";

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

/** The lookup order of a model, reduced to the types some reservation uses (cached per compiled model). */
const IN_USE = new WeakMap<Dhcp4Config, readonly HostIdType[]>();
/** The lookup order with a host database, which may hold any type (cached per compiled model). */
const WITH_DB = new WeakMap<Dhcp4Config, readonly HostIdType[]>();

function typesInUse(config: Dhcp4Config, hostsDb: boolean): readonly HostIdType[] {
  if (hostsDb) {
    let t = WITH_DB.get(config);
    if (!t) {
      t = (config.hostIdentifiers ?? DEFAULT_HOST_ID_TYPES).filter((x) => x !== "flex-id" || config.flexId?.expr);
      WITH_DB.set(config, t);
    }
    return t;
  }
  let t = IN_USE.get(config);
  if (!t) {
    const used = new Set<HostIdType>();
    const note = (m: Map<string, Reservation4> | undefined) => {
      for (const r of m?.values() ?? []) used.add(r.idType ?? "hw-address");
    };
    note(config.globalReservations);
    for (const s of config.subnets) note(s.reservations);
    if (!config.flexId?.expr) used.delete("flex-id");
    t = (config.hostIdentifiers ?? DEFAULT_HOST_ID_TYPES).filter((x) => used.has(x));
    IN_USE.set(config, t);
  }
  return t;
}

/** ALL is the only class of a query when the configuration has no classes. */
const ALL_ONLY: ReadonlySet<string> = new Set(["ALL"]);

/** Flex-ids already computed for a query (replace-client-id computes it before the query's option 61 changes). */
const FLEX_VALUE = new WeakMap<Packet4, string>();

/**
 * The flex-id of the query of `ex`: the flex-id hook's `identifier-expression` evaluated on it (Kea's flex_id
 * `host4_identifier` callout), as bytes, or undefined when the hook has no expression, the value is empty or
 * the evaluation fails (Kea then adds no flex-id identifier).
 */
export function evalFlexId(ex: Exchange): Uint8Array | undefined {
  const expr = ex.ctx.config.flexId?.expr;
  if (!expr) return undefined;
  const a = ex.ctx.arrival;
  let v: string;
  try {
    v = evalString(expr, {
      query: ex.query,
      iface: a.iface,
      src: a.srcAddr,
      dst: a.dstAddr,
      classes: ex.classes ?? ALL_ONLY,
    });
  } catch (e) {
    if (e instanceof EvalError) return undefined;
    throw e;
  }
  if (v === "") return undefined;
  const b = new Uint8Array(v.length);
  for (let i = 0; i < v.length; i++) b[i] = v.charCodeAt(i);
  return b;
}

/** Records the flex-id computed for `query` (colon-hex), so that the host lookup uses that value. */
export function rememberFlexId(query: Packet4, colonHex: string): void {
  FLEX_VALUE.set(query, colonHex);
}

/**
 * The query's value of one identifier type, colon-hex, or undefined when the query has none (Kea's
 * setHostIdentifiers): hw-address = chaddr; client-id = the whole option 61 payload, type byte included;
 * duid = the DUID inside an RFC 4361 client identifier (type 255, then a 4-byte IAID, then the DUID: at least
 * one DUID byte); circuit-id = sub-option 1 of option 82 (RFC 3046 §2.0); flex-id = the hook's
 * identifier-expression evaluated on the query, when it gives a non-empty value (a failing evaluation gives none).
 */
function idValue(type: HostIdType, ex: Exchange): string | undefined {
  switch (type) {
    case "hw-address":
      return ex.client.hwaddr || undefined;
    case "client-id":
      return ex.client.clientId || undefined;
    case "duid": {
      const cid = ex.query.options.get(Opt.CLIENT_ID);
      return cid && cid[0] === 255 && cid.length > 5 ? toColonHex(cid.subarray(5)) : undefined;
    }
    case "circuit-id": {
      const c = parseRai(ex.query.options.get(Opt.RELAY_AGENT_INFO)).get(1);
      return c && c.length ? toColonHex(c) : undefined;
    }
    case "flex-id": {
      const known = FLEX_VALUE.get(ex.query);
      if (known !== undefined) return known;
      const v = evalFlexId(ex);
      return v ? toColonHex(v) : undefined;
    }
  }
}

/**
 * The client's host identifiers as host keys (mod/config/host_ids4.ts hostKey), in the order of
 * `host-reservation-identifiers` (default hw-address, duid, circuit-id, client-id), leaving out the types the
 * query does not carry and those no reservation uses. Computed once per query and kept on `ex.client.hostKeys`,
 * where holdsHostKey reads it.
 */
export function clientHostKeys(ex: Exchange): readonly string[] {
  if (ex.client.hostKeys) return ex.client.hostKeys;
  const keys: string[] = [];
  for (const type of typesInUse(ex.ctx.config, ex.ctx.hosts !== undefined)) {
    const v = idValue(type, ex);
    if (v !== undefined) keys.push(hostKey(type, v));
  }
  return ex.client.hostKeys = keys;
}

/**
 * True when a reservation keyed `key` belongs to this client, as Kea's allocation engine decides whether an
 * address is reserved for the client or for another (`addressReserved`: one of the client's identifiers equals
 * the host's). Before the client's identifiers are known (queries that never look a reservation up) the hardware
 * address decides.
 */
export function holdsHostKey(client: ClientInfo, key: string): boolean {
  return client.hostKeys ? client.hostKeys.includes(key) : key === client.hwaddr;
}

/**
 * True when `addr` is reserved in `subnet` for this client (by any of its identifiers, see holdsHostKey); false
 * when it is reserved for another client or not reserved at all.
 */
export function isReservedFor(subnet: Subnet4, addr: number, client: ClientInfo, hosts?: HostView4): boolean {
  const key = subnet.reservedAddresses.get(addr);
  if (key !== undefined) {
    if (holdsHostKey(client, key)) return true;
    // ip-reservations-unique: false (Kea 2.2): the address is reserved for each of these hosts as well
    if (subnet.sharedReservedAddresses?.get(addr)?.some((k) => holdsHostKey(client, k))) return true;
  }
  return dbReservedFor(subnet, addr, hosts)?.some((k) => holdsHostKey(client, k)) ?? false;
}

/**
 * The host keys a host database reserves `addr` for in `subnet` (its own hosts when reservations-in-subnet is on,
 * the global ones, subnet id 0, when reservations-global is on), or undefined.
 */
export function dbReservedFor(subnet: Subnet4, addr: number, hosts?: HostView4): readonly string[] | undefined {
  if (!hosts) return undefined;
  const own = subnet.reservationsInSubnet !== false ? hosts.reservedFor(subnet.id, addr) : undefined;
  if (own?.length) return own;
  return subnet.reservationsGlobal ? hosts.reservedFor(0, addr) : undefined;
}

/** True when `addr` is reserved in `subnet` by the configuration or a host database (for anyone). */
export function isReserved(subnet: Subnet4, addr: number, hosts?: HostView4): boolean {
  return subnet.reservedAddresses.has(addr) || (dbReservedFor(subnet, addr, hosts)?.length ?? 0) > 0;
}

/**
 * Kea's `early-global-reservations-lookup`: the `client-classes` of the client's global reservation, looked up
 * before subnet selection (by the client's identifiers in order), so class guards of subnets can use them; [] when
 * the key is off, there are no global reservations, or the client has none.
 */
export function earlyGlobalHostClasses(ex: Exchange): readonly string[] {
  const global = ex.ctx.config.globalReservations;
  if (!ex.ctx.config.tuning?.earlyGlobalReservationsLookup || !global?.size) return [];
  for (const k of clientHostKeys(ex)) {
    const g = global.get(k);
    if (g) return g.clientClasses ?? [];
  }
  return [];
}

/**
 * The reservation of the client of `ex` in `subnet`, or undefined. Kea's order (`currentHost()`: "host from the
 * most preferred subnet; if there is no such host and global reservations are enabled, the global host"): the
 * subnet's own reservations when reservations-in-subnet is on (the default), trying the client's identifiers in
 * order and stopping at the first hit (for each identifier the configuration's reservation, then a host database's:
 * Kea's HostMgr order); else the global ones (`Dhcp4.reservations`, a database's subnet id 0) when
 * reservations-global is on, in the same order. A global reservation's hostname, options and boot fields always apply; its address is
 * kept only when it lies inside the subnet (a reserved address must belong to the subnet it is given in),
 * otherwise the client gets a dynamic address.
 */
export function findReservation(ex: Exchange, subnet: Subnet4): Reservation4 | undefined {
  const keys = clientHostKeys(ex);
  if (keys.length === 0) return undefined;
  const db = ex.ctx.hosts;
  if (subnet.reservationsInSubnet !== false && (subnet.reservations.size || db)) {
    for (const k of keys) {
      const own = subnet.reservations.get(k) ?? db?.get(subnet.id, k);
      if (own) return own;
    }
  }
  const global = ex.ctx.config.globalReservations;
  if (!subnet.reservationsGlobal || (!global?.size && !db)) return undefined;
  let g: Reservation4 | undefined;
  for (const k of keys) if ((g = global?.get(k) ?? db?.get(0, k))) break;
  if (!g || g.ipAddress === undefined) return g;
  const a = g.ipAddress;
  const inside = ((a & subnet.mask) >>> 0) === subnet.network;
  return inside ? g : withoutAddress(subnet, g);
}
