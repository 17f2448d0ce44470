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
