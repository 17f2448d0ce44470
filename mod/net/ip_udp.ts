/**
 * Pure IPv4 + UDP header building for link-layer sends (AF_PACKET SOCK_DGRAM: the kernel adds the Ethernet
 * header, we supply everything from the IP header on), as Kea's packet filter does for raw sockets. No I/O here.
 *
 * Layout (RFC 791 §3.1): version/IHL 0x45, TOS 0, total length, identification, flags/fragment 0 (DF off),
 * TTL, protocol 17, header checksum, source, destination; then UDP (RFC 768): ports, length, checksum.
 */

export const IP_HEADER_LEN = 20;
export const UDP_HEADER_LEN = 8;
const PROTO_UDP = 17;

/** Fields of one IPv4/UDP datagram (addresses are u32, host order). */
export interface IpUdpFields {
  srcIp: number;
  dstIp: number;
  srcPort: number;
  dstPort: number;
  /** IP identification field */
  id: number;
  /** time to live; 64 when omitted (Linux's default) */
  ttl?: number;
}

/**
 * The Internet checksum (RFC 1071 §4.1): one's complement of the one's-complement sum of 16-bit big-endian words of
 * `buf[off, off+len)`, with `initial` as a partial sum carried in (for pseudo-headers). An odd trailing byte is
 * padded with zero.
 */
export function internetChecksum(buf: Uint8Array, off: number, len: number, initial = 0): number {
  let sum = initial;
  const end = off + len;
  let i = off;
  for (; i + 1 < end; i += 2) sum += (buf[i] << 8) | buf[i + 1];
  if (i < end) sum += buf[i] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/**
 * The UDP pseudo-header partial sum (RFC 768): source, destination, zero + protocol 17, UDP length. Passed as
 * `initial` to {@link internetChecksum} over the UDP header and payload.
 */
export function udpPseudoSum(srcIp: number, dstIp: number, udpLen: number): number {
  return (srcIp >>> 16) + (srcIp & 0xffff) + (dstIp >>> 16) + (dstIp & 0xffff) + PROTO_UDP + udpLen;
}

/**
 * Writes the IPv4 header, the UDP header and `payload` into `out` at offset 0 and returns the datagram length
 * (20 + 8 + payload). The IP header checksum (RFC 791) and the UDP checksum over the pseudo-header (RFC 768; a
 * computed 0 is sent as 0xffff) are filled in. Throws when `out` is too small or the payload exceeds 65507 bytes.
 */
export function writeIpUdp(out: Uint8Array, f: IpUdpFields, payload: Uint8Array): number {
  const udpLen = UDP_HEADER_LEN + payload.length;
  const total = IP_HEADER_LEN + udpLen;
  if (total > 65535) throw new RangeError(`UDP payload of ${payload.length} bytes does not fit in one IPv4 datagram`);
  if (out.length < total) {
    throw new RangeError(`buffer of ${out.length} bytes is too small for a ${total}-byte datagram`);
  }
  const ttl = f.ttl ?? 64;
  // IPv4 header
  out[0] = 0x45;
  out[1] = 0;
  put16(out, 2, total);
  put16(out, 4, f.id & 0xffff);
  put16(out, 6, 0); // flags + fragment offset: DF off, no fragmentation
  out[8] = ttl & 0xff;
  out[9] = PROTO_UDP;
  put16(out, 10, 0);
  put32(out, 12, f.srcIp);
  put32(out, 16, f.dstIp);
  put16(out, 10, internetChecksum(out, 0, IP_HEADER_LEN));
  // UDP header + payload
  put16(out, 20, f.srcPort);
  put16(out, 22, f.dstPort);
  put16(out, 24, udpLen);
  put16(out, 26, 0);
  out.set(payload, IP_HEADER_LEN + UDP_HEADER_LEN);
  const sum = internetChecksum(out, IP_HEADER_LEN, udpLen, udpPseudoSum(f.srcIp >>> 0, f.dstIp >>> 0, udpLen));
  put16(out, 26, sum === 0 ? 0xffff : sum);
  return total;
}

/** Convenience for tests and one-off sends: {@link writeIpUdp} into a fresh buffer of the exact size. */
export function buildIpUdp(f: IpUdpFields, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(IP_HEADER_LEN + UDP_HEADER_LEN + payload.length);
  writeIpUdp(out, f, payload);
  return out;
}

function put16(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 8) & 0xff;
  b[off + 1] = v & 0xff;
}

function put32(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 24) & 0xff;
  b[off + 1] = (v >>> 16) & 0xff;
  b[off + 2] = (v >>> 8) & 0xff;
  b[off + 3] = v & 0xff;
}
