/**
 * DHCPv4-over-DHCPv6 test fixtures (RFC 7341), real bytes annotated field by field: a DHCPDISCOVER and the
 * DHCPV4-QUERY that carries it. Tests only.
 */

/** Hex text with `#` comments → bytes. */
export const hex = (s: string) =>
  new Uint8Array(s.replace(/#.*$/gm, "").match(/[0-9a-f]{2}/gi)!.map((h) => parseInt(h, 16)));

/** A DHCPDISCOVER (RFC 2131 §2), the payload of option 87: 244 octets, then option 53 and the end. */
export const DISCOVER4 = hex(`
  01 01 06 00            # op BOOTREQUEST, htype Ethernet, hlen 6, hops 0
  4f 6f 6f 01            # xid 0x4f6f6f01
  00 00 00 00            # secs 0, flags 0 (RFC 7341 §5: the broadcast flag means nothing over DHCPv6)
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00   # ciaddr, yiaddr, siaddr, giaddr 0.0.0.0
  52 54 00 12 34 56 00 00 00 00 00 00 00 00 00 00   # chaddr 52:54:00:12:34:56 and 10 octets of padding
  ${"00 ".repeat(64)}    # sname: empty
  ${"00 ".repeat(128)}   # file: empty
  63 82 53 63            # magic cookie
  35 01 01               # option 53 DHCP Message Type, length 1: DHCPDISCOVER
  ff                     # end
`);

/** A DHCPV4-QUERY (RFC 7341 §5): message type 20, 3 flag octets, OPTION_DHCPV4_MSG (87) with the DISCOVER. */
export const QUERY = hex(`
  14 00 00 00            # msg-type DHCPV4-QUERY, flags 0 (U clear: the client multicast it)
  00 57 00 f4            # option 87 OPTION_DHCPV4_MSG, length 244
  ${[...DISCOVER4].map((b) => b.toString(16).padStart(2, "0")).join(" ")}
`);

/**
 * A DHCPREQUEST for `addr` (SELECTING, RFC 2131 §4.3.2) from the same client, as the DISCOVER's first 240 octets
 * followed by option 53 = 3 (DHCPREQUEST), option 50 Requested IP Address, option 54 Server Identifier and the end,
 * inside a DHCPV4-QUERY (type 20, flags 0, option 87).
 */
export function requestQuery(addr: number, server: number): Uint8Array {
  const be = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
  const req = new Uint8Array([
    ...DISCOVER4.subarray(0, 240), // header, chaddr, sname, file, magic cookie: as in the DISCOVER
    0x35,
    0x01,
    0x03, // option 53, length 1: DHCPREQUEST
    0x32,
    0x04,
    ...be(addr), // option 50 Requested IP Address
    0x36,
    0x04,
    ...be(server), // option 54 Server Identifier
    0xff, // end
  ]);
  return new Uint8Array([0x14, 0, 0, 0, 0x00, 0x57, req.length >> 8, req.length & 255, ...req]);
}
