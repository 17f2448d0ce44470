/**
 * What the DHCPv4 server edge (server.ts, which re-exports them) is given to work with, as interfaces: the
 * datagrams and transport of mod/net and the offer table of mod/lease; the HA service's hooks are mod/ha's
 * (mod/ha/hooks.ts), re-exported here.
 */
import type { OfferRecord, OfferView } from "./engine/types.ts";

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

export type { HaHooks } from "../ha/hooks.ts";
