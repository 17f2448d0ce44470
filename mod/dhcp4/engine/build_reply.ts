/**
 * Builds a DHCPv4 reply (RFC 2131 §4.3.1 table 3, RFC 2132) the way Kea assembles it: fixed fields copied
 * from the query, client-id / RAI / subnet-selection echoed, the lease options (51, 1, 58, 59), the
 * configured options the client asked for or that are always sent, and the server identifier.
 */
import { allowedOption } from "../../config/option_guard.ts";
import { FLAG_BROADCAST, MsgType, Opt, type Packet4 } from "../../packet4/packet.ts";
import type { OptionValue, Reservation4, Subnet4 } from "../../config/model.ts";
import type { EngineContext } from "./types.ts";
import { msgTypePayload, readPrl, textPayload, u32Payload } from "./payload.ts";
import { teeTimes } from "./timers.ts";
import { poolIndexOf } from "./address.ts";
import { serverIdFor } from "./server_id.ts";
import { memberClasses, subnetAndClassOptions, withAdditionalClasses } from "./classes.ts";

/** What goes into a reply besides what is copied from the query. */
export interface ReplySpec {
  type: MsgType;
  subnet?: Subnet4;
  reservation?: Reservation4;
  /** the address given (0 for NAK and INFORM) */
  yiaddr: number;
  /** ciaddr of the reply (Kea: the query's ciaddr for ACK and INFORM, else 0) */
  ciaddr: number;
  /** set for OFFER/ACK with a lease: option 51, subnet mask (1) and T1/T2 (58/59) are added */
  validLifetime?: number;
  /** host name (option 12) to return, when any */
  hostname?: string;
  /** client name options decided by the DDNS name rules (81 and/or 12), in this order */
  nameOptions?: [number, Uint8Array][];
  /** the client's classes (class options and boot fields apply), when the configuration uses classes */
  classes?: ReadonlySet<string>;
}

/** Options Kea returns whenever they are configured, asked for or not (`appendBasicOptions`). */
const BASIC = [Opt.ROUTERS, Opt.DNS_SERVERS, Opt.DOMAIN_NAME, Opt.SERVER_ID];

/**
 * Assembles the reply packet. NAKs carry only message type, server id and the echoed options (Kea sends no
 * option 56 text, no yiaddr and no lease options); relayed NAKs and relayed INFORM replies without ciaddr get
 * the broadcast flag so the relay can reach the client (RFC 2131 §4.3.2). Option precedence is reservation >
 * pool > subnet (subnet options already include the global ones); `never-send` cancels an option and
 * `always-send` adds it to the requested set.
 */
export function buildReply(query: Packet4, ctx: EngineContext, spec: ReplySpec): Packet4 {
  const nak = spec.type === MsgType.NAK;
  let flags = query.flags;
  const inform = query.options.get(Opt.MESSAGE_TYPE)?.[0] === MsgType.INFORM;
  if (query.giaddr !== 0 && (nak || (inform && query.ciaddr === 0))) {
    flags |= FLAG_BROADCAST;
  }
  const opts = new Map<number, Uint8Array>();
  opts.set(Opt.MESSAGE_TYPE, msgTypePayload(spec.type));
  const reply: Packet4 = {
    op: 2,
    htype: query.htype,
    hlen: query.hlen,
    hops: query.hops,
    xid: query.xid,
    secs: 0,
    flags,
    ciaddr: spec.ciaddr,
    yiaddr: nak ? 0 : spec.yiaddr,
    siaddr: 0,
    giaddr: query.giaddr,
    chaddr: query.chaddr, // shared, not copied: nothing modifies a packet's chaddr
    sname: "",
    file: "",
    options: opts,
  };
  const cid = query.options.get(Opt.CLIENT_ID);
  if (cid && ctx.config.echoClientId) opts.set(Opt.CLIENT_ID, cid);
  const sel = query.options.get(Opt.SUBNET_SELECTION);
  if (sel) opts.set(Opt.SUBNET_SELECTION, sel);

  if (!nak && spec.subnet) {
    // Kea's requiredClassify / evaluateAdditionalClasses: right before the options are gathered
    const classes = spec.classes && withAdditionalClasses(query, ctx, spec.subnet, spec.yiaddr, spec.classes);
    addConfigured(reply, query, classes === spec.classes ? spec : { ...spec, classes }, ctx);
  }
  if (!opts.has(Opt.SERVER_ID)) opts.set(Opt.SERVER_ID, u32Payload(serverIdFor(ctx, spec.subnet)));
  // RFC 3046 §2.1: the relay agent information option is the last option of the reply.
  const rai = query.options.get(Opt.RELAY_AGENT_INFO);
  if (rai && rai.length > 0) opts.set(Opt.RELAY_AGENT_INFO, rai);
  return reply;
}

/** Lease options, host name, configured options and fixed fields (Kea: assignLease, appendRequestedOptions). */
function addConfigured(reply: Packet4, query: Packet4, spec: ReplySpec, ctx: EngineContext): void {
  const subnet = spec.subnet!;
  const opts = reply.options;
  if (spec.validLifetime !== undefined) {
    opts.set(Opt.LEASE_TIME, u32Payload(spec.validLifetime));
    opts.set(Opt.SUBNET_MASK, u32Payload(subnet.mask));
    const { t1, t2 } = teeTimes(spec.validLifetime, subnet.timers);
    if (t1 !== undefined) opts.set(Opt.RENEWAL_TIME, u32Payload(t1));
    if (t2 !== undefined) opts.set(Opt.REBINDING_TIME, u32Payload(t2));
  }
  if (spec.hostname) opts.set(Opt.HOST_NAME, textPayload(spec.hostname));
  for (const [code, data] of spec.nameOptions ?? []) opts.set(code, data);

  const sources: Map<number, OptionValue>[] = [];
  if (spec.reservation) sources.push(spec.reservation.options);
  const pi = spec.yiaddr ? poolIndexOf(subnet, spec.yiaddr) : -1;
  if (pi >= 0) sources.push(subnet.pools[pi].options);
  if (spec.classes) sources.push(...subnetAndClassOptions(ctx.config, subnet, spec.classes));
  else sources.push(subnet.options);

  const requested = readPrl(query.options.get(Opt.PARAM_REQUEST_LIST));
  const cancelled = new Set<number>();
  // an option guarded by client-classes counts only for a client in its classes (option_guard.ts)
  const classes = spec.classes;
  for (const src of sources) {
    for (const chain of src.values()) {
      const o = allowedOption(chain, classes);
      if (!o || o.space !== "dhcp4") continue;
      if (o.neverSend) cancelled.add(o.code);
      else if (o.alwaysSend) requested.add(o.code);
    }
  }
  const pick = (code: number) => {
    if (cancelled.has(code) || opts.has(code)) return;
    for (const src of sources) {
      const o = allowedOption(src.get(code), classes);
      if (o && o.space === "dhcp4") {
        opts.set(code, o.data);
        return;
      }
    }
  };
  for (const code of [...requested].sort((a, b) => a - b)) pick(code);
  for (const code of BASIC) pick(code);

  const r = spec.reservation;
  // Kea's precedence for the fixed fields: host > class (first in order that sets it) > subnet > global.
  const cls = spec.classes ? memberClasses(ctx.config, spec.classes) : [];
  const next = r?.nextServer || cls.find((c) => c.nextServer)?.nextServer || subnet.nextServer;
  if (next) reply.siaddr = next;
  reply.sname = r?.serverHostname || cls.find((c) => c.serverHostname)?.serverHostname || subnet.serverHostname ||
    "";
  reply.file = r?.bootFileName || cls.find((c) => c.bootFileName)?.bootFileName || subnet.bootFileName || "";
}
