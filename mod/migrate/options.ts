/**
 * dhcpd option statements → Kea `option-data`, `option-def` and spaces (keama options.c): data becomes
 * `{space, name, code, data}` with `csv-format: false` for raw hex; definitions become `option-def` entries
 * (records as `record-types`, encapsulation as `encapsulate`); a space with a code or length width Kea does not
 * use, a definition Kea cannot represent, and option values computed by expressions are commented out.
 */

import type { Node } from "./ast.ts";
import type { Ctx } from "./context.ts";
import { JObj, jobj } from "./emit.ts";
import { exprText, hexOf } from "./parse_expr.ts";
import { MigrateError } from "./lexer.ts";
import { aliasHex, ensureContainer, ensureDef, specialOption } from "./option_special.ts";
import { fold } from "./expr_kea.ts";
import type { OptionValue } from "./option_data.ts";

/** A constant expression's bytes as option data: text when the option holds text, else hex. */
function constValue(bytes: string, text: boolean, type: string): OptionValue {
  const asText = text && (type === "string" || type === "fqdn") && /^[\x20-\x7e]*$/.test(bytes);
  return asText
    ? { items: [bytes.replace(/\\/g, "\\\\").replace(/,/g, "\\,")], csv: true, hostnames: [], original: bytes }
    : { items: [hexOf(bytes)], csv: false, hostnames: [], original: bytes };
}

/** Replaces or appends an option-data entry in `list`, keyed by space and name (inner scopes override). */
export function mergeOption(target: JObj, entry: JObj): void {
  const list = target.arr("option-data");
  const i = list.items.findIndex((x) =>
    !x.off && x.value instanceof JObj && x.value.get("space") === entry.get("space") &&
    x.value.get("name") === entry.get("name")
  );
  if (i >= 0) list.items[i] = { value: entry, comments: list.items[i].comments };
  else list.push(entry);
}

/**
 * Translates `option NAME VALUE;` into an option-data entry of `target` (Kea option-data: space, name, code,
 * data, csv-format). Host names in address options are resolved according to -r, as keama does.
 */
export function applyOption(node: Node & { k: "option" }, target: JObj, ctx: Ctx, level?: string): void {
  const info = node.info;
  if (node.expr && info) {
    // `option default-url = "http://…";`: an expression that is a constant is plain data
    const c = fold(node.expr);
    if (c.op === "const") {
      node = { ...node, expr: undefined, value: constValue(c.bytes, c.text, info.def.type) };
    }
  }
  if (specialOption(node, target, ctx, level)) return;
  if (info && node.keaUnknown) {
    // keama parse_option_statement(): data of an option Kea does not know is commented out
    const raw = jobj({ space: info.space, name: info.name, code: info.code, data: node.value?.items.join(", ") ?? "" });
    target.arr("option-data").off(raw, [
      `option ${info.space}.${info.name} is not known by Kea (set by a % directive)`,
    ]);
    ctx.skip(node.loc, `option ${info.name}: not known by Kea`);
    return;
  }
  if (!info) {
    ctx.off(target, "option-data", `${node.space}.${node.name}`, node.loc, [
      `option ${node.space}.${node.name}: the server space has no Kea equivalent`,
    ]);
    return;
  }
  if (node.expr || !node.value) {
    const raw = jobj({
      space: info.space,
      name: info.name,
      code: info.code,
      expression: node.expr ? exprText(node.expr) : "",
    });
    target.arr("option-data").off(raw, [
      "option data computed by an expression is not supported by Kea 2.2 (see the flex_option hook)",
    ]);
    ctx.skip(node.loc, `option ${info.name} = expression`);
    return;
  }
  const v = node.value;
  const items = [...v.items];
  for (const i of v.hostnames) {
    const mode = ctx.opts.resolve ?? "perform";
    if (mode === "fatal") throw new MigrateError(node.loc, `expected IPv4 address. got hostname ${items[i]}`, items[i]);
    if (mode === "perform") {
      const addr = ctx.opts.resolver?.(items[i]);
      if (addr === undefined) {
        const raw = jobj({ space: info.space, name: info.name, code: info.code, data: items.join(", ") });
        target.arr("option-data").off(raw, [`cannot resolve host name ${items[i]}: put its address here`]);
        ctx.skip(node.loc, `option ${info.name}: cannot resolve ${items[i]}`);
        return;
      }
      items[i] = addr;
    }
  }
  const entry = jobj({ space: info.space, name: info.name, code: info.code });
  const hex = aliasHex(node);
  if (hex !== undefined) {
    entry.set("csv-format", false, [
      `option ${node.name} (code ${info.code}) is declared as ${info.def.type}: its bytes`,
    ]);
    entry.set("data", hex);
  } else {
    if (!v.csv) entry.set("csv-format", false);
    entry.set("data", items.join(v.csv ? ", " : ""));
  }
  ensureDef(node, ctx);
  ensureContainer(node, target, ctx);
  mergeOption(target, entry);
  ctx.counts.optionData++;
}

/** Translates `option SPACE.NAME code N = TYPE;` into a global option-def (Kea option-def, keama's mapping). */
export function applyOptionDef(node: Node & { k: "optiondef" }, ctx: Ctx): void {
  if (node.info?.std) {
    ctx.note(
      node.loc,
      `option ${node.name} code ${node.code} is Kea's standard '${node.info.std.name}': used as it is`,
    );
    return;
  }
  if (node.space === "vendor-opts-space" && node.def.encapsulate) {
    // `option vsio.NAME code N = encapsulate NAME` declares vendor N's space: Kea needs only the vendor option
    const e = jobj({
      space: ctx.v6 ? "dhcp6" : "dhcp4",
      name: ctx.v6 ? "vendor-opts" : "vivso-suboptions",
      code: ctx.v6 ? 17 : 125,
      data: String(node.code),
    });
    mergeOption(ctx.dhcp, e);
    return;
  }
  // `% option NAME local;` keeps the definition for ISC DHCP only: keama leaves it out of the output
  if (node.info?.local) return;
  const d = node.def;
  const e = jobj({ space: node.info?.space ?? node.space, name: node.info?.name ?? node.name, code: node.code });
  if (node.redefined) {
    e.set("type", d.type);
    ctx.dhcp.arr("option-def").off(e, ["Kea does not allow redefinition of options"]);
    ctx.skip(
      node.loc,
      `option ${node.space}.${node.name} code ${node.code}: Kea does not allow redefinition of options`,
    );
    return;
  }
  if (d.problem) {
    e.set("type", "binary", [d.problem, "Option definition is not compatible with Kea", "Fallback to full binary"]);
    ctx.note(node.loc, `option ${node.name}: ${d.problem}; defined as binary`);
  } else {
    if (d.array) e.set("array", true);
    if (d.recordTypes) e.set("record-types", d.recordTypes.join(", "));
    e.set("type", d.type);
    if (d.encapsulate) e.set("encapsulate", ctx.reg.space(d.encapsulate)?.kea ?? d.encapsulate);
  }
  // dhcpd takes the last of two definitions of one name (Juniper's ZTP.server-image code 4, then code 0)
  const defs = ctx.dhcp.arr("option-def");
  const prev = defs.items.findIndex((x) =>
    !x.off && x.value instanceof JObj && x.value.get("name") === e.get("name") &&
    x.value.get("space") === e.get("space")
  );
  if (prev >= 0) {
    defs.items.splice(prev, 1);
    ctx.note(
      node.loc,
      `option ${node.space}.${node.name} is defined twice: the last definition is kept, as dhcpd does`,
    );
  } else ctx.counts.optionDefs++;
  defs.push(e);
}

/** Comments out `option space` declarations whose widths Kea cannot use (Kea: 1/1 for DHCPv4, 2/2 for DHCPv6). */
export function applyOptionSpace(node: Node & { k: "optionspace" }, ctx: Ctx): void {
  const want = ctx.v6 ? 2 : 1;
  if (node.codeWidth === want && node.lengthWidth === want) return;
  const e = jobj({ name: node.name, "code-width": node.codeWidth, "length-width": node.lengthWidth });
  ctx.off(ctx.dhcp, "option-space", e, node.loc, [`Only code width ${want} and length width ${want} are supported`]);
}
