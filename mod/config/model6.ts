/**
 * The compiled, immutable runtime model of a `Dhcp6` configuration: what the DHCPv6 server will read on every
 * packet. mod/config/compile6.ts builds it from the validated JSON (Kea's defaults applied, inheritance global →
 * shared network → subnet resolved, option-data encoded to DHCPv6 wire payloads, addresses as 128-bit integers).
 */
import type { ClassDef } from "../classify/class_def.ts";
import type { DdnsParams, DhcpDdnsSpec, DhcpServerCommon, OptionValue } from "./model.ts";
import type { HaConfig } from "./model_ha.ts";
import type { FlexOptions4 } from "./flex_option4.ts";

/** Options of a scope by code (space dhcp6; other spaces already packed into the options that carry them). */
export type Options6 = Map<number, OptionValue>;

/** The lifetimes and timers of a subnet after inheritance (subnet → shared network → global → Kea default). */
export interface Timers6 {
  validLifetime: number;
  minValidLifetime: number;
  maxValidLifetime: number;
  preferredLifetime: number;
  minPreferredLifetime: number;
  maxPreferredLifetime: number;
  /** explicit renew-timer (T1), when configured */
  renewTimer?: number;
  /** explicit rebind-timer (T2), when configured */
  rebindTimer?: number;
  calculateTeeTimes: boolean;
  t1Percent: number;
  t2Percent: number;
}

/**
 * The class keys of a DHCPv6 scope: the guard (Kea 2.2's `client-class` and newer Kea's `client-classes`: only
 * members may use the scope) and the additional classes (`require-client-classes`, `evaluate-additional-classes`).
 */
export interface Guards6 {
  /** absent: every client may use the scope */
  clientClasses?: string[];
  additionalClasses: string[];
}

/** An IA_NA address pool: an inclusive 128-bit range. */
export interface Pool6 extends Guards6 {
  start: bigint;
  end: bigint;
  options: Options6;
  /** Kea's `pool-id` (absent or 0: none), stored with the leases of the pool */
  poolId?: number;
  /**
   * DDNS behaviour of the pool when the pool sets a `ddns-*` / `hostname-char-*` key (Kea ≥ 2.7.6: pool, then
   * subnet, shared network, global); else the subnet's applies
   */
  ddns?: DdnsParams;
}

/** An IA_PD pool (RFC 8415 §6.3): `prefix/prefixLen` carved into `/delegatedLen` prefixes, RFC 6603 exclusion. */
export interface PdPool6 extends Guards6 {
  /** Kea's `pool-id` (absent or 0: none), stored with the leases of the pool */
  poolId?: number;
  prefix: bigint;
  prefixLen: number;
  delegatedLen: number;
  excludedPrefix?: bigint;
  excludedPrefixLen?: number;
  options: Options6;
}

/** Kea's DHCPv6 host identifier types (`host-reservation-identifiers`). */
export type HostIdType6 = "duid" | "hw-address" | "flex-id";

/** A host reservation (global or per subnet). */
export interface Reservation6 {
  idType: HostIdType6;
  /** the identifier as lower-case colon hex */
  id: string;
  addresses: bigint[];
  /** reserved prefixes, each with the sub-prefix the client must exclude (`excluded-prefixes`, RFC 6603) if any */
  prefixes: { prefix: bigint; len: number; excluded?: { prefix: bigint; len: number } }[];
  hostname?: string;
  options: Options6;
  clientClasses: string[];
}

export interface Subnet6 extends Guards6 {
  id: number;
  /** the text as configured, e.g. "2001:db8:1::/64" */
  prefix: string;
  network: bigint;
  len: number;
  /** the shared network this subnet belongs to, when any */
  sharedNetwork?: string;
  pools: Pool6[];
  pdPools: PdPool6[];
  /** the interface the subnet is directly reachable on (own or the shared network's) */
  interface?: string;
  /** the relay `interface-id` (option 18) that selects this subnet */
  interfaceId?: string;
  /** relay link addresses (`relay.ip-addresses`) that select this subnet */
  relayAddresses: bigint[];
  rapidCommit: boolean;
  storeExtendedInfo: boolean;
  /** merged options: global, then shared network, then subnet, by code */
  options: Options6;
  /** the shared network's and the subnet's own options, without the global ones (client classes rank between) */
  ownOptions: Options6;
  /** reservations by `type=hex` host key (e.g. `duid=00:01:…`) */
  reservations: Map<string, Reservation6>;
  /** reserved addresses → host key, to keep them out of dynamic allocation */
  reservedAddresses: Map<bigint, string>;
  timers: Timers6;
  ddns: DdnsParams;
  reservationsGlobal: boolean;
  reservationsInSubnet: boolean;
  reservationsOutOfPool: boolean;
  /** the shared network's additional classes (evaluated after the subnet's) */
  networkAdditionalClasses: string[];
  /** `allocator` (addresses) and `pd-allocator` (prefixes) after inheritance; Kea's default is iterative */
  allocator: "iterative" | "random";
  pdAllocator: "iterative" | "random" | "flq";
}

/** A shared network: its name and the ids of its subnets, in order. */
export interface SharedNetwork6 extends Guards6 {
  name: string;
  subnetIds: number[];
  interface?: string;
  interfaceId?: string;
  relayAddresses: bigint[];
}

/**
 * A compiled client class of Dhcp6 (test parsed with the DHCPv6 tokens; `only-if-required`: `additional`,
 * evaluated only when a scope requires it).
 */
export interface ClientClass6 extends ClassDef {
  options: Options6;
  validLifetime?: number;
  minValidLifetime?: number;
  maxValidLifetime?: number;
  preferredLifetime?: number;
  minPreferredLifetime?: number;
  maxPreferredLifetime?: number;
}

/** `server-id`: how the server DUID is made (RFC 8415 §11), with Kea's defaults filled in. */
export interface ServerIdSpec {
  type: "LLT" | "EN" | "LL";
  /** configured identifier bytes (empty: generated from an interface / at random, as Kea does) */
  identifier: Uint8Array;
  htype: number;
  time: number;
  enterpriseId: number;
  persist: boolean;
}

/** An entry of `interfaces-config.interfaces`: a name, `*`, or `name/unicast-address`. */
export interface InterfaceSpec6 {
  name: string;
  unicast?: bigint;
}

export interface Dhcp6Config extends DhcpServerCommon {
  interfaces: InterfaceSpec6[];
  subnets: Subnet6[];
  sharedNetworks: SharedNetwork6[];
  /** global options (already merged into each subnet; kept for INFORMATION-REQUEST without a subnet) */
  options: Options6;
  dhcpDdns: DhcpDdnsSpec;
  ddns: DdnsParams;
  clientClasses: ClientClass6[];
  globalReservations: Map<string, Reservation6>;
  hostReservationIdentifiers: HostIdType6[];
  serverId: ServerIdSpec;
  dataDirectory?: string;
  dhcp4o6Port: number;
  /** option codes the server copies from relays (`relay-supplied-options`) */
  relaySuppliedOptions: number[];
  macSources: string[];
  /** the built-in High Availability hook (libdhcp_ha.so): its one relationship, when loaded (compile_ha.ts) */
  ha?: HaConfig;
  /** the built-in flex-option hook (libdhcp_flex_option.so): its entries, applied to every response in order */
  flexOptions?: FlexOptions4;
}
