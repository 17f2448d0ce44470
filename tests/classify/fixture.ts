/**
 * A relayed DHCPDISCOVER as real bytes, annotated field by field (RFC 2131 §2 layout), shared by the classify
 * tests. Decoded by the project's own codec so the evaluator sees exactly what the server would hand it.
 */
import { decode4 } from "../../mod/packet4/codec.ts";
import type { Packet4 } from "../../mod/packet4/packet.ts";

const text = (s: string) => [...new TextEncoder().encode(s)];

/** The wire bytes. */
export const DISCOVER_BYTES = new Uint8Array([
  0x01, // op: BOOTREQUEST
  0x01, // htype: Ethernet
  0x06, // hlen: 6
  0x01, // hops: 1 (relayed)
  0x39,
  0x03,
  0xf3,
  0x26, // xid 0x3903f326
  0x00,
  0x00, // secs
  0x00,
  0x00, // flags
  0,
  0,
  0,
  0, // ciaddr 0.0.0.0
  0,
  0,
  0,
  0, // yiaddr 0.0.0.0
  0,
  0,
  0,
  0, // siaddr 0.0.0.0
  10,
  0,
  0,
  1, // giaddr 10.0.0.1
  0x00,
  0x07,
  0x0e,
  0x36,
  0x48,
  0x19,
  ...new Array(10).fill(0), // chaddr 00:07:0e:36:48:19 + padding
  ...new Array(64).fill(0), // sname
  ...new Array(128).fill(0), // file
  0x63,
  0x82,
  0x53,
  0x63, // magic cookie
  53,
  1,
  1, // option 53 message type: DISCOVER
  12,
  15,
  ...text("www.example.com"), // option 12 host name
  60,
  8,
  ...text("MSFT 5.0"), // option 60 vendor class identifier
  55,
  3,
  1,
  3,
  6, // option 55 parameter request list: 1, 3, 6
  82,
  10, // option 82 relay agent information, 10 bytes:
  1,
  4,
  ...text("eth0"), //   sub-option 1 circuit-id "eth0"
  2,
  2,
  0xab,
  0xcd, //   sub-option 2 remote-id 0xabcd
  255, // end
]);

/** The decoded query. */
export function discover(): Packet4 {
  return decode4(DISCOVER_BYTES);
}
