/**
 * Kea's BOOTP hook, libdhcp_bootp.so, built into the pure engine (Kea ARM "bootp: Support for BOOTP Clients";
 * Kea 2.2's bootp_callouts.cc, read for this): with the hook named in `hooks-libraries`,
 *
 * - `buffer4_receive`: a BOOTREQUEST without a DHCP message type (option 53) is a BOOTP query (RFC 951 with the
 *   RFC 1497 vendor extensions; a packet without the magic cookie fails to decode, as in Kea). It joins the
 *   built-in class `BOOTP` before classification and is handled as a DHCPREQUEST (Kea sets option 53 on it), so it
 *   counts in `pkt4-request-received`, takes the REQUEST path (a fresh allocation when ciaddr is 0) and may be
 *   steered by `client-class: "BOOTP"` guards;
 * - the lease is granted for an infinite lifetime (INFINITE_LIFETIME, 0xffffffff: Kea's `AllocEngine::getValidLft`
 *   for the class; grant.ts);
 * - `pkt4_send`: the DHCP-specific options of RFC 1533 §9 (50–59 and 61) are removed from the reply, which leaves
 *   as a BOOTREPLY without option 53 (the encoder pads every reply to BOOTP's 300 octets).
 *
 * Without the hook a query without option 53 is dropped as kea-dhcp4 2.2 drops it (handle4.ts: DHCP4_PACKET_DROP_0009,
 * `pkt4-unknown-received`, `pkt4-receive-drop`).
 */
import { MsgType, Opt, type Packet4 } from "../../packet4/packet.ts";
import type { Dhcp4Config } from "../../config/model.ts";
import { BOOTP_HOOK } from "../../config/defaults.ts";
import type { Outcome } from "./types.ts";

/** Kea's built-in class of BOOTP queries (set by the hook before classification). */
export const BOOTP_CLASS = "BOOTP";

/** The DHCP-specific options of RFC 1533 §9 that Kea's pkt4_send callout deletes from a BOOTP reply. */
export const DHCP_SPECIFIC_OPTIONS: readonly number[] = [
  Opt.REQUESTED_ADDRESS, // 50
  Opt.LEASE_TIME, // 51
  Opt.OVERLOAD, // 52
  Opt.MESSAGE_TYPE, // 53
  Opt.SERVER_ID, // 54
  Opt.PARAM_REQUEST_LIST, // 55
  Opt.MESSAGE, // 56
  Opt.MAX_MESSAGE_SIZE, // 57
  Opt.RENEWAL_TIME, // 58
  Opt.REBINDING_TIME, // 59
  Opt.CLIENT_ID, // 61
];

/** True when the configuration loads libdhcp_bootp.so (by file name, whatever its directory). */
export function bootpEnabled(config: Dhcp4Config): boolean {
  return config.hooks.some((h) => h === BOOTP_HOOK || h.endsWith(`/${BOOTP_HOOK}`));
}

/**
 * The hook's `buffer4_receive`: a BOOTREQUEST (op 1) carrying no option 53 becomes the same query with option 53
 * set to DHCPREQUEST (a copy: the received packet is left as it came); undefined for every other packet, or when the
 * hook is not loaded.
 */
export function asBootpRequest(query: Packet4, config: Dhcp4Config): Packet4 | undefined {
  if (query.op !== 1 || query.options.has(Opt.MESSAGE_TYPE) || !bootpEnabled(config)) return undefined;
  const options = new Map(query.options);
  options.set(Opt.MESSAGE_TYPE, new Uint8Array([MsgType.REQUEST]));
  return { ...query, options };
}

/**
 * The hook's `pkt4_send`: removes the DHCP-specific options from the reply of a BOOTP query (an ACK with the
 * address, or a NAK that becomes an empty BOOTREPLY, as Kea sends it) and adds Kea's BOOTP_BOOTP_QUERY debug line;
 * the outcome carries the query as a DHCPREQUEST (`query`), which later hooks (run_script) see, as in Kea.
 */
export function asBootpReply(out: Outcome, query: Packet4, label: string): Outcome {
  out.log.unshift({ id: "BOOTP_BOOTP_QUERY", text: `recognized a BOOTP query: ${label}`, debug: true });
  out.query = query;
  if (out.kind !== "reply") return out;
  for (const code of DHCP_SPECIFIC_OPTIONS) out.reply.options.delete(code);
  return out;
}
