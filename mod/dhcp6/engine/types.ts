/**
 * What the pure DHCPv6 engine takes and returns (docs/ARCHITECTURE.md rule 2): `handle6(query, ctx) → Outcome6`.
 * The engine never reads a clock, writes a lease or touches a socket; the server edge decodes the datagram,
 * fills the context, runs the outcome (mutations durable first, then the reply) and counts `pkt6-received`,
 * the per-type `pkt6-*-received` (see receivedStat6) and `pkt6-sent` itself.
 */
import type { StatDelta } from "../../stats/stats.ts";
import type { Packet6 } from "../../packet6/packet.ts";
import type { Dhcp6Config, Subnet6 } from "../../config/model6.ts";
import type { HostView6, Lease6Mutation, Lease6View } from "../../lease/types6.ts";
import type { NameChangeRequest } from "../../ddns/ncr/ncr.ts";

/** Where and how a query arrived (filled by the server edge from IPV6_PKTINFO and the socket). */
export interface Arrival6 {
  /** arrival interface name ("eth0"); "" when unknown (plain-UDP test transport) */
  iface: string;
  /** IPv6 source address of the datagram (16 bytes): the client's link-local address, or the relay's address */
  srcAddr: Uint8Array;
  /** IPv6 destination address (16 bytes): ff02::1:2 (All_DHCP_Relay_Agents_and_Servers) or a unicast address */
  dstAddr: Uint8Array;
  /** the server's addresses on the arrival interface (16 bytes each) */
  localAddrs: Uint8Array[];
}

/**
 * Finds free resources for dynamic allocation (Kea's allocators). It may keep a cursor (Kea's iterative
 * allocator) but never writes leases. `isFree` is the engine's verdict for one candidate (no live lease of
 * another client, not reserved for another host, not already granted in this exchange): the finder walks its
 * pool and returns the first candidate that passes, or undefined when the pool is exhausted.
 */
export interface FreeAddress6Finder {
  /** the next free address in `subnet.pools[poolIndex]` */
  findAddress(subnet: Subnet6, poolIndex: number, isFree: (address: bigint) => boolean): bigint | undefined;
  /** the next free delegated prefix (its first address) in `subnet.pdPools[poolIndex]` */
  findPrefix(subnet: Subnet6, poolIndex: number, isFree: (prefix: bigint) => boolean): bigint | undefined;
}

export interface Engine6Context {
  config: Dhcp6Config;
  arrival: Arrival6;
  leases: Lease6View;
  allocator: FreeAddress6Finder;
  /** the server DUID (RFC 8415 §11), built by the edge from the `server-id` configuration */
  serverDuid: Uint8Array;
  /** unix seconds */
  now: number;
  /** Kea's host databases (`hosts-database(s)`, mod/lease/host_cache6.ts), filled by the edge per receive batch */
  hosts?: HostView6;
  /** the HA class of the query (`HA_<server>`, from the HA service's scopes), when HA is configured */
  haClass?: string;
  /** the edge logs nothing at INFO/DEBUG: the per-lease INFO lines (DHCP6_LEASE_ALLOC…) need not be written */
  quiet?: boolean;
}

/** A statistic change (mod/stats/stats.ts; the DHCPv6 engine's name for it). */
export type StatDelta6 = StatDelta;

/** A log line with a Kea message id (`DHCP6_LEASE_ALLOC`), written at INFO, or at DEBUG when `debug` is set. */
export interface LogEntry6 {
  id: string;
  text: string;
  debug?: true;
}

/** Where a reply goes (RFC 8415 §18.3.10, §19.3): the client at port 546, or the relay agent at port 547. */
export interface Destination6 {
  /** 16 bytes */
  addr: Uint8Array;
  port: 546 | 547;
}

/** A lease event the edge logs and (later) turns into DDNS NameChangeRequests. */
export interface Lease6Event {
  kind: "alloc" | "renew" | "release" | "decline";
  type: "na" | "pd";
  address: bigint;
  prefixLen: number;
  subnetId: number;
}

export type Outcome6 =
  | {
    kind: "reply";
    /** the reply, already wrapped in RELAY-REPL layers mirroring the query's RELAY-FORW chain */
    reply: Packet6;
    dest: Destination6;
    /** must be durable before the reply is sent */
    mutations: Lease6Mutation[];
    stats: StatDelta6[];
    events: Lease6Event[];
    log: LogEntry6[];
    /** NameChangeRequests to send once the mutations are durable (ddns_ncr6.ts); absent = none */
    ncrs?: NameChangeRequest[];
  }
  | {
    kind: "drop";
    /** short reason, e.g. "server-id-mismatch", "unicast", "rfc-violation", "no-reply" */
    reason: string;
    stats: StatDelta6[];
    log: LogEntry6[];
  };
