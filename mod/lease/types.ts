/**
 * DHCPv4 leases and the store contract. The fields follow Kea's lease JSON and kea-leases4.csv columns
 * (`address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context,pool_id`).
 * Identifiers are lower-case colon-hex strings ("aa:bb:cc:dd:ee:ff"), as Kea prints them, so they can be
 * used directly as map keys. Times are unix seconds.
 */

import type { Reservation4 } from "../config/model.ts";

/** Lease states, numbered as Kea numbers them (lease.h). */
export const LeaseState = { DEFAULT: 0, DECLINED: 1, EXPIRED_RECLAIMED: 2, RELEASED: 3 } as const;
export type LeaseState = typeof LeaseState[keyof typeof LeaseState];

/** Kea's value for an infinite valid lifetime. */
export const INFINITE_LIFETIME = 0xffffffff;

export interface Lease4 {
  /** IPv4 address as u32 */
  address: number;
  /** colon-hex hardware address, "" when absent (declined leases) */
  hwaddr: string;
  /** colon-hex client identifier (option 61 payload), "" when absent */
  clientId: string;
  /** seconds */
  validLifetime: number;
  /** client last transaction time, unix seconds; expire = cltt + validLifetime */
  cltt: number;
  subnetId: number;
  fqdnFwd: boolean;
  fqdnRev: boolean;
  hostname: string;
  state: LeaseState;
  /** Kea's user-context JSON object, when any */
  userContext?: Record<string, unknown>;
  poolId?: number;
}

/** The expiry time (unix seconds) of a lease; infinite leases never expire. */
export function leaseExpire(l: Lease4): number {
  return l.validLifetime === INFINITE_LIFETIME ? Number.MAX_SAFE_INTEGER : l.cltt + l.validLifetime;
}

/** One change to the lease database: store (insert or replace by address) or delete by address. */
export type LeaseMutation = { op: "put"; lease: Lease4 } | { op: "del"; address: number };

/**
 * Read-only view of the lease database used by the pure engine. Lookups answer from memory; they include
 * mutations whose commit is still in flight (so two clients are never given the same address).
 */
export interface LeaseView {
  byAddress(address: number): Lease4 | undefined;
  /** the lease of this hardware address in this subnet, if any */
  byHwAddr(hwaddr: string, subnetId: number): Lease4 | undefined;
  /** the lease of this client identifier in this subnet, if any */
  byClientId(clientId: string, subnetId: number): Lease4 | undefined;
}

/**
 * The durable lease store. `apply` updates the in-memory indexes at once and resolves when the mutations are
 * durable (group commit: every mutation produced while a commit is in flight goes into the next one).
 * Nothing may be acknowledged to a client before the promise resolves.
 */
export interface LeaseStore extends LeaseView {
  apply(mutations: LeaseMutation[]): Promise<void>;
  /** leases whose expiry is <= now and whose state is DEFAULT or DECLINED, oldest first, at most `limit` */
  expired(now: number, limit: number): Lease4[];
  /** released/reclaimed leases whose expiry + holdSeconds <= now (for flush), at most `limit` */
  reclaimedOlderThan(now: number, holdSeconds: number, limit: number): Lease4[];
  /** every lease, ascending by address */
  all(): Iterable<Lease4>;
  /** the leases above `address` (-1: all), ascending: where lease4-get-page resumes; absent: filter `all()` */
  after?(address: number): Iterable<Lease4>;
  size(): number;
  /** waits for in-flight commits, then closes the database */
  close(): Promise<void>;
  /**
   * Registers `fn` to see every batch of mutations as it is applied to memory (before it is durable), e.g. for the
   * free-lease queues of Kea's flq allocator (Kea: the lease manager's tracking callbacks). Optional.
   */
  subscribe?(fn: (mutations: readonly LeaseMutation[]) => void): void;
  /**
   * A shared (SQL) store: re-reads the rows one receive batch asks about before the engine runs (mod/lease/
   * sql_store.ts); absent for stores whose memory is the whole truth.
   */
  prefetch?(p: LeaseKeys4): Promise<void>;
  /** A shared store: re-reads every row (the lease commands and statistics read the database, as Kea's do). */
  refresh?(): Promise<void>;
  /** A shared store: reads the database's expired rows before a reclamation cycle (Kea getExpiredLeases4). */
  refreshExpired?(now: number, limit: number, holdSeconds?: number): Promise<void>;
}

/** The rows a receive batch asks about: requested addresses, hardware addresses, client identifiers. */
export interface LeaseKeys4 {
  addresses: number[];
  hwaddrs: string[];
  clientIds: string[];
}

/**
 * The host reservations of Kea's host databases as the DHCPv4 engine reads them (mod/lease/host_cache4.ts fills
 * them per receive batch; the configuration's own reservations are searched first): `get` the reservation of a
 * host key in a subnet (0: global), `reservedFor` the host keys an address is reserved for in a subnet.
 */
export interface HostView4 {
  get(subnetId: number, key: string): Reservation4 | undefined;
  reservedFor(subnetId: number, address: number): readonly string[] | undefined;
}

/** One receive batch's host lookups: identifiers as (host key, colon-hex value), requested addresses. */
export interface HostKeys4 {
  ids: { key: string; value: string }[];
  addresses: number[];
}
