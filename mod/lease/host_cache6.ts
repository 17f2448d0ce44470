/**
 * Host reservations from Kea's host databases for the DHCPv6 engine (issue 15; Kea ARM "Hosts Storage": the hosts
 * of a database are looked up per query, after the configuration's own reservations). As for DHCPv4
 * (host_cache4.ts), the server edge fetches, once per receive batch and before the engine runs, the hosts of every
 * DUID / hardware address / flex-id and of every address or prefix the batch's IAs carry (`prefetch`: one query per
 * database), into a small bounded cache the engine reads through `HostView6`:
 *
 * - `get(subnetId, key)`: the database's reservation of a host key in a subnet (0: global), from the last fetch of
 *   that identifier (at most MAX_IDENTIFIERS6 identifiers kept, least recently fetched dropped first);
 * - `reservedFor(subnetId, address, len)`: the host key a database reserves an address (len 128) or delegated
 *   prefix for, so dynamic allocation leaves it alone. Kea asks its database for each candidate; weka keeps the
 *   reserved addresses and prefixes in memory (at most MAX_RESERVED6), read at start-up and every `refreshMs`, and
 *   corrected by every batch that names one in an IA.
 *
 * Several databases (`hosts-databases`) are searched in their order; the first that has the host wins. A failed
 * fetch leaves the cache as it was and is reported to the caller (the lost connection to Kea's on-fail recovery).
 */
import type { Reservation6 } from "../config/model6.ts";
import type { SqlDb } from "./sql_db.ts";
import { HostDbSet } from "./host_db_set.ts";
import type { HostKeys6, HostView6 } from "./types6.ts";
import { type DbHost6, hosts6Sql, rowKey6, rowResv6, rowsToHosts6 } from "./sql_hosts6.ts";

/** Identifiers whose hosts are kept between fetches. */
export const MAX_IDENTIFIERS6 = 8192;
/** Reserved addresses and prefixes kept (a database with more is read up to this many, with a warning). */
export const MAX_RESERVED6 = 1_000_000;

/** subnet id → (`address/len` → host key) */
type Reserved6 = Map<number, Map<string, string>>;

const slot = (address: bigint, len: number) => `${address}/${len}`;

/** The cached hosts of one database. */
class HostSource6 {
  /** host key → (subnet id → reservation); an empty map: fetched, none */
  private readonly byKey = new Map<string, Map<number, Reservation6>>();
  private reserved: Reserved6 = new Map();
  private readonly sql;

  constructor(readonly db: SqlDb, private readonly warn: (text: string) => void) {
    this.sql = hosts6Sql(db.dialect);
  }

  get(subnetId: number, key: string): Reservation6 | undefined {
    return this.byKey.get(key)?.get(subnetId);
  }

  reservedFor(subnetId: number, address: bigint, len: number): string | undefined {
    return this.reserved.get(subnetId)?.get(slot(address, len));
  }

  async prefetch(p: HostKeys6): Promise<void> {
    const s = this.sql.byKeys(p.ids.map((i) => i.value), p.addresses);
    const rows = await this.db.query(s.text, s.params, this.db.kind === "postgresql");
    const hosts = rowsToHosts6(rows, this.db.dialect, this.warn);
    const fresh = new Map<string, Map<number, Reservation6>>();
    for (const { key } of p.ids) fresh.set(key, new Map());
    for (const h of hosts) fresh.get(h.key)?.set(h.subnetId, h.reservation);
    for (const [key, m] of fresh) {
      this.byKey.delete(key);
      this.byKey.set(key, m);
    }
    while (this.byKey.size > MAX_IDENTIFIERS6) this.byKey.delete(this.byKey.keys().next().value!);
    this.correctReserved(hosts, p.addresses);
  }

  /** The addresses asked for are now known exactly: note the reservations found, drop those that are gone. */
  private correctReserved(hosts: DbHost6[], asked: bigint[]): void {
    const found = new Set<string>();
    for (const h of hosts) {
      const r = h.reservation;
      for (const a of r.addresses) found.add(`${h.subnetId}@${this.note(this.reserved, h.subnetId, a, 128, h.key)}`);
      for (const p of r.prefixes) {
        found.add(`${h.subnetId}@${this.note(this.reserved, h.subnetId, p.prefix, p.len, h.key)}`);
      }
    }
    const asking = new Set(asked);
    for (const [sid, m] of this.reserved) {
      for (const k of m.keys()) {
        if (asking.has(BigInt(k.slice(0, k.indexOf("/")))) && !found.has(`${sid}@${k}`)) m.delete(k);
      }
    }
  }

  private note(into: Reserved6, subnetId: number, a: bigint, len: number, key: string): string {
    let m = into.get(subnetId);
    if (!m) into.set(subnetId, m = new Map());
    const k = slot(a, len);
    m.set(k, key);
    return k;
  }

  async refreshReserved(): Promise<void> {
    const rows = await this.db.query(this.sql.reserved, [MAX_RESERVED6 + 1]);
    if (rows.length > MAX_RESERVED6) {
      this.warn(
        `the host database reserves more than ${MAX_RESERVED6} IPv6 addresses and prefixes; only the first ` +
          `are kept from others`,
      );
    }
    const next: Reserved6 = new Map();
    for (const r of rows.slice(0, MAX_RESERVED6)) {
      const key = rowKey6(r), v = rowResv6(r);
      if (key !== undefined && v) this.note(next, Number(r.sid), v.address, v.len, key);
    }
    this.reserved = next;
  }
}

/** The host databases of a DHCPv6 server, as the engine's HostView6 (see the file comment). */
export class SqlHosts6 extends HostDbSet<HostSource6, HostKeys6, Reservation6> implements HostView6 {
  constructor(dbs: SqlDb[], warn: (text: string) => void = () => {}) {
    super(dbs.map((db) => new HostSource6(db, warn)));
  }

  /** The host key the databases reserve `address/len` for in `subnetId` (the first database that reserves it). */
  reservedFor(subnetId: number, address: bigint, len: number): string | undefined {
    for (const s of this.sources) {
      const k = s.reservedFor(subnetId, address, len);
      if (k !== undefined) return k;
    }
    return undefined;
  }
}
