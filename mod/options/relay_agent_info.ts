/**
 * The Relay Agent Information option (82, RFC 3046 §2.0): a list of sub-options (code, length, value) whose
 * meanings live in space "dhcp-agent-options-space" (see std_agent.ts). The engine reads circuit-id (1),
 * remote-id (2), link-selection (5), server-id-override (11), relay-port (19) … and echoes the option in replies.
 */
import { DecodeError } from "../wire/errors.ts";

/**
 * Splits an option 82 payload into its sub-options, in wire order. A sub-option cut short throws a
 * {@link DecodeError} with its offset inside the payload (Kea cannot unpack such an option and drops the query).
 * A repeated sub-option code keeps its first value (RFC 3046 defines each sub-option once).
 */
export function parseRelayAgentInfo(payload: Uint8Array): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  let i = 0;
  while (i < payload.length) {
    const code = payload[i];
    if (i + 1 >= payload.length) throw new DecodeError(`truncated relay agent sub-option ${code}: no length byte`, i);
    const len = payload[i + 1];
    if (i + 2 + len > payload.length) {
      throw new DecodeError(`truncated relay agent sub-option ${code}: length ${len} runs past the option`, i);
    }
    if (!out.has(code)) out.set(code, payload.slice(i + 2, i + 2 + len));
    i += 2 + len;
  }
  return out;
}

/**
 * Builds an option 82 payload from sub-options, in the map's order (RFC 3046 §2.0). A sub-option over 255 bytes
 * cannot be expressed and throws a RangeError naming it.
 */
export function encodeRelayAgentInfo(subs: Map<number, Uint8Array>): Uint8Array {
  let n = 0;
  for (const [code, v] of subs) {
    if (v.length > 255) throw new RangeError(`relay agent sub-option ${code} is ${v.length} bytes; at most 255 fit`);
    n += 2 + v.length;
  }
  const out = new Uint8Array(n);
  let o = 0;
  for (const [code, v] of subs) {
    out[o] = code;
    out[o + 1] = v.length;
    out.set(v, o + 2);
    o += 2 + v.length;
  }
  return out;
}
