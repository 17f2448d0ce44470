/**
 * Where a DHCPv4 reply goes (RFC 2131 §4.1 and §4.3.2; Kea's `adjustRemoteAddr` and `adjustIfaceData`).
 */
import { FLAG_BROADCAST, hwAddr, MsgType, Opt, type Packet4 } from "../../packet4/packet.ts";
import type { Destination, EngineContext } from "./types.ts";
import { parseRai, RaiSub } from "./payload.ts";

const SERVER_PORT = 67;
const CLIENT_PORT = 68;

/** The relay's port: its source port when RAI carries relay-port (RFC 8357 §5.1), else 67. */
function relayPort(query: Packet4, ctx: EngineContext): number {
  const rai = parseRai(query.options.get(Opt.RELAY_AGENT_INFO));
  return rai.has(RaiSub.RELAY_PORT) && ctx.arrival.srcPort ? ctx.arrival.srcPort : SERVER_PORT;
}

/**
 * Chooses the destination of `reply` for `query`, in Kea's order. INFORM: ciaddr:68, else the relay, else the
 * source address. Others: a relayed query goes back to giaddr (port 67 or the RAI relay-port); a client with
 * ciaddr gets unicast to ciaddr:68; a NAK is broadcast; an OFFER/ACK is broadcast when the client set the
 * broadcast flag or the server uses UDP sockets (it cannot unicast to an unconfigured client), else it is
 * sent at link layer to yiaddr/chaddr (raw sockets).
 */
export function destination(query: Packet4, reply: Packet4, ctx: EngineContext): Destination {
  const type = query.options.get(Opt.MESSAGE_TYPE)?.[0];
  const relayed = query.giaddr !== 0;
  const src = ctx.arrival.srcAddr;
  if (type === MsgType.INFORM) {
    if (query.ciaddr !== 0) return { kind: "unicast", addr: query.ciaddr, port: CLIENT_PORT };
    if (relayed) return { kind: "unicast", addr: query.giaddr, port: relayPort(query, ctx) };
    return src !== 0 ? { kind: "unicast", addr: src, port: CLIENT_PORT } : { kind: "broadcast" };
  }
  if (relayed) return { kind: "unicast", addr: query.giaddr, port: relayPort(query, ctx) };
  if (query.ciaddr !== 0) return { kind: "unicast", addr: query.ciaddr, port: CLIENT_PORT };
  const replyType = reply.options.get(Opt.MESSAGE_TYPE)?.[0];
  if (replyType === MsgType.NAK) return { kind: "broadcast" };
  if (reply.yiaddr !== 0) {
    if ((query.flags & FLAG_BROADCAST) !== 0 || ctx.config.socketType === "udp") return { kind: "broadcast" };
    return { kind: "link", addr: reply.yiaddr, mac: hwAddr(query) }; // a view of chaddr, read at send time
  }
  return src !== 0 ? { kind: "unicast", addr: src, port: CLIENT_PORT } : { kind: "broadcast" };
}
