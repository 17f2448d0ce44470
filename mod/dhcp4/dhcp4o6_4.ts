/**
 * The DHCPv4 server's half of DHCPv4-over-DHCPv6 (RFC 7341), as kea-dhcp4 serves it (Dhcp4to6Ipc::handler,
 * Pkt4o6): a datagram from the DHCPv6 server on Kea's 4o6 channel is a DHCPV4-QUERY (relay layers kept) with the
 * ISC sub-options (mod/packet6/dhcp4o6.ts) and exactly one DHCPv4 Message option (87); its DHCPv4 message is
 * handled as a query that arrived on the named interface (the server identifier is that interface's first IPv4
 * address, as Kea answers from its IPv4 socket there; none: dropped), its subnet chosen by the 4o6 selectors
 * (engine/select_subnet4o6.ts); the reply goes back over the channel as a DHCPV4-RESPONSE (21).
 */
import { decode6, encode6 } from "../packet6/codec.ts";
import {
  addMeta4o6,
  clientRelayOption,
  type Meta4o6,
  OPT_DHCPV4_MSG,
  response4o6,
  takeMeta4o6,
} from "../packet6/dhcp4o6.ts";
import { innermost } from "../packet6/codec.ts";
import type { Packet6 } from "../packet6/packet.ts";
import type { Channel4o6 } from "../net/dhcp4o6_channel.ts";
import type { Datagram } from "./server_ports.ts";
import type { Arrival4o6 } from "./engine/select_subnet4o6.ts";
import { DBG, type Log } from "../log/logger.ts";
import { errorText } from "../wire/printable.ts";

interface Query4o6 {
  query6: Packet6;
  meta: Meta4o6;
  arrival: Arrival4o6;
}

/** Turns channel datagrams into DHCPv4 queries and replies into DHCPV4-RESPONSE; see the module comment. */
export class Endpoint4o6 {
  channel?: Channel4o6;
  private readonly queries = new WeakMap<Datagram, Query4o6>();

  constructor(private readonly deps: { log: Log; ifaceAddrs: () => Map<string, number[]> }) {}

  /** A channel datagram as a DHCPv4 datagram for the server, or undefined (Kea's DHCP4_DHCP4O6_BAD_PACKET). */
  accept(bytes: Uint8Array): Datagram | undefined {
    const { log } = this.deps;
    const bad = (why: string) => {
      if (log.debugEnabled) {
        log.debug("DHCP4_DHCP4O6_BAD_PACKET", `DHCPv4-over-DHCPv6 packet: ${why}`, DBG.PKT_HANDLING);
      }
      return undefined;
    };
    let query6: Packet6, meta: Meta4o6;
    try {
      ({ packet: query6, meta } = takeMeta4o6(decode6(bytes)));
    } catch (e) {
      return bad(errorText(e));
    }
    const msgs = innermost(query6).options.filter((o) => o.code === OPT_DHCPV4_MSG);
    if (msgs.length !== 1) {
      return bad(msgs.length ? "more than one DHCPv4 message option" : "DHCPv4 message option not present");
    }
    const local = this.deps.ifaceAddrs().get(meta.iface)?.[0];
    if (local === undefined) return bad(`interface ${meta.iface} has no IPv4 address to answer from`);
    const d: Datagram = {
      data: msgs[0].data,
      iface: meta.iface,
      ifindex: 0,
      localAddr: local,
      srcAddr: 0,
      srcPort: 68,
      dstAddr: 0xffffffff,
    };
    let remote = 0n;
    for (const b of meta.srcAddr) remote = (remote << 8n) | BigInt(b);
    const interfaceId = clientRelayOption(query6, 18);
    this.queries.set(d, {
      query6,
      meta,
      arrival: { remote, iface: meta.iface, ...(interfaceId ? { interfaceId } : {}) },
    });
    return d;
  }

  /** The 4o6 selectors of a datagram {@link accept} made; undefined for an ordinary DHCPv4 datagram. */
  arrival(d: Datagram): Arrival4o6 | undefined {
    return this.queries.get(d)?.arrival;
  }

  /** Sends `reply4` (encoded) back as the DHCPV4-RESPONSE to `d`'s query; false when `d` is no 4o6 datagram. */
  reply(d: Datagram, reply4: Uint8Array): boolean {
    const q = this.queries.get(d);
    if (!q) return false;
    if (!this.channel) throw new Error("unable to send DHCP4o6 message because IPC socket is closed");
    this.channel.send(encode6(addMeta4o6(response4o6(q.query6, reply4.slice()), q.meta)));
    return true;
  }
}
