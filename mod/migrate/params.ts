/**
 * dhcpd parameters and option data → Kea members of a global, shared-network, subnet, pool, reservation or
 * client-class scope. The mapping is keama's (confparse.c): default-lease-time → valid-lifetime,
 * ignore-client-uids → match-client-id, filename → boot-file-name, server-name → server-hostname,
 * ddns-domainname → ddns-qualifying-suffix, …; what Kea 2.2 does not accept at that scope, or at all, is commented
 * out with the reason and counted.
 */

import type { Node } from "./ast.ts";
import type { Ctx } from "./context.ts";
import { JArr, JObj, type JVal } from "./emit.ts";
import { MigrateError, type Token } from "./lexer.ts";
import { tokensText } from "./parse_misc.ts";
import { applyBehaviour } from "./params_behaviour.ts";

/** The Kea scope a parameter lands in. */
export type Level = "global" | "shared" | "subnet" | "pool" | "host" | "class";

const NET = [
  "valid-lifetime",
  "min-valid-lifetime",
  "max-valid-lifetime",
  "ddns-send-updates",
  "ddns-qualifying-suffix",
  "ddns-override-client-update",
  "interface",
];
const NET4 = ["authoritative", "match-client-id", "next-server", "boot-file-name", "server-hostname"];
const NET6 = ["preferred-lifetime", "min-preferred-lifetime", "max-preferred-lifetime"];
const BOOT4 = ["next-server", "boot-file-name", "server-hostname"];

/** Whether Kea 2.2 accepts `key` at `level` (Kea ARM, Dhcp4/Dhcp6 syntax); checked before writing a member. */
export function allowed(key: string, level: Level, v6: boolean): boolean {
  switch (level) {
    case "global":
      return key !== "interface" && (NET.includes(key) || (v6 ? NET6 : NET4).includes(key));
    case "shared":
    case "subnet":
      return NET.includes(key) || (v6 ? NET6 : NET4).includes(key);
    case "class":
      return ["valid-lifetime", "min-valid-lifetime", "max-valid-lifetime"].includes(key) ||
        (!v6 && BOOT4.includes(key)) || (v6 && NET6.includes(key));
    case "host":
      return !v6 && BOOT4.includes(key);
    case "pool":
      return false;
  }
}

const IGNORED: Record<string, string> = {
  "dynamic-bootp-lease-length": "bootp protocol is not supported",
  "boot-unknown-clients": "bootp protocol is not supported",
  "min-secs": "min-secs is not (yet?) supported",
  "lease-file-name": "lease-file-name is an internal ISC DHCP feature",
  "pid-file-name": "pid-file-name is an internal ISC DHCP feature",
  "dhcpv6-lease-file-name": "lease-file-name is an internal ISC DHCP feature",
  "local-port": "local-port is not supported: use the command line -p parameter",
  "local-address": "local-address is not supported: Kea selects addresses through interfaces-config",
  "local-address6": "local-address6 is not supported: Kea selects addresses through interfaces-config",
  "omapi-key": "omapi-key is an internal ISC DHCP feature",
  "omapi-port": "OMAPI is replaced by Kea's control channel (control-socket)",
  "limit-addrs-per-ia": "limit-addrs-per-ia is not (yet?) supported",
  "ddns-local-address4": "ddns-local-address4 is not supported: the Kea D2 equivalent is ip-address",
  "ddns-local-address6": "ddns-local-address6 is not supported: the Kea D2 equivalent is ip-address",
  "log-facility": "logging is configured with Kea 'loggers'",
  "db-time-format": "lease time format is an internal ISC DHCP feature",
  "one-lease-per-client": "one-lease-per-client has no Kea equivalent",
  "ping-check": "Kea 2.2 does not ping before offering (the ping_check hook is Kea 2.6+)",
  "ping-timeout": "Kea 2.2 does not ping before offering",
  "ddns-rev-domainname": "Kea takes reverse zones from D2's reverse-ddns domains",
  "ddns-hostname": "expression-computed host names need Kea's DDNS tuning hook",
  "ddns-ttl": "Kea 2.2 derives the DNS TTL from the lease lifetime",
  "update-static-leases": "Kea does not update DNS for static leases",
  "update-optimization": "has no Kea equivalent",
  "update-conflict-detection": "Kea 2.2 always uses conflict detection",
  "get-lease-hostnames": "has no Kea equivalent",
  "use-host-decl-names": "reservations already take their hostname from the host declaration name",
  "server-identifier": "Kea uses the address of the receiving interface as server identifier",
  "stash-agent-options": "has no Kea equivalent",
  "always-broadcast": "has no Kea equivalent",
  "always-reply-rfc1048": "has no Kea equivalent",
  "site-option-space": "site option spaces do not exist in Kea",
  "vendor-option-space": "use option-def with the vendor space instead",
  "dhcp-cache-threshold": "lease caching (Kea cache-threshold) must be set by hand",
  "delayed-ack": "has no Kea equivalent",
  "max-ack-delay": "has no Kea equivalent",
  "abandon-lease-time": "has no Kea equivalent",
  "filename-option": "has no Kea equivalent",
};

function flag(t: Token | undefined): boolean | undefined {
  const v = t?.text.toLowerCase();
  return v === "on" || v === "true" ? true : v === "off" || v === "false" ? false : t === undefined ? true : undefined;
}

function int(args: Token[], node: Node): number {
  const v = Number(args[0]?.text);
  if (!Number.isInteger(v) || v < 0) {
    throw new MigrateError(args[0] ?? node.loc, "expecting a number.", args[0]?.text ?? "");
  }
  return v;
}

function put(ctx: Ctx, target: JObj, level: Level, key: string, value: JVal, node: Node, parentSubnet?: JObj): void {
  if (allowed(key, level, ctx.v6)) {
    target.set(key, value);
    return;
  }
  if (level === "pool" && parentSubnet && allowed(key, "subnet", ctx.v6)) {
    if (!parentSubnet.has(key)) {
      parentSubnet.set(key, value, [`${key} moved from an internal pool scope`]);
      ctx.note(node.loc, `${key} moved from a pool to its subnet`);
      return;
    }
    ctx.off(target, key, value, node.loc, [`${key} from an internal pool scope: the subnet already sets it`]);
    return;
  }
  ctx.off(target, key, value, node.loc, [`${key} in unsupported scope (${level})`]);
}

/**
 * Applies one dhcpd parameter to the Kea object `target` at `level` (keama confparse.c parse_parameter
 * mapping). `parentSubnet` is the enclosing subnet for pool-level parameters that Kea only takes per subnet.
 */
export function applyParam(
  node: Node & { k: "param" },
  target: JObj,
  level: Level,
  ctx: Ctx,
  parentSubnet?: JObj,
): void {
  const a = node.args;
  const text = `${node.name}${a.length ? " " + tokensText(a) : ""}`;
  if (applyBehaviour(node, target, level, ctx)) return;
  switch (node.name) {
    case "default-lease-time":
      return put(ctx, target, level, "valid-lifetime", int(a, node), node, parentSubnet);
    case "min-lease-time":
      return put(ctx, target, level, "min-valid-lifetime", int(a, node), node, parentSubnet);
    case "max-lease-time":
      return put(ctx, target, level, "max-valid-lifetime", int(a, node), node, parentSubnet);
    case "preferred-lifetime":
      ctx.prefLoc = node.loc;
      if (ctx.v6) return put(ctx, target, level, "preferred-lifetime", int(a, node), node, parentSubnet);
      break;
    case "authoritative":
      if (!ctx.v6) return put(ctx, target, level, "authoritative", true, node, parentSubnet);
      ctx.note(node.loc, "authoritative has no meaning in DHCPv6: dropped");
      return;
    case "not":
      if (a[0]?.text === "authoritative") {
        if (!ctx.v6) return put(ctx, target, level, "authoritative", false, node, parentSubnet);
        return;
      }
      break;
    case "ignore-client-uids": {
      const f = flag(a[0]);
      if (!ctx.v6 && f !== undefined) return put(ctx, target, level, "match-client-id", !f, node, parentSubnet);
      break;
    }
    case "next-server":
      if (!ctx.v6 && a[0]) return put(ctx, target, level, "next-server", a[0].text, node, parentSubnet);
      break;
    case "filename":
      if (!ctx.v6 && a[0]) return put(ctx, target, level, "boot-file-name", a[0].text, node, parentSubnet);
      break;
    case "server-name":
      if (!ctx.v6 && a[0]) return put(ctx, target, level, "server-hostname", a[0].text, node, parentSubnet);
      break;
    case "ddns-updates":
    case "ddns-update": {
      const f = flag(a[0]);
      if (f === undefined) break;
      if (level === "global") {
        ctx.dhcp.obj("dhcp-ddns").set("enable-updates", f || ctx.dhcp.obj("dhcp-ddns").get("enable-updates") === true);
      }
      return put(ctx, target, level, "ddns-send-updates", f, node, parentSubnet);
    }
    case "ddns-update-style": {
      const style = a[0]?.text;
      if (level !== "global") {
        ctx.off(target, "ddns-update-style", style ?? "", node.loc, [
          `Unsupported ddns-update-style ${style}`,
          "Only global ddns-update-style is supported",
        ]);
        return;
      }
      const on = style !== "none" && style !== "ad-hoc";
      ctx.dhcp.obj("dhcp-ddns").set("enable-updates", on);
      if (!on) ctx.dhcp.set("ddns-send-updates", false);
      return;
    }
    case "ddns-domainname":
      if (a[0]) {
        if (level === "class" || level === "host" || level === "pool") {
          ctx.off(target, "ddns-qualifying-suffix", a[0].text, node.loc, [
            "Only global, shared-network and subnet qualifying-suffix is supported",
          ]);
          return;
        }
        return put(ctx, target, level, "ddns-qualifying-suffix", a[0].text, node, parentSubnet);
      }
      break;
    case "ignore":
    case "deny":
    case "allow":
      if (a[0]?.text === "client-updates") {
        return put(ctx, target, level, "ddns-override-client-update", node.name !== "allow", node, parentSubnet);
      }
      ctx.off(target, "config", text, node.loc, [`'${text}' has no Kea equivalent at this scope`]);
      return;
    case "failover-ref":
      ctx.note(node.loc, `failover peer ${a[0]?.text}: the pool is served by the HA configuration`);
      return;
  }
  const why = IGNORED[node.name] ?? `unknown parameter or unsupported statement '${node.name}'`;
  ctx.off(target, level === "global" ? "config" : "statement", text, node.loc, [why]);
}

/** The `option-data` array of `target`. */
export function optionData(target: JObj): JArr {
  return target.arr("option-data");
}
