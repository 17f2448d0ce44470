/**
 * The URL of an HA peer as Kea 2.2 accepts it (http/url.cc `Url` and the HA check that the host is an address),
 * shared by the config compiler (compile_ha.ts) and whoever connects to the peer (mod/cli/dhcp4_ha.ts).
 */

import { parseIpv4 } from "../wire/addr.ts";
import { parseIpv6Big } from "./addr6.ts";

/** A parsed peer URL. */
export interface HaUrl {
  scheme: "http" | "https";
  /** the address as written (IPv6 without its brackets) */
  host: string;
  /** absent when the URL names none (Kea then uses the scheme's default) */
  port?: number;
}

/**
 * Checks an HA peer URL as Kea's `Url` class and HA's validation do (Kea 2.2): scheme `http` or `https` (lower
 * case), `://`, a host that is an IP literal (IPv6 in brackets), an optional `:port` of digits, an optional path.
 * Returns an error text in Kea's words (the caller adds "invalid URL: … for server <name>"), or the parsed parts.
 */
export function parseHaUrl(url: string): HaUrl | { error: string } {
  const colon = url.indexOf(":");
  if (colon <= 0) return { error: `invalid URL: url ${url} lacks http or https scheme` };
  const scheme = url.slice(0, colon);
  if (scheme !== "http" && scheme !== "https") return { error: `invalid URL: invalid scheme ${scheme} in ${url}` };
  if (url.slice(colon, colon + 3) !== "://") return { error: `invalid URL: expected :// after scheme in ${url}` };
  let at = colon + 3;
  if (at >= url.length) return { error: `invalid URL: hostname missing in ${url}` };
  let host: string;
  if (url[at] === "[") {
    const end = url.indexOf("]", at);
    if (end < 0) return { error: `invalid URL: expected ] after IPv6 address in ${url}` };
    if (end === at + 1) return { error: `invalid URL: expected IPv6 address within [] in ${url}` };
    host = url.slice(at + 1, end);
    if (parseIpv6Big(host) === undefined && parseIpv4(host) === undefined) {
      return { error: `invalid URL: invalid IPv6 address ${host} in ${url}` };
    }
    at = end + 1;
  } else {
    const end = url.slice(at).search(/[:/]/);
    host = end < 0 ? url.slice(at) : url.slice(at, at + end);
    at = end < 0 ? url.length : at + end;
    if (host === "") return { error: `invalid URL: hostname missing in ${url}` };
  }
  let port: number | undefined;
  if (url[at] === ":") {
    const end = url.indexOf("/", at);
    const text = url.slice(at + 1, end < 0 ? url.length : end);
    if (text === "") return { error: `invalid URL: expected port number after : in ${url}` };
    // Kea 2.2 also takes ports above 65535; weka refuses them, no socket can use one
    if (!/^\d+$/.test(text) || Number(text) > 65535) {
      return { error: `invalid URL: invalid port number ${text} in ${url}` };
    }
    port = Number(text);
  }
  // Kea parses the whole URL first, then HA requires the host to be an address
  if (url[colon + 3] !== "[" && parseIpv4(host) === undefined) {
    return { error: `bad url '${url}': Failed to convert string to address '${host}': Invalid argument` };
  }
  return port === undefined ? { scheme, host } : { scheme, host, port };
}
