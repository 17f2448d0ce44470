/**
 * The pure DHCPv6 engine (docs/ARCHITECTURE.md rule 2): `handle6(query, ctx) → Outcome6`. It unwraps the relay chain,
 * checks the query the way Kea's `testUnicast`, `sanityCheck` and `testServerID` do (RFC 8415 §16), classifies
 * the client, selects its subnet and reservation, then dispatches on the message type (RFC 8415 §18.3).
 */
import { getOption6, type Message6, MsgType6, Opt6, type Packet6 } from "../../packet6/packet.ts";
import { drop6, type Exchange6 } from "./exchange6.ts";
import { isMulticast6, unwrap6 } from "./relay6.ts";
import { identifyClient6 } from "./client6.ts";
import { candidateSubnets6, selectSubnet6 } from "./select_subnet6.ts";
import { findHost6 } from "./host6.ts";
import { classify6, classifyAfterHost6 } from "./classes6.ts";
import { handleExtend6, handleRequest6, handleSolicit6 } from "./allocate_msgs6.ts";
import { handleDecline6, handleRelease6 } from "./release6.ts";
import { handleConfirm6, handleInfoRequest6 } from "./confirm6.ts";
import type { Engine6Context, Outcome6 } from "./types.ts";
import { decideFqdn6 } from "./fqdn6.ts";
import { applyFlexOptions6 } from "./flex_option6.ts";

/** Kea's `pkt6-<type>-received` statistic by message type. */
const RECEIVED: Record<number, string> = {
  [MsgType6.SOLICIT]: "pkt6-solicit-received",
  [MsgType6.ADVERTISE]: "pkt6-advertise-received",
  [MsgType6.REQUEST]: "pkt6-request-received",
  [MsgType6.CONFIRM]: "pkt6-confirm-received",
  [MsgType6.RENEW]: "pkt6-renew-received",
  [MsgType6.REBIND]: "pkt6-rebind-received",
  [MsgType6.REPLY]: "pkt6-reply-received",
  [MsgType6.RELEASE]: "pkt6-release-received",
  [MsgType6.DECLINE]: "pkt6-decline-received",
  [MsgType6.INFORMATION_REQUEST]: "pkt6-infrequest-received",
  20: "pkt6-dhcpv4-query-received",
};

/**
 * The per-type receive statistic of a query for the edge to count (Kea's `pkt6-solicit-received`, …,
 * `pkt6-unknown-received`), looking through RELAY-FORW layers at the client's message.
 */
export function receivedStat6(query: Packet6): string {
  let p: Packet6 = query;
  while (p.kind === "relay") p = p.inner;
  return RECEIVED[p.msgType] ?? "pkt6-unknown-received";
}

type Rule = "mandatory" | "forbidden" | "optional";

/** RFC 8415 §16 / Kea's `sanityCheck`: client-id and server-id rules by message type. */
const RULES: Record<number, [clientId: Rule, serverId: Rule]> = {
  [MsgType6.SOLICIT]: ["mandatory", "forbidden"],
  [MsgType6.REQUEST]: ["mandatory", "mandatory"],
  [MsgType6.CONFIRM]: ["mandatory", "forbidden"],
  [MsgType6.RENEW]: ["mandatory", "mandatory"],
  [MsgType6.REBIND]: ["mandatory", "forbidden"],
  [MsgType6.RELEASE]: ["mandatory", "mandatory"],
  [MsgType6.DECLINE]: ["mandatory", "mandatory"],
  [MsgType6.INFORMATION_REQUEST]: ["optional", "optional"],
};

/** The messages whose Client FQDN option Kea processes (processSolicit, processRequest, processRenew, processRebind). */
const NAMED = new Set<number>([MsgType6.SOLICIT, MsgType6.REQUEST, MsgType6.RENEW, MsgType6.REBIND]);

const NAMES: Record<number, string> = {
  1: "SOLICIT",
  3: "REQUEST",
  4: "CONFIRM",
  5: "RENEW",
  6: "REBIND",
  8: "RELEASE",
  9: "DECLINE",
  11: "INFORMATION-REQUEST",
};

function count(msg: Message6, code: number): number {
  let n = 0;
  for (const o of msg.options) if (o.code === code) n++;
  return n;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Kea's DUID::MAX_DUID_LEN (RFC 8415 §11.1: a DUID is at most 128 octets, type included). */
export const MAX_DUID_LEN = 128;

/**
 * Kea's `sanityCheckDUID`: a client-id or server-id holds 3 (a 2-octet type and one octet of value) to 128
 * octets; anything else describes the problem. A DUID from a hostile client can be 65 535 bytes long; it must not
 * become a lease key or a log label.
 */
function duidProblem(msg: Message6, code: number, what: string): string | undefined {
  for (const o of msg.options) {
    if (o.code !== code) continue;
    if (o.data.length < 3 || o.data.length > MAX_DUID_LEN) {
      return `a ${what} of ${o.data.length} byte(s) (a DUID has 3 to ${MAX_DUID_LEN})`;
    }
  }
  return undefined;
}

/**
 * The first problem RFC 8415 §16 finds with the query's identifiers and IAs, or undefined (Kea's `sanityCheck`,
 * DUID lengths included).
 */
function sanity(msg: Message6, rules: [Rule, Rule]): string | undefined {
  const [cr, sr] = rules;
  const bad = duidProblem(msg, Opt6.CLIENTID, "client-id") ?? duidProblem(msg, Opt6.SERVERID, "server-id");
  if (bad) return bad;
  const cid = count(msg, Opt6.CLIENTID), sid = count(msg, Opt6.SERVERID);
  if (cr === "mandatory" && cid !== 1) return cid ? "more than one client-id" : "no client-id";
  if (cid > 1) return "more than one client-id";
  if (sr === "mandatory" && sid !== 1) return sid ? "more than one server-id" : "no server-id";
  if (sr === "forbidden" && sid) return "a server-id, which this message type must not carry";
  if (sid > 1) return "more than one server-id";
  if (msg.msgType === MsgType6.INFORMATION_REQUEST && (msg.ias.length || count(msg, Opt6.IA_TA))) {
    return "an IA option, which an INFORMATION-REQUEST must not carry (RFC 8415 §16.12)";
  }
  return undefined;
}

/**
 * Handles one DHCPv6 query. Drops (counted in `pkt6-receive-drop`): a RELAY-REPL or a message type a server does
 * not take (ADVERTISE, REPLY, RECONFIGURE, DHCPv4-QUERY); a SOLICIT, CONFIRM, REBIND or INFORMATION-REQUEST sent
 * straight to a unicast address (Kea's `testUnicast`); a query breaking RFC 8415 §16's client-id / server-id rules
 * (also `pkt6-rfc-violation`); one whose server-id is not this server's DUID (Kea's `testServerID`, which
 * applies to an INFORMATION-REQUEST too); one in the `DROP` class. The edge counts `pkt6-received` and the
 * per-type receive statistic (receivedStat6) itself.
 */
export function handle6(query: Packet6, ctx: Engine6Context): Outcome6 {
  const un = unwrap6(query);
  if (!un) {
    return drop6("not-a-query", [{ id: "DHCP6_PACKET_DROP_RELAY_REPL", text: "RELAY-REPL received; dropping" }]);
  }
  const { msg, relays } = un;
  const rules = RULES[msg.msgType];
  const name = NAMES[msg.msgType];
  if (!rules) {
    return drop6("unsupported-type", [{
      id: "DHCP6_UNKNOWN_MSG_RECEIVED",
      text: `message type ${msg.msgType} (tid=0x${
        msg.transactionId.toString(16)
      }) is not handled by a server; dropping`,
    }]);
  }
  const client = identifyClient6(msg, relays, ctx.arrival.srcAddr, ctx.config.hostReservationIdentifiers);
  const direct = relays.length === 0;
  const multicastOnly = msg.msgType === MsgType6.SOLICIT || msg.msgType === MsgType6.CONFIRM ||
    msg.msgType === MsgType6.REBIND || msg.msgType === MsgType6.INFORMATION_REQUEST;
  if (direct && multicastOnly && !isMulticast6(ctx.arrival.dstAddr)) {
    return drop6("unicast", [{
      id: "DHCP6_PACKET_DROP_UNICAST",
      text: `${client.label}: ${name} sent to a unicast address; dropping (RFC 8415 §16)`,
    }]);
  }
  const problem = sanity(msg, rules);
  if (problem) {
    return drop6("rfc-violation", [{
      id: "DHCP6_PACKET_DROP_RFC_VIOLATION",
      text: `${client.label}: ${name} carries ${problem}; dropping`,
    }], true);
  }
  const sid = getOption6(msg.options, Opt6.SERVERID);
  if (sid && !sameBytes(sid, ctx.serverDuid)) {
    return drop6("server-id-mismatch", [{
      id: "DHCP6_PACKET_DROP_SERVERID_MISMATCH",
      text: `${client.label}: ${name} is for another server (server-id ${
        [...sid].map((b) => b.toString(16).padStart(2, "0")).join(":")
      }); dropping`,
    }]);
  }
  let classes = classify6(msg, ctx.config, ctx.arrival, relays);
  if (ctx.haClass) (classes ??= new Set(["ALL"])).add(ctx.haClass); // Kea's HA hook classifies the query too
  const dropClass = () =>
    drop6("drop-class", [{
      id: "DHCP6_PACKET_DROP_DROP_CLASS",
      text: `${client.label}: the query is in the DROP class; dropping`,
    }]);
  if (classes?.has("DROP")) return dropClass();
  const subnet = selectSubnet6(ctx.config, relays, ctx.arrival, classes);
  const ex: Exchange6 = { ctx, msg, relays, client, subnet, classes };
  const host = findHost6(ctx.config, candidateSubnets6(ctx.config, subnet, classes), client, ctx.hosts);
  if (host) ex.host = host;
  if (classes) {
    classifyAfterHost6(classes, msg, ctx.config, ctx.arrival, host?.res.clientClasses, relays);
    if (classes.has("DROP")) return dropClass();
  }
  if (NAMED.has(msg.msgType)) {
    const fqdn = decideFqdn6(ex);
    if (fqdn === "invalid") {
      // Kea's Option6ClientFqdn refuses N=1 with S=1 (RFC 4704 §4.1): the packet fails to parse.
      return {
        kind: "drop",
        reason: "parse-failed",
        stats: [["pkt6-parse-failed", 1], ["pkt6-receive-drop", 1]],
        log: [{
          id: "DHCP6_PACKET_DROP_PARSE_FAIL",
          text: `${client.label}: invalid Client FQDN option (N and S both set), dropping`,
        }],
      };
    }
    if (fqdn) ex.fqdn = fqdn;
  }
  const out = dispatch(ex);
  // Kea's flex-option hook edits every response (its pkt6_send callout), evaluating on the query as received
  const flex = ctx.config.flexOptions;
  if (flex && out.kind === "reply") {
    out.log.push(...applyFlexOptions6(flex, out.reply, { msg, relays, arrival: ctx.arrival, classes }, client.label));
  }
  return out;
}

/** The message type's handler (RFC 8415 §18.3). */
function dispatch(ex: Exchange6): Outcome6 {
  switch (ex.msg.msgType) {
    case MsgType6.SOLICIT:
      return handleSolicit6(ex);
    case MsgType6.REQUEST:
      return handleRequest6(ex);
    case MsgType6.RENEW:
      return handleExtend6(ex, false);
    case MsgType6.REBIND:
      return handleExtend6(ex, true);
    case MsgType6.RELEASE:
      return handleRelease6(ex);
    case MsgType6.DECLINE:
      return handleDecline6(ex);
    case MsgType6.CONFIRM:
      return handleConfirm6(ex);
    default:
      return handleInfoRequest6(ex);
  }
}
