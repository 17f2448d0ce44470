/**
 * Host reservations of a `Dhcp4` map, global and per subnet: the semantic checks (Kea's host reservation parser
 * and CfgHosts rules), the reservation-mode flags of a scope after Kea 2.2's `reservation-mode` is mapped onto
 * them and inheritance global → subnet is resolved, and the compilation of entries into model.ts Reservation4s.
 */

import { parseIpv4, toColonHex } from "../wire/addr.ts";
import { RESERVATION_DEFAULTS, RESERVATION_MODES } from "./defaults.ts";
import type { JsonPath, Problems } from "./errors.ts";
import type { HostIdType, OptionValue, Reservation4 } from "./model.ts";
import { hostKey, parseHostId, RESERVATION_ID_KEYS, reservationKey } from "./host_ids4.ts";
import type { ReservationIn, ReservationModeIn } from "./schema_reservations.ts";

const FLAG_KEYS = ["reservations-global", "reservations-in-subnet", "reservations-out-of-pool"] as const;

/** The three reservation flags of a scope after inheritance. */
export interface ReservationFlags {
  global: boolean;
  inSubnet: boolean;
  outOfPool: boolean;
}

/** Where a reserved address must lie (a subnet's range), for subnet reservations only. */
export interface SubnetRange {
  lo: number;
  hi: number;
  text: string;
}

/**
 * The identifier of a reservation entry: Kea's rule that exactly one of hw-address, duid, circuit-id, client-id
 * and flex-id is given (HostReservationParser: "one of the supported identifiers must be specified", "the 'X'
 * and 'Y' are mutually exclusive", reported at the later key in Kea's alphabetical order), and its value decoded
 * by parseHostId. Problems are recorded; returns the type and colon-hex value, or undefined.
 */
export function reservationId(
  r: ReservationIn,
  rp: JsonPath,
  problems?: Problems,
): { type: HostIdType; value: string } | undefined {
  const given = RESERVATION_ID_KEYS.filter((k) => r[k] !== undefined);
  if (given.length === 0) {
    problems?.add(
      rp,
      `one of the supported identifiers must be specified for host reservation: ${RESERVATION_ID_KEYS.join(", ")}`,
    );
    return undefined;
  }
  if (given.length > 1) {
    problems?.add(
      [...rp, given[1]],
      `'${given[1]}' and '${given[0]}' are mutually exclusive (a reservation has exactly one identifier)`,
      true,
    );
    return undefined;
  }
  const type = given[0];
  const bytes = parseHostId(type, r[type]!);
  if (typeof bytes === "string") {
    problems?.add([...rp, type], bytes);
    return undefined;
  }
  return { type, value: toColonHex(bytes) };
}

/**
 * Checks one list of reservations (Kea's rules for one subnet id, the global list being subnet id 0): each has
 * exactly one valid identifier (reservationId), one reservation per identifier type and value (Kea's CfgHosts
 * refuses a second host with the same identifier in a subnet), one per address unless `ip-reservations-unique`
 * is false (Kea 2.2 CfgHosts::add refuses a second host for an address only while it is true), and in a subnet the
 * reserved address must lie inside it. Global reservations may name any address; the engine assigns it only within
 * the client's subnet.
 */
export function checkReservations4(
  list: ReservationIn[] | undefined,
  base: JsonPath,
  range: SubnetRange | undefined,
  problems: Problems,
  ipUnique = true,
): void {
  const byId = new Map<string, number>();
  const byIp = new Map<number, number>();
  (list ?? []).forEach((r, j) => {
    const rp: JsonPath = [...base, j];
    const id = reservationId(r, rp, problems);
    if (id) {
      const key = hostKey(id.type, id.value);
      const dup = byId.get(key);
      const what = id.type === "hw-address" ? "hardware address" : id.type;
      if (dup !== undefined) {
        problems.add([...rp, id.type], `${what} ${id.value} is already reserved by reservations[${dup}]`);
      } else byId.set(key, j);
    }
    const ipText = r["ip-address"];
    if (ipText !== undefined) {
      const ip = parseIpv4(ipText)!;
      if (range && (ip < range.lo || ip > range.hi)) {
        problems.add([...rp, "ip-address"], `reserved address ${ipText} is not inside subnet ${range.text}`);
      }
      const dup = ipUnique ? byIp.get(ip) : undefined;
      if (dup !== undefined) {
        problems.add([...rp, "ip-address"], `address ${ipText} is already reserved by reservations[${dup}]`);
      } else byIp.set(ip, j);
    }
  });
}

/**
 * Kea refuses a scope that sets both the deprecated `reservation-mode` and one of the flags that replace it
 * ("invalid use of both 'reservation-mode' and one of …", Kea 2.2 BaseNetworkParser); a lone `reservation-mode`
 * is accepted with a deprecation warning.
 */
export function checkReservationMode(scope: ReservationModeIn, base: JsonPath, problems: Problems): void {
  if (scope["reservation-mode"] === undefined) return;
  const at: JsonPath = [...base, "reservation-mode"];
  if (FLAG_KEYS.some((k) => scope[k] !== undefined)) {
    problems.add(
      at,
      "invalid use of both 'reservation-mode' and one of 'reservations-global', 'reservations-in-subnet' or " +
        "'reservations-out-of-pool'",
      true,
    );
  } else {
    problems.warn(
      at,
      `'reservation-mode' is deprecated (Kea 2.2); use reservations-global, reservations-in-subnet and ` +
        `reservations-out-of-pool instead`,
      true,
    );
  }
}

/** One scope's own flag value: the flag itself, else what its `reservation-mode` stands for, else undefined. */
function own(scope: ReservationModeIn, key: (typeof FLAG_KEYS)[number]): boolean | undefined {
  const mode = scope["reservation-mode"];
  return scope[key] ?? (mode !== undefined ? RESERVATION_MODES[mode][key] : undefined);
}

/**
 * The effective reservation flags of a subnet: each flag from the subnet, else from the global scope, else Kea's
 * default (global false, in-subnet true, out-of-pool false). A scope's `reservation-mode` counts as setting all
 * three flags in that scope (Kea 2.2 maps it the same way).
 */
export function reservationFlags(subnet: ReservationModeIn, global: ReservationModeIn): ReservationFlags {
  const flag = (k: (typeof FLAG_KEYS)[number]) => own(subnet, k) ?? own(global, k) ?? RESERVATION_DEFAULTS[k];
  return {
    global: flag("reservations-global"),
    inSubnet: flag("reservations-in-subnet"),
    outOfPool: flag("reservations-out-of-pool"),
  };
}

/**
 * Compiles checked reservation entries into a map by host key (host_ids4.ts hostKey: the colon-hex hardware
 * address, or `TYPE=colon-hex` for the other identifiers). `encode` turns an entry's option-data into wire
 * payloads (problems recorded at the path it is given). Entries without a usable identifier were refused by
 * checkReservations4 and are skipped.
 */
export function compileReservations4(
  list: ReservationIn[] | undefined,
  base: JsonPath,
  encode: (o: ReservationIn["option-data"], path: JsonPath) => Map<number, OptionValue>,
): Map<string, Reservation4> {
  const out = new Map<string, Reservation4>();
  (list ?? []).forEach((r, j) => {
    const id = reservationId(r, [...base, j]);
    if (!id) return;
    const hw = id.type === "hw-address";
    const res: Reservation4 = {
      hwaddr: hw ? id.value : "",
      ...(hw ? {} : { idType: id.type, id: id.value }),
      options: encode(r["option-data"], [...base, j, "option-data"]),
    };
    if (r["ip-address"] !== undefined) res.ipAddress = parseIpv4(r["ip-address"]);
    if (r.hostname !== undefined) res.hostname = r.hostname;
    if (r["next-server"] !== undefined) res.nextServer = parseIpv4(r["next-server"]);
    if (r["server-hostname"] !== undefined) res.serverHostname = r["server-hostname"];
    if (r["boot-file-name"] !== undefined) res.bootFileName = r["boot-file-name"];
    if (r["client-classes"]?.length) res.clientClasses = [...r["client-classes"]];
    out.set(hostKey(id.type, id.value), res);
  });
  return out;
}

/**
 * The addresses a subnet keeps out of dynamic allocation, each with the host key it is reserved for:
 * its own reservations when reservations-in-subnet is on, and the global reservations whose address lies inside
 * the subnet when reservations-global is on (a subnet reservation wins a clash). Kea itself checks only the
 * subnet's own reservations when allocating; weka also keeps globally reserved addresses free, so that a
 * reserved host never finds its address leased to another client. With `ip-reservations-unique: false` an address
 * may be reserved for several hosts: `shared` (when given) receives, per such address, every host key after the
 * first, in configuration order (Kea 2.2 gives the address to whichever of them asks first while it is free).
 */
export function reservedAddresses4(
  own: Map<string, Reservation4>,
  global: Map<string, Reservation4>,
  flags: ReservationFlags,
  lo: number,
  hi: number,
  shared?: Map<number, string[]>,
): Map<number, string> {
  const out = new Map<number, string>();
  const add = (r: Reservation4) => {
    if (r.ipAddress === undefined) return;
    const first = out.get(r.ipAddress);
    if (first !== undefined && shared && first !== reservationKey(r)) {
      shared.set(r.ipAddress, [...(shared.get(r.ipAddress) ?? []), reservationKey(r)]);
    } else out.set(r.ipAddress, reservationKey(r));
  };
  if (flags.global) {
    for (const r of global.values()) if (r.ipAddress !== undefined && r.ipAddress >= lo && r.ipAddress <= hi) add(r);
  }
  if (flags.inSubnet) { for (const r of own.values()) add(r); }
  return out;
}
