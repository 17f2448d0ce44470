/**
 * Kea's DHCPv4 host identifiers (Host::IdentifierType): the five types a reservation may be keyed by, the default
 * lookup order of `host-reservation-identifiers`, how an identifier value is written in a reservation (hex or a
 * 'quoted' string, Kea's Host::setIdentifier), and the host key under which the compiled model indexes
 * reservations and reserved addresses.
 */
import { parseHex } from "../wire/addr.ts";
import type { HostIdType, Reservation4 } from "./model.ts";

/** The identifier types Kea's DHCPv4 server accepts, in Kea's enum order (what `auto` would expand to). */
export const HOST_ID_TYPES: readonly HostIdType[] = ["hw-address", "duid", "circuit-id", "client-id", "flex-id"];

/** Kea's default `host-reservation-identifiers` for DHCPv4 (CfgHostOperations::createConfig4). */
export const DEFAULT_HOST_ID_TYPES: readonly HostIdType[] = ["hw-address", "duid", "circuit-id", "client-id"];

/**
 * The longest identifier of each type, in bytes (Kea's Host::getIdentifierMaxLength: HWAddr::MAX_HWADDR_LEN 20,
 * DUID::MAX_DUID_LEN 130, 128 for the others).
 */
export const HOST_ID_MAX_LEN: Readonly<Record<HostIdType, number>> = {
  "hw-address": 20,
  duid: 130,
  "circuit-id": 128,
  "client-id": 128,
  "flex-id": 128,
};

/** What an operator writes for each type, for messages. */
const EXAMPLE: Readonly<Record<HostIdType, string>> = {
  "hw-address": "aa:bb:cc:dd:ee:ff",
  duid: "00:01:02:03:04:05",
  "circuit-id": "'eth0/1' or 65:74:68:30",
  "client-id": "01:aa:bb:cc:dd:ee:ff",
  "flex-id": "'s0mEVaLue' or 73:30:6d",
};

/**
 * Decodes a reservation's identifier text as Kea's Host::setIdentifier does: a value in single quotes (at least
 * one character between them) is taken byte for byte as UTF-8 text; anything else must be hex (colon-, dash-,
 * dot- or space-separated bytes, or a plain digit string with an optional 0x). Returns the bytes, or a message
 * naming what is wrong: empty, not decodable, or longer than Kea allows for the type.
 */
export function parseHostId(type: HostIdType, text: string): Uint8Array | string {
  const t = text.trim();
  if (t === "") return "empty host identifier";
  let bytes: Uint8Array | undefined;
  if (t.length >= 3 && t.startsWith("'") && t.endsWith("'")) bytes = new TextEncoder().encode(t.slice(1, -1));
  else bytes = parseHex(t);
  if (!bytes || bytes.length === 0) {
    return type === "hw-address"
      ? `'${text}' is not a hardware address (expected e.g. ${EXAMPLE[type]})`
      : `${JSON.stringify(text)} is not a valid ${type} (expected hex or a quoted string, e.g. ${EXAMPLE[type]})`;
  }
  if (bytes.length > HOST_ID_MAX_LEN[type]) {
    return `${type} '${text}' is ${bytes.length} bytes long; Kea allows at most ${HOST_ID_MAX_LEN[type]}`;
  }
  return bytes;
}

/**
 * The key of a host identifier in the compiled model: the colon-hex value alone for a hardware address (the key
 * weka used before other identifiers existed, and the `hwaddr` of leases), `TYPE=colon-hex` for the other types,
 * so that the same bytes under two types never collide (Kea keeps them apart by identifier type too).
 */
export function hostKey(type: HostIdType, colonHex: string): string {
  return type === "hw-address" ? colonHex : `${type}=${colonHex}`;
}

/** The host key of a compiled reservation (see hostKey). */
export function reservationKey(r: Reservation4): string {
  const type = r.idType ?? "hw-address";
  return type === "hw-address" ? r.hwaddr : hostKey(type, r.id ?? "");
}

/** The identifier keys a reservation entry may carry, in the order Kea reports them (alphabetical, as its maps). */
export const RESERVATION_ID_KEYS: readonly HostIdType[] = ["circuit-id", "client-id", "duid", "flex-id", "hw-address"];
