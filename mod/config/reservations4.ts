/**
 * Host reservations of a `Dhcp4` map, global and per subnet: the semantic checks (Kea's host reservation parser
 * and CfgHosts rules), the reservation-mode flags of a scope after Kea 2.2's `reservation-mode` is mapped onto
 * them and inheritance global → subnet is resolved, and the compilation of entries into model.ts Reservation4s.
 */

import { parseHex, parseIpv4, toColonHex } from "../wire/addr.ts";
import { RESERVATION_DEFAULTS, RESERVATION_MODES } from "./defaults.ts";
import type { JsonPath, Problems } from "./errors.ts";
import type { OptionValue, Reservation4 } from "./model.ts";
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
 * Checks one list of reservations (Kea's rules for one subnet id, the global list being subnet id 0): each needs
 * a valid `hw-address` (the only identifier weka supports), one reservation per hardware address and one per
 * address (Kea's default `ip-reservations-unique: true`), and in a subnet the reserved address must lie inside
 * it. Global reservations may name any address; the engine assigns it only within the client's subnet.
 */
export function checkReservations4(
  list: ReservationIn[] | undefined,
  base: JsonPath,
  range: SubnetRange | undefined,
  problems: Problems,
): void {
  const byHw = new Map<string, number>();
  const byIp = new Map<number, number>();
  (list ?? []).forEach((r, j) => {
    const rp: JsonPath = [...base, j];
    const hwText = r["hw-address"];
    if (hwText === undefined) {
      problems.add(rp, "a reservation needs an 'hw-address' (the only identifier weka supports yet)");
    } else {
      const hw = parseHex(hwText);
      if (!hw || hw.length === 0 || hw.length > 20) {
        problems.add([...rp, "hw-address"], `'${hwText}' is not a hardware address (expected e.g. aa:bb:cc:dd:ee:ff)`);
      } else {
        const key = toColonHex(hw);
        const dup = byHw.get(key);
        if (dup !== undefined) {
          problems.add([...rp, "hw-address"], `hardware address ${key} is already reserved by reservations[${dup}]`);
        } else byHw.set(key, j);
      }
    }
    const ipText = r["ip-address"];
    if (ipText !== undefined) {
      const ip = parseIpv4(ipText)!;
      if (range && (ip < range.lo || ip > range.hi)) {
        problems.add([...rp, "ip-address"], `reserved address ${ipText} is not inside subnet ${range.text}`);
      }
      const dup = byIp.get(ip);
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
 * Compiles checked reservation entries into a map by colon-hex hardware address. `encode` turns an entry's
 * option-data into wire payloads (problems recorded at the path it is given). Entries without a usable
 * hw-address were refused by checkReservations4 and are skipped.
 */
export function compileReservations4(
  list: ReservationIn[] | undefined,
  base: JsonPath,
  encode: (o: ReservationIn["option-data"], path: JsonPath) => Map<number, OptionValue>,
): Map<string, Reservation4> {
  const out = new Map<string, Reservation4>();
  (list ?? []).forEach((r, j) => {
    const hw = parseHex(r["hw-address"] ?? "");
    if (!hw || hw.length === 0) return;
    const hwaddr = toColonHex(hw);
    const res: Reservation4 = { hwaddr, options: encode(r["option-data"], [...base, j, "option-data"]) };
    if (r["ip-address"] !== undefined) res.ipAddress = parseIpv4(r["ip-address"]);
    if (r.hostname !== undefined) res.hostname = r.hostname;
    if (r["next-server"] !== undefined) res.nextServer = parseIpv4(r["next-server"]);
    if (r["server-hostname"] !== undefined) res.serverHostname = r["server-hostname"];
    if (r["boot-file-name"] !== undefined) res.bootFileName = r["boot-file-name"];
    out.set(hwaddr, res);
  });
  return out;
}

/**
 * The addresses a subnet keeps out of dynamic allocation, each with the hardware address it is reserved for:
 * its own reservations when reservations-in-subnet is on, and the global reservations whose address lies inside
 * the subnet when reservations-global is on (a subnet reservation wins a clash). Kea itself checks only the
 * subnet's own reservations when allocating; weka also keeps globally reserved addresses free, so that a
 * reserved host never finds its address leased to another client.
 */
export function reservedAddresses4(
  own: Map<string, Reservation4>,
  global: Map<string, Reservation4>,
  flags: ReservationFlags,
  lo: number,
  hi: number,
): Map<number, string> {
  const out = new Map<number, string>();
  if (flags.global) {
    for (const r of global.values()) {
      if (r.ipAddress !== undefined && r.ipAddress >= lo && r.ipAddress <= hi) out.set(r.ipAddress, r.hwaddr);
    }
  }
  if (flags.inSubnet) {
    for (const r of own.values()) if (r.ipAddress !== undefined) out.set(r.ipAddress, r.hwaddr);
  }
  return out;
}
