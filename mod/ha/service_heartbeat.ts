/**
 * Reading the partner's `ha-heartbeat` answer (Kea's HAService::asyncSendHeartbeat response handler): result 0 with
 * `state` (a known HA state), `date-time` (RFC 1123), `scopes` (a list of names) and, since Kea 2.0,
 * `unsent-update-count`. Anything else is a failed heartbeat, described for the log. Pure.
 */
import type { PartnerReport } from "./state_machine.ts";
import type { PeerAnswer } from "./peer_client.ts";
import { HA_STATES, type HaState } from "../config/model_ha.ts";

/**
 * The partner report in a heartbeat answer, or the reason the answer is not one (Kea logs
 * HA_HEARTBEAT_COMMUNICATIONS_FAILED and marks the partner unavailable in both cases).
 */
export function parseHeartbeatAnswer(a: PeerAnswer): PartnerReport | string {
  if (a.result !== 0) return `the partner answered ha-heartbeat with result ${a.result}: ${a.text ?? "no text"}`;
  const args = a.arguments ?? {};
  const state = args.state;
  if (typeof state !== "string" || !HA_STATES.includes(state as HaState)) {
    return `the partner's ha-heartbeat answer has no valid 'state' (got ${JSON.stringify(state)})`;
  }
  const dateTime = args["date-time"];
  if (typeof dateTime !== "string") return "the partner's ha-heartbeat answer has no 'date-time' string";
  const scopes = args.scopes ?? [];
  if (!Array.isArray(scopes) || scopes.some((s) => typeof s !== "string")) {
    return "the partner's ha-heartbeat answer has a 'scopes' that is not a list of names";
  }
  const unsent = args["unsent-update-count"] ?? 0;
  if (typeof unsent !== "number" || !Number.isInteger(unsent) || unsent < 0) {
    return "the partner's ha-heartbeat answer has an 'unsent-update-count' that is not a count";
  }
  return { state: state as HaState, dateTime, scopes: scopes as string[], unsentUpdateCount: unsent };
}
