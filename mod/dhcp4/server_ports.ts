/**
 * What the DHCPv4 server edge (server.ts, which re-exports them) is given to work with, as interfaces: the
 * datagrams and transport of mod/net, the offer table of mod/lease, and the HA service's hooks (mod/ha).
 */
import type { Packet4 } from "./packet.ts";
import type { OfferRecord, OfferView } from "./engine/types.ts";
import type { LeaseMutation } from "../lease/types.ts";

/** One received datagram with where it arrived (IP_PKTINFO), as the transports in mod/net deliver it. */
export interface Datagram {
  data: Uint8Array;
  iface: string;
  ifindex: number;
  localAddr: number;
  srcAddr: number;
  srcPort: number;
  dstAddr: number;
}

/**
 * What the server needs of a transport (mod/net/transport.ts implements it for FFI sockets and loopback UDP).
 * The `data` given to a send is the server's reusable encode buffer: a transport sends (copies) it before
 * returning and must not keep it.
 */
export interface ServerTransport {
  recvBatch(max: number): Promise<Datagram[]>;
  sendUnicast(data: Uint8Array, addr: number, port: number, ifindex?: number, srcAddr?: number): void;
  sendBroadcast(ifindex: number, data: Uint8Array, srcAddr?: number, port?: number): void;
  sendLink(ifindex: number, mac: Uint8Array, yiaddr: number, data: Uint8Array, srcAddr?: number, port?: number): void;
  close(): void;
}

/** Offers kept in memory (mod/lease/offers.ts): the engine's view of them plus what the edge does to them. */
export interface OfferStore extends OfferView {
  /** records an offer; returns the oldest offer evicted to keep the table's bound, if one was */
  remember(
    clientKey: string,
    subnetId: number,
    address: number,
    now: number,
    holdSeconds?: number,
  ): OfferRecord | undefined;
  forget(clientKey: string): void;
  sweep(now: number): void;
}

/**
 * What the server asks of the HA service (mod/ha/service.ts, Kea's libdhcp_ha.so callouts) when a relationship is
 * configured; absent = a standalone server. `admit` is Kea's buffer4_receive callout: it decides whether this
 * server serves the query now (its scopes, its HA state) and names the query's HA class. `replicate` is Kea's
 * leases4_committed callout: it runs after the lease mutations are durable and before the reply is sent.
 */
export interface HaHooks {
  /** undefined: drop the query (the hook counts and logs why); a string: serve it, with this HA class ("" = none) */
  admit(query: Packet4, nowMs: number): string | undefined;
  /**
   * Sends the durable mutations to the partner; the reply is sent when the promise resolves and dropped when it
   * rejects (the partner did not acknowledge). undefined = nothing to wait for (no update needed or queued).
   */
  replicate(mutations: readonly LeaseMutation[], query: Packet4): Promise<void> | undefined;
}
