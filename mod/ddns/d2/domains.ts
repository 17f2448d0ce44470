/**
 * Choosing the DDNS domain for a name (Kea's `DdnsDomainListMgr::matchDomain`): case-insensitive longest suffix on
 * a label boundary, with `"*"` as the fallback; and reverse names for IPv4 (RFC 1035 §3.5, in-addr.arpa) and IPv6
 * (RFC 3596 §2.5, ip6.arpa nibbles).
 */
import { parseIpv4 } from "../../wire/addr.ts";
import { parseIpv6 } from "../dns/ipv6.ts";
import { canonicalName } from "../dns/name.ts";
import type { D2Domain } from "../../config/model_d2.ts";

/**
 * The domain whose name is the longest suffix of `fqdn` on a label boundary ("onetwo.net." does not match
 * "two.net."), ignoring case; the `"*"` domain when none matches; undefined when there is neither (Kea logs
 * DHCP_DDNS_NO_FWD_MATCH_ERROR / NO_REV_MATCH_ERROR and fails that direction).
 */
export function matchDomain(domains: readonly D2Domain[], fqdn: string): D2Domain | undefined {
  const name = canonicalName(fqdn);
  let best: D2Domain | undefined;
  let wildcard: D2Domain | undefined;
  for (const d of domains) {
    if (d.name === "*") {
      wildcard ??= d;
      continue;
    }
    const zone = canonicalName(d.name);
    const hit = zone === "." || name === zone || name.endsWith("." + zone);
    if (hit && (!best || zone.length > canonicalName(best.name).length)) best = d;
  }
  return best ?? wildcard;
}

/**
 * The reverse-lookup name of an address: "7.1.18.198.in-addr.arpa." for 198.18.1.7 (RFC 1035 §3.5), 32 nibbles
 * under ip6.arpa. for IPv6 (RFC 3596 §2.5). Throws for text that is not an address.
 */
export function reverseName(ip: string): string {
  const v4 = parseIpv4(ip);
  if (v4 !== undefined) {
    return `${v4 & 0xff}.${(v4 >>> 8) & 0xff}.${(v4 >>> 16) & 0xff}.${v4 >>> 24}.in-addr.arpa.`;
  }
  const v6 = parseIpv6(ip);
  if (!v6) throw new Error(`cannot make a reverse name: "${ip}" is not an IP address`);
  const nibbles: string[] = [];
  for (let i = 15; i >= 0; i--) nibbles.push((v6[i] & 0xf).toString(16), (v6[i] >>> 4).toString(16));
  return nibbles.join(".") + ".ip6.arpa.";
}
