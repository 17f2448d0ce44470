/**
 * DDNS part of the Dhcp4 compiler: the `dhcp-ddns` block with Kea's defaults, and the `ddns-*` keys resolved
 * global → subnet → pool as Kea's `DdnsParams` inherit them. The host name character set is checked here, once, so
 * the engine can build its regular expression without failing.
 */

import { DDNS_DEFAULTS, DHCP_DDNS_DEFAULTS } from "./defaults.ts";
import type { JsonPath, Problems } from "./errors.ts";
import type { DdnsParams, DhcpDdnsSpec } from "./model.ts";
import type { DdnsScopeIn, DhcpDdnsIn } from "./schema_ddns.ts";

/**
 * Compiles `dhcp-ddns` (Kea's D2ClientConfig): absent keys take Kea's defaults (updates off, D2 at
 * 127.0.0.1:53001, any sender address and port, a 1024-entry queue, UDP/JSON).
 */
export function compileDhcpDdns(d: DhcpDdnsIn | undefined): DhcpDdnsSpec {
  const c = d ?? {};
  const D = DHCP_DDNS_DEFAULTS;
  return {
    enableUpdates: c["enable-updates"] ?? D["enable-updates"],
    serverIp: c["server-ip"] ?? D["server-ip"],
    serverPort: c["server-port"] ?? D["server-port"],
    senderIp: c["sender-ip"] ?? D["sender-ip"],
    senderPort: c["sender-port"] ?? D["sender-port"],
    maxQueueSize: c["max-queue-size"] ?? D["max-queue-size"],
    ncrProtocol: "UDP",
    ncrFormat: "JSON",
  };
}

/** Kea 2.2's deprecated `dhcp-ddns` keys and the global keys they moved to (srv_config.cc moveDdnsParams). */
const MOVED = [
  ["override-no-update", "ddns-override-no-update"],
  ["override-client-update", "ddns-override-client-update"],
  ["replace-client-name", "ddns-replace-client-name"],
  ["generated-prefix", "ddns-generated-prefix"],
  ["qualifying-suffix", "ddns-qualifying-suffix"],
  ["hostname-char-set", "hostname-char-set"],
  ["hostname-char-replacement", "hostname-char-replacement"],
] as const;

/**
 * Kea 2.2's `SrvConfig::moveDdnsParams`: each deprecated key inside `dhcp-ddns` becomes its global `ddns-*` key
 * when the map sets none ("dhcp-ddns:X is deprecated, moving it to global:Y"), and is ignored when it does ("…
 * using existing global:Y"); either way the message is recorded as a warning at the deprecated key. Returns the
 * map with the moves applied (the input is not modified).
 */
export function moveDeprecatedDdns<T extends Record<string, unknown> & { "dhcp-ddns"?: DhcpDdnsIn }>(
  d: T,
  root: "Dhcp4" | "Dhcp6",
  problems: Problems,
): T {
  const dd = d["dhcp-ddns"] as Record<string, unknown> | undefined;
  if (!dd || !MOVED.some(([from]) => dd[from] !== undefined)) return d;
  const out: Record<string, unknown> = { ...d };
  const rest: Record<string, unknown> = { ...dd };
  for (const [from, to] of MOVED) {
    if (dd[from] === undefined) continue;
    delete rest[from];
    if (d[to] === undefined) {
      out[to] = dd[from];
      problems.warn([root, "dhcp-ddns", from], `dhcp-ddns:${from} is deprecated, moving it to global:${to}`, true);
    } else {
      problems.warn([root, "dhcp-ddns", from], `dhcp-ddns:${from} is deprecated, using existing global:${to}`, true);
    }
  }
  out["dhcp-ddns"] = rest;
  return out as T;
}

/** Kea's defaults as a DdnsParams (the outermost scope). */
export function defaultDdnsParams(): DdnsParams {
  const D = DDNS_DEFAULTS;
  return {
    sendUpdates: D["ddns-send-updates"],
    overrideNoUpdate: D["ddns-override-no-update"],
    overrideClientUpdate: D["ddns-override-client-update"],
    replaceClientName: D["ddns-replace-client-name"],
    generatedPrefix: D["ddns-generated-prefix"],
    qualifyingSuffix: D["ddns-qualifying-suffix"],
    updateOnRenew: D["ddns-update-on-renew"],
    conflictResolutionMode: D["ddns-conflict-resolution-mode"],
    hostnameCharSet: D["hostname-char-set"],
    hostnameCharReplacement: D["hostname-char-replacement"],
  };
}

/** True when a scope sets at least one DDNS key (a pool without any keeps its subnet's parameters). */
export function hasDdnsKeys(scope: Record<string, unknown>): boolean {
  return Object.keys(scope).some((k) => k.startsWith("ddns-") || k.startsWith("hostname-char-"));
}

/**
 * Lays one scope's DDNS keys over the enclosing scope's parameters (Kea: pool → subnet → shared network → global).
 * `ddns-conflict-resolution-mode` wins over the legacy `ddns-use-conflict-resolution` (true → check-with-dhcid,
 * false → no-check-with-dhcid) in the same scope. A hostname-char-set that is not a valid regular expression or
 * a `ddns-ttl-min` above `ddns-ttl-max` is recorded at its path. A TTL key set to 0 unsets an inherited value, as in Kea.
 */
export function compileDdnsParams(
  outer: DdnsParams,
  s: DdnsScopeIn,
  base: JsonPath,
  problems: Problems,
): DdnsParams {
  const legacy = s["ddns-use-conflict-resolution"];
  const mode = s["ddns-conflict-resolution-mode"] ??
    (legacy === undefined ? outer.conflictResolutionMode : legacy ? "check-with-dhcid" : "no-check-with-dhcid");
  const out: DdnsParams = {
    sendUpdates: s["ddns-send-updates"] ?? outer.sendUpdates,
    overrideNoUpdate: s["ddns-override-no-update"] ?? outer.overrideNoUpdate,
    overrideClientUpdate: s["ddns-override-client-update"] ?? outer.overrideClientUpdate,
    replaceClientName: (s["ddns-replace-client-name"] as DdnsParams["replaceClientName"] | undefined) ??
      outer.replaceClientName,
    generatedPrefix: s["ddns-generated-prefix"] ?? outer.generatedPrefix,
    qualifyingSuffix: s["ddns-qualifying-suffix"] ?? outer.qualifyingSuffix,
    updateOnRenew: s["ddns-update-on-renew"] ?? outer.updateOnRenew,
    conflictResolutionMode: mode,
    hostnameCharSet: s["hostname-char-set"] ?? outer.hostnameCharSet,
    hostnameCharReplacement: s["hostname-char-replacement"] ?? outer.hostnameCharReplacement,
  };
  const ttl = (key: "ddns-ttl-percent" | "ddns-ttl" | "ddns-ttl-min" | "ddns-ttl-max", prev?: number) => {
    const v = s[key];
    return v === undefined ? prev : v === 0 ? undefined : v;
  };
  const pct = ttl("ddns-ttl-percent", outer.ttlPercent);
  const fixed = ttl("ddns-ttl", outer.ttl);
  const min = ttl("ddns-ttl-min", outer.ttlMin);
  const max = ttl("ddns-ttl-max", outer.ttlMax);
  if (pct !== undefined) out.ttlPercent = pct;
  if (fixed !== undefined) out.ttl = fixed;
  if (min !== undefined) out.ttlMin = min;
  if (max !== undefined) out.ttlMax = max;
  if (min !== undefined && max !== undefined && min > max) {
    problems.add([...base, "ddns-ttl-min"], `ddns-ttl-min (${min}) is greater than ddns-ttl-max (${max})`);
  }
  if (s["hostname-char-set"] !== undefined && out.hostnameCharSet !== "") {
    try {
      new RegExp(out.hostnameCharSet, "g");
    } catch (e) {
      problems.add(
        [...base, "hostname-char-set"],
        `'${out.hostnameCharSet}' is not a valid regular expression: ${(e as Error).message}`,
      );
    }
  }
  return out;
}
