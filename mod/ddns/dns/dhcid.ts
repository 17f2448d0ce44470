/**
 * DHCID RR rdata (RFC 4701 §3): identifier-type (2 octets), digest-type (1 = SHA-256), then
 * SHA-256(identifier || FQDN in canonical wire form). Used by the DHCP side to fill an NCR's `dhcid` and by tests.
 */
import { Digest } from "./digest.ts";
import { nameToWire } from "./name.ts";

/** One SHA-256 state reused for every DHCID (the pure digest.ts, not node:crypto: no Node layer in a server). */
const SHA256 = new Digest("sha256");

/** RFC 4701 §3.3 identifier types. */
export const DhcidType = {
  /** htype (1 octet) followed by chaddr */
  HWADDR: 0,
  /** DHCPv4 client identifier option payload */
  CLIENT_ID: 1,
  /** DHCPv6 DUID (also a v4 client-id of RFC 4361 form, type 255) */
  DUID: 2,
} as const;

/**
 * Computes DHCID rdata (RFC 4701 §3.3–3.5). `identifier` is the raw identifier: for type 0 it must already start
 * with the htype octet. The FQDN is lower-cased and made absolute before hashing (canonical wire form, §3.5).
 */
export function computeDhcid(idType: number, identifier: Uint8Array, fqdn: string): Uint8Array {
  const out = new Uint8Array(3 + 32);
  out[0] = idType >>> 8;
  out[1] = idType & 0xff;
  out[2] = 1;
  SHA256.reset().update(identifier).update(nameToWire(fqdn, true)).digestInto(out, 3);
  return out;
}

/**
 * DHCID for a DHCPv4 client the way Kea chooses its identifier: the client-id when one was sent (type 1; a
 * client-id starting with 255 is RFC 4361's IAID+DUID, so its DUID from byte 5 on is used as type 2), else
 * htype + chaddr (type 0).
 */
export function dhcidForV4(
  htype: number,
  chaddr: Uint8Array,
  clientId: Uint8Array | undefined,
  fqdn: string,
): Uint8Array {
  if (clientId && clientId.length > 0) {
    if (clientId[0] === 255 && clientId.length > 5) return computeDhcid(DhcidType.DUID, clientId.subarray(5), fqdn);
    return computeDhcid(DhcidType.CLIENT_ID, clientId, fqdn);
  }
  return computeDhcid(DhcidType.HWADDR, new Uint8Array([htype, ...chaddr]), fqdn);
}
