/**
 * The Classless Static Route option (121, RFC 3442 §2), Kea's "internal" type for it: configuration text
 * "10.229.0.128/25 - 10.229.0.1, 10.198.122.47/32 - 10.198.122.1" (subnet/len - router, comma separated, as in
 * Kea's `OptionClasslessStaticRoute`) ⇄ wire descriptors (width byte, significant subnet octets, router).
 */
import { formatIpv4, ipv4At, ipv4Bytes, parseCidr4, parseIpv4 } from "../wire/addr.ts";
import { DecodeError } from "../wire/errors.ts";
import { OptionDataError } from "./types.ts";

/**
 * Encodes routes given as "subnet/len - router" items, already split on commas. Each becomes the mask width, the
 * ceil(len/8) significant octets of the subnet (host bits cleared, RFC 3442 §2 "subnet number"), and the router.
 * An empty list is refused, as Kea refuses it.
 */
export function encodeClasslessRoutes(items: string[]): Uint8Array {
  if (items.length === 0) throw new OptionDataError("no route given (expected 'subnet/len - router, …')");
  const out: number[] = [];
  for (const item of items) {
    const parts = item.split(/\s+-\s+|\s*-\s*(?=\d)/);
    if (parts.length !== 2) {
      throw new OptionDataError(
        `'${item.trim()}' is not a route (expected 'subnet/len - router', e.g. 10.0.0.0/8 - 10.0.0.1)`,
      );
    }
    const net = parseCidr4(parts[0].trim());
    if (!net) throw new OptionDataError(`'${parts[0].trim()}' is not an IPv4 prefix (subnet/len)`);
    const router = parseIpv4(parts[1].trim());
    if (router === undefined) throw new OptionDataError(`'${parts[1].trim()}' is not an IPv4 address`);
    out.push(net.len, ...ipv4Bytes(net.network).subarray(0, Math.ceil(net.len / 8)), ...ipv4Bytes(router));
  }
  return new Uint8Array(out);
}

/**
 * Decodes option 121 wire data into the configuration text form. A width over 32 or a descriptor cut short throws
 * a {@link DecodeError} at its offset within the payload.
 */
export function formatClasslessRoutes(b: Uint8Array): string {
  const items: string[] = [];
  let i = 0;
  while (i < b.length) {
    const len = b[i];
    if (len > 32) throw new DecodeError(`route mask width ${len} is over 32`, i);
    const n = Math.ceil(len / 8);
    if (i + 1 + n + 4 > b.length) throw new DecodeError("truncated route descriptor", i);
    const net = new Uint8Array(4);
    net.set(b.subarray(i + 1, i + 1 + n));
    items.push(`${formatIpv4(ipv4At(net))}/${len} - ${formatIpv4(ipv4At(b, i + 1 + n))}`);
    i += 1 + n + 4;
  }
  return items.join(", ");
}
