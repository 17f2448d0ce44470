/**
 * The valibot schema of a `Dhcp6` map (Kea 2.2's dhcp6 grammar, ARM "The DHCPv6 Server"): strict objects
 * everywhere, so an unknown key is an error naming its JSON path, as Kea's grammar rejects it. The maps DHCPv6
 * shares with DHCPv4 (lease-database, loggers, control-socket, hooks-libraries, expired-leases-processing,
 * dhcp-ddns) are the Dhcp4 schema's own. Cross-field rules live in validate6.ts; defaults in defaults.ts.
 */

import * as v from "valibot";
import { annotations, bool, nonEmptyStr, str, uint32 } from "./schema_common.ts";
import { ddnsScopedParams } from "./schema_ddns.ts";
import { reservationModeParams } from "./schema_reservations.ts";
import { Dhcp4Schema } from "./schema4.ts";
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
  uint16,
} from "./schema_parts6.ts";

const shared4 = Dhcp4Schema.entries;

const pool6 = v.strictObject({
  pool: str,
  "option-data": v.optional(optionDataList6),
  ...classGuardParams6,
  ...annotations,
}, "must be a map");

const pdPool = v.strictObject({
  prefix: ipv6,
  "prefix-len": prefixLen,
  "delegated-len": prefixLen,
  "excluded-prefix": v.optional(ipv6),
  "excluded-prefix-len": v.optional(prefixLen),
  "option-data": v.optional(optionDataList6),
  ...classGuardParams6,
  ...annotations,
}, "must be a map");

/** Keys Kea inherits global → shared network → subnet. */
const inherited = {
  ...reservationModeParams,
  ...scopedParams6,
  ...ddnsScopedParams,
  ...annotations,
};

/** Keys of a subnet and of a shared network (Kea's network parameters). */
const networkParams = {
  interface: v.optional(nonEmptyStr),
  "interface-id": v.optional(nonEmptyStr),
  relay: v.optional(relay6),
  "rapid-commit": v.optional(bool),
  ...classGuardParams6,
  ...inherited,
};

const subnet6 = v.strictObject({
  id: v.optional(uint32),
  subnet: cidr6,
  pools: v.optional(v.array(pool6, "must be a list")),
  "pd-pools": v.optional(v.array(pdPool, "must be a list")),
  reservations: v.optional(reservationList6),
  ...networkParams,
}, "must be a map");

const sharedNetwork6 = v.strictObject({
  name: v.pipe(str, v.minLength(1, "a shared network needs a non-empty 'name'")),
  subnet6: v.optional(v.array(subnet6, "must be a list")),
  ...networkParams,
}, "must be a map");

const sanityChecks = v.strictObject({
  "lease-checks": v.optional(
    v.picklist(["none", "warn", "fix", "fix-del", "del"], 'must be "none", "warn", "fix", "fix-del" or "del"'),
  ),
  ...annotations,
}, "must be a map");

const multiThreading = v.strictObject({
  "enable-multi-threading": v.optional(bool),
  "thread-pool-size": v.optional(uint32),
  "packet-queue-size": v.optional(uint32),
  ...annotations,
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
export const Dhcp6Schema = v.strictObject({
  "interfaces-config": v.optional(interfacesConfig6),
  "lease-database": shared4["lease-database"],
  "hosts-database": shared4["hosts-database"],
  "hosts-databases": shared4["hosts-databases"],
  "expired-leases-processing": shared4["expired-leases-processing"],
  loggers: shared4.loggers,
  "control-socket": shared4["control-socket"],
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
  "dhcp4o6-port": v.optional(uint16),
  "sanity-checks": v.optional(sanityChecks),
  "mac-sources": v.optional(v.array(
    v.picklist(MAC_SOURCES, (i) => `'${i.input}' is not a MAC source (expected one of ${MAC_SOURCES.join(", ")})`),
    "must be a list",
  )),
  "relay-supplied-options": v.optional(v.array(str, "must be a list of option codes or names")),
  "server-tag": v.optional(str),
  "statistic-default-sample-count": v.optional(uint32),
  "statistic-default-sample-age": v.optional(uint32),
  "multi-threading": v.optional(multiThreading),
  "dhcp-queue-control": v.optional(v.record(v.string(), v.unknown(), "must be a map")),
  "ip-reservations-unique": v.optional(bool),
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
