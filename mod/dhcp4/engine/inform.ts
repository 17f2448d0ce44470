/**
 * DHCPINFORM (RFC 2131 §4.3.5; Kea's `processInform`): configuration options only, no lease.
 */
import { MsgType, Opt } from "../../packet4/packet.ts";
import type { Outcome } from "./types.ts";
import { selectSubnet } from "./select_subnet.ts";
import { buildReply } from "./build_reply.ts";
import { findReservation } from "./reservation.ts";
import { classifyHost } from "./classes.ts";
import { destination } from "./destination.ts";
import type { Exchange } from "./outcome.ts";
import { formatIpv4 } from "../../wire/addr.ts";

/**
 * Answers an INFORM with an ACK carrying no yiaddr and no lease options (no 51/58/59), only the configured
 * options the client asked for or that are always returned, plus fixed fields (siaddr/sname/file). The ACK
 * goes to ciaddr:68, else through the relay, else to the source address; when it goes straight to the client,
 * hops and giaddr are cleared and the RAI option is removed (Kea's DHCP4_INFORM_DIRECT_REPLY). Without a
 * subnet Kea still answers, with the server identifier only.
 */
export function handleInform(ex: Exchange): Outcome {
  const { query, ctx, client, received } = ex;
  const subnet = selectSubnet(query, ctx.config, ctx.arrival, ex.classes);
  const reservation = subnet ? findReservation(ex, subnet) : undefined;
  const dropped = classifyHost(ex, reservation);
  if (dropped) return dropped;
  const reply = buildReply(query, ctx, {
    type: MsgType.ACK,
    subnet,
    reservation,
    yiaddr: 0,
    ciaddr: query.ciaddr,
    classes: ex.classes,
  });
  const dest = destination(query, reply, ctx);
  const log = [];
  if (query.giaddr !== 0 && !(dest.kind === "unicast" && dest.addr === query.giaddr)) {
    reply.hops = 0;
    reply.giaddr = 0;
    reply.options.delete(Opt.RELAY_AGENT_INFO);
    log.push({
      id: "DHCP4_INFORM_DIRECT_REPLY",
      text: `${client.label}: DHCPACK in reply to the DHCPINFORM will be sent directly to ${
        dest.kind === "unicast" ? formatIpv4(dest.addr) : "broadcast"
      } over ${ctx.arrival.iface || "the arrival interface"}`,
    });
  }
  return {
    kind: "reply",
    reply,
    dest,
    mutations: [],
    stats: [...received, ["pkt4-ack-sent", 1]],
    events: [],
    log,
  };
}
