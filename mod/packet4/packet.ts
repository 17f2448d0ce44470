/**
 * The DHCPv4 packet model shared by the codec, the engine and the server edge (RFC 2131 §2, RFC 2132).
 * Addresses are u32 numbers (see mod/wire/addr.ts). Options are kept as raw payloads in arrival order,
 * already merged across RFC 3396 split instances and across the `file`/`sname` overload areas (option 52);
 * their meaning comes from the option definition tables in mod/options.
 */

/** DHCP message types (option 53), RFC 2132 §9.6. */
export const MsgType = {
  DISCOVER: 1,
  OFFER: 2,
  REQUEST: 3,
  DECLINE: 4,
  ACK: 5,
  NAK: 6,
  RELEASE: 7,
  INFORM: 8,
} as const;
export type MsgType = typeof MsgType[keyof typeof MsgType];

/** Well-known option codes used by the engine and server (RFC 2132 and successors). */
export const Opt = {
  PAD: 0,
  SUBNET_MASK: 1,
  ROUTERS: 3,
  DNS_SERVERS: 6,
  HOST_NAME: 12,
  DOMAIN_NAME: 15,
  BROADCAST_ADDRESS: 28,
  REQUESTED_ADDRESS: 50,
  LEASE_TIME: 51,
  OVERLOAD: 52,
  MESSAGE_TYPE: 53,
  SERVER_ID: 54,
  PARAM_REQUEST_LIST: 55,
  MESSAGE: 56,
  MAX_MESSAGE_SIZE: 57,
  RENEWAL_TIME: 58,
  REBINDING_TIME: 59,
  VENDOR_CLASS_ID: 60,
  CLIENT_ID: 61,
  CLIENT_FQDN: 81,
  RELAY_AGENT_INFO: 82,
  SUBNET_SELECTION: 118,
  END: 255,
} as const;

/** BOOTP flags: the broadcast bit (RFC 2131 §2, figure 2). */
export const FLAG_BROADCAST = 0x8000;

/** A decoded DHCPv4/BOOTP message. */
export interface Packet4 {
  op: 1 | 2; // BOOTREQUEST / BOOTREPLY
  htype: number;
  hlen: number;
  hops: number;
  xid: number; // u32
  secs: number;
  flags: number;
  ciaddr: number;
  yiaddr: number;
  siaddr: number;
  giaddr: number;
  /** the 16-byte chaddr field as sent */
  chaddr: Uint8Array;
  /** the 64-byte sname field when it is not used for options (zero-terminated text), else "" */
  sname: string;
  /** the 128-byte file field when it is not used for options, else "" */
  file: string;
  /** option code → payload (merged), in the order first seen; PAD, END and OVERLOAD(52) are not kept */
  options: Map<number, Uint8Array>;
}

/** The client hardware address: the first `hlen` bytes of chaddr (at most 16). */
export function hwAddr(p: Packet4): Uint8Array {
  return p.chaddr.subarray(0, Math.min(p.hlen, 16));
}
