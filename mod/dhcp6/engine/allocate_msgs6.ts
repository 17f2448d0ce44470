/**
 * The message handlers that grant or extend bindings (RFC 8415 §18.3.1, §18.3.2, §18.3.4, §18.3.5; Kea's
 * `processSolicit`, `processRequest`, `processRenew`, `processRebind`): every IA_NA and IA_PD of the query is
 * answered in the same order, each with its own bindings or status.
 */
import { getOption6, MsgType6, Opt6 } from "../../packet6/packet.ts";
import type { Exchange6 } from "./exchange6.ts";
import { assignIa6 } from "./assign6.ts";
import { extendIa6 } from "./renew6.ts";
import { reply6 } from "./reply6.ts";
import type { Outcome6 } from "./types.ts";

/**
 * SOLICIT → ADVERTISE with the bindings the client would get (nothing written: Kea's fake allocation), or, when
 * the client sent Rapid Commit (option 14) and the selected subnet has `rapid-commit: true`, REPLY with Rapid
 * Commit and the bindings committed (RFC 8415 §18.3.1).
 */
export function handleSolicit6(ex: Exchange6): Outcome6 {
  const rapid = getOption6(ex.msg.options, Opt6.RAPID_COMMIT) !== undefined && ex.subnet?.rapidCommit === true;
  const taken = new Set<bigint>();
  const ias = ex.msg.ias.map((ia) => assignIa6(ex, ia, rapid, taken));
  if (!rapid) return reply6(ex, MsgType6.ADVERTISE, { ias });
  return reply6(ex, MsgType6.REPLY, { ias, extra: [{ code: Opt6.RAPID_COMMIT, data: new Uint8Array(0) }] });
}

/**
 * REQUEST → REPLY with each IA's bindings committed, or NoAddrsAvail / NoPrefixAvail inside the IA when the
 * pools have nothing left for it (RFC 8415 §18.3.2).
 */
export function handleRequest6(ex: Exchange6): Outcome6 {
  const taken = new Set<bigint>();
  return reply6(ex, MsgType6.REPLY, { ias: ex.msg.ias.map((ia) => assignIa6(ex, ia, true, taken)) });
}

/**
 * RENEW / REBIND → REPLY extending each IA's bindings (renew6.ts): NoBinding for an IA a RENEW names but the
 * server does not know; lifetimes 0 for what is not (or no longer) the client's or not on its link.
 */
export function handleExtend6(ex: Exchange6, rebind: boolean): Outcome6 {
  const taken = new Set<bigint>();
  return reply6(ex, MsgType6.REPLY, { ias: ex.msg.ias.map((ia) => extendIa6(ex, ia, rebind, taken)) });
}
