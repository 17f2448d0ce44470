/**
 * The valibot schema of a `Dhcp6` map (Kea 2.2's dhcp6 grammar, ARM "The DHCPv6 Server"): strict objects
 * everywhere, so an unknown key is an error naming its JSON path, as Kea's grammar rejects it. The maps DHCPv6
 * shares with DHCPv4 (lease-database, loggers, control-socket, hooks-libraries, expired-leases-processing,
 * dhcp-ddns) are the Dhcp4 schema's own. Cross-field rules live in validate6.ts; defaults in defaults.ts.
 */

import * as v from "valibot";
import { annotations, bool, str, strictMap, uint32 } from "./schema_common.ts";
import { ddnsScopedParams } from "./schema_ddns.ts";
import { reservationModeParams } from "./schema_reservations.ts";
import { Dhcp4Schema } from "./schema4.ts";
import { adaptiveParams, allocator6, cacheParams, compatibility6, pdAllocator, serverParams } from "./schema_server.ts";
import {
  cidr6,
  classGuardParams6,
  clientClassList6,
  interfacesConfig6,
  ipv6,
  optionDataList6,
  optionDefList6,
  prefixLen,
  relay6,
  reservationList6,
  scopedParams6,
  serverId,
} from "./schema_parts6.ts";

const shared4 = Dhcp4Schema.entries;

const pool6 = strictMap({
  pool: str,
  "pool-id": v.optional(uint32),
  "option-data": v.optional(optionDataList6),
  ...classGuardParams6,
  ...annotations,
}, "must be a map");

const pdPool = strictMap({
  prefix: ipv6,
  "prefix-len": prefixLen,
  "delegated-len": prefixLen,
  "excluded-prefix": v.optional(ipv6),
  "excluded-prefix-len": v.optional(prefixLen),
  "pool-id": v.optional(uint32),
  "option-data": v.optional(optionDataList6),
  ...classGuardParams6,
  ...annotations,
}, "must be a map");

/** Keys Kea inherits global → shared network → subnet. */
const inherited = {
  ...reservationModeParams,
  ...scopedParams6,
  ...ddnsScopedParams,
  ...cacheParams,
  ...adaptiveParams,
  allocator: v.optional(allocator6),
  "pd-allocator": v.optional(pdAllocator),
  ...annotations,
};

/** A link name where Kea treats `""` as not set (`interface`, `interface-id`: subnet and shared network parsers). */
const linkName = v.pipe(str, v.transform((s): string | undefined => s === "" ? undefined : s));

/** Keys of a subnet and of a shared network (Kea's network parameters). */
const networkParams = {
  interface: v.optional(linkName),
  "interface-id": v.optional(linkName),
  relay: v.optional(relay6),
  "rapid-commit": v.optional(bool),
  ...classGuardParams6,
  ...inherited,
};

const subnet6 = strictMap({
  id: v.optional(uint32),
  subnet: cidr6,
  pools: v.optional(v.array(pool6, "must be a list")),
  "pd-pools": v.optional(v.array(pdPool, "must be a list")),
  reservations: v.optional(reservationList6),
  ...networkParams,
}, "must be a map");

const sharedNetwork6 = strictMap({
  name: v.pipe(str, v.minLength(1, "a shared network needs a non-empty 'name'")),
  subnet6: v.optional(v.array(subnet6, "must be a list")),
  ...networkParams,
}, "must be a map");

const MAC_SOURCES = [
  "any",
  "raw",
  "duid",
  "ipv6-link-local",
  "client-link-addr-option",
  "rfc6939",
  "remote-id",
  "rfc4649",
  "subscriber-id",
  "rfc4580",
  "docsis-cmts",
  "docsis-modem",
];

/** The `Dhcp6` map. */
export const Dhcp6Schema = strictMap({
  "interfaces-config": v.optional(interfacesConfig6),
  "lease-database": shared4["lease-database"],
  "hosts-database": shared4["hosts-database"],
  "hosts-databases": shared4["hosts-databases"],
  "expired-leases-processing": shared4["expired-leases-processing"],
  loggers: shared4.loggers,
  "control-socket": shared4["control-socket"],
  "control-sockets": shared4["control-sockets"],
  "hooks-libraries": shared4["hooks-libraries"],
  "dhcp-ddns": shared4["dhcp-ddns"],
  subnet6: v.optional(v.array(subnet6, "must be a list")),
  "shared-networks": v.optional(v.array(sharedNetwork6, "must be a list")),
  "decline-probation-period": v.optional(uint32),
  "option-def": v.optional(optionDefList6),
  "client-classes": v.optional(clientClassList6),
  "host-reservation-identifiers": v.optional(
    v.array(
      v.picklist(["duid", "hw-address", "flex-id"], 'must be "duid", "hw-address" or "flex-id"'),
      "must be a list",
    ),
  ),
  reservations: v.optional(reservationList6),
  "server-id": v.optional(serverId),
  "data-directory": v.optional(str),
  "mac-sources": v.optional(v.array(
    v.picklist(MAC_SOURCES, (i) => `'${i.input}' is not a MAC source (expected one of ${MAC_SOURCES.join(", ")})`),
    "must be a list",
  )),
  "relay-supplied-options": v.optional(v.array(str, "must be a list of option codes or names")),
  "ip-reservations-unique": v.optional(bool),
  ...serverParams,
  compatibility: v.optional(compatibility6),
  /** Kea 3.1: RFC 9686 address registration (ADDR-REG-INFORM); weka does not serve it (compile6.ts notice) */
  "allow-address-registration": v.optional(bool),
  ...inherited,
}, "must be a map");

/** A validated `Dhcp6` map (keys as Kea spells them, nothing defaulted yet). */
export type Dhcp6In = v.InferOutput<typeof Dhcp6Schema>;
/** A validated `subnet6` entry. */
export type Subnet6In = v.InferOutput<typeof subnet6>;
/** A validated `shared-networks` entry. */
export type SharedNetwork6In = v.InferOutput<typeof sharedNetwork6>;
/** A validated pool entry. */
export type Pool6In = v.InferOutput<typeof pool6>;
/** A validated pd-pool entry. */
export type PdPoolIn = v.InferOutput<typeof pdPool>;
