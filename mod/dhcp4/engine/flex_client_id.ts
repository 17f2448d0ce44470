/**
 * The flex-id hook's `replace-client-id` (Kea's libdhcp_flex_id.so, "The replace-client-id Flag"): the query is
 * handled as if its client identifier (option 61) were the flex-id with one zero byte before it, so leases follow
 * the flex-id rather than the device; the reply carries the client's own option 61 again, or none when it sent
 * none, whatever `echo-client-id` says.
 */
import { Opt } from "../../packet4/packet.ts";
import { toColonHex } from "../../wire/addr.ts";
import type { Outcome } from "./types.ts";
import type { Exchange } from "./outcome.ts";
import { identifyClient } from "./client.ts";
import { evalFlexId, rememberFlexId } from "./reservation.ts";

/**
 * Kea's flex_id `pkt4_receive` callout: when the hook is loaded with `replace-client-id: true` and its expression
 * gives a non-empty flex-id for this query, returns the exchange with option 61 replaced by 0x00 + flex-id (and
 * the client identified anew), plus the client's original option 61 (undefined when it sent none). Returns
 * undefined when nothing is replaced. The flex-id computed here is the one the host lookup uses (Kea keeps it in
 * the callout context).
 */
export function replaceClientId(ex: Exchange): { ex: Exchange; original?: Uint8Array } | undefined {
  const flex = ex.ctx.config.flexId;
  if (!flex?.replaceClientId) return undefined;
  const id = evalFlexId(ex);
  if (!id) return undefined;
  const cid = new Uint8Array(id.length + 1);
  cid.set(id, 1);
  const options = new Map(ex.query.options);
  options.set(Opt.CLIENT_ID, cid);
  const query = { ...ex.query, options };
  rememberFlexId(query, toColonHex(id));
  const out: { ex: Exchange; original?: Uint8Array } = { ex: { ...ex, query, client: identifyClient(query) } };
  const original = ex.query.options.get(Opt.CLIENT_ID);
  if (original) out.original = original;
  return out;
}

/**
 * Kea's flex_id `pkt4_send` callout: the reply's option 61 (the flex-id based one, when echoed) is removed and
 * the client's own option 61 put back when it sent one. Outcomes without a reply are returned unchanged.
 */
export function restoreClientId(out: Outcome, original: Uint8Array | undefined): Outcome {
  if (out.kind !== "reply") return out;
  out.reply.options.delete(Opt.CLIENT_ID);
  if (original) out.reply.options.set(Opt.CLIENT_ID, original);
  return out;
}
