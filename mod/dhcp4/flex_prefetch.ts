/**
 * The flex-id of each query of a receive batch, for the host database lookup that runs before the engine (issue
 * 15): the flex-id hook's `identifier-expression` (Kea's libdhcp_flex_id.so `host4_identifier` callout) evaluated
 * on the decoded query, as the engine's reservation.ts evaluates it (with the class ALL only: the batch is fetched
 * before classification). A query that does not decode, or whose value is empty or fails to evaluate, adds nothing.
 * Pure.
 */
import { decode4 } from "../packet4/codec.ts";
import { evalString } from "../classify/evaluate.ts";
import type { StrExpr } from "../classify/expr/ast.ts";
import { toColonHex } from "../wire/addr.ts";
import { hostKey } from "../config/host_ids4.ts";
import type { Datagram } from "./server_ports.ts";

const ALL_ONLY: ReadonlySet<string> = new Set(["ALL"]);

/** The (host key, colon-hex value) of each query's flex-id (see the file comment). */
export function flexIdKeys(batch: readonly Datagram[], expr: StrExpr): { key: string; value: string }[] {
  const out: { key: string; value: string }[] = [];
  for (const d of batch) {
    let v: string;
    try {
      const query = decode4(d.data);
      v = evalString(expr, { query, iface: d.iface, src: d.srcAddr, dst: d.dstAddr, classes: ALL_ONLY });
    } catch {
      continue; // undecodable, or the expression failed (EvalError): no flex-id, as in the engine
    }
    if (v === "") continue;
    const b = new Uint8Array(v.length);
    for (let i = 0; i < v.length; i++) b[i] = v.charCodeAt(i);
    const value = toColonHex(b);
    out.push({ key: hostKey("flex-id", value), value });
  }
  return out;
}
