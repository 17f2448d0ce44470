/**
 * The pure DHCPv4 engine (docs/ARCHITECTURE.md rule 2): `handle4(query, ctx) → Outcome`. It validates the query the way
 * Kea's `accept()` and `sanityCheck()` do, then dispatches on the message type (option 53, RFC 2132 §9.6).
 * It never reads a clock, writes a lease or touches a socket.
 */
import { MsgType, Opt, type Packet4 } from "../../packet4/packet.ts";
import type { EngineContext, Outcome, StatDelta } from "./types.ts";
import { clientKey, identifyClient, noHwAddr } from "./client.ts";
import { isForUs } from "./server_id.ts";
import { selectSubnet } from "./select_subnet.ts";
import { drop, type Exchange } from "./outcome.ts";
import { handleDiscover } from "./discover.ts";
import { handleRequest } from "./request.ts";
import { handleRelease } from "./release.ts";
import { handleDecline } from "./decline.ts";
import { handleInform } from "./inform.ts";
import { applyFlexOptions } from "./flex_option.ts";
import { formatIpv4 } from "../../wire/addr.ts";
import { readAddr } from "./payload.ts";
import { readClientFqdn } from "./ddns_names.ts";
import { classDrop, earlyClasses } from "./classes.ts";
import { earlyGlobalHostClasses } from "./reservation.ts";
import { replaceClientId, restoreClientId } from "./flex_client_id.ts";
import { asBootpReply, asBootpRequest, BOOTP_CLASS } from "./bootp.ts";

/** Kea's `pkt4-<type>-received` statistic by message type. */
const RECEIVED: Record<number, string> = {
  [MsgType.DISCOVER]: "pkt4-discover-received",
  [MsgType.OFFER]: "pkt4-offer-received",
  [MsgType.REQUEST]: "pkt4-request-received",
  [MsgType.DECLINE]: "pkt4-decline-received",
  [MsgType.ACK]: "pkt4-ack-received",
  [MsgType.NAK]: "pkt4-nak-received",
  [MsgType.RELEASE]: "pkt4-release-received",
  [MsgType.INFORM]: "pkt4-inform-received",
};

/**
 * Handles one DHCPv4 query. Drops (with Kea's statistic and message id) a BOOTREPLY, a hardware address longer
 * than 16 bytes, a missing or unknown message type or one a server does not take (OFFER/ACK/NAK), a query with
 * neither hardware address nor client id, a query whose option 54 names another server (`pkt4-not-for-us`; a
 * SELECTING client's offer is forgotten), and a DISCOVER carrying option 54. A Client FQDN option with both N
 * and S set drops the packet as Kea's option parser does (a malformed FQDN name is only ignored: ddns_names.ts).
 * The per-type receive statistic (`pkt4-discover-received`, …, `pkt4-unknown-received`) is part of every outcome;
 * the edge counts `pkt4-received` and `pkt4-sent` itself.
 */
export function handle4(received4: Packet4, ctx: EngineContext): Outcome {
  // libdhcp_bootp.so (bootp.ts): a BOOTREQUEST without option 53 is handled as a DHCPREQUEST of class BOOTP
  const bootp = asBootpRequest(received4, ctx.config);
  const query = bootp ?? received4;
  const client = identifyClient(query);
  const t = query.options.get(Opt.MESSAGE_TYPE);
  const type = t && t.length === 1 ? t[0] : undefined;
  const received: StatDelta[] = [[(type !== undefined && RECEIVED[type]) || "pkt4-unknown-received", 1]];
  const violation = (id: string, text: string) =>
    drop("pkt4-rfc-violation", received, [{ id, text: `${client.label}: ${text}` }]);

  if (query.op !== 1) return violation("DHCP4_PACKET_DROP_0001", `op ${query.op} is not BOOTREQUEST, dropping`);
  if (query.hlen > 16) return violation("DHCP4_PACKET_DROP_0001", `hlen ${query.hlen} exceeds 16, dropping`);
  if (t === undefined) {
    // kea-dhcp4 2.2 without the BOOTP hook (acceptMessageType, DHCP_NOTYPE): dropped, counted in pkt4-receive-drop
    return drop("pkt4-receive-drop", received, [{
      id: "DHCP4_PACKET_DROP_0009",
      text: `${client.label}: Option 53 missing (no DHCP message type), is this a BOOTP packet?`,
      debug: true,
    }]);
  }
  if (type === undefined) return violation("DHCP4_PACKET_DROP_0004", "no valid DHCP message type option, dropping");
  if (!RECEIVED[type]) return violation("DHCP4_PACKET_DROP_0005", `unknown message type ${type}, dropping`);
  if (type === MsgType.OFFER || type === MsgType.ACK || type === MsgType.NAK) {
    return violation("DHCP4_PACKET_DROP_0006", `message type ${type} is not handled by a server, dropping`);
  }
  if (client.clientId === "" && noHwAddr(query)) {
    return violation("DHCP4_PACKET_DROP_0007", "missing or useless client-id and no HW address, dropping");
  }
  if (readClientFqdn(query) === "invalid") {
    // Kea's Option4ClientFqdn refuses N=1 with S=1 (RFC 4702 §2.1): the packet fails to parse.
    return drop("pkt4-parse-failed", received, [{
      id: "DHCP4_PACKET_DROP_0001",
      text: `${client.label}: invalid Client FQDN option (N and S both set), dropping`,
    }]);
  }
  const ex: Exchange = { query, ctx, client, received };
  if (bootp) ex.bootp = true;
  const classes = earlyClasses(query, ctx, earlyGlobalHostClasses(ex), bootp ? BOOTP_CLASS : undefined);
  if (classes) {
    ex.classes = classes;
    const dropped = classDrop(ex);
    if (dropped) return dropped;
  }
  if (!isForUs(query, ctx)) {
    const subnet = type === MsgType.REQUEST ? selectSubnet(query, ctx.config, ctx.arrival, classes) : undefined;
    const sid = readAddr(query.options.get(Opt.SERVER_ID));
    const named = sid !== undefined ? formatIpv4(sid) : "(malformed)";
    return drop(
      "pkt4-not-for-us",
      received,
      [{
        id: "DHCP4_PACKET_DROP_0003",
        text: `${client.label}: the query names server ${named}, not this server; dropping`,
      }],
      [],
      subnet ? clientKey(client, subnet) : undefined,
    );
  }
  // Kea's flex-id hook with replace-client-id swaps option 61 for the flex-id here (its pkt4_receive callout) and
  // puts the client's own option 61 back into the reply (pkt4_send).
  const swapped = replaceClientId(ex);
  const run = (ex: Exchange): Outcome => {
    switch (type) {
      case MsgType.DISCOVER:
        if (query.options.has(Opt.SERVER_ID)) {
          return violation("DHCP4_PACKET_DROP_0007", "DHCPDISCOVER carries option 54");
        }
        return handleDiscover(ex);
      case MsgType.REQUEST:
        return handleRequest(ex);
      case MsgType.RELEASE:
        return handleRelease(ex);
      case MsgType.DECLINE:
        return handleDecline(ex);
      default: {
        if (query.giaddr === 0 && query.ciaddr === 0 && ctx.arrival.srcAddr === 0) {
          return violation("DHCP4_PACKET_DROP_0002", "DHCPINFORM with no ciaddr and no source address, dropping");
        }
        return handleInform(ex);
      }
    }
  };
  // Kea's flex-option hook edits every response (its pkt4_send callout), evaluating on the query as received
  const flex = ctx.config.flexOptions;
  const edited = (x: Exchange): Outcome => {
    const out = run(x);
    if (flex && out.kind === "reply") {
      const a = ctx.arrival;
      out.log.push(
        ...applyFlexOptions(flex, out.reply, {
          query,
          iface: a.iface,
          src: a.srcAddr,
          dst: a.dstAddr,
          classes: x.classes,
        }, client.label),
      );
    }
    return out;
  };
  const out = swapped ? restoreClientId(edited(swapped.ex), swapped.original) : edited(ex);
  // libdhcp_bootp.so's pkt4_send strips the DHCP-only options last (after flex-option's edits)
  return bootp ? asBootpReply(out, bootp, client.label) : out;
}
