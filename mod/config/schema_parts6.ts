/**
 * Building blocks of the `Dhcp6` schema (Kea 2.2's dhcp6 grammar): IPv6 scalars, option-data and option-def with
 * 16-bit codes, host reservations (duid / hw-address / flex-id with ip-addresses and prefixes), `server-id`,
 * client classes with preferred lifetimes, `interfaces-config` and `relay`. schema6.ts assembles them.
 */

import * as v from "valibot";
import { parseCidr6, parseIpv6Big } from "./addr6.ts";
import {
  annotations,
  bool,
  interfaceSocketParams,
  optionDataOf,
  relayOf,
  str,
  strictMap,
  uint32,
} from "./schema_common.ts";
import { optionDef } from "./schema_option_def.ts";

/** An IPv6 address literal. */
export const ipv6 = v.pipe(
  str,
  v.check((s) => parseIpv6Big(s) !== undefined, (i) => `'${i.input}' is not an IPv6 address`),
);

/** An IPv6 prefix `ADDR/LEN`. */
export const cidr6 = v.pipe(
  str,
  v.check((s) => parseCidr6(s) !== undefined, (i) => `'${i.input}' is not an IPv6 prefix (expected ADDR/LEN)`),
);

/** A prefix length 0..128. */
export const prefixLen = v.pipe(uint32, v.maxValue(128, "must be a prefix length 0..128"));

/** A 16-bit unsigned integer. */
export const uint16 = v.pipe(uint32, v.maxValue(65535, "must be at most 65535"));

/** One Dhcp6 option-data entry (codes 0..65535, default space "dhcp6"). */
export const optionData6 = optionDataOf(65535);

/** A list of Dhcp6 option-data entries. */
export const optionDataList6 = v.array(optionData6, "must be a list");

/** One Dhcp6 `option-def` entry: the Dhcp4 entry with 16-bit codes. */
export const optionDef6 = strictMap({
  ...optionDef.entries,
  code: v.pipe(
    uint32,
    v.maxValue(65535, (i) => `option code ${i.input} is over 65535 (DHCPv6 option codes are two bytes)`),
  ),
}, "must be a map");

/** The Dhcp6 `option-def` list. */
export const optionDefList6 = v.array(optionDef6, "must be a list");

/**
 * Class keys of a DHCPv6 shared network, subnet, pool and pd-pool: the guard (Kea 2.2's `client-class`, newer
 * Kea's `client-classes`) and the additional classes (`require-client-classes`, `evaluate-additional-classes`).
 */
export const classGuardParams6 = {
  "client-class": v.optional(str),
  "client-classes": v.optional(v.array(str, "must be a list of class names")),
  "require-client-classes": v.optional(v.array(str, "must be a list of class names")),
  "evaluate-additional-classes": v.optional(v.array(str, "must be a list of class names")),
};

const lifetimes6 = {
  "valid-lifetime": v.optional(uint32),
  "min-valid-lifetime": v.optional(uint32),
  "max-valid-lifetime": v.optional(uint32),
  "preferred-lifetime": v.optional(uint32),
  "min-preferred-lifetime": v.optional(uint32),
  "max-preferred-lifetime": v.optional(uint32),
};

/** Parameters Kea 2.2 accepts globally, per shared network and per subnet (inherited in that order). */
export const scopedParams6 = {
  ...lifetimes6,
  "renew-timer": v.optional(uint32),
  "rebind-timer": v.optional(uint32),
  "calculate-tee-times": v.optional(bool),
  "t1-percent": v.optional(
    v.pipe(
      v.number("must be a number"),
      v.minValue(0, "must be between 0 and 1"),
      v.maxValue(1, "must be between 0 and 1"),
    ),
  ),
  "t2-percent": v.optional(
    v.pipe(
      v.number("must be a number"),
      v.minValue(0, "must be between 0 and 1"),
      v.maxValue(1, "must be between 0 and 1"),
    ),
  ),
  "store-extended-info": v.optional(bool),
  "option-data": v.optional(optionDataList6),
};

/** One `client-classes` entry of Dhcp6 (Kea 2.2 has no option-def, next-server or boot fields here). */
export const clientClass6 = strictMap({
  name: v.pipe(str, v.minLength(1, "a client class needs a non-empty 'name'")),
  test: v.optional(str),
  "option-data": v.optional(optionDataList6),
  "only-if-required": v.optional(bool),
  "only-in-additional-list": v.optional(bool),
  /** Kea 2.6+: a template class, whose value spawns the class `SPAWN_<name>_<value>` */
  "template-test": v.optional(str),
  ...lifetimes6,
  ...annotations,
}, "must be a map");

/** The Dhcp6 `client-classes` list. */
export const clientClassList6 = v.array(clientClass6, "must be a list");

/** One Dhcp6 host reservation (Kea's host reservation parser for DHCPv6). */
export const reservation6 = strictMap({
  duid: v.optional(str),
  "hw-address": v.optional(str),
  "flex-id": v.optional(str),
  "ip-addresses": v.optional(v.array(ipv6, "must be a list of IPv6 addresses")),
  prefixes: v.optional(v.array(cidr6, "must be a list of IPv6 prefixes")),
  /** Kea 2.7.3: per reserved prefix, the sub-prefix the client must not use (RFC 6603), or "" for none */
  "excluded-prefixes": v.optional(
    v.array(
      v.union([v.literal(""), cidr6], (i) => `'${i.input}' is not an IPv6 prefix (ADDR/LEN) or ""`),
      "must be a list",
    ),
  ),
  hostname: v.optional(str),
  "option-data": v.optional(optionDataList6),
  "client-classes": v.optional(v.array(str, "must be a list of class names")),
  ...annotations,
}, "must be a map");

/** A list of Dhcp6 reservations. */
export const reservationList6 = v.array(reservation6, "must be a list");

/** `server-id`: the server's DUID (RFC 8415 §11: DUID-LLT, DUID-EN, DUID-LL). */
export const serverId = strictMap({
  type: v.picklist(["LLT", "EN", "LL"], 'must be "LLT", "EN" or "LL"'),
  identifier: v.optional(str),
  htype: v.optional(uint16),
  time: v.optional(uint32),
  "enterprise-id": v.optional(uint32),
  persist: v.optional(bool),
  ...annotations,
}, "must be a map");

const interfaceName6 = v.pipe(
  str,
  v.check(
    (s) =>
      s === "*" ||
      /^[^\s/]{1,15}(\/[0-9a-fA-F:.]+)?$/.test(s) &&
        (!s.includes("/") || parseIpv6Big(s.slice(s.indexOf("/") + 1)) !== undefined),
    (i) => `'${i.input}' is not an interface (expected "eth0", "eth0/2001:db8::1" or "*")`,
  ),
);

/** `interfaces-config` of Dhcp6 (no socket type: DHCPv6 always uses UDP sockets). */
export const interfacesConfig6 = strictMap({
  interfaces: v.optional(v.array(interfaceName6, "must be a list of interface names")),
  ...interfaceSocketParams,
}, "must be a map");

/** `relay` of a subnet or shared network: the relay addresses that select it. */
export const relay6 = relayOf(ipv6, "IPv6");

/** A validated Dhcp6 reservation. */
export type Reservation6In = v.InferOutput<typeof reservation6>;
/** A validated Dhcp6 client class. */
export type ClientClass6In = v.InferOutput<typeof clientClass6>;
/** A validated server-id map. */
export type ServerIdIn = v.InferOutput<typeof serverId>;
