/**
 * The valibot schema of a `Dhcp4` map: strict objects everywhere (an unknown key is an error naming it, as Kea's
 * grammar rejects it), with the keys weka implements. Cross-field rules (pools inside subnets, lifetimes in
 * order, unique ids) live in validate4.ts; defaults live in defaults.ts and are applied by compile4.ts.
 */

import * as v from "valibot";
import {
  annotations,
  bool,
  cidr4,
  interfaceSocketParams,
  ipv4,
  nonEmptyStr,
  optionDataList,
  relayOf,
  scopedParams,
  str,
  strictMap,
  uint32,
} from "./schema_common.ts";
import { controlSocket } from "./schema_control.ts";
import { hookLibraryList, loggerList } from "./schema_daemon.ts";
import { ddnsScopedParams, dhcpDdns } from "./schema_ddns.ts";
import { optionDefList } from "./schema_option_def.ts";
import { hostReservationIdentifiers, reservationList, reservationModeParams } from "./schema_reservations.ts";
import { classGuardParams, clientClassList } from "./client_classes4.ts";
import { adaptiveParams, allocator4, cacheParams, compatibility4, key4o6, serverParams } from "./schema_server.ts";
import { hostsDatabase, hostsDatabaseList, leaseDatabase } from "./schema_db.ts";

const interfaceName = v.pipe(
  str,
  v.check(
    (s) => /^(\*|[^\s/]{1,15}(\/\d{1,3}(\.\d{1,3}){3})?)$/.test(s),
    (i) => `'${i.input}' is not an interface (expected "eth0", "eth0/192.0.2.1" or "*")`,
  ),
);

const interfacesConfig = strictMap({
  interfaces: v.optional(v.array(interfaceName, "must be a list of interface names")),
  "dhcp-socket-type": v.optional(v.picklist(["raw", "udp"], 'must be "raw" or "udp"')),
  "outbound-interface": v.optional(
    v.picklist(["same-as-inbound", "use-routing"], 'must be "same-as-inbound" or "use-routing"'),
  ),
  ...interfaceSocketParams,
}, "must be a map");

const expiredLeases = strictMap({
  "reclaim-timer-wait-time": v.optional(uint32),
  "flush-reclaimed-timer-wait-time": v.optional(uint32),
  "hold-reclaimed-time": v.optional(uint32),
  "max-reclaim-leases": v.optional(uint32),
  "max-reclaim-time": v.optional(uint32),
  "unwarned-reclaim-cycles": v.optional(uint32),
  ...annotations,
}, "must be a map");

const pool = strictMap({
  pool: str,
  "pool-id": v.optional(uint32),
  "option-data": v.optional(optionDataList),
  ...classGuardParams,
  ...ddnsScopedParams,
  ...annotations,
}, "must be a map");

const relay = relayOf(ipv4, "IPv4");

/** Keys Kea inherits global → shared network → subnet. */
const inherited = {
  ...reservationModeParams,
  ...scopedParams,
  ...ddnsScopedParams,
  ...cacheParams,
  ...adaptiveParams,
  allocator: v.optional(allocator4),
  "store-extended-info": v.optional(bool),
  ...annotations,
};

const subnet4 = strictMap({
  id: v.optional(uint32),
  subnet: cidr4,
  pools: v.optional(v.array(pool, "must be a list")),
  interface: v.optional(nonEmptyStr),
  relay: v.optional(relay),
  reservations: v.optional(reservationList),
  "4o6-interface": v.optional(key4o6("4o6-interface")),
  "4o6-interface-id": v.optional(key4o6("4o6-interface-id")),
  "4o6-subnet": v.optional(key4o6("4o6-subnet")),
  ...classGuardParams,
  ...inherited,
}, "must be a map");

/**
 * A `shared-networks` entry (Kea's shared_network_params): several subnets on one link, with the parameters its
 * subnets inherit (global → shared network → subnet). Kea allows no pools, reservations or id at this level.
 */
const sharedNetwork4 = strictMap({
  name: nonEmptyStr,
  subnet4: v.optional(v.array(subnet4, "must be a list")),
  interface: v.optional(nonEmptyStr),
  relay: v.optional(relay),
  ...classGuardParams,
  ...inherited,
}, "must be a map");

/** The `Dhcp4` map. */
export const Dhcp4Schema = strictMap({
  "interfaces-config": v.optional(interfacesConfig),
  "lease-database": v.optional(leaseDatabase),
  "hosts-database": v.optional(hostsDatabase),
  "hosts-databases": v.optional(hostsDatabaseList),
  subnet4: v.optional(v.array(subnet4, "must be a list")),
  /** shared networks: subnets on one link, inheriting the network's parameters */
  "shared-networks": v.optional(v.array(sharedNetwork4, "must be a list")),
  "echo-client-id": v.optional(bool),
  "decline-probation-period": v.optional(uint32),
  "expired-leases-processing": v.optional(expiredLeases),
  loggers: v.optional(loggerList),
  "control-socket": v.optional(controlSocket),
  "control-sockets": v.optional(v.array(controlSocket, "must be a list")),
  "hooks-libraries": v.optional(hookLibraryList),
  "dhcp-ddns": v.optional(dhcpDdns),
  /** custom option definitions (Kea option-def) */
  "option-def": v.optional(optionDefList),
  /** client classes (Kea `client-classes`), evaluated in order */
  "client-classes": v.optional(clientClassList),
  /** global host reservations (Kea's subnet id 0), used where reservations-global is on */
  reservations: v.optional(reservationList),
  /** the identifier types reservations are looked up by, in order (Kea's default: all but flex-id) */
  "host-reservation-identifiers": v.optional(hostReservationIdentifiers),
  /** false lets one address be reserved for several hosts (Kea 2.2: the first to ask gets it) */
  "ip-reservations-unique": v.optional(bool),
  /** Kea 2.7: remember a lease's relay agent options for renewals sent straight to the server (false only) */
  "stash-agent-options": v.optional(v.pipe(
    bool,
    v.check(
      (s) => !s,
      "'stash-agent-options: true' is not supported by weka yet: a renewal sent straight to the server is " +
        "classified without the relay agent options of the lease (false, Kea's default)",
    ),
  )),
  ...serverParams,
  compatibility: v.optional(compatibility4),
  ...inherited,
}, "must be a map");

/** A validated `Dhcp4` map (keys as Kea spells them, nothing defaulted yet). */
export type Dhcp4In = v.InferOutput<typeof Dhcp4Schema>;
/** A validated `subnet4` entry. */
export type Subnet4In = v.InferOutput<typeof subnet4>;
/** A validated `shared-networks` entry. */
export type SharedNetwork4In = v.InferOutput<typeof sharedNetwork4>;
/** A validated pool entry. */
export type Pool4In = v.InferOutput<typeof pool>;
