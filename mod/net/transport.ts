/**
 * The DHCPv4 server edge's view of the network: receive batches of queries with their arrival facts, send a reply
 * the way RFC 2131 §4.1 (and Kea) says it must travel: unicast (relay giaddr:67, ciaddr:68), limited broadcast
 * out of the arrival interface, or link-layer unicast to a client without an address.
 *
 * Two implementations: {@link FfiTransport} (one device-bound UdpSocket4 per served interface on port 67, plus an
 * AF_PACKET LinkSender in raw mode) and {@link LoopbackTransport} (one socket on 127.0.0.1, every send kept on
 * loopback) for tests without root.
 */
import type { Datagram4 } from "./udp4.ts";
import type { ServedInterface } from "./interfaces.ts";

/**
 * One received query: payload copy plus where it came from and arrived (IP_PKTINFO). `iface` is the served
 * interface's name ("" when unknown), `localAddr` the server's address on it as the kernel chose (ipi_spec_dst).
 */
export type Received4 = Datagram4;

/** The server edge's transport. Every send throws an Error naming errno and the destination on failure. */
export interface Transport4 {
  /**
   * Waits for queries on every socket at once and returns up to `max` of them; resolves to [] once closed
   * (or after `timeoutMs`, when given).
   */
  recvBatch(max: number, timeoutMs?: number): Promise<Received4[]>;
  /** UDP unicast to addr:port, leaving by `ifindex` (the arrival interface) with source `srcAddr` when given. */
  sendUnicast(data: Uint8Array, addr: number, port: number, ifindex?: number, srcAddr?: number): void;
  /** Limited broadcast 255.255.255.255:`port` (default 68) out of interface `ifindex`, from `srcAddr`. */
  sendBroadcast(ifindex: number, data: Uint8Array, srcAddr?: number, port?: number): void;
  /**
   * Unicast to `yiaddr` at `mac` without ARP (Kea's raw sockets); in udp mode, where that is impossible, Kea
   * broadcasts instead, and so does this.
   */
  sendLink(ifindex: number, mac: Uint8Array, yiaddr: number, data: Uint8Array, srcAddr?: number, port?: number): void;
  /**
   * The served interface a query arrived on, by its ifindex (for the engine's Arrival: name, server address, every
   * address of the link), or undefined when unknown.
   */
  served(ifindex: number): ServedInterface | undefined;
  /** Wakes a pending recvBatch and releases every socket. */
  close(): void;
}

export { FfiTransport, type FfiTransportOptions } from "./transport_ffi.ts";
export { LoopbackTransport, type LoopbackTransportOptions } from "./transport_loopback.ts";
