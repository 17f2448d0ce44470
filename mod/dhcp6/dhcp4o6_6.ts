/**
 * The DHCPv6 server's half of DHCPv4-over-DHCPv6 (RFC 7341), as kea-dhcp6 serves it (Dhcpv6Srv::processDhcp4Query,
 * Dhcp6to4Ipc): a DHCPV4-QUERY (20) carrying a DHCPv4 Message option (87), direct or relayed, goes whole over the
 * 4o6 channel (mod/net/dhcp4o6_channel.ts) to the DHCPv4 server, with the interface, source address and port
 * added (mod/packet6/dhcp4o6.ts); the DHCPv4 server's DHCPV4-RESPONSE (21) comes back the same way and is sent to
 * that address — port 547 when it is a RELAY-REPL, else 546 — from the interface named, counted in `pkt6-sent` and
 * `pkt6-dhcpv4-response-sent`. A query without option 87 is dropped, as Kea does. The DHCPv4 side is weka's
 * (mod/dhcp4/dhcp4o6_4.ts) or kea-dhcp4.
 */
import { decode6, encode6 } from "../packet6/codec.ts";
import { addMeta4o6, DHCPV4_RESPONSE, OPT_DHCPV4_MSG, takeMeta4o6 } from "../packet6/dhcp4o6.ts";
import { getOption6, type Packet6 } from "../packet6/packet.ts";
import { innermost } from "../packet6/codec.ts";
import type { Channel4o6 } from "../net/dhcp4o6_channel.ts";
import type { Datagram6, Transport6 } from "../net/udp6.ts";
import type { Stats } from "../stats/stats.ts";
import { DBG, type Log } from "../log/logger.ts";
import { formatIpv6 } from "../wire/ipv6.ts";
import { errorText } from "../wire/printable.ts";

/** At most this many arrivals remembered to answer through (rule 8: a bounded table). */
const MAX_ARRIVALS = 4096;

/** What the forwarder is given. */
export interface Forwarder4o6Deps {
  transport: Transport6;
  stats: Stats;
  log: Log;
}

/** Relays DHCPv4-over-DHCPv6 between clients and the DHCPv4 server; see the module comment. */
export class Forwarder4o6 {
  /** `iface|addr|port` → the datagram the query came in (which socket and source address to answer from) */
  private readonly arrivals = new Map<string, Datagram6>();
  /** the latest arrival per interface, for a response whose peer sent nothing through this process */
  private readonly byIface = new Map<string, Datagram6>();
  channel?: Channel4o6;

  constructor(private readonly deps: Forwarder4o6Deps) {}

  /** Kea's processDhcp4Query: forwards a DHCPV4-QUERY with option 87; false when it was dropped. */
  forward(query: Packet6, d: Datagram6): boolean {
    const { stats, log } = this.deps;
    if (!getOption6(innermost(query).options, OPT_DHCPV4_MSG) || !this.channel) {
      stats.add("pkt6-receive-drop");
      if (log.debugEnabled) {
        log.debug(
          "DHCP6_DHCP4O6_PACKET_DROP",
          `DHCPV4-QUERY from [${formatIpv6(d.srcAddr)}]:${d.srcPort}: ` +
            (this.channel ? "no DHCPv4 Message option (87)" : "dhcp4o6-port is 0"),
          DBG.PKT_HANDLING,
        );
      }
      return false;
    }
    const key = `${d.iface}|${formatIpv6(d.srcAddr)}|${d.srcPort}`;
    this.arrivals.delete(key);
    this.arrivals.set(key, d);
    if (this.arrivals.size > MAX_ARRIVALS) this.arrivals.delete(this.arrivals.keys().next().value!);
    this.byIface.set(d.iface, d);
    this.channel.send(encode6(addMeta4o6(query, { iface: d.iface, srcAddr: d.srcAddr, srcPort: d.srcPort })));
    return true;
  }

  /** Dhcp6to4Ipc::handler: a datagram from the DHCPv4 server, answered to the client or relay. */
  receive(bytes: Uint8Array): void {
    const { stats, log, transport } = this.deps;
    let packet: Packet6, meta;
    try {
      ({ packet, meta } = takeMeta4o6(decode6(bytes)));
    } catch (e) {
      if (log.debugEnabled) log.debug("DHCP6_DHCP4O6_RECEIVE_FAIL", errorText(e), DBG.PKT_HANDLING);
      return;
    }
    const key = `${meta.iface}|${formatIpv6(meta.srcAddr)}|${meta.srcPort}`;
    const via = this.arrivals.get(key) ?? this.byIface.get(meta.iface);
    if (!via) {
      log.warn("DHCP6_DHCP4O6_SEND_FAIL", `DHCPv4-over-DHCPv6 response for unknown interface ${meta.iface}; dropped`);
      return;
    }
    const relayed = packet.kind === "relay";
    const port = relayed ? 547 : 546;
    try {
      transport.send(via, encode6(packet), meta.srcAddr, port);
    } catch (e) {
      log.error("DHCP6_DHCP4O6_SEND_FAIL", `failed to send a DHCPV4-RESPONSE: ${errorText(e)}`);
      return;
    }
    stats.add("pkt6-sent");
    if (innermost(packet).msgType === DHCPV4_RESPONSE) stats.add("pkt6-dhcpv4-response-sent");
    if (log.debugEnabled) {
      log.debug(
        "DHCP6_DHCP4O6_PACKET_RECEIVED",
        `${relayed ? "RELAY-REPL" : "DHCPV4-RESPONSE"} sent to [${formatIpv6(meta.srcAddr)}]:${port} on ${meta.iface}`,
        DBG.PKT_HANDLING,
      );
    }
  }
}
