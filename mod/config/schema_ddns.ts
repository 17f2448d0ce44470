/**
 * The valibot schema of DDNS in a `Dhcp4` map (Kea's dhcp4 grammar): the `dhcp-ddns` connectivity block and the
 * `ddns-*` / `hostname-char-*` keys that Kea accepts globally, per shared network, subnet and (Kea ≥ 2.7.6) pool.
 * Defaults live in defaults.ts; compile_ddns4.ts resolves inheritance.
 */

import * as v from "valibot";
import { parseIpv4 } from "../wire/addr.ts";
import { annotations, bool, str, strictMap, uint32 } from "./schema_common.ts";

const port = v.pipe(uint32, v.maxValue(65535, "must be a port 0..65535"));

/** An IPv4 or IPv6 address literal (Kea's `server-ip` / `sender-ip` take either). */
const ipAddress = v.pipe(
  str,
  v.check(
    (s) => parseIpv4(s) !== undefined || (/^[0-9a-fA-F:.]+$/.test(s) && s.includes(":")),
    (i) => `'${i.input}' is not an IP address`,
  ),
);

const replaceMode = v.union([
  v.picklist(["never", "always", "when-present", "when-not-present"], ""),
  v.pipe(
    v.boolean(),
    v.check(() => false, "boolean values for the replace-client-name are no longer supported"),
  ),
], 'must be "never", "always", "when-present" or "when-not-present"');

/**
 * Kea 2.2's deprecated spellings inside `dhcp-ddns` (its grammar's `dep_*` rules): the DDNS behaviour keys before
 * they moved to the global and network scopes. compile_ddns4.ts moves each to its global key with Kea's message.
 */
function deprecatedInDhcpDdns() {
  return {
    "override-no-update": v.optional(bool),
    "override-client-update": v.optional(bool),
    "replace-client-name": v.optional(replaceMode),
    "generated-prefix": v.optional(str),
    "qualifying-suffix": v.optional(str),
    "hostname-char-set": v.optional(str),
    "hostname-char-replacement": v.optional(str),
  };
}

/** `dhcp-ddns` (Kea's D2ClientConfig). */
export const dhcpDdns = strictMap({
  "enable-updates": v.optional(bool),
  "server-ip": v.optional(ipAddress),
  "server-port": v.optional(port),
  "sender-ip": v.optional(v.union([v.literal(""), ipAddress], (i) => `'${i.input}' is not an IP address`)),
  "sender-port": v.optional(port),
  "max-queue-size": v.optional(uint32),
  "ncr-protocol": v.optional(v.pipe(
    v.picklist(["UDP", "TCP"], 'must be "UDP" or "TCP"'),
    v.check(
      (p) => p === "UDP",
      'ncr-protocol "TCP" is not supported: Kea and weka send NameChangeRequests over UDP only',
    ),
  )),
  "ncr-format": v.optional(v.picklist(["JSON"], 'must be "JSON" (the only NCR format)')),
  ...deprecatedInDhcpDdns(),
  ...annotations,
}, "must be a map");

const conflictMode = v.picklist(
  ["check-with-dhcid", "no-check-with-dhcid", "check-exists-with-dhcid", "no-check-without-dhcid"],
  'must be "check-with-dhcid", "no-check-with-dhcid", "check-exists-with-dhcid" or "no-check-without-dhcid"',
);

/** The inherited DDNS keys (global, subnet and pool scopes). */
export const ddnsScopedParams = {
  "ddns-send-updates": v.optional(bool),
  "ddns-override-no-update": v.optional(bool),
  "ddns-override-client-update": v.optional(bool),
  "ddns-replace-client-name": v.optional(replaceMode),
  "ddns-generated-prefix": v.optional(str),
  "ddns-qualifying-suffix": v.optional(str),
  "ddns-update-on-renew": v.optional(bool),
  "ddns-use-conflict-resolution": v.optional(bool),
  "ddns-conflict-resolution-mode": v.optional(conflictMode),
  "ddns-ttl-percent": v.optional(v.pipe(
    v.number("must be a number"),
    v.minValue(0, "must be between 0 and 1"),
    v.maxValue(1, "must be between 0 and 1"),
  )),
  "ddns-ttl": v.optional(uint32),
  "ddns-ttl-min": v.optional(uint32),
  "ddns-ttl-max": v.optional(uint32),
  "hostname-char-set": v.optional(str),
  "hostname-char-replacement": v.optional(str),
};

/** A validated `dhcp-ddns` block. */
export type DhcpDdnsIn = v.InferOutput<typeof dhcpDdns>;

/** The DDNS keys of one scope, as validated. */
export type DdnsScopeIn = { [K in keyof typeof ddnsScopedParams]?: v.InferOutput<typeof ddnsScopedParams[K]> };
