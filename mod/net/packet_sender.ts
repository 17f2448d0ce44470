/**
 * Link-layer unicast of UDP datagrams through an AF_PACKET SOCK_DGRAM socket: how Kea's "raw" DHCPv4 socket type
 * delivers an OFFER/ACK to a client that has no IP address yet (RFC 2131 §4.1: broadcast bit clear, no giaddr, no
 * ciaddr → unicast to chaddr/yiaddr), without an ARP exchange the client could not answer.
 *
 * The kernel builds the Ethernet header from the sockaddr_ll; we build IPv4 + UDP (mod/net/ip_udp.ts).
 */
import { C, closeQuietly, errno, libc, pinned, SysError } from "./libc.ts";
import { writeIpUdp } from "./ip_udp.ts";
import { formatIpv4, toColonHex } from "../wire/addr.ts";

const MAX_DATAGRAM = 65535;
const SOCKADDR_LL_LEN = 20;

/**
 * One AF_PACKET socket that sends IPv4 datagrams to a MAC on any interface (the interface is named per send in
 * sockaddr_ll.sll_ifindex). The socket is opened with protocol 0, so it receives nothing: an ETH_P_IP protocol
 * would make the kernel queue a copy of every IP packet on the host to it. The sends still carry ETH_P_IP through
 * sll_protocol.
 */
export class LinkSender {
  readonly fd: number;
  readonly #buf = pinned(MAX_DATAGRAM);
  readonly #sll = pinned(SOCKADDR_LL_LEN);
  readonly #sllView = new DataView(this.#sll.buffer);
  #id = Math.floor(Math.random() * 0x10000);
  #closed = false;

  private constructor(fd: number) {
    this.fd = fd;
    const v = this.#sllView;
    v.setUint16(0, C.AF_PACKET, true); // sll_family
    v.setUint16(2, C.ETH_P_IP, false); // sll_protocol, network order
    v.setUint8(11, 6); // sll_halen
  }

  /**
   * Opens the AF_PACKET socket (SOCK_DGRAM|SOCK_CLOEXEC). Needs CAP_NET_RAW (root); the error says so when the
   * kernel refuses with EPERM.
   */
  static open(): LinkSender {
    const fd = Number(libc().socket(C.AF_PACKET, C.SOCK_DGRAM | C.SOCK_CLOEXEC, 0));
    if (fd < 0) {
      const e = errno();
      const hint = e === 1 ? ' (raw link-layer sends need root or CAP_NET_RAW; or set dhcp-socket-type to "udp")' : "";
      throw new SysError(`socket(AF_PACKET) for link-layer replies${hint}`, e);
    }
    return new LinkSender(fd);
  }

  /**
   * Sends `payload` as UDP srcIp:srcPort → dstIp:dstPort inside an IPv4 datagram (TTL 64, DF off, a rolling
   * identification, both checksums) to `dstMac` on interface `ifindex`. Returns the bytes handed to the kernel
   * (IP header included). Throws a SysError naming the destination on failure.
   */
  sendUdp(
    ifindex: number,
    dstMac: Uint8Array,
    srcIp: number,
    dstIp: number,
    srcPort: number,
    dstPort: number,
    payload: Uint8Array,
  ): number {
    if (this.#closed) throw new Error("LinkSender is closed");
    if (dstMac.length !== 6) {
      throw new Error(`cannot send to hardware address ${toColonHex(dstMac)}: link-layer sends need a 6-byte MAC`);
    }
    const len = writeIpUdp(this.#buf, { srcIp, dstIp, srcPort, dstPort, id: this.#id }, payload);
    this.#id = (this.#id + 1) & 0xffff;
    this.#sllView.setInt32(4, ifindex, true);
    this.#sll.set(dstMac, 12);
    const n = Number(libc().sendto(this.fd, this.#buf, BigInt(len), 0, this.#sll, SOCKADDR_LL_LEN));
    if (n < 0) {
      throw new SysError(
        `link-layer send to ${formatIpv4(dstIp)} (${toColonHex(dstMac)}) on ifindex ${ifindex}`,
        errno(),
      );
    }
    return n;
  }

  /** Closes the socket (idempotent). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeQuietly(this.fd);
  }
}
