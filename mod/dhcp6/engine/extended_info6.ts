/**
 * Kea's `store-extended-info` for DHCPv6 leases (Kea 2.2 `AllocEngine::updateLease6ExtendedInfo`): when the subnet
 * asks for it and the query came through relays, the lease's user context gets `"ISC": { "relays": [ { "hop",
 * "link", "peer", "options": "0x…" } ] }`, one entry per relay, the one closest to the server first as Kea keeps
 * them; the relay's options are packed as on the wire (code, length, data) and left out when it has none.
 */
import { formatIpv6Big } from "../../config/addr6.ts";
import type { Relay6 } from "../../packet6/packet.ts";
import { keaHex } from "../../dhcp4/engine/extended_info.ts";

function ip6Text(b: Uint8Array): string {
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return formatIpv6Big(v);
}

/** The lease's user context with the query's relay chain, or the context unchanged without relays. */
export function withRelayInfo6(
  context: Record<string, unknown> | undefined,
  relays: readonly Relay6[],
): Record<string, unknown> | undefined {
  if (relays.length === 0) return context;
  const list = relays.map((r) => {
    const e: Record<string, unknown> = { hop: r.hopCount, link: ip6Text(r.linkAddress), peer: ip6Text(r.peerAddress) };
    if (r.options.length) {
      const len = r.options.reduce((n, o) => n + 4 + o.data.length, 0);
      const buf = new Uint8Array(len);
      let at = 0;
      for (const o of r.options) {
        buf.set([o.code >> 8, o.code & 255, o.data.length >> 8, o.data.length & 255], at);
        buf.set(o.data, at + 4);
        at += 4 + o.data.length;
      }
      e.options = keaHex(buf);
    }
    return e;
  });
  return { ...(context ?? {}), ISC: { relays: list } };
}
