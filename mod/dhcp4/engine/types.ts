/**
 * What the pure DHCPv4 engine takes and returns (docs/ARCHITECTURE.md rule 2): `handle4(query, ctx) → Outcome`.
 * The engine never reads a clock, writes a lease or touches a socket; the server edge runs the outcome.
 */
import type { StatDelta } from "../../stats/stats.ts";
import type { Packet4 } from "../../packet4/packet.ts";
import type { Dhcp4Config } from "../../config/model.ts";
import type { HostView4, LeaseMutation, LeaseView } from "../../lease/types.ts";
import type { NameChangeRequest } from "../../ddns/ncr/ncr.ts";
import type { OfferView } from "../../lease/offers.ts";
import type { FreeAddressFinder } from "../../lease/allocator.ts";

/** Where and how a query arrived (filled by the server edge from IP_PKTINFO and the socket). */
export interface Arrival {
  /** arrival interface name ("eth0"); "" when unknown (plain-UDP test transport) */
  iface: string;
  /** the server's address on the arrival interface (u32), used as server identifier; 0 when unknown */
  localAddr: number;
  /** every IPv4 address of the arrival interface (u32) */
  ifaceAddrs: number[];
  /** IP source address and UDP source port of the query */
  srcAddr: number;
  srcPort: number;
  /** IP destination address (255.255.255.255 for a broadcast) */
  dstAddr: number;
  /** a DHCPv4-over-DHCPv6 query (RFC 7341): what selects its subnet instead (select_subnet4o6.ts) */
  dhcp4o6?: import("./select_subnet4o6.ts").Arrival4o6;
}

/**
 * The offers made lately (mod/lease/offers.ts) and the pool allocator (mod/lease/allocator.ts): the engine reads
 * them; the lease floor owns their types.
 */
export type { OfferRecord, OfferView } from "../../lease/offers.ts";
export type { FreeAddressFinder, PoolRef } from "../../lease/allocator.ts";
export interface EngineContext {
  config: Dhcp4Config;
  arrival: Arrival;
  leases: LeaseView;
  offers: OfferView;
  allocator: FreeAddressFinder;
  /** unix seconds */
  now: number;
  /**
   * Host reservations of Kea's host databases (`hosts-database(s)`), fetched for this query's batch by the edge;
   * they add to the configuration's reservations, which are searched first (Kea's HostMgr order)
   */
  hosts?: HostView4;
  /**
   * The HA class of the query (`HA_<server-name>`, Kea's load-balancing / hot-standby scope class), set by the
   * server's HA hook before the engine runs; pool and subnet guards may name it.
   */
  haClass?: string;
}

/** A statistic change (mod/stats/stats.ts). */
export type { StatDelta };

/** Where a reply goes (RFC 2131 §4.1 and Kea's rules). */
export type Destination =
  /** UDP unicast to addr:port (relay giaddr:67, ciaddr:68, INFORM source) */
  | { kind: "unicast"; addr: number; port: number }
  /** limited broadcast 255.255.255.255:68 out of the arrival interface */
  | { kind: "broadcast" }
  /** unicast to yiaddr at link layer (chaddr), for a client with no address yet (raw sockets / AF_PACKET) */
  | { kind: "link"; addr: number; mac: Uint8Array };

/**
 * An OFFER for the edge to remember (mod/lease/offers.ts): a hint for the client's next DISCOVER and a soft
 * preference of the allocator; with `holdSeconds` > 0 (`offer-lifetime`, Kea 2.6) also a hold on the address
 * against other clients for that long.
 */
export interface OfferMade {
  clientKey: string;
  subnetId: number;
  address: number;
  holdSeconds?: number;
}

/** A lease-related event the edge logs and (later) turns into DDNS NameChangeRequests. */
export interface LeaseEvent {
  kind: "alloc" | "renew" | "release" | "decline";
  address: number;
  subnetId: number;
  hostname: string;
}

/**
 * One log line of an outcome: a Kea message id and its text (client text in it already escaped). The edge writes
 * it at INFO, or at DEBUG when `debug` is set (Kea logs malformed client names at a debug level).
 */
export interface EngineLog {
  id: string;
  text: string;
  debug?: true;
}

/**
 * What every outcome may carry: the query as a `buffer4_receive` hook changed it (libdhcp_bootp.so sets option 53 to
 * DHCPREQUEST), for the edge to use from then on (its run_script events, labels), as Kea's later hook points see it.
 */
interface HookedQuery {
  query?: Packet4;
}

export type Outcome =
  & HookedQuery
  & (
    | {
      kind: "reply";
      reply: Packet4;
      dest: Destination;
      /** must be durable before the reply is sent */
      mutations: LeaseMutation[];
      /** offer to remember (DISCOVER) */
      offer?: OfferMade;
      /** offers to forget (REQUEST, RELEASE, DECLINE) */
      forgetOffer?: string;
      stats: StatDelta[];
      events: LeaseEvent[];
      /** DDNS requests to queue once the mutations are durable (absent or empty: none) */
      ncrs?: NameChangeRequest[];
      /** Kea-style message id and text for the log */
      log: EngineLog[];
    }
    | {
      kind: "none";
      /** RELEASE/DECLINE: no reply, but mutations and stats */
      mutations: LeaseMutation[];
      forgetOffer?: string;
      stats: StatDelta[];
      events: LeaseEvent[];
      /** DDNS removals to queue once the mutations are durable (absent or empty: none) */
      ncrs?: NameChangeRequest[];
      log: EngineLog[];
    }
    | {
      kind: "drop";
      /** Kea statistic name to bump, e.g. "pkt4-not-for-us", "pkt4-rfc-violation" */
      reason: string;
      stats: StatDelta[];
      log: EngineLog[];
      /** offer to forget even though nothing is sent (a SELECTING REQUEST that chose another server) */
      forgetOffer?: string;
    }
  );
