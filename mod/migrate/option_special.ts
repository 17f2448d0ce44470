/**
 * Option statements that do not map one to one onto a Kea option-data entry, translated the way an operator would
 * by hand (each choice is written as a `///` note next to the result):
 *
 * - dhcpd's `fqdn.*` settings (dhcp-options(5) "THE CLIENT FQDN SUBOPTIONS") are server behaviour, not data:
 *   `fqdn.no-client-update` / `fqdn.server-update` become Kea's `ddns-override-client-update`; the rcode and
 *   encoding flags are what Kea sets by itself (RFC 4702 §2), so they translate into nothing.
 * - DHCPv4 options in a dhcpd6.conf: dhcpd -6 takes `dhcp-renewal-time` / `dhcp-rebinding-time` as T1 / T2 (ISC's
 *   own dhcpd6.conf sample), which are Kea's `renew-timer` / `rebind-timer`; any other DHCPv4 option is meaningless
 *   to a DHCPv6 server and is commented out.
 * - A standard option under another name and type (`option domain-search-list code 119 = text;`): dhcpd sends the
 *   bytes of the declared type, so when Kea's type differs the data is written as those bytes in hex.
 * - An option dhcpd knows and Kea does not (`tftp-server-address`, code 150) gets its option-def.
 * - A sub-option of an encapsulated space also needs its container option in the same scope (Kea ARM "Nested
 *   DHCPv4 Options"), or Kea never sends it: the container's option-data is added (Juniper ZTP's option 43, iPXE's 175).
 */

import type { Node } from "./ast.ts";
import type { Ctx } from "./context.ts";
import { JArr, JObj, jobj } from "./emit.ts";
import { encodeOptionData } from "../options/option_data.ts";
import { findOption4 } from "../options/lookup.ts";
import { findOption6 } from "../options/lookup6.ts";
import type { OptionDataType, OptionDef, RecordFieldType } from "../options/types.ts";
import { hexOf } from "./parse_expr.ts";

type OptionNode = Node & { k: "option" };

/** Kea's standard definition of `code` in the family's main space, or undefined. */
export function keaStd(ctx: Ctx, code: number): OptionDef | undefined {
  return ctx.v6 ? findOption6(code) : findOption4(code);
}

/**
 * Handles the statements described in the module comment that replace the option-data entry; returns true when it
 * did (nothing else is to be written). `level` is the Kea scope of `target` ("global", "subnet", …).
 */
export function specialOption(node: OptionNode, target: JObj, ctx: Ctx, level?: string): boolean {
  const info = node.info;
  if (!info || !node.value) return false;
  if (info.space === "fqdn") {
    const on = node.value.items[0] === "true";
    if (info.name === "no-client-update" || info.name === "server-update") {
      target.set("ddns-override-client-update", on, [`from: option fqdn.${info.name} ${on ? "on" : "off"}`]);
    } else ctx.note(node.loc, `option fqdn.${info.name}: Kea sets this FQDN flag itself (RFC 4702): nothing to write`);
    return true;
  }
  if (ctx.v6 && info.space === "dhcp4") {
    const timer = info.code === 58 ? "renew-timer" : info.code === 59 ? "rebind-timer" : undefined;
    const net = level === "global" || level === "shared" || level === "subnet";
    if (timer && net) {
      target.set(timer, Number(node.value.items[0]), [
        `from: option ${info.name} (dhcpd -6 takes it as T${info.code - 57})`,
      ]);
      return true;
    }
    ctx.off(target, "option-data", `${info.name} ${node.value.items.join(", ")}`, node.loc, [
      `option ${info.name} is a DHCPv4 option: a DHCPv6 server does not send it`,
    ]);
    return true;
  }
  return false;
}

/** The data of an option declared with a standard code but another type: the declared type's bytes, in hex. */
export function aliasHex(node: OptionNode): string | undefined {
  const info = node.info;
  if (!info?.std || !node.value || !node.value.csv) return undefined;
  const d = info.def, s = info.std;
  const same = d.type === s.type && (d.array === s.array || s.array) &&
    (d.recordTypes ?? []).join() === (s.recordTypes ?? []).join();
  if (same) return undefined;
  const def: OptionDef = {
    name: info.name,
    code: info.code,
    type: d.type as OptionDataType,
    array: d.array,
    ...(d.recordTypes ? { recordTypes: d.recordTypes as RecordFieldType[] } : {}),
  };
  const bytes = encodeOptionData(def, node.value.items.join(","), true);
  return hexOf(String.fromCharCode(...bytes));
}

/** Writes the option-def of an option dhcpd knows by name and Kea does not (once per configuration). */
export function ensureDef(node: OptionNode, ctx: Ctx): void {
  const info = node.info;
  if (!info || (info.space !== "dhcp4" && info.space !== "dhcp6") || info.std || keaStd(ctx, info.code)) return;
  if (ctx.reg.defined(node.space, node.name)) return;
  const defs = ctx.dhcp.arr("option-def");
  if (defs.active().some((e) => e instanceof JObj && e.get("code") === info.code && e.get("space") === info.space)) {
    return;
  }
  const e = jobj({ space: info.space, name: info.name, code: info.code, type: info.def.type });
  if (info.def.array) e.set("array", true);
  defs.push(e, [`dhcpd knows option ${info.name} (code ${info.code}); Kea 2.2 needs its definition`]);
  ctx.counts.optionDefs++;
}

/** Adds the container option-data for a sub-option of an encapsulated space (see the module comment). */
export function ensureContainer(node: OptionNode, target: JObj, ctx: Ctx): void {
  const space = node.info?.space;
  if (!space || space === "dhcp4" || space === "dhcp6" || space.startsWith("vendor-")) return;
  const box = space === "vendor-encapsulated-options-space"
    ? { space: "dhcp4", name: "vendor-encapsulated-options", code: 43 }
    : ctx.reg.container(space);
  if (!box || box.space.startsWith("vendor-")) return;
  const list = target.arr("option-data");
  const has = list.active().some((e) =>
    e instanceof JObj && e.get("code") === box.code && e.get("space") === box.space
  );
  if (has) return;
  const items = (list as JArr).items;
  items.unshift({
    value: jobj({ space: box.space, name: box.name, code: box.code }),
    notes: [`carries the ${space} sub-options set in this scope (Kea sends them inside it)`],
  });
}
