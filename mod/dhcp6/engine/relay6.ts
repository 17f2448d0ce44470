/**
 * Relay handling (RFC 8415 §19): unwrapping a RELAY-FORW chain down to the client's message, wrapping a reply in
 * RELAY-REPL layers that mirror it (hop count, link and peer addresses copied, Interface-Id echoed, §19.3), and
 * where the reply goes (§18.3.10: to the client at port 546, or to the relay agent that sent the query at 547).
 */
import { getOption6, type Message6, Opt6, type Packet6, type Relay6 } from "../../packet6/packet.ts";
import type { Arrival6, Destination6 } from "./types.ts";

/**
 * The client message inside a query and its relay layers, outermost (closest to the server) first, or undefined
 * when the query is a message a server must not take as the outer packet (a RELAY-REPL).
 */
export function unwrap6(query: Packet6): { msg: Message6; relays: Relay6[] } | undefined {
  const relays: Relay6[] = [];
  let p: Packet6 = query;
  while (p.kind === "relay") {
    if (p.msgType !== 12) return undefined;
    relays.push(p);
    p = p.inner;
  }
  return { msg: p, relays };
}

/**
 * Wraps `reply` in one RELAY-REPL per RELAY-FORW of the query (RFC 8415 §19.3): the same hop count, link-address
 * and peer-address, and the Interface-Id option (18) copied when the relay sent one. Kea copies nothing else
 * back to the relay.
 */
export function wrapReply6(reply: Message6, relays: readonly Relay6[]): Packet6 {
  let p: Packet6 = reply;
  for (let i = relays.length - 1; i >= 0; i--) {
    const r = relays[i];
    const iid = getOption6(r.options, Opt6.INTERFACE_ID);
    p = {
      kind: "relay",
      msgType: 13,
      hopCount: r.hopCount,
      linkAddress: r.linkAddress,
      peerAddress: r.peerAddress,
      options: iid ? [{ code: Opt6.INTERFACE_ID, data: iid }] : [],
      inner: p,
    };
  }
  return p;
}

/**
 * The destination of a reply (RFC 8415 §18.3.10 and §19.3): a relayed query is answered to the relay agent that
 * sent it (the datagram's source) at the server/relay port 547; a direct one to its source at the client port 546.
 */
export function destination6(arrival: Arrival6, relayed: boolean): Destination6 {
  return { addr: arrival.srcAddr, port: relayed ? 547 : 546 };
}

/** True for an IPv6 multicast address (ff00::/8). */
export function isMulticast6(a: Uint8Array): boolean {
  return a.length === 16 && a[0] === 0xff;
}
