/**
 * DHCPv6 leases (Kea's Lease6, lease.h; memfile CSV columns of kea-leases6.csv: address, duid, valid_lifetime,
 * expire, subnet_id, pref_lifetime, lease_type, iaid, prefix_len, fqdn_fwd, fqdn_rev, hostname, hwaddr, state,
 * user_context, hwtype, hwaddr_source, pool_id) and the store contract the DHCPv6 engine and server use.
 */
import type { LeaseState } from "./types.ts";
import type { Reservation6 } from "../config/model6.ts";

/** Kea's lease types: IA_NA address, IA_TA address, IA_PD prefix. */
export type Lease6Type = 0 | 1 | 2;
export const Lease6Type = { NA: 0, TA: 1, PD: 2 } as const;

export interface Lease6 {
  /** the address, or the delegated prefix, as a 128-bit integer */
  address: bigint;
  /** 128 for an address; the delegated length for a prefix */
  prefixLen: number;
  type: Lease6Type;
  /** client DUID, lower-case colon hex */
  duid: string;
  iaid: number;
  preferredLifetime: number;
  validLifetime: number;
  /** client last transmission time, unix seconds */
  cltt: number;
  subnetId: number;
  fqdnFwd: boolean;
  fqdnRev: boolean;
  hostname: string;
  /** hardware address when known (RFC 6939 option 79 or the link-local EUI-64), colon hex, "" when unknown */
  hwaddr: string;
  state: LeaseState;
  userContext?: Record<string, unknown>;
  poolId?: number;
}

/** One change to the DHCPv6 lease database: store (insert or replace by address) or delete by address. */
export type Lease6Mutation = { op: "put"; lease: Lease6 } | { op: "del"; address: bigint };

/** What the pure engine reads (synchronously, from memory indexes). */
export interface Lease6View {
  byAddress(address: bigint): Lease6 | undefined;
  /** leases of this client's IA (duid + iaid + type) in a subnet */
  byIa(duid: string, iaid: number, type: Lease6Type, subnetId: number): Lease6[];
  /** every lease of a DUID (all subnets, all IAs) */
  byDuid(duid: string): Lease6[];
}

/** The durable store: the engine's view plus durable application of mutations (group commit). */
export interface Lease6Store extends Lease6View {
  /** resolves when every mutation is durable (the reply waits for it) */
  apply(mutations: readonly Lease6Mutation[]): Promise<void>;
  /** leases whose expiry is <= now and whose state is DEFAULT or DECLINED, oldest first, at most `limit` */
  expired(now: number, limit: number): Lease6[];
  /** released/expired-reclaimed leases whose expiry + holdSeconds <= now (for flush), at most `limit` */
  reclaimedOlderThan(now: number, holdSeconds: number, limit: number): Lease6[];
  all(): Iterable<Lease6>;
  size(): number;
  close(): Promise<void>;
  /** A shared (SQL) store: re-reads the rows one receive batch asks about before the engine runs (sql_store6.ts). */
  prefetch?(p: LeaseKeys6): Promise<void>;
  /** A shared store: re-reads every row (the lease commands and statistics read the database, as Kea's do). */
  refresh?(): Promise<void>;
  /** A shared store: reads the database's expired rows before a reclamation cycle (Kea getExpiredLeases6). */
  refreshExpired?(now: number, limit: number, holdSeconds?: number): Promise<void>;
  /** Registers `fn` to see every batch of mutations as it is applied to memory (LeaseStore.subscribe). Optional. */
  subscribe?(fn: (mutations: readonly Lease6Mutation[]) => void): void;
}

/** The rows a receive batch of DHCPv6 queries asks about: the addresses and prefixes in its IAs, its DUIDs. */
export interface LeaseKeys6 {
  addresses: bigint[];
  duids: string[];
}

/**
 * The DHCPv6 engine's view of Kea's host databases (mod/lease/host_cache6.ts): the reservation of a host key
 * (`duid=…`) in a subnet (0: global), as last fetched, and the host key a database reserves an address or a
 * delegated prefix (`len` < 128) for, so dynamic allocation leaves it alone.
 */
export interface HostView6 {
  get(subnetId: number, key: string): Reservation6 | undefined;
  reservedFor(subnetId: number, address: bigint, len: number): string | undefined;
}

/** One receive batch's DHCPv6 host lookups: identifiers as (host key, colon-hex value), addresses and prefixes. */
export interface HostKeys6 {
  ids: { key: string; value: string }[];
  addresses: bigint[];
}
