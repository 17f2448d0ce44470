/**
 * Host reservations from Kea's host databases for the DHCPv4 engine (issue 15; Kea ARM "Hosts Storage": the hosts
 * of a database are looked up per query and add to the configuration's reservations, which are searched first).
 * The engine is a pure function reading memory, so the server edge fetches, once per receive batch and before the
 * engine runs, the hosts of every identifier and requested address the batch carries (`prefetch`: one query per
 * database), into a small bounded cache the engine reads through `HostView4`:
 *
 * - `get(subnetId, key)`: the database's reservation of a host key in a subnet (0: global), from the last fetch of
 *   that identifier (at most MAX_IDENTIFIERS identifiers are kept, least recently fetched dropped first);
 * - `reservedFor(subnetId, address)`: the host keys a database reserves an address for, so dynamic allocation
 *   leaves it alone. Kea asks its database for each candidate address; weka keeps the database's reserved
 *   addresses in memory (at most MAX_RESERVED), read at start-up and again every `refreshMs`, and corrected by every
 *   batch that asks for an address: a reservation added to the database keeps its address from other clients
 *   from the next reading on, and its own client finds it at its next query.
 *
 * Several databases (`hosts-databases`) are searched in their order; the first that has the host wins. A failed
 * fetch leaves the cache as it was (the batch is served from what is known) and is reported to the caller.
 */
import type { Reservation4 } from "../config/model.ts";
import type { SqlDb } from "./sql_db.ts";
import { HostDbSet } from "./host_db_set.ts";
import type { HostKeys4, HostView4 } from "./types.ts";
import { type DbHost4, hosts4Sql, rowKey, rowsToHosts4 } from "./sql_hosts4.ts";

/** Identifiers whose hosts are kept between fetches. */
export const MAX_IDENTIFIERS = 8192;
/** Reserved addresses kept (a database with more is read up to this many, with a warning). */
export const MAX_RESERVED = 1_000_000;

/** The cached hosts of one database. */
class HostSource4 {
  /** host key → (subnet id → reservation); an empty map: fetched, none */
  private readonly byKey = new Map<string, Map<number, Reservation4>>();
  /** subnet id → (address → host keys) */
  private reserved = new Map<number, Map<number, string[]>>();
  private readonly sql;

  constructor(readonly db: SqlDb, private readonly warn: (text: string) => void) {
    this.sql = hosts4Sql(db.dialect);
  }

  get(subnetId: number, key: string): Reservation4 | undefined {
    return this.byKey.get(key)?.get(subnetId);
  }

  reservedFor(subnetId: number, address: number): readonly string[] | undefined {
    return this.reserved.get(subnetId)?.get(address);
  }

  async prefetch(p: HostKeys4): Promise<void> {
    const s = this.sql.byKeys(p.ids.map((i) => i.value), p.addresses);
    const rows = await this.db.query(s.text, s.params, this.db.kind === "postgresql");
    const hosts = rowsToHosts4(rows, this.db.dialect, this.warn);
    const fresh = new Map<string, Map<number, Reservation4>>();
    for (const { key } of p.ids) fresh.set(key, new Map());
    for (const h of hosts) fresh.get(h.key)?.set(h.subnetId, h.reservation);
    for (const [key, m] of fresh) {
      this.byKey.delete(key);
      this.byKey.set(key, m);
    }
    while (this.byKey.size > MAX_IDENTIFIERS) this.byKey.delete(this.byKey.keys().next().value!);
    this.correctReserved(hosts, p.addresses);
  }

  /** The addresses asked for are now known exactly: add the hosts found, drop reservations that are gone. */
  private correctReserved(hosts: DbHost4[], asked: number[]): void {
    const found = new Set<string>();
    for (const h of hosts) {
      const a = h.reservation.ipAddress;
      if (a === undefined) continue;
      found.add(`${h.subnetId}/${a}`);
      this.note(this.reserved, h.subnetId, a, h.key);
    }
    for (const a of asked) {
      for (const [sid, m] of this.reserved) if (m.has(a) && !found.has(`${sid}/${a}`)) m.delete(a);
    }
  }

  private note(into: Map<number, Map<number, string[]>>, subnetId: number, a: number, key: string): void {
    let m = into.get(subnetId);
    if (!m) into.set(subnetId, m = new Map());
    const keys = m.get(a);
    if (!keys) m.set(a, [key]);
    else if (!keys.includes(key)) keys.push(key);
  }

  async refreshReserved(): Promise<void> {
    const rows = await this.db.query(this.sql.reserved, [MAX_RESERVED + 1]);
    if (rows.length > MAX_RESERVED) {
      this.warn(`the host database reserves more than ${MAX_RESERVED} addresses; only the first are kept from others`);
    }
    const next = new Map<number, Map<number, string[]>>();
    for (const r of rows.slice(0, MAX_RESERVED)) {
      const key = rowKey(r);
      if (key !== undefined) this.note(next, Number(r.sid), Number(r.ip) >>> 0, key);
    }
    this.reserved = next;
  }
}

/** The host databases of a DHCPv4 server, as the engine's HostView4 (see the file comment). */
export class SqlHosts4 extends HostDbSet<HostSource4, HostKeys4, Reservation4> implements HostView4 {
  constructor(dbs: SqlDb[], warn: (text: string) => void = () => {}) {
    super(dbs.map((db) => new HostSource4(db, warn)));
  }

  /** The host keys the databases reserve `address` for in `subnetId` (the first database that reserves it). */
  reservedFor(subnetId: number, address: number): readonly string[] | undefined {
    for (const s of this.sources) {
      const keys = s.reservedFor(subnetId, address);
      if (keys?.length) return keys;
    }
    return undefined;
  }
}
