/**
 * Kea's host database for DHCPv6 (`hosts-database` / `hosts-databases` in Dhcp6; schema of `kea-admin db-init`,
 * Kea 2.2): the `hosts` table with its `ipv6_reservations` and `dhcp6_options` (scope 3, host), read as Kea's
 * PgSqlHostDataSource and MySqlHostDataSource read them (one row per reservation × option, grouped by host), and
 * turned into the model's Reservation6:
 *
 * - `dhcp_identifier_type` 0 hw-address, 1 duid, 4 flex-id (Kea's host_identifier_type table; circuit-id and
 *   client-id are DHCPv4's and skipped), `dhcp_identifier` the raw bytes;
 * - `dhcp6_subnet_id` the subnet (0: a global reservation, Kea's SUBNET_ID_GLOBAL; NULL: not a DHCPv6 host);
 * - `hostname`, `dhcp6_client_classes` (a comma-separated list, as Kea's ClientClasses reads it);
 * - an `ipv6_reservations` row: `address` the address or prefix as text, `prefix_len`, `type` 0 an IA_NA address,
 *   2 an IA_PD prefix (Kea's IPv6Resrv::TYPE_NA / TYPE_PD);
 * - an option row: `code`, `space` (NULL or "dhcp6": the top-level options; other spaces are not served from the
 *   database), `formatted_value` (when not empty, parsed as option-data text with csv-format) or else `value` (the
 *   payload bytes), `persistent` (always-send).
 *
 * Statements only; the cache and the engine's view are host_cache6.ts.
 */
import { Bytes, hexToColon, type SqlDialect, type SqlRow, type SqlStmt } from "./sql_db.ts";
import type { OptionValue } from "../config/model.ts";
import type { HostIdType6, Reservation6 } from "../config/model6.ts";
import { encodeOptionData, findOption6 } from "../options/mod.ts";
import { parseHex } from "../wire/addr.ts";
import { formatIpv6Big, parseIpv6Big } from "../config/addr6.ts";
import { HOST_SCOPE } from "./sql_hosts4.ts";

/** Kea's host_identifier_type codes of the DHCPv6 identifier types (index = code; undefined: not DHCPv6's). */
const TYPE_OF6: readonly (HostIdType6 | undefined)[] = ["hw-address", "duid", undefined, undefined, "flex-id"];

/** Kea's IPv6Resrv type of a delegated prefix (0 is an address). */
export const RESV_TYPE_PD = 2;

/** One host of the database for DHCPv6: where it applies and what it reserves. */
export interface DbHost6 {
  hostId: number;
  /** the subnet (0: global) */
  subnetId: number;
  /** the host key of its identifier (`duid=…`, config/reservations6.ts hostKey6) */
  key: string;
  reservation: Reservation6;
}

/** The select list of the host reads: the host's columns, one of its reservations and one of its options. */
function columns(d: SqlDialect): string {
  return `h.host_id AS id, h.dhcp_identifier_type AS t, ${d.hex("h.dhcp_identifier")} AS v, ` +
    `h.dhcp6_subnet_id AS sid, ${d.text("h.hostname")} AS hn, ${d.text("h.dhcp6_client_classes")} AS cc, ` +
    `r.reservation_id AS rid, r.address AS ra, r.prefix_len AS rl, r.type AS rt, o.option_id AS oid, ` +
    `o.code AS oc, ${d.hex("o.value")} AS ov, ${d.text("o.formatted_value")} AS fv, ${d.text("o.space")} AS os, ` +
    `o.persistent AS op`;
}

/** The statements of the DHCPv6 host reads. */
export function hosts6Sql(d: SqlDialect) {
  const from = `FROM hosts h LEFT JOIN ipv6_reservations r ON r.host_id = h.host_id ` +
    `LEFT JOIN dhcp6_options o ON o.host_id = h.host_id AND o.scope_id = ${HOST_SCOPE}`;
  const select = (where: { text: string; params: SqlStmt["params"] }) => ({
    text: `SELECT ${columns(d)} ${from} WHERE h.dhcp6_subnet_id IS NOT NULL AND ${where.text}`,
    params: where.params,
  });
  return {
    /**
     * The hosts of these identifier values (any type: the caller keeps the keys it asked for) and of these
     * reserved addresses or prefixes (their text, as Kea writes it), with their reservations and options; one
     * statement, one SELECT per kind (indexes key_dhcp_identifier and key_dhcp6_address_prefix_len)
     */
    byKeys(identifiers: readonly string[], addresses: readonly bigint[]): SqlStmt {
      const parts: SqlStmt[] = [];
      const ids = [...new Set(identifiers)].filter((x) => x).map(Bytes.fromColon);
      if (ids.length) parts.push(select(d.anyOf("h.dhcp_identifier", ids)));
      if (addresses.length) {
        const any = d.anyOf("address", [...new Set(addresses)].map(formatIpv6Big));
        parts.push(select({
          text: `h.host_id IN (SELECT host_id FROM ipv6_reservations WHERE ${any.text})`,
          params: any.params,
        }));
      }
      if (!parts.length) return { text: `SELECT ${columns(d)} ${from} WHERE 1 = 0`, params: [] };
      return { text: parts.map((p) => p.text).join(" UNION ALL "), params: parts.flatMap((p) => p.params) };
    },
    /** every DHCPv6 reserved address and prefix with its subnet and host identifier, at most `?` rows */
    reserved: `SELECT h.dhcp6_subnet_id AS sid, r.address AS ra, r.prefix_len AS rl, h.dhcp_identifier_type AS t, ` +
      `${d.hex("h.dhcp_identifier")} AS v FROM ipv6_reservations r JOIN hosts h ON h.host_id = r.host_id ` +
      `WHERE h.dhcp6_subnet_id IS NOT NULL LIMIT ?`,
  };
}

/** The host key of a row's identifier, or undefined for a type DHCPv6 does not look up. */
export function rowKey6(r: SqlRow): string | undefined {
  const type = TYPE_OF6[Number(r.t)];
  return type === undefined ? undefined : `${type}=${hexToColon(r.v)}`;
}

/** A reservation row's address/prefix (undefined when the text is not IPv6) and its length. */
export function rowResv6(r: SqlRow): { address: bigint; len: number } | undefined {
  const address = parseIpv6Big(String(r.ra ?? ""));
  if (address === undefined) return undefined;
  const len = Number(r.rl ?? 128);
  return { address, len: len >= 0 && len <= 128 ? len : 128 };
}

/** One option row → the model's OptionValue (see the file comment), or a message saying why it is not served. */
export function rowOption6(r: SqlRow, d: SqlDialect): OptionValue | string {
  const code = Number(r.oc);
  const space = d.readText(r.os) || "dhcp6";
  if (space !== "dhcp6") return `option ${code} of space '${space}' is not served from the host database`;
  const text = d.readText(r.fv);
  const def = findOption6(code, "dhcp6");
  let data: Uint8Array | undefined;
  if (text !== "" && def) {
    try {
      data = encodeOptionData(def, text, true);
    } catch (e) {
      return `option ${code} formatted_value '${text}': ${(e as Error).message}`;
    }
  } else data = parseHex(String(r.ov ?? "")) ?? new Uint8Array(0);
  return { code, space: "dhcp6", data, alwaysSend: Boolean(Number(r.op ?? 0) || r.op === true), neverSend: false };
}

/**
 * The rows of one read (a host repeated once per reservation × option) → hosts, in host-id order. `warn` hears
 * about options and reservations that are not served.
 */
export function rowsToHosts6(rows: SqlRow[], d: SqlDialect, warn: (text: string) => void): DbHost6[] {
  const byId = new Map<number, { host: DbHost6; resv: Set<number>; opts: Set<number> }>();
  for (const r of rows) {
    const hostId = Number(r.id);
    let e = byId.get(hostId);
    if (!e) {
      const key = rowKey6(r);
      const type = TYPE_OF6[Number(r.t)];
      if (key === undefined || type === undefined) continue;
      const res: Reservation6 = {
        idType: type,
        id: hexToColon(r.v),
        addresses: [],
        prefixes: [],
        options: new Map(),
        clientClasses: d.readText(r.cc).split(",").map((c) => c.trim()).filter((c) => c),
      };
      const hn = d.readText(r.hn);
      if (hn) res.hostname = hn;
      e = { host: { hostId, subnetId: Number(r.sid), key, reservation: res }, resv: new Set(), opts: new Set() };
      byId.set(hostId, e);
    }
    const res = e.host.reservation;
    if (r.rid !== null && r.rid !== undefined && !e.resv.has(Number(r.rid))) {
      e.resv.add(Number(r.rid));
      const v = rowResv6(r);
      if (!v) warn(`host ${hostId} (${e.host.key}): reservation '${r.ra}' is not an IPv6 address`);
      else if (Number(r.rt) === RESV_TYPE_PD) res.prefixes.push({ prefix: v.address, len: v.len });
      else res.addresses.push(v.address);
    }
    if (r.oc === null || r.oc === undefined || e.opts.has(Number(r.oid))) continue;
    e.opts.add(Number(r.oid));
    const o = rowOption6(r, d);
    if (typeof o === "string") warn(`host ${hostId} (${e.host.key}): ${o}`);
    else res.options.set(o.code, o);
  }
  return [...byId.values()].map((e) => e.host).sort((a, b) => a.hostId - b.hostId);
}
