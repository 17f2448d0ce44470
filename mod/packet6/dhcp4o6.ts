/**
 * DHCPv4-over-DHCPv6 (RFC 7341) on the wire between Kea's two servers: the DHCPv6 message (DHCPV4-QUERY 20 from a
 * client, DHCPV4-RESPONSE 21 back; relay layers kept) travels over Kea's 4o6 channel with, in the innermost
 * message, a Vendor-specific Information option (17, RFC 8415 §21.17) of ISC's enterprise number 2495 carrying
 * three sub-options (Kea's dhcp6.h `ISC_V6_4O6_*`, Dhcp4o6IpcBase::send / receive): 60000 the interface name
 * (text), 60001 the client's or relay's source IPv6 address (16 octets), 60002 its source UDP port (16 bits). The
 * receiver takes them out again and drops the vendor option when nothing else is left in it. Pure.
 */
import { type Message6, type Packet6, type RawOption6 } from "./packet.ts";
import { DecodeError } from "../wire/errors.ts";
import { concatBytes } from "../wire/bytes.ts";

/** RFC 7341 §5: the message types. */
export const DHCPV4_QUERY = 20;
/** RFC 7341 §5. */
export const DHCPV4_RESPONSE = 21;
/** RFC 7341 §6.1: OPTION_DHCPV4_MSG, the DHCPv4 message inside. */
export const OPT_DHCPV4_MSG = 87;
/** RFC 8415 §21.17: OPTION_VENDOR_OPTS. */
export const OPT_VENDOR_OPTS = 17;
/** ISC's IANA enterprise number (Kea's ENTERPRISE_ID_ISC). */
export const ENTERPRISE_ISC = 2495;
/** Kea's ISC_V6_4O6_INTERFACE, ISC_V6_4O6_SRC_ADDRESS, ISC_V6_4O6_SRC_PORT. */
export const SUB_4O6 = { INTERFACE: 60000, SRC_ADDRESS: 60001, SRC_PORT: 60002 } as const;

/** Where a DHCPv4-over-DHCPv6 message came from (or goes to): the DHCPv6 server's interface and the peer. */
export interface Meta4o6 {
  iface: string;
  /** 16 octets: the client's address, or the first relay's */
  srcAddr: Uint8Array;
  srcPort: number;
}

const utf8 = new TextEncoder();
const utf8dec = new TextDecoder("utf-8", { fatal: true });

function sub(code: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + data.length);
  out[0] = code >>> 8;
  out[1] = code & 0xff;
  out[2] = data.length >>> 8;
  out[3] = data.length & 0xff;
  out.set(data, 4);
  return out;
}

function isIsc(o: RawOption6): boolean {
  const d = o.data;
  return o.code === OPT_VENDOR_OPTS && d.length >= 4 &&
    ((d[0] << 24) | (d[1] << 16) | (d[2] << 8) | d[3]) >>> 0 === ENTERPRISE_ISC;
}

/** Rebuilds the packet with the innermost message changed by `f` (relay layers copied as they are). */
function withInner(p: Packet6, f: (m: Message6) => Message6): Packet6 {
  return p.kind === "message" ? f(p) : { ...p, inner: withInner(p.inner, f) as Message6 | typeof p };
}

/**
 * Kea's Dhcp4o6IpcBase::send: the three sub-options appended to the innermost message's ISC vendor option, one
 * added when there is none — the message then packed in Kea's order, ascending option codes (Pkt6::pack).
 */
export function addMeta4o6(p: Packet6, meta: Meta4o6): Packet6 {
  if (meta.srcAddr.length !== 16) throw new RangeError("the 4o6 source address must be 16 octets");
  const subs = concatBytes([
    sub(SUB_4O6.INTERFACE, utf8.encode(meta.iface)),
    sub(SUB_4O6.SRC_ADDRESS, meta.srcAddr),
    sub(SUB_4O6.SRC_PORT, new Uint8Array([meta.srcPort >>> 8, meta.srcPort & 0xff])),
  ]);
  return withInner(p, (m) => {
    const i = m.options.findIndex(isIsc);
    if (i >= 0) {
      const options = [...m.options];
      options[i] = { code: OPT_VENDOR_OPTS, data: concatBytes([m.options[i].data, subs]) };
      return { ...m, options };
    }
    const vendor = { code: OPT_VENDOR_OPTS, data: concatBytes([new Uint8Array([0, 0, 0x09, 0xbf]), subs]) };
    // Kea packs the message again from its option map: ascending codes (17 before 87), so no recorded layout
    const { layout: _, ...rest } = m;
    return { ...rest, options: [...m.options, vendor] };
  });
}

/**
 * Kea's Dhcp4o6IpcBase::receive: the interface, source address and port out of the innermost message's ISC
 * vendor option, and the packet without them (without the vendor option when it held nothing else). Throws a
 * DecodeError naming what is missing (Kea's DHCPSRV_DHCP4O6_RECEIVED_BAD_PACKET).
 */
export function takeMeta4o6(p: Packet6): { packet: Packet6; meta: Meta4o6 } {
  let meta: Meta4o6 | undefined;
  let problem = "no ISC vendor option";
  const packet = withInner(p, (m) => {
    const i = m.options.findIndex(isIsc);
    if (i < 0) return m;
    const d = m.options[i].data;
    const kept: Uint8Array[] = [d.subarray(0, 4)];
    let iface: string | undefined, srcAddr: Uint8Array | undefined, srcPort: number | undefined;
    for (let at = 4; at < d.length;) {
      if (at + 4 > d.length) throw new DecodeError("truncated sub-option in the ISC vendor option", at);
      const code = (d[at] << 8) | d[at + 1], len = (d[at + 2] << 8) | d[at + 3];
      if (at + 4 + len > d.length) throw new DecodeError(`ISC vendor sub-option ${code} overruns its option`, at);
      const v = d.subarray(at + 4, at + 4 + len);
      if (code === SUB_4O6.INTERFACE) iface = decodeName(v);
      else if (code === SUB_4O6.SRC_ADDRESS && len === 16) srcAddr = v.slice();
      else if (code === SUB_4O6.SRC_PORT && len === 2) srcPort = (v[0] << 8) | v[1];
      else kept.push(d.subarray(at, at + 4 + len));
      at += 4 + len;
    }
    if (iface === undefined) problem = "interface suboption missing or has incorrect type";
    else if (srcAddr === undefined) problem = "source address suboption missing or has incorrect type";
    else if (srcPort === undefined) problem = "source port suboption missing or has incorrect type";
    else meta = { iface, srcAddr, srcPort };
    const options = [...m.options];
    if (kept.length > 1) options[i] = { code: OPT_VENDOR_OPTS, data: concatBytes(kept) };
    else options.splice(i, 1);
    const { layout: _, ...rest } = m;
    return { ...rest, options };
  });
  if (!meta) throw new DecodeError(`malformed 4o6 packet (${problem})`, 0);
  return { packet, meta };
}

function decodeName(v: Uint8Array): string | undefined {
  try {
    const s = utf8dec.decode(v);
    const printable = [...s].every((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f);
    return s.length > 0 && s.length <= 64 && printable ? s : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Kea's Dhcpv4Exchange::initResponse4o6 + Pkt4o6::pack: the DHCPV4-RESPONSE (21) to `query` — its transaction id
 * field (the query's flags) kept, no client or server identifier, the DHCPv4 reply in option 87 — inside RELAY-REPL
 * layers matching the query's relays (hop count, link and peer addresses, and the Interface-Id (18) and
 * Relay-Source-Port (135) options echoed, as Pkt6::copyRelayInfo does).
 */
export function response4o6(query: Packet6, reply4: Uint8Array): Packet6 {
  if (query.kind === "message") {
    return {
      kind: "message",
      msgType: DHCPV4_RESPONSE,
      transactionId: query.transactionId,
      ias: [],
      options: [{ code: OPT_DHCPV4_MSG, data: reply4 }],
    };
  }
  return {
    kind: "relay",
    msgType: 13,
    hopCount: query.hopCount,
    linkAddress: query.linkAddress,
    peerAddress: query.peerAddress,
    options: query.options.filter((o) => o.code === 18 || o.code === 135),
    inner: response4o6(query.inner, reply4),
  };
}

/** Kea's getAnyRelayOption(code, RELAY_GET_FIRST): the option of the relay closest to the client, if any. */
export function clientRelayOption(p: Packet6, code: number): Uint8Array | undefined {
  let closest: Packet6 | undefined;
  for (let q: Packet6 = p; q.kind === "relay"; q = q.inner) closest = q;
  return closest?.kind === "relay" ? closest.options.find((o) => o.code === code)?.data : undefined;
}
