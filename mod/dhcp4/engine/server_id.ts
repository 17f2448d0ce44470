/**
 * The server identifier (option 54, RFC 2131 §4.3.1 and RFC 2132 §9.7): the one this server puts in its
 * replies, and the check that a client's REQUEST names this server (Kea's `acceptServerId`).
 */
import { Opt, type Packet4 } from "../../packet4/packet.ts";
import type { Subnet4 } from "../../config/model.ts";
import type { EngineContext } from "./types.ts";
import { parseRai, RaiSub, readAddr } from "./payload.ts";
import { bytesEqual } from "../../wire/addr.ts";

/**
 * The address this server sends as option 54 to a client of `subnet`: an explicitly configured option 54
 * (reservation-free: subnet options already merge the global ones) wins, as in Kea's `appendServerID`; else
 * the local address the query arrived on, else the arrival interface's first address; 0 when unknown.
 */
export function serverIdFor(ctx: EngineContext, subnet: Subnet4 | undefined): number {
  const configured = (subnet ? subnet.options : ctx.config.options).get(Opt.SERVER_ID);
  const fromConfig = configured && !configured.neverSend ? readAddr(configured.data) : undefined;
  if (fromConfig !== undefined) return fromConfig;
  return ctx.arrival.localAddr || ctx.arrival.ifaceAddrs[0] || 0;
}

/**
 * True when a query carries no option 54, or when its option 54 names this server: an address of the arrival
 * interface, the address RAI sub-option 11 (server-id-override, RFC 5107) asks for, or an option 54 configured
 * on any subnet or globally. A malformed option 54 does not name this server (Kea: `DHCP4_PACKET_DROP_0003`). With
 * `compatibility.ignore-dhcp-server-identifier` every query is for this server, as in Kea.
 */
export function isForUs(query: Packet4, ctx: EngineContext): boolean {
  const raw = query.options.get(Opt.SERVER_ID);
  if (raw === undefined || ctx.config.compatibility?.ignoreServerIdentifier) return true;
  const sid = readAddr(raw);
  if (sid === undefined) return false;
  const override = parseRai(query.options.get(Opt.RELAY_AGENT_INFO)).get(RaiSub.SERVER_ID_OVERRIDE);
  if (override && bytesEqual(override, raw)) return true;
  const { arrival, config } = ctx;
  if (sid === arrival.localAddr || arrival.ifaceAddrs.includes(sid)) return true;
  const g = readAddr(config.options.get(Opt.SERVER_ID)?.data);
  if (g === sid) return true;
  return config.subnets.some((s) => readAddr(s.options.get(Opt.SERVER_ID)?.data) === sid);
}
