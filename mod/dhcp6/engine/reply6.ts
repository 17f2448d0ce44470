/**
 * Building a DHCPv6 reply (RFC 8415 §18.3): the same transaction id, the client's Client Identifier echoed, the
 * server's Server Identifier, any message-specific options, the reply IAs, the requested options; then the
 * RELAY-REPL layers and the destination, with Kea's `pkt6-advertise-sent` / `pkt6-reply-sent` statistic; the
 * Client FQDN option 39 of the name rules (fqdn6.ts) and the NameChangeRequests of the change (ddns_ncr6.ts).
 */
import { getOption6, type Ia, type Message6, MsgType6, Opt6, type RawOption6 } from "../../packet6/packet.ts";
import { type Lease6, type Lease6Mutation, Lease6Type } from "../../lease/types6.ts";
import { bytesToBig, type Exchange6 } from "./exchange6.ts";
import { ddnsParams6, type Fqdn6, fqdnOption6, generatedName6, OPT_CLIENT_FQDN6 } from "./fqdn6.ts";
import { outcomeNcrs6 } from "./ddns_ncr6.ts";
import type { IaResult6 } from "./ia6.ts";
import { appendRequested6 } from "./options6.ts";
import { destination6, wrapReply6 } from "./relay6.ts";
import type { Lease6Event, LogEntry6, Outcome6, StatDelta6 } from "./types.ts";

/**
 * Kea's generateFqdn: a REPLY whose name is still empty gets `prefix-<first IA_NA address>.suffix.`, written into
 * that address's lease (the other leases keep the empty name); an ADVERTISE keeps the empty name, as Kea's does.
 */
function nameFor6(d: Fqdn6, commit: boolean, firsts: ReadonlySet<bigint>, leases: Lease6[]): Fqdn6 {
  if (d.name !== "" || !commit || firsts.size === 0) return d;
  const first = firsts.values().next().value as bigint;
  const name = generatedName6(first, d.params);
  const lease = leases.find((l) => l.address === first && l.type === Lease6Type.NA);
  if (lease) lease.hostname = name;
  return { ...d, name };
}

/** What a handler contributes to a reply. */
export interface ReplyParts6 {
  ias?: IaResult6[];
  /** message-level options after CLIENTID/SERVERID (rapid commit, a top-level status code) */
  extra?: RawOption6[];
  mutations?: Lease6Mutation[];
  stats?: StatDelta6[];
  events?: Lease6Event[];
  log?: LogEntry6[];
}

/**
 * Assembles the reply outcome: message `type` (ADVERTISE or REPLY) with the query's transaction id, options in
 * the order CLIENTID, SERVERID, `extra`, requested/always-send options (options6.ts), the IAs from `parts.ias`,
 * wrapped for the relays, sent to the relay (547) or the client (546). Mutations, statistics, events and log
 * lines of the IAs are gathered in IA order after the handler's own.
 */
export function reply6(ex: Exchange6, type: number, parts: ReplyParts6): Outcome6 {
  const { msg, ctx } = ex;
  const options: RawOption6[] = [];
  const cid = getOption6(msg.options, Opt6.CLIENTID);
  if (cid) options.push({ code: Opt6.CLIENTID, data: cid });
  options.push({ code: Opt6.SERVERID, data: ctx.serverDuid });
  options.push(...(parts.extra ?? []));
  const ias: Ia[] = [];
  const leases: Lease6[] = [];
  const mutations = [...(parts.mutations ?? [])];
  const stats = [...(parts.stats ?? [])];
  const events = [...(parts.events ?? [])];
  const log = [...(parts.log ?? [])];
  for (const r of parts.ias ?? []) {
    ias.push(r.ia);
    leases.push(...r.leases);
    mutations.push(...r.mutations);
    stats.push(...r.stats);
    events.push(...r.events);
    log.push(...r.log);
  }
  const firsts = new Set<bigint>();
  for (const r of parts.ias ?? []) {
    const a = r.ia.kind === "na" ? r.ia.addresses.find((x) => x.valid > 0) : undefined;
    if (a) firsts.add(bytesToBig(a.address));
  }
  if (ex.fqdn) {
    const d = nameFor6(ex.fqdn, type === MsgType6.REPLY, firsts, leases);
    options.push({ code: OPT_CLIENT_FQDN6, data: fqdnOption6(d) });
    log.push(...d.notes);
  }
  appendRequested6(ex, options, leases);
  const reply: Message6 = { kind: "message", msgType: type, transactionId: msg.transactionId, ias, options };
  stats.push([type === MsgType6.ADVERTISE ? "pkt6-advertise-sent" : "pkt6-reply-sent", 1]);
  const ncrs = type === MsgType6.REPLY && mutations.length
    ? outcomeNcrs6(ctx.config, ctx.leases, mutations, firsts, ex.fqdn?.params ?? ddnsParams6(ex))
    : [];
  return {
    kind: "reply",
    reply: wrapReply6(reply, ex.relays),
    dest: destination6(ctx.arrival, ex.relays.length > 0),
    mutations,
    stats,
    events,
    log,
    ...(ncrs.length ? { ncrs } : {}),
  };
}
