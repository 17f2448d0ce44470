/**
 * Kea's `store-extended-info` for DHCPv4 leases (Kea 2.2 `AllocEngine::updateLease4ExtendedInfo`): when the subnet
 * asks for it and the query carries a Relay Agent Information option (82, RFC 3046), the lease's user context gets
 * `"ISC": { "relay-agent-info": "0x<option payload, upper-case hex>" }`, replacing an older `ISC` entry and keeping
 * the rest of the context. Lease queries and the lease commands then see which relay, circuit and remote id served
 * the client.
 */

/** Upper-case hex of `bytes` with Kea's "0x" prefix (Kea's `Option::toHexString`); "" for no bytes. */
export function keaHex(bytes: Uint8Array): string {
  if (bytes.length === 0) return "";
  let s = "0x";
  for (const b of bytes) s += b.toString(16).toUpperCase().padStart(2, "0");
  return s;
}

/**
 * The lease's user context with the relay agent information of the query (`rai`: option 82's payload), or the
 * context unchanged when there is none.
 */
export function withRelayAgentInfo(
  context: Record<string, unknown> | undefined,
  rai: Uint8Array | undefined,
): Record<string, unknown> | undefined {
  if (!rai || rai.length === 0) return context;
  return { ...(context ?? {}), ISC: { "relay-agent-info": keaHex(rai) } };
}
