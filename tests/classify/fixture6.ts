/**
 * A SOLICIT relayed through two relay agents, built as a Packet6 (mod/dhcp6/packet.ts), shared by the DHCPv6
 * classification tests. The path is client → relay B → relay A → server, so Kea's `relay_info_[0]` (and
 * `relay6[0]`, `relay6[-2]`) is relay A, the outermost layer, and `relay6[1]` / `relay6[-1]` is relay B.
 */
import type { Message6, Relay6 } from "../../mod/packet6/packet.ts";
import { parseIpv6 } from "../../mod/wire/ipv6.ts";

const text = (s: string) => [...new TextEncoder().encode(s)];
/** An IPv6 address as 16 bytes. */
export const v6 = (s: string): Uint8Array => parseIpv6(s)!;

/** The client's SOLICIT. */
export function solicit(): Message6 {
  return {
    kind: "message",
    msgType: 1, // SOLICIT
    transactionId: 0x0a0b0c,
    ias: [{ kind: "na", iaid: 1, t1: 0, t2: 0, addresses: [], prefixes: [], options: [] }], // IA_NA, 12-byte payload
    options: [
      // CLIENTID: DUID-LL (type 3), htype 1 (Ethernet), MAC 0a:0b:0c:0d:0e:0f — 10 bytes
      { code: 1, data: new Uint8Array([0x00, 0x03, 0x00, 0x01, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f]) },
      // ELAPSED_TIME: 0 — 2 bytes
      { code: 8, data: new Uint8Array([0x00, 0x00]) },
      // VENDOR_CLASS (RFC 8415 §21.16): enterprise 4491 (0x0000118b), tuples "alpha" and "docsis3.0" — 22 bytes
      {
        code: 16,
        data: new Uint8Array([0x00, 0x00, 0x11, 0x8b, 0x00, 0x05, ...text("alpha"), 0x00, 0x09, ...text("docsis3.0")]),
      },
      // VENDOR_OPTS (RFC 8415 §21.17): enterprise 4491, sub-option 1 = 0x0020, sub-option 36 = "model-x" — 21 bytes
      {
        code: 17,
        data: new Uint8Array([
          0x00,
          0x00,
          0x11,
          0x8b, // enterprise 4491
          0x00,
          0x01,
          0x00,
          0x02,
          0x00,
          0x20, // code 1, len 2, 0x0020
          0x00,
          0x24,
          0x00,
          0x07,
          ...text("model-x"), // code 36, len 7
        ]),
      },
    ],
  };
}

/** Relay B (closest to the client): hop 0, link 2001:db8:2::1, peer = the client fe80::1:2:3:4. */
export function relayB(inner: Message6 = solicit()): Relay6 {
  return {
    kind: "relay",
    msgType: 12,
    hopCount: 0,
    linkAddress: v6("2001:db8:2::1"),
    peerAddress: v6("fe80::1:2:3:4"),
    options: [
      { code: 18, data: new Uint8Array(text("port7")) }, // INTERFACE_ID "port7"
      { code: 38, data: new Uint8Array(text("sub")) }, // SUBSCRIBER_ID "sub"
    ],
    inner,
  };
}

/** The whole query as the server receives it: relay A (closest to the server) around relay B. */
export function relayedSolicit(): Relay6 {
  return {
    kind: "relay",
    msgType: 12,
    hopCount: 1,
    linkAddress: v6("2001:db8:1::1"),
    peerAddress: v6("fe80::2"),
    options: [
      { code: 18, data: new Uint8Array(text("eth1")) }, // INTERFACE_ID "eth1"
      { code: 37, data: new Uint8Array([0x00, 0x00, 0x00, 0x09, ...text("r0")]) }, // REMOTE_ID: enterprise 9, "r0"
    ],
    inner: relayB(),
  };
}

/**
 * Wire length of relayedSolicit(), by hand: SOLICIT = 4 (header) + CLIENTID 14 + ELAPSED 6 + VENDOR_CLASS 26 +
 * VENDOR_OPTS 25 + IA_NA 16 = 91; relay B = 34 (header) + INTERFACE_ID 9 + SUBSCRIBER_ID 7 + RELAY_MSG (4 + 91)
 * = 145; relay A = 34 + INTERFACE_ID 8 + REMOTE_ID 10 + RELAY_MSG (4 + 145) = 201.
 */
export const RELAYED_LEN = 201;
