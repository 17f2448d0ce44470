/**
 * Host reservations of a `Dhcp6` map, global and per subnet: Kea's host reservation parser and CfgHosts rules for
 * DHCPv6 (exactly one identifier among duid / hw-address / flex-id, something reserved, addresses inside the
 * subnet, one host per identifier and one per address or prefix in a subnet), and their compilation into model6
 * Reservation6 entries keyed by `type=hex`.
 */

import { parseHex, toColonHex } from "../wire/addr.ts";
import { formatIpv6Big, parseCidr6, parseIpv6Big, prefixOf6 } from "./addr6.ts";
import type { JsonPath, Problems } from "./errors.ts";
import type { HostIdType6, Options6, Reservation6 } from "./model6.ts";
import type { OptionDataIn } from "./schema_common.ts";
import type { Reservation6In } from "./schema_parts6.ts";

const ID_TYPES: readonly HostIdType6[] = ["duid", "hw-address", "flex-id"];

/** The subnet a list of reservations belongs to (absent for the global list). */
export interface SubnetRange6 {
  network: bigint;
  last: bigint;
  text: string;
}

/**
 * The identifier bytes of a reservation: hex for all three types, and for flex-id also a quoted string
 * (`'text'`), as Kea's host reservation parser accepts. Undefined when the value is neither.
 */
export function identifierBytes(type: HostIdType6, text: string): Uint8Array | undefined {
  if (type === "flex-id" && /^'.*'$/.test(text)) return new TextEncoder().encode(text.slice(1, -1));
  const b = parseHex(text);
  return b && b.length > 0 ? b : undefined;
}

/** The host key of a reservation (`duid=00:01:…`), the map key of Subnet6.reservations. */
export function hostKey6(type: HostIdType6, id: Uint8Array): string {
  return `${type}=${toColonHex(id)}`;
}

/**
 * Checks one list of reservations (Kea's rules for one subnet id; the global list is subnet id 0): each entry has
 * exactly one identifier with a valid value and reserves something; within the list an identifier, an address
 * and a prefix are reserved once (unless `ip-reservations-unique` is false); in a subnet each reserved
 * address lies inside it (Kea does not check delegated prefixes against the subnet). A type that is not in
 * `host-reservation-identifiers` is accepted, as Kea accepts it, with a warning that it is never looked up.
 */
export function checkReservations6(
  list: Reservation6In[] | undefined,
  base: JsonPath,
  range: SubnetRange6 | undefined,
  idTypes: readonly HostIdType6[],
  problems: Problems,
  ipUnique = true,
): void {
  const byId = new Map<string, number>();
  const byAddr = new Map<bigint, number>();
  const byPrefix = new Map<string, number>();
  const at = (j: number) => `${base[base.length - 1]}[${j}]`;
  (list ?? []).forEach((r, j) => {
    const rp: JsonPath = [...base, j];
    const types = ID_TYPES.filter((t) => r[t] !== undefined);
    if (types.length === 0) {
      problems.add(rp, "a reservation needs one identifier: 'duid', 'hw-address' or 'flex-id'");
    } else if (types.length > 1) {
      problems.add(
        [...rp, types[1]],
        `'${types[0]}' and '${types[1]}' are mutually exclusive (one identifier per reservation)`,
      );
    } else {
      const type = types[0];
      const bytes = identifierBytes(type, r[type]!);
      if (!bytes) {
        problems.add([...rp, type], `'${r[type]}' is not a valid ${type} (expected hex such as "01:02:03:04:05:06")`);
      } else {
        const key = hostKey6(type, bytes);
        const prev = byId.get(key);
        if (prev !== undefined) {
          problems.add([...rp, type], `a host with ${type} ${toColonHex(bytes)} is already reserved by ${at(prev)}`);
        } else byId.set(key, j);
        if (!idTypes.includes(type)) {
          problems.warn(
            [...rp, type],
            `'${type}' is not in host-reservation-identifiers: this reservation is never looked up`,
          );
        }
      }
    }
    const something = r.hostname !== undefined || (r["ip-addresses"]?.length ?? 0) > 0 ||
      (r.prefixes?.length ?? 0) > 0 || (r["option-data"]?.length ?? 0) > 0 || (r["client-classes"]?.length ?? 0) > 0;
    if (types.length === 1 && !something) {
      problems.add(
        rp,
        "a reservation must reserve something: a hostname, ip-addresses, prefixes, option-data or client-classes",
      );
    }
    (r["ip-addresses"] ?? []).forEach((text, k) => {
      const a = parseIpv6Big(text)!;
      const ap: JsonPath = [...rp, "ip-addresses", k];
      if (range && (a < range.network || a > range.last)) {
        problems.add(ap, `reserved address ${text} is not inside subnet ${range.text}`);
        return;
      }
      const prev = ipUnique ? byAddr.get(a) : undefined;
      if (prev !== undefined) problems.add(ap, `address ${formatIpv6Big(a)} is already reserved by ${at(prev)}`);
      else byAddr.set(a, j);
    });
    const excluded = r["excluded-prefixes"];
    if (excluded && excluded.length !== (r.prefixes ?? []).length) {
      problems.add(
        [...rp, "excluded-prefixes"],
        `excluded-prefixes has ${excluded.length} entries and prefixes ${(r.prefixes ?? []).length}: give one per ` +
          'reserved prefix ("" for none)',
      );
    }
    (r.prefixes ?? []).forEach((text, k) => {
      const c = parseCidr6(text)!;
      const ex = excluded?.[k] ? parseCidr6(excluded[k])! : undefined;
      if (ex && (ex.len <= c.len || prefixOf6(ex.network, c.len).network !== c.network)) {
        problems.add(
          [...rp, "excluded-prefixes", k],
          `excluded prefix ${excluded![k]} is not inside the reserved prefix ${text} (it must be longer and within it)`,
        );
      }
      const key = `${formatIpv6Big(c.network)}/${c.len}`;
      const prev = ipUnique ? byPrefix.get(key) : undefined;
      if (prev !== undefined) problems.add([...rp, "prefixes", k], `prefix ${key} is already reserved by ${at(prev)}`);
      else byPrefix.set(key, j);
    });
  });
}

type Encode = (list: OptionDataIn[] | undefined, path: JsonPath) => Options6;

/** Compiles a checked list of reservations into Reservation6 entries keyed by host key (later duplicates dropped). */
export function compileReservations6(
  list: Reservation6In[] | undefined,
  base: JsonPath,
  encode: Encode,
): Map<string, Reservation6> {
  const out = new Map<string, Reservation6>();
  (list ?? []).forEach((r, j) => {
    const type = ID_TYPES.find((t) => r[t] !== undefined);
    const bytes = type ? identifierBytes(type, r[type]!) : undefined;
    if (!type || !bytes) return;
    const key = hostKey6(type, bytes);
    if (out.has(key)) return;
    const res: Reservation6 = {
      idType: type,
      id: toColonHex(bytes),
      addresses: (r["ip-addresses"] ?? []).map((a) => parseIpv6Big(a)!),
      prefixes: (r.prefixes ?? []).map((p, k) => {
        const c = parseCidr6(p)!;
        const ex = r["excluded-prefixes"]?.[k] ? parseCidr6(r["excluded-prefixes"][k])! : undefined;
        return { prefix: c.network, len: c.len, ...(ex ? { excluded: { prefix: ex.network, len: ex.len } } : {}) };
      }),
      options: encode(r["option-data"], [...base, j, "option-data"]),
      clientClasses: r["client-classes"] ?? [],
    };
    if (r.hostname !== undefined) res.hostname = r.hostname;
    out.set(key, res);
  });
  return out;
}
