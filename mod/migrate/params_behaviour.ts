/**
 * dhcpd parameters that describe server behaviour rather than data, translated to what Kea 2.2 does with the same
 * intent (each choice written as a `///` note next to it), or to nothing where Kea already behaves that way:
 *
 * - `log-facility F` → `loggers` writing to `syslog:F` (Kea ARM "Logging": output `syslog:FACILITY`);
 * - `one-lease-per-client`, `deny duplicates`, `allow booting`, `allow unknown-clients`, `deny|ignore bootp`,
 *   `use-host-decl-names on`: Kea's default behaviour (one lease per client and subnet, found by hardware address or
 *   client-id; every client served; BOOTP ignored without its hook; a reservation's hostname is the host
 *   declaration's name), so nothing is written;
 * - `deny unknown-clients` in a subnet or shared network → `client-class: "KNOWN"` on it (Kea's built-in class of
 *   clients with a reservation);
 * - `update-conflict-detection` → `ddns-use-conflict-resolution`; `update-optimization off` →
 *   `ddns-update-on-renew: true` (dhcpd skips the DNS update of an unchanged lease only with it on);
 * - `ddns-hostname "NAME"` in a host → the reservation's hostname; the common
 *   `ddns-hostname = pick(option fqdn.hostname, option host-name, concat("PREFIX", binary-to-ascii(10, 8, "-",
 *   leased-address)))` → `ddns-replace-client-name: "when-not-present"` with `ddns-generated-prefix` (Kea names a
 *   client that sent none PREFIX-a-b-c-d, as that expression does).
 */

import type { Node } from "./ast.ts";
import type { Ctx } from "./context.ts";
import { JArr, type JObj, jobj } from "./emit.ts";
import { tokensText } from "./parse_misc.ts";

const NET = new Set(["global", "shared", "subnet"]);
const PICK =
  /^pick(?:-first-value)?\s*\((?:\s*option\s+(?:fqdn\.hostname|host-name)\s*,)+\s*concat\s*\(\s*"([A-Za-z0-9-]*)"\s*,\s*binary-to-ascii\s*\(\s*10\s*,\s*8\s*,\s*"-"\s*,\s*leased-address\s*\)\s*\)\s*\)$/;

/** Translates the parameters listed in the module comment; returns false for any other parameter. */
export function applyBehaviour(node: Node & { k: "param" }, target: JObj, level: string, ctx: Ctx): boolean {
  const a = node.args.map((t) => t.text.toLowerCase());
  const on = a[0] === undefined || a[0] === "on" || a[0] === "true";
  const nothing = (why: string) => {
    ctx.note(node.loc, `${node.name}${a.length ? " " + a.join(" ") : ""}: ${why}`);
    return true;
  };
  switch (node.name) {
    case "log-facility": {
      if (level !== "global" || !a[0]) return false;
      const name = ctx.v6 ? "kea-dhcp6" : "kea-dhcp4";
      const out = jobj({ output: `syslog:${a[0]}` });
      ctx.dhcp.set("loggers", new JArr().push(jobj({ name, output_options: new JArr().push(out), severity: "INFO" })), [
        `from: log-facility ${a[0]} (dhcpd logs to syslog with that facility; so does this logger)`,
      ]);
      return true;
    }
    case "one-lease-per-client":
      return nothing("Kea keeps one lease per client and subnet already");
    case "use-host-decl-names":
      return on ? nothing("the reservations carry the host declaration's name as their hostname") : false;
    case "update-conflict-detection":
      if (!NET.has(level)) return false;
      target.set("ddns-use-conflict-resolution", on, [`from: update-conflict-detection ${on}`]);
      return true;
    case "update-optimization":
      if (!NET.has(level)) return false;
      if (on) return nothing("Kea does not update DNS on a renewal by default either");
      target.set("ddns-update-on-renew", true, ["from: update-optimization off (update DNS on every renewal)"]);
      return true;
    case "allow":
    case "deny":
    case "ignore": {
      const what = a.join(" ");
      const allow = node.name === "allow";
      if (what === "duplicates" && !allow) {
        return nothing("Kea finds a client's lease by hardware address or client-id");
      }
      if (what === "duplicates" || (what === "booting" && allow) || (what === "unknown-clients" && allow)) {
        return nothing("that is Kea's default");
      }
      if (what === "bootp" && !allow) return nothing("Kea ignores BOOTP requests unless its bootp hook is loaded");
      if (what === "bootp" && ctx.bootp) return nothing("libdhcp_bootp.so is loaded (hooks-libraries)");
      if (what === "unknown-clients" && (level === "subnet" || level === "shared")) {
        target.set("client-class", "KNOWN", [`from: ${node.name} unknown-clients (only clients with a reservation)`]);
        return true;
      }
      return false;
    }
    case "ddns-hostname": {
      if (level === "host" && node.args.length === 1 && node.args[0].kind === "string") {
        target.set("hostname", node.args[0].text, ["from: ddns-hostname"]);
        return true;
      }
      const m = PICK.exec(tokensText(node.args).replace(/\s+/g, " "));
      if (!m || !NET.has(level)) return false;
      target.set("ddns-replace-client-name", "when-not-present", [`from: ddns-hostname = ${tokensText(node.args)}`]);
      if (m[1].replace(/-$/, "") !== "") target.set("ddns-generated-prefix", m[1].replace(/-$/, ""));
      return true;
    }
  }
  return false;
}
