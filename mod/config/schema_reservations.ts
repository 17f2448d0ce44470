/**
 * The valibot schema of host reservations (Kea's `reservations[]` entries, global and per subnet) and of the
 * reservation-mode keys that Kea accepts globally and per subnet: `reservations-global`, `reservations-in-subnet`,
 * `reservations-out-of-pool`, and Kea 2.2's deprecated `reservation-mode` that sets all three at once.
 */

import * as v from "valibot";
import { annotations, bool, ipv4, optionDataList, str, strictMap } from "./schema_common.ts";

/**
 * One reservation entry: one identifier of Kea's five (`hw-address`, `duid`, `circuit-id`, `client-id`,
 * `flex-id`; exactly one is checked in reservations4.ts) and what is reserved. The fields follow Kea's host
 * reservation parser (host_reservation_parser.cc).
 */
export const reservation = strictMap({
  "hw-address": v.optional(str),
  duid: v.optional(str),
  "circuit-id": v.optional(str),
  "client-id": v.optional(str),
  "flex-id": v.optional(str),
  "ip-address": v.optional(ipv4),
  hostname: v.optional(str),
  "option-data": v.optional(optionDataList),
  "next-server": v.optional(ipv4),
  "server-hostname": v.optional(v.pipe(str, v.maxLength(64, "must be at most 64 bytes"))),
  "boot-file-name": v.optional(v.pipe(str, v.maxLength(128, "must be at most 128 bytes"))),
  /** classes the host is put in when it matches (Kea: before the KNOWN-dependent classes are evaluated) */
  "client-classes": v.optional(v.array(str, "must be a list of class names")),
  ...annotations,
}, "must be a map");

/** A list of reservations. */
export const reservationList = v.array(reservation, "must be a list");

/**
 * `host-reservation-identifiers` (global): the identifier types to look reservations up by, in order. Kea's
 * grammar accepts exactly these five words; duplicates and an empty list are refused in reservations4.ts.
 */
export const hostReservationIdentifiers = v.array(
  v.picklist(
    ["hw-address", "duid", "circuit-id", "client-id", "flex-id"],
    'must be "hw-address", "duid", "circuit-id", "client-id" or "flex-id"',
  ),
  "must be a list",
);

/** Kea 2.2's `reservation-mode` values (the grammar accepts exactly these four). */
export const RESERVATION_MODE_VALUES = ["all", "out-of-pool", "global", "disabled"] as const;

/** The reservation-mode keys, accepted at the global and the subnet scope (Kea: global/shared-network/subnet). */
export const reservationModeParams = {
  "reservation-mode": v.optional(
    v.picklist(RESERVATION_MODE_VALUES, 'must be "all", "out-of-pool", "global" or "disabled"'),
  ),
  "reservations-global": v.optional(bool),
  "reservations-in-subnet": v.optional(bool),
  "reservations-out-of-pool": v.optional(bool),
};

/** A validated reservation entry. */
export type ReservationIn = v.InferOutput<typeof reservation>;

/** A scope (global or subnet) as far as the reservation-mode keys go. */
export type ReservationModeIn = {
  "reservation-mode"?: (typeof RESERVATION_MODE_VALUES)[number];
  "reservations-global"?: boolean;
  "reservations-in-subnet"?: boolean;
  "reservations-out-of-pool"?: boolean;
};
