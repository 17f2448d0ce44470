/**
 * IPv6 text for DNS: the shared parser of mod/wire/ipv6.ts, with a zone ("fe80::1%eth0", as an NCR or a server
 * address may carry one) stripped first, since a zone never appears in DNS data.
 */
import { formatIpv6, parseIpv6 as parseBare } from "../../wire/ipv6.ts";

export { formatIpv6 };

/** Parses an IPv6 address ("2001:db8::1", "::ffff:192.0.2.1", "fe80::1%eth0") into 16 bytes, or undefined. */
export function parseIpv6(text: string): Uint8Array | undefined {
  const t = text.trim();
  const pct = t.indexOf("%");
  return parseBare(pct >= 0 ? t.slice(0, pct) : t);
}
