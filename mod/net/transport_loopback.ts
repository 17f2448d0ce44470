/**
 * A plain-UDP transport on loopback so the DHCPv4 server can be tested without root and without touching any real
 * network: one UdpSocket4 bound to 127.0.0.1:port (no device binding), and every reply kept on loopback:
 * broadcasts and link-layer sends become unicasts to 127.0.0.1:clientPort, and a unicast to an address outside
 * 127.0.0.0/8 (a giaddr or ciaddr from a test packet) is redirected there too.
 */
import type { Received4, Transport4 } from "./transport.ts";
import { UdpSocket4 } from "./udp4.ts";
import type { ServedInterface } from "./interfaces.ts";
import { parseIpv4 } from "../wire/addr.ts";

const LOOPBACK = parseIpv4("127.0.0.1")!;

/** Options of {@link LoopbackTransport.open}. */
export interface LoopbackTransportOptions {
  /** the server's port on 127.0.0.1 */
  port: number;
  /** where broadcasts, link sends and off-loopback unicasts go on 127.0.0.1 */
  clientPort: number;
  /** address to bind (default 127.0.0.1; any 127/8 address) */
  bindAddr?: number;
  /** interface name reported on received queries ("" by default: unknown; `served.name` when `served` is given) */
  iface?: string;
  /**
   * the interface every query is said to arrive on, returned by `served()` (e.g. a simulated eth0 with
   * 198.18.0.1/16), so a server test without root can exercise interface-based subnet selection
   */
  served?: ServedInterface;
  /** receive buffer in bytes (SO_RCVBUFFORCE as root, else SO_RCVBUF capped by net.core.rmem_max); 4 MiB default */
  rcvbuf?: number;
}

/** See the module comment. */
export class LoopbackTransport implements Transport4 {
  readonly #sock: UdpSocket4;
  readonly #clientPort: number;
  readonly #served: ServedInterface | undefined;
  /** the address the server socket is bound to */
  readonly addr: number;
  readonly port: number;

  private constructor(sock: UdpSocket4, opts: LoopbackTransportOptions) {
    this.#sock = sock;
    this.#clientPort = opts.clientPort;
    this.#served = opts.served;
    this.addr = opts.bindAddr ?? LOOPBACK;
    this.port = opts.port;
  }

  /**
   * Opens the loopback socket. Refuses a bind address outside 127.0.0.0/8, so tests cannot put traffic on a real
   * network by mistake.
   */
  static open(opts: LoopbackTransportOptions): LoopbackTransport {
    const addr = opts.bindAddr ?? LOOPBACK;
    if (addr >>> 24 !== 127) throw new Error("the loopback transport binds only to 127.0.0.0/8 addresses");
    const sock = UdpSocket4.open({
      iface: opts.iface ?? opts.served?.name,
      port: opts.port,
      bindAddr: addr,
      bindToDevice: false,
      broadcast: true,
    });
    return new LoopbackTransport(sock, opts);
  }

  /** Receives up to `max` queries (one poll, then a synchronous drain). */
  recvBatch(max: number, timeoutMs?: number): Promise<Received4[]> {
    return this.#sock.recvBatch(max, timeoutMs);
  }

  /** Unicast on loopback; a destination outside 127/8 is redirected to 127.0.0.1:clientPort. */
  sendUnicast(data: Uint8Array, addr: number, port: number): void {
    if (addr >>> 24 === 127) this.#sock.send(data, addr, port);
    else this.#sock.send(data, LOOPBACK, this.#clientPort);
  }

  /** A broadcast becomes a unicast to 127.0.0.1 (clientPort, or `port` when given). */
  sendBroadcast(_ifindex: number, data: Uint8Array, _srcAddr?: number, port = this.#clientPort): void {
    this.#sock.send(data, LOOPBACK, port);
  }

  /** A link-layer send becomes a unicast to 127.0.0.1 (clientPort, or `port` when given). */
  sendLink(
    _ifindex: number,
    _mac: Uint8Array,
    _yiaddr: number,
    data: Uint8Array,
    _srcAddr?: number,
    port = this.#clientPort,
  ): void {
    this.#sock.send(data, LOOPBACK, port);
  }

  /** The simulated interface given at open (whatever the ifindex: every query arrives on loopback). */
  served(_ifindex: number): ServedInterface | undefined {
    return this.#served;
  }

  /** Wakes a pending receive and closes the socket. */
  close(): void {
    this.#sock.close();
  }
}
