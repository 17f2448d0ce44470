/**
 * IPv4 + UDP header building for AF_PACKET sends: byte-exact headers and checksums against values computed
 * independently (RFC 1071's worked example, a well-known IPv4 header, and a Python struct-based reference).
 */
import assert from "node:assert/strict";
import { buildIpUdp, internetChecksum, udpPseudoSum, writeIpUdp } from "../../mod/net/ip_udp.ts";
import { parseIpv4 } from "../../mod/wire/addr.ts";

const SRV = parseIpv4("198.18.0.1")!;
const CLI = parseIpv4("198.18.0.77")!;

Deno.test("internetChecksum matches RFC 1071 §3's worked example (sum ddf2 → checksum 220d)", () => {
  const bytes = new Uint8Array([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]);
  assert.equal(internetChecksum(bytes, 0, bytes.length), 0x220d);
});

Deno.test("internetChecksum of a well-known IPv4 header (192.168.0.1 → 192.168.0.199) is b861", () => {
  const hdr = new Uint8Array([
    0x45,
    0x00,
    0x00,
    0x73, // version 4, IHL 5, TOS 0, total length 115
    0x00,
    0x00,
    0x40,
    0x00, // id 0, flags DF
    0x40,
    0x11,
    0x00,
    0x00, // TTL 64, protocol UDP, checksum zero while computing
    0xc0,
    0xa8,
    0x00,
    0x01, // source 192.168.0.1
    0xc0,
    0xa8,
    0x00,
    0xc7, // destination 192.168.0.199
  ]);
  assert.equal(internetChecksum(hdr, 0, 20), 0xb861);
  hdr[10] = 0xb8;
  hdr[11] = 0x61;
  assert.equal(internetChecksum(hdr, 0, 20), 0, "a header with its checksum in place sums to zero");
});

Deno.test("buildIpUdp writes every header field for a DHCP reply 198.18.0.1:67 → 198.18.0.77:68", () => {
  const pkt = buildIpUdp(
    { srcIp: SRV, dstIp: CLI, srcPort: 67, dstPort: 68, id: 0x1234 },
    new TextEncoder().encode("weka"),
  );
  assert.deepEqual([...pkt], [
    0x45,
    0x00,
    0x00,
    0x20, // IPv4, IHL 5, TOS 0, total length 32 = 20 + 8 + 4
    0x12,
    0x34,
    0x00,
    0x00, // id 0x1234, flags 0 (DF off), fragment offset 0
    0x40,
    0x11,
    0xdc,
    0x26, // TTL 64, protocol 17 (UDP), header checksum dc26 (Python reference)
    0xc6,
    0x12,
    0x00,
    0x01, // source 198.18.0.1
    0xc6,
    0x12,
    0x00,
    0x4d, // destination 198.18.0.77
    0x00,
    0x43,
    0x00,
    0x44, // UDP source port 67, destination port 68
    0x00,
    0x0c,
    0x90,
    0x15, // UDP length 12, checksum 9015 over the pseudo-header (Python reference)
    0x77,
    0x65,
    0x6b,
    0x61, // payload "weka"
  ]);
});

Deno.test("buildIpUdp pads an odd payload with zero for the UDP checksum (RFC 768)", () => {
  const pkt = buildIpUdp(
    { srcIp: SRV, dstIp: CLI, srcPort: 67, dstPort: 68, id: 0x1234 },
    new TextEncoder().encode("wek"),
  );
  assert.equal(pkt.length, 31);
  assert.equal((pkt[10] << 8) | pkt[11], 0xdc27);
  assert.equal((pkt[26] << 8) | pkt[27], 0x9078);
  // verification: the checksum over pseudo-header + UDP segment is zero
  assert.equal(internetChecksum(pkt, 20, 11, udpPseudoSum(SRV, CLI, 11)), 0);
});

Deno.test("a UDP checksum that computes to 0 is sent as ffff (RFC 768: 0 means 'no checksum')", () => {
  const f = { srcIp: SRV, dstIp: CLI, srcPort: 67, dstPort: 68, id: 7 };
  // with two trailing zero bytes the checksum is C; putting C there makes the one's-complement sum ffff → checksum 0
  const probe = buildIpUdp(f, new Uint8Array([1, 2, 3, 4, 0, 0]));
  const c = (probe[26] << 8) | probe[27];
  const pkt = buildIpUdp(f, new Uint8Array([1, 2, 3, 4, c >> 8, c & 0xff]));
  assert.equal((pkt[26] << 8) | pkt[27], 0xffff);
});

Deno.test("writeIpUdp honours TTL and id, reuses a larger buffer and refuses a small one", () => {
  const out = new Uint8Array(1500).fill(0xee);
  const n = writeIpUdp(
    out,
    { srcIp: SRV, dstIp: 0xffffffff, srcPort: 67, dstPort: 68, id: 0x1ffff, ttl: 16 },
    new Uint8Array(300),
  );
  assert.equal(n, 328);
  assert.equal(out[8], 16);
  assert.deepEqual([out[4], out[5]], [0xff, 0xff], "id is truncated to 16 bits");
  assert.deepEqual([...out.subarray(16, 20)], [255, 255, 255, 255]);
  assert.equal(out[328], 0xee, "nothing written past the datagram");
  assert.equal(internetChecksum(out, 0, 20), 0);
  assert.throws(
    () => writeIpUdp(new Uint8Array(40), { srcIp: SRV, dstIp: CLI, srcPort: 1, dstPort: 2, id: 0 }, new Uint8Array(20)),
    /too small/,
  );
});
