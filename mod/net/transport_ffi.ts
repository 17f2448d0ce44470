/**
 * The production DHCPv4 transport: one UdpSocket4 per served interface (0.0.0.0:67, SO_BINDTODEVICE), as Kea's
 * IfaceMgr opens them, all waited on by ONE poll(2) (one thread-pool round trip per wake-up, whatever the number of
 * interfaces; under `weka run` the same poll covers the DHCPv6 sockets, mod/net/poll_group.ts), drained
 * synchronously; plus an AF_PACKET LinkSender for `dhcp-socket-type: raw`.
 */
import type { Received4, Transport4 } from "./transport.ts";
import type { ServedInterface } from "./interfaces.ts";
import { UdpSocket4 } from "./udp4.ts";
import { LinkSender } from "./packet_sender.ts";
import { PollGroup } from "./poll_group.ts";
import { BatchReceiver } from "./batch_receiver.ts";

const BROADCAST = 0xffffffff;
export { COALESCE_US } from "./batch_receiver.ts";

/** Options of {@link FfiTransport.open}. */
export interface FfiTransportOptions {
  /** the interfaces to serve (from resolveServedInterfaces) */
  interfaces: readonly ServedInterface[];
  /** server port, 67 unless testing */
  port?: number;
  /** client port for broadcasts and link sends, 68 unless testing */
  clientPort?: number;
  /** Kea's dhcp-socket-type "raw": link-layer unicast to clients without an address */
  raw: boolean;
  /** receive buffer per socket; 4 MiB by default */
  rcvbuf?: number;
  /** the process's shared readiness wait (`weka run` with DHCPv6 too); absent = a wait of this transport's own */
  group?: PollGroup;
}

/** See the module comment. */
export class FfiTransport implements Transport4 {
  readonly interfaces: readonly ServedInterface[];
  readonly #sockets: UdpSocket4[];
  readonly #byIndex = new Map<number, { sock: UdpSocket4; iface: ServedInterface }>();
  readonly #receiver: BatchReceiver<Received4>;
  readonly #link: LinkSender | undefined;
  readonly #port: number;
  readonly #clientPort: number;
  #next = 0;

  private constructor(opts: FfiTransportOptions, sockets: UdpSocket4[], link: LinkSender | undefined) {
    this.interfaces = opts.interfaces;
    this.#sockets = sockets;
    this.#link = link;
    this.#port = opts.port ?? 67;
    this.#clientPort = opts.clientPort ?? 68;
    opts.interfaces.forEach((iface, i) => this.#byIndex.set(iface.index, { sock: sockets[i], iface }));
    const group = opts.group ?? new PollGroup({ private: true });
    this.#receiver = new BatchReceiver(group, sockets.map((s) => s.fd), (out, max) => this.#drainAll(out, max));
  }

  /**
   * Opens one device-bound socket per interface (SO_REUSEADDR, SO_BROADCAST, IP_PKTINFO, SO_RCVBUFFORCE) on
   * 0.0.0.0:port and, in raw mode, the AF_PACKET sender. Everything opened so far is closed again when one step
   * fails, and the error names the interface.
   */
  static open(opts: FfiTransportOptions): FfiTransport {
    const sockets: UdpSocket4[] = [];
    let link: LinkSender | undefined;
    try {
      for (const iface of opts.interfaces) {
        sockets.push(UdpSocket4.open({
          iface: iface.name,
          port: opts.port ?? 67,
          bindToDevice: true,
          broadcast: true,
          rcvbuf: opts.rcvbuf ?? 4 << 20,
        }));
      }
      if (opts.raw) link = LinkSender.open();
      return new FfiTransport(opts, sockets, link);
    } catch (e) {
      for (const s of sockets) s.close();
      link?.close();
      throw e;
    }
  }

  /**
   * Drains every socket (round robin from a rotating start, for fairness), waiting on all of them when none has
   * data, with interrupt coalescing while traffic flows (mod/net/batch_receiver.ts).
   */
  recvBatch(max: number, timeoutMs = -1): Promise<Received4[]> {
    return this.#receiver.recvBatch(max, timeoutMs);
  }

  #drainAll(out: Received4[], max: number): void {
    const n = this.#sockets.length;
    if (n === 0) return;
    const start = this.#next;
    this.#next = (this.#next + 1) % n;
    for (let k = 0; k < n && out.length < max; k++) this.#sockets[(start + k) % n].drainInto(out, max);
  }

  #entry(ifindex: number | undefined) {
    const e = ifindex === undefined ? undefined : this.#byIndex.get(ifindex);
    if (e) return e;
    if (ifindex === undefined && this.#sockets.length) return { sock: this.#sockets[0], iface: this.interfaces[0] };
    throw new Error(`cannot send: interface index ${ifindex} is not among the served interfaces`);
  }

  /** Sends through the arrival interface's socket, so the reply leaves where the query came in (Kea does the same). */
  sendUnicast(data: Uint8Array, addr: number, port: number, ifindex?: number, srcAddr?: number): void {
    const { sock, iface } = this.#entry(ifindex);
    sock.send(data, addr, port, iface.index, srcAddr ?? iface.addr);
  }

  /** RFC 2131 §4.1 broadcast reply, forced out of `ifindex` with an IP_PKTINFO control message. */
  sendBroadcast(ifindex: number, data: Uint8Array, srcAddr?: number, port = this.#clientPort): void {
    const { sock, iface } = this.#entry(ifindex);
    sock.send(data, BROADCAST, port, iface.index, srcAddr ?? iface.addr);
  }

  /** Link-layer unicast (raw mode); in udp mode a broadcast, as Kea's udp sockets cannot reach an unaddressed client. */
  sendLink(
    ifindex: number,
    mac: Uint8Array,
    yiaddr: number,
    data: Uint8Array,
    srcAddr?: number,
    port = this.#clientPort,
  ): void {
    if (!this.#link) return this.sendBroadcast(ifindex, data, srcAddr, port);
    const { iface } = this.#entry(ifindex);
    this.#link.sendUdp(iface.index, mac, srcAddr ?? iface.addr, yiaddr, this.#port, port, data);
  }

  /** The served interface with this index (every query of this transport arrives on one of them). */
  served(ifindex: number): ServedInterface | undefined {
    return this.#byIndex.get(ifindex)?.iface;
  }

  /** Leaves the poll group (waking its wait) and closes every socket once no wait covers them any more. */
  close(): void {
    this.#receiver.close(() => {
      for (const s of this.#sockets) s.close();
      this.#link?.close();
    });
  }
}
