/**
 * Building blocks of the valibot schemas: typed scalars with operator-facing messages, `comment` /
 * `user-context` (accepted wherever Kea accepts them), option-data entries, and the lists of Kea keys that weka
 * recognises but does not support yet, so a Kea config is refused with "not supported by weka yet" rather than
 * "unknown key".
 */

import * as v from "valibot";
import { parseCidr4, parseIpv4 } from "../wire/addr.ts";

/**
 * A map with these keys and no others: valibot's `objectWithRest(entries, never())`, which reports every unknown
 * key of the map (a `strictObject` stops at the first), so `config-test` names them all in one run as Kea's grammar
 * refuses each one.
 */
export function strictMap<const E extends v.ObjectEntries>(
  entries: E,
  message?: string,
): v.StrictObjectSchema<E, string | undefined> {
  // typed as the strict object it behaves as (same output type: the entries' keys only)
  return v.objectWithRest(entries, v.never(), message) as unknown as v.StrictObjectSchema<E, string | undefined>;
}

/** A non-negative 32-bit integer (Kea's uint32 parameters: lifetimes, timers). */
export const uint32 = v.pipe(
  v.number("must be a number"),
  v.integer("must be a whole number"),
  v.minValue(0, "must not be negative"),
  v.maxValue(0xffffffff, "must be at most 4294967295"),
);

/** A boolean. */
export const bool = v.boolean("must be true or false");

/** A string. */
export const str = v.string("must be a string");

/** A dotted-quad IPv4 address. */
export const ipv4 = v.pipe(
  str,
  v.check((s) => parseIpv4(s) !== undefined, (i) => `'${i.input}' is not an IPv4 address`),
);

/** An IPv4 prefix `A.B.C.D/N`. */
export const cidr4 = v.pipe(
  str,
  v.check((s) => parseCidr4(s) !== undefined, (i) => `'${i.input}' is not an IPv4 prefix (expected A.B.C.D/N)`),
);

/** A fraction between 0 and 1 (t1-percent, t2-percent). */
export const percent = v.pipe(
  v.number("must be a number"),
  v.minValue(0, "must be between 0 and 1"),
  v.maxValue(1, "must be between 0 and 1"),
);

/** `comment` and `user-context`, which Kea accepts in nearly every map. */
export const annotations = {
  comment: v.optional(str),
  "user-context": v.optional(v.record(v.string(), v.unknown(), "must be a map")),
};

/** A string that must not be empty (names, paths, interfaces). */
export const nonEmptyStr = v.pipe(str, v.minLength(1, "must not be empty"));

/** The `interfaces-config` keys Kea's DHCPv4 and DHCPv6 grammars share (after `interfaces` and the socket type). */
export const interfaceSocketParams = {
  "re-detect": v.optional(bool),
  "service-sockets-require-all": v.optional(bool),
  "service-sockets-max-retries": v.optional(uint32),
  "service-sockets-retry-wait-time": v.optional(uint32),
  ...annotations,
};

/**
 * `relay` of a subnet or shared network (Kea's relay map): the relay addresses that select it, as `ip-addresses`
 * or Kea 2.2's single `ip-address`, of the family's address type.
 */
export const relayOf = <T extends v.GenericSchema<unknown, string>>(address: T, family: "IPv4" | "IPv6") =>
  strictMap({
    "ip-addresses": v.optional(v.array(address, `must be a list of ${family} addresses`)),
    "ip-address": v.optional(address),
    ...annotations,
  }, "must be a map");

/**
 * One option-data entry (Kea's `{name|code, space, data, csv-format, always-send, never-send}`) whose codes go up
 * to `maxCode` (255 for DHCPv4, 65535 for DHCPv6).
 */
export const optionDataOf = (maxCode: number) =>
  v.pipe(
    strictMap({
      name: v.optional(str),
      code: v.optional(v.pipe(uint32, v.maxValue(maxCode, `must be an option code 0..${maxCode}`))),
      space: v.optional(str),
      data: v.optional(str),
      "csv-format": v.optional(bool),
      "always-send": v.optional(bool),
      "never-send": v.optional(bool),
      /** Kea 3: sent only to clients in one of these classes (option_guard.ts); empty: to every client */
      "client-classes": v.optional(v.array(str, "must be a list of class names")),
      ...annotations,
    }, "must be a map"),
    v.check((o) => o.name !== undefined || o.code !== undefined, "an option needs a 'name' or a 'code'"),
  );

/** One DHCPv4 option-data entry. */
export const optionData = optionDataOf(255);

/** A list of option-data entries. */
export const optionDataList = v.array(optionData, "must be a list");

/** The option-data type after validation. */
export type OptionDataIn = v.InferOutput<typeof optionData>;

/** Parameters that Kea accepts globally and per subnet (inherited subnet → global). */
export const scopedParams = {
  "valid-lifetime": v.optional(uint32),
  "min-valid-lifetime": v.optional(uint32),
  "max-valid-lifetime": v.optional(uint32),
  "renew-timer": v.optional(uint32),
  "rebind-timer": v.optional(uint32),
  "calculate-tee-times": v.optional(bool),
  "t1-percent": v.optional(percent),
  "t2-percent": v.optional(percent),
  authoritative: v.optional(bool),
  "match-client-id": v.optional(bool),
  "next-server": v.optional(ipv4),
  "server-hostname": v.optional(v.pipe(str, v.maxLength(64, "must be at most 64 bytes"))),
  "boot-file-name": v.optional(v.pipe(str, v.maxLength(128, "must be at most 128 bytes"))),
  "option-data": v.optional(optionDataList),
  /** Kea 2.6: seconds an OFFER holds its address for the client (0, the default: it holds nothing, as Kea 2.2) */
  "offer-lifetime": v.optional(uint32),
};

/**
 * Kea (2.2 to 3.x) keys weka recognises but does not implement yet, by scope. Any other `ddns-*` key counts too.
 * Keys outside these lists are unknown to Kea as well and are reported as "unknown or unsupported key".
 */
export const KEA_UNSUPPORTED: Record<string, Set<string>> = {};

/** True when `key` is a Kea key of the scope named by `parent` that weka does not support yet. */
export function isKeaUnsupported(parent: string, key: string): boolean {
  return key.startsWith("ddns-") || (KEA_UNSUPPORTED[parent]?.has(key) ?? false);
}
