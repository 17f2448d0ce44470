/**
 * Kea's host database for DHCPv4 (`hosts-database` / `hosts-databases`; schema of `kea-admin db-init`, Kea 2.2):
 * the `hosts` table with its `dhcp4_options` (scope 3, host), read as Kea's PgSqlHostDataSource and
 * MySqlHostDataSource read them, and turned into the model's Reservation4:
 *
 * - `dhcp_identifier_type` 0 hw-address, 1 duid, 2 circuit-id, 3 client-id, 4 flex-id (Kea's host_identifier_type
 *   table), `dhcp_identifier` the raw bytes;
 * - `dhcp4_subnet_id` the subnet (0: a global reservation, Kea's SUBNET_ID_GLOBAL; NULL: not a DHCPv4 host);
 * - `ipv4_address` the reserved address (0 or NULL: none), `hostname`, `dhcp4_next_server` (0: none),
 *   `dhcp4_server_hostname`, `dhcp4_boot_file_name`;
 * - an option row: `code`, `space` (NULL or "dhcp4": the top-level options; other spaces are not served from the
 *   database), `formatted_value` (when not empty, parsed as option-data text with csv-format, Kea's rule when the
 *   option has a definition) or else `value` (the payload bytes), `persistent` (always-send).
 *
 * `dhcp4_client_classes` is not applied: weka's reservations carry no classes yet. Statements only; the cache and
 * the engine's view are host_cache4.ts.
 */
import { Bytes, hexToColon, type SqlDialect, type SqlRow, type SqlStmt } from "./sql_db.ts";
import type { HostIdType, OptionValue, Reservation4 } from "../config/model.ts";
import { hostKey } from "../config/host_ids4.ts";
import { encodeOptionData, findOption4 } from "../options/mod.ts";
import { parseHex } from "../wire/addr.ts";

/** Kea's host_identifier_type table. */
export const HOST_ID_CODES: Readonly<Record<HostIdType, number>> = {
  "hw-address": 0,
  duid: 1,
  "circuit-id": 2,
  "client-id": 3,
  "flex-id": 4,
};
const TYPE_OF: readonly HostIdType[] = ["hw-address", "duid", "circuit-id", "client-id", "flex-id"];

/** Kea's dhcp_option_scope id of a host's options. */
export const HOST_SCOPE = 3;

/** One host of the database for DHCPv4: where it applies and what it reserves. */
export interface DbHost4 {
  hostId: number;
  /** the subnet (0: global) */
  subnetId: number;
  /** the host key of its identifier (config/host_ids4.ts hostKey) */
  key: string;
  reservation: Reservation4;
}

/** The select list of the host reads: the host's columns and one of its options (NULL when it has none). */
function columns(d: SqlDialect): string {
  return `h.host_id AS id, h.dhcp_identifier_type AS t, ${d.hex("h.dhcp_identifier")} AS v, ` +
    `h.dhcp4_subnet_id AS sid, h.ipv4_address AS ip, ${d.text("h.hostname")} AS hn, h.dhcp4_next_server AS ns, ` +
    `${d.text("h.dhcp4_server_hostname")} AS sn, ${d.text("h.dhcp4_boot_file_name")} AS bf, o.code AS oc, ` +
    `${d.hex("o.value")} AS ov, ${d.text("o.formatted_value")} AS fv, ${d.text("o.space")} AS os, ` +
    `o.persistent AS op`;
}

/** The statements of the DHCPv4 host reads. */
export function hosts4Sql(d: SqlDialect) {
  const from = `FROM hosts h LEFT JOIN dhcp4_options o ON o.host_id = h.host_id AND o.scope_id = ${HOST_SCOPE}`;
  const select = (where: { text: string; params: SqlStmt["params"] }) => ({
    text: `SELECT ${columns(d)} ${from} WHERE h.dhcp4_subnet_id IS NOT NULL AND ${where.text}`,
    params: where.params,
  });
  return {
    /**
     * The hosts of these identifier values (any type: the caller keeps the (type, value) pairs it asked for) and
     * of these reserved addresses, with their options; one statement, one SELECT per kind (each its own index:
     * key_dhcp_identifier, key_dhcp4_ipv4_address_subnet_id)
     */
    byKeys(identifiers: readonly string[], addresses: readonly number[]): SqlStmt {
      const parts: SqlStmt[] = [];
      const ids = [...new Set(identifiers)].filter((x) => x).map(Bytes.fromColon);
      if (ids.length) parts.push(select(d.anyOf("h.dhcp_identifier", ids)));
      if (addresses.length) parts.push(select(d.anyOf("h.ipv4_address", [...new Set(addresses)])));
      if (!parts.length) return { text: `SELECT ${columns(d)} ${from} WHERE 1 = 0`, params: [] };
      return { text: parts.map((p) => p.text).join(" UNION ALL "), params: parts.flatMap((p) => p.params) };
    },
    /** every DHCPv4 reserved address with its subnet and host identifier, at most `?` rows */
    reserved: `SELECT dhcp4_subnet_id AS sid, ipv4_address AS ip, dhcp_identifier_type AS t, ` +
      `${d.hex("dhcp_identifier")} AS v FROM hosts WHERE dhcp4_subnet_id IS NOT NULL AND ipv4_address IS NOT NULL ` +
      `AND ipv4_address <> 0 LIMIT ?`,
  };
}

/** The host key of a row's identifier, or undefined for a type Kea does not define. */
export function rowKey(r: SqlRow): string | undefined {
  const type = TYPE_OF[Number(r.t)];
  return type === undefined ? undefined : hostKey(type, hexToColon(r.v));
}

/**
 * One option row → the model's OptionValue (see the file comment), or a message saying why it is not served.
 */
export function rowOption(r: SqlRow, d: SqlDialect): OptionValue | string {
  const code = Number(r.oc);
  const space = d.readText(r.os) || "dhcp4";
  if (space !== "dhcp4") return `option ${code} of space '${space}' is not served from the host database`;
  const text = d.readText(r.fv);
  const def = findOption4(code, "dhcp4");
  let data: Uint8Array | undefined;
  if (text !== "" && def) {
    try {
      data = encodeOptionData(def, text, true);
    } catch (e) {
      return `option ${code} formatted_value '${text}': ${(e as Error).message}`;
    }
  } else data = parseHex(String(r.ov ?? "")) ?? new Uint8Array(0);
  return { code, space: "dhcp4", data, alwaysSend: Boolean(Number(r.op ?? 0) || r.op === true), neverSend: false };
}

/**
 * The rows of one read (a host repeated once per option) → hosts, in host-id order. `warn` hears about options
 * that are not served.
 */
export function rowsToHosts4(rows: SqlRow[], d: SqlDialect, warn: (text: string) => void): DbHost4[] {
  const byId = new Map<number, DbHost4>();
  for (const r of rows) {
    const hostId = Number(r.id);
    let h = byId.get(hostId);
    if (!h) {
      const key = rowKey(r);
      if (key === undefined) continue;
      const type = TYPE_OF[Number(r.t)];
      const value = hexToColon(r.v);
      const res: Reservation4 = {
        hwaddr: type === "hw-address" ? value : "",
        ...(type === "hw-address" ? {} : { idType: type, id: value }),
        options: new Map(),
      };
      const ip = Number(r.ip ?? 0);
      if (ip) res.ipAddress = ip >>> 0;
      const hn = d.readText(r.hn);
      if (hn) res.hostname = hn;
      const ns = Number(r.ns ?? 0);
      if (ns) res.nextServer = ns >>> 0;
      const sn = d.readText(r.sn), bf = d.readText(r.bf);
      if (sn) res.serverHostname = sn;
      if (bf) res.bootFileName = bf;
      byId.set(hostId, h = { hostId, subnetId: Number(r.sid), key, reservation: res });
    }
    if (r.oc === null || r.oc === undefined) continue;
    const o = rowOption(r, d);
    if (typeof o === "string") warn(`host ${hostId} (${h.key}): ${o}`);
    else h.reservation.options.set(o.code, o);
  }
  return [...byId.values()].sort((a, b) => a.hostId - b.hostId);
}
