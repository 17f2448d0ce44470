/**
 * A decoded DHCPv6 message (RFC 8415 §8, §9), as the codec (mod/dhcp6/codec.ts) produces it and the pure engine
 * (mod/dhcp6/engine) reads and builds it. Options keep their order and may repeat (IA_NA, IA_PD, IAADDR…), so they
 * are a list, not a map; the IA options are decoded into structured form because the engine works on them.
 */

/** DHCPv6 message types (RFC 8415 §7.3). */
export const MsgType6 = {
  SOLICIT: 1,
  ADVERTISE: 2,
  REQUEST: 3,
  CONFIRM: 4,
  RENEW: 5,
  REBIND: 6,
  REPLY: 7,
  RELEASE: 8,
  DECLINE: 9,
  RECONFIGURE: 10,
  INFORMATION_REQUEST: 11,
  RELAY_FORW: 12,
  RELAY_REPL: 13,
} as const;

/** DHCPv6 option codes the engine handles itself (RFC 8415 §21; RFC 4704 for 39; RFC 6939 for 79). */
export const Opt6 = {
  CLIENTID: 1,
  SERVERID: 2,
  IA_NA: 3,
  IA_TA: 4,
  IAADDR: 5,
  ORO: 6,
  PREFERENCE: 7,
  ELAPSED_TIME: 8,
  RELAY_MSG: 9,
  AUTH: 11,
  UNICAST: 12,
  STATUS_CODE: 13,
  RAPID_COMMIT: 14,
  USER_CLASS: 15,
  VENDOR_CLASS: 16,
  VENDOR_OPTS: 17,
  INTERFACE_ID: 18,
  RECONF_MSG: 19,
  RECONF_ACCEPT: 20,
  IA_PD: 25,
  IAPREFIX: 26,
  CLIENT_FQDN: 39,
  CLIENT_LINKLAYER_ADDR: 79,
} as const;

/** Status codes (RFC 8415 §21.13). */
export const Status6 = {
  Success: 0,
  UnspecFail: 1,
  NoAddrsAvail: 2,
  NoBinding: 3,
  NotOnLink: 4,
  UseMulticast: 5,
  NoPrefixAvail: 6,
} as const;

/** A raw option: code and payload (a view into the datagram when decoded). */
export interface RawOption6 {
  code: number;
  data: Uint8Array;
}

/** An IA Address option (5) inside an IA_NA: address as 16 bytes, lifetimes in seconds, its own sub-options. */
export interface IaAddress {
  address: Uint8Array;
  preferred: number;
  valid: number;
  options: RawOption6[];
}

/** An IA Prefix option (26) inside an IA_PD. */
export interface IaPrefix {
  preferred: number;
  valid: number;
  prefixLen: number;
  prefix: Uint8Array;
  options: RawOption6[];
}

/** An IA_NA (3) or IA_PD (25): IAID, T1, T2, the addresses/prefixes, a status code and other sub-options. */
export interface Ia {
  kind: "na" | "pd";
  iaid: number;
  t1: number;
  t2: number;
  addresses: IaAddress[];
  prefixes: IaPrefix[];
  status?: { code: number; message: string };
  /** sub-options other than IAADDR / IAPREFIX / STATUS_CODE, in order */
  options: RawOption6[];
  /**
   * wire order of the sub-option codes, set by the decoder so that encode6 reproduces the bytes; encode6 ignores it
   * when it no longer matches the lists (Kea's order, ascending code, is used then, and when it is absent)
   */
  layout?: number[];
}

/** A client/server message (every type but RELAY-FORW / RELAY-REPL). */
export interface Message6 {
  kind: "message";
  msgType: number;
  /** 24-bit transaction id */
  transactionId: number;
  /** IA_NA and IA_PD options, decoded, in order (IA_TA stays in `options`) */
  ias: Ia[];
  /** every other top-level option, in order (client id, server id, ORO, elapsed time, FQDN, vendor…) */
  options: RawOption6[];
  /** wire order of the option codes (see `Ia.layout`) */
  layout?: number[];
}

/** A relay message (RFC 8415 §9): hop count, link and peer addresses, options, and the relayed message inside. */
export interface Relay6 {
  kind: "relay";
  msgType: 12 | 13;
  hopCount: number;
  linkAddress: Uint8Array;
  peerAddress: Uint8Array;
  /** options other than RELAY_MSG, in order (interface-id, remote-id, …) */
  options: RawOption6[];
  inner: Message6 | Relay6;
  /** wire order of the option codes, RELAY_MSG (9) included (see `Ia.layout`; absent: RELAY_MSG last, as Kea packs) */
  layout?: number[];
}

export type Packet6 = Message6 | Relay6;

/** The first option with `code` in a list, or undefined. */
export function getOption6(options: readonly RawOption6[], code: number): Uint8Array | undefined {
  for (const o of options) if (o.code === code) return o.data;
  return undefined;
}
