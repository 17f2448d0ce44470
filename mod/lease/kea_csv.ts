/**
 * Kea's memfile lease file for DHCPv4, `kea-leases4.csv` (Kea csv_lease_file4.cc, csv_file.cc,
 * lease_file_loader.h), for import and export. Pure: text in, leases out, and back.
 *
 * - Header (schema 3.0, order exact): address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,
 *   hostname,state,user_context,pool_id. Older files with fewer trailing columns (1.0 stops at hostname, 2.0 at
 *   state, 2.1 at user_context) are read with Kea's defaults for the missing ones.
 * - `expire` = cltt + valid_lifetime; hwaddr and client_id are colon-hex; fqdn_* are 0/1.
 * - hostname and user_context escape bytes < 0x20, > 0x7e, ',' and '&' as `&#xHH` (UTF-8 bytes, lower-case hex).
 * - user_context is written the way Kea's `Element::str()` prints JSON: `{ "a": 1, "b": [ 1, 2 ] }`, keys sorted.
 * - Loading: the last row for an address wins; a row whose valid_lifetime is 0 deletes the address (that is how
 *   Kea's memfile appends a deletion), except a RELEASED lease (lease affinity keeps it with lifetime 0).
 */
import { formatIpv4, parseHex, parseIpv4, toColonHex } from "../wire/addr.ts";
import { type Lease4, LeaseState } from "./types.ts";

/** The current kea-leases4.csv header, exactly as Kea writes it. */
export const KEA_CSV4_HEADER =
  "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context,pool_id";

const COLUMNS = KEA_CSV4_HEADER.split(",");
/** columns every schema version has (1.0) */
const MIN_COLUMNS = 9;

/** A row that could not be read: 1-based line number in the file and the reason. */
export interface CsvRowError {
  line: number;
  message: string;
}

/** Result of `parseKeaCsv4`: the leases (ascending by address) and the rows that were skipped. */
export interface KeaCsv4Result {
  leases: Lease4[];
  errors: CsvRowError[];
}

/**
 * Escapes a field the way Kea's `CSVRow::escapeCharacters` does for hostname and user_context: every UTF-8 byte
 * < 0x20 or > 0x7e, and ',' and '&', becomes `&#xHH`.
 */
export function escapeCsvField(text: string): string {
  let out = "";
  for (const b of new TextEncoder().encode(text)) {
    if (b < 0x20 || b > 0x7e || b === 0x2c || b === 0x26) out += "&#x" + (b < 16 ? "0" : "") + b.toString(16);
    else out += String.fromCharCode(b);
  }
  return out;
}

/**
 * The user_context column: escaped JSON (Kea's `Element::str()`) that must be an object; throws naming the lease's
 * address otherwise.
 */
export function userContext(field: string, address: string): Record<string, unknown> {
  let ctx: unknown;
  try {
    ctx = JSON.parse(unescapeCsvField(field));
  } catch {
    throw new Error(`user_context of ${address} is not valid JSON`);
  }
  if (ctx === null || typeof ctx !== "object" || Array.isArray(ctx)) {
    throw new Error(`user_context of ${address} is not a JSON object`);
  }
  return ctx as Record<string, unknown>;
}

/** Reverses `escapeCsvField` (Kea `CSVRow::unescapeCharacters`): `&#xHH` → byte, then UTF-8 decoding. */
export function unescapeCsvField(text: string): string {
  if (!text.includes("&#x")) return text;
  const bytes: number[] = [];
  const enc = new TextEncoder();
  for (let i = 0; i < text.length;) {
    if (text.startsWith("&#x", i) && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 3, i + 5))) {
      bytes.push(parseInt(text.slice(i + 3, i + 5), 16));
      i += 5;
    } else {
      const cp = text.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      bytes.push(...enc.encode(ch));
      i += ch.length;
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/** JSON text as Kea's `Element::str()` prints it: "{ "k": v, … }", "[ a, b ]", map keys in sorted order. */
export function keaJsonStr(v: unknown): string {
  if (Array.isArray(v)) return `[ ${v.map(keaJsonStr).join(", ")} ]`;
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).sort();
    return `{ ${keys.map((k) => `${JSON.stringify(k)}: ${keaJsonStr(o[k])}`).join(", ")} }`;
  }
  return JSON.stringify(v ?? null);
}

/** Formats leases as a complete kea-leases4.csv (header + one row per lease, "\n" line ends), as `lease4-write` does. */
export function formatKeaCsv4(leases: Iterable<Lease4>): string {
  const lines = [KEA_CSV4_HEADER];
  for (const l of leases) {
    lines.push([
      formatIpv4(l.address),
      l.hwaddr,
      l.clientId,
      l.validLifetime,
      l.cltt + l.validLifetime,
      l.subnetId,
      l.fqdnFwd ? 1 : 0,
      l.fqdnRev ? 1 : 0,
      escapeCsvField(l.hostname),
      l.state,
      l.userContext ? escapeCsvField(keaJsonStr(l.userContext)) : "",
      l.poolId ?? 0,
    ].join(","));
  }
  return lines.join("\n") + "\n";
}

/**
 * Parses a kea-leases4.csv. Rows that cannot be read are reported with their line number and skipped (Kea counts
 * them against `max-row-errors`); the last row for an address wins, and a zero valid_lifetime deletes, as Kea's
 * lease file loader does. A missing or foreign header is reported as an error on line 1 with no leases.
 */
export function parseKeaCsv4(text: string): KeaCsv4Result {
  const lines = text.split(/\r?\n/);
  const errors: CsvRowError[] = [];
  const header = (lines[0] ?? "").split(",");
  if (header.length < MIN_COLUMNS || header.some((h, i) => h !== COLUMNS[i])) {
    return {
      leases: [],
      errors: [{ line: 1, message: `not a kea-leases4.csv header: expected "${KEA_CSV4_HEADER}" (or a prefix of it)` }],
    };
  }
  const byAddr = new Map<number, Lease4>();
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === "") continue;
    const fields = lines[i].split(",");
    if (fields.length !== header.length) {
      errors.push({ line: i + 1, message: `expected ${header.length} columns, found ${fields.length}` });
      continue;
    }
    try {
      const lease = readRow(fields);
      if (lease.validLifetime === 0 && lease.state !== LeaseState.RELEASED) byAddr.delete(lease.address);
      else byAddr.set(lease.address, lease);
    } catch (e) {
      errors.push({ line: i + 1, message: (e as Error).message });
    }
  }
  const leases = [...byAddr.values()].sort((a, b) => a.address - b.address);
  return { leases, errors };
}

/** A CSV number column in 0..max (Kea's `CSVRow::readAndConvertAt`); throws naming the column otherwise. */
export function uint(text: string, name: string, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) > max) throw new Error(`${name} "${text}" is not a number in 0..${max}`);
  return Number(text);
}

/** A colon-hex column (hwaddr, client_id, duid) in Kea's lower-case form; "" stays ""; throws when not hex. */
export function hex(text: string, name: string): string {
  if (text === "") return "";
  const b = parseHex(text);
  if (!b) throw new Error(`${name} "${text}" is not hexadecimal`);
  return toColonHex(b);
}

/** A 0/1 column (fqdn_fwd, fqdn_rev); throws on anything else. */
export function flag(text: string, name: string): boolean {
  if (text !== "0" && text !== "1") throw new Error(`${name} "${text}" must be 0 or 1`);
  return text === "1";
}

function readRow(f: string[]): Lease4 {
  const address = parseIpv4(f[0]);
  if (address === undefined) throw new Error(`address "${f[0]}" is not an IPv4 address`);
  const validLifetime = uint(f[3], "valid_lifetime", 0xffffffff);
  const expire = uint(f[4], "expire", Number.MAX_SAFE_INTEGER);
  const state = f.length > 9 ? uint(f[9], "state", LeaseState.RELEASED) as LeaseState : LeaseState.DEFAULT;
  const lease: Lease4 = {
    address,
    hwaddr: hex(f[1], "hwaddr"),
    clientId: hex(f[2], "client_id"),
    validLifetime,
    cltt: expire - validLifetime,
    subnetId: uint(f[5], "subnet_id", 0xffffffff),
    fqdnFwd: flag(f[6], "fqdn_fwd"),
    fqdnRev: flag(f[7], "fqdn_rev"),
    hostname: unescapeCsvField(f[8]),
    state,
  };
  if (!lease.hwaddr && !lease.clientId && state !== LeaseState.DECLINED) {
    throw new Error(`lease ${f[0]} has neither hwaddr nor client_id (allowed only for a declined lease)`);
  }
  if (f.length > 10 && f[10] !== "") lease.userContext = userContext(f[10], f[0]);
  if (f.length > 11) lease.poolId = uint(f[11], "pool_id", 0xffffffff);
  return lease;
}
