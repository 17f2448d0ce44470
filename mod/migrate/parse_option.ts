/**
 * The three `option` statements of dhcpd.conf (dhcpd.conf(5) "DEFINING NEW OPTIONS", dhcp-options(5)):
 * `option space NAME [code width N] [length width N] [hash size N];`, `option [SPACE.]NAME code N = TYPE;`
 * and option data `option [SPACE.]NAME VALUE[, VALUE…];` or `option NAME = EXPRESSION;`. Types are mapped to
 * Kea's option-def vocabulary as keama does (integer 8 → int8, ip-address → ipv4-address, text → string,
 * domain-list → fqdn array, zerolen → empty, encapsulate → empty + encapsulate).
 */

import type { Node, OptType } from "./ast.ts";
import { type Loc, MigrateError, type Token } from "./lexer.ts";
import type { OptionRegistry } from "./option_registry.ts";
import { formatOptionValue } from "./option_data.ts";
import { parseExpr, parseOptionRef } from "./parse_expr.ts";
import type { TokenStream } from "./token_stream.ts";
import { findOption4 } from "../options/lookup.ts";
import { findOption6 } from "../options/lookup6.ts";

function word(ts: TokenStream): Token {
  return ts.next();
}

function intType(ts: TokenStream, signed: boolean, at: Token): string {
  const n = ts.next();
  if (!["8", "16", "32"].includes(n.text)) throw new MigrateError(n, "expecting 8, 16 or 32", n.text);
  void at;
  return `${signed ? "int" : "uint"}${n.text}`;
}

/** Parses one element type; returns the Kea type name or throws dhcpd's message for the bad token. */
function parseAtom(
  ts: TokenStream,
  reg: OptionRegistry,
  inArray: boolean,
): { type: string; array?: boolean; encap?: string } {
  const t = word(ts);
  switch (t.text) {
    case "boolean":
      return { type: "boolean" };
    case "integer":
      return { type: intType(ts, true, t) };
    case "signed":
      ts.expect("integer", 'expecting "integer" keyword');
      return { type: intType(ts, true, t) };
    case "unsigned":
      ts.expect("integer", 'expecting "integer" keyword');
      return { type: intType(ts, false, t) };
    case "ip-address":
      return { type: "ipv4-address" };
    case "ip6-address":
      return { type: "ipv6-address" };
    case "domain-name":
      return { type: "fqdn" };
    case "domain-list": {
      if (inArray) throw new MigrateError(t, "arrays of text strings not yet supported.", t.text);
      if (ts.peek().text === "compressed") {
        const c = ts.next();
        if (reg.v6) throw new MigrateError(c, "domain list in DHCPv6 MUST NOT be compressed", c.text);
      }
      return { type: "fqdn", array: true };
    }
    case "text":
    case "string":
      if (inArray) throw new MigrateError(t, "arrays of text strings not yet supported.", t.text);
      return { type: "string" };
    case "zerolen":
      return { type: "empty" };
    case "encapsulate": {
      const s = ts.next();
      return { type: "empty", encap: s.text };
    }
    case "array":
      throw new MigrateError(t, "no nested arrays.", t.text);
    default:
      throw new MigrateError(t, `unknown data type ${t.text}`, t.text);
  }
}

/** Parses the TYPE part of `option NAME code N = TYPE` into a Kea definition. */
export function parseOptionType(ts: TokenStream, reg: OptionRegistry): OptType {
  if (ts.peek().text === "{" && ts.peek().kind === "punct") {
    ts.next();
    const fields: { type: string; array?: boolean }[] = [];
    let problem: string | undefined;
    for (;;) {
      let arr = false;
      if (ts.peek().text === "array") {
        ts.next();
        ts.expect("of", 'expecting "of"');
        arr = true;
      }
      const a = parseAtom(ts, reg, arr);
      if (arr || a.array) problem = "unsupported array inside a record";
      fields.push({ type: a.type, array: arr || a.array });
      const sep = ts.next();
      if (sep.text === "}") break;
      if (sep.text !== ",") throw new MigrateError(sep, "expecting ',' or '}'", sep.text);
    }
    if (problem) return { type: "binary", array: false, problem, recordTypes: fields.map((f) => f.type) };
    // a record of one field is that field (Kea refuses a record of fewer than two)
    if (fields.length === 1) return { type: fields[0].type, array: false };
    return { type: "record", array: false, recordTypes: fields.map((f) => f.type) };
  }
  if (ts.peek().text === "array") {
    ts.next();
    ts.expect("of", 'expecting "of"');
    const a = parseAtom(ts, reg, true);
    return { type: a.type, array: true };
  }
  const a = parseAtom(ts, reg, false);
  return { type: a.type, array: a.array ?? false, encapsulate: a.encap };
}

/** Collects the raw value tokens of an option data statement up to (not including) the `;`. */
function valueTokens(ts: TokenStream): Token[] {
  const out: Token[] = [];
  for (;;) {
    const t = ts.peek();
    if (t.kind === "eof") throw new MigrateError(t, "expecting ';'", "end of file");
    if (t.kind === "punct" && (t.text === ";" || t.text === "{" || t.text === "}")) break;
    const prev = out[out.length - 1];
    // dhcpd lexes `:` as its own token, so a hex list may run over lines (`…:0c:a6:00:  # comment` ↵ `00:5d:…`)
    if (prev && prev.kind === "word" && prev.text.endsWith(":") && t.kind === "word") {
      out[out.length - 1] = { ...prev, text: prev.text + ts.next().text };
      continue;
    }
    out.push(ts.next());
  }
  return out;
}

/** Whether data for this option is for ISC DHCP only (keama kea_unknown status, set by a `%` directive). */
function keaUnknownData(reg: OptionRegistry, space: string, name: string): true | undefined {
  return space !== "server" && reg.status(space, name) === "kea-unknown" ? true : undefined;
}

/**
 * Parses everything after the `option` keyword and returns the node (definition, space or data); registers
 * definitions and spaces in `reg` so later statements can use them (dhcpd parses in one pass the same way).
 */
export function parseOptionStatement(ts: TokenStream, reg: OptionRegistry, loc: Loc): Node {
  const first = ts.peek();
  if (first.text === "space" && first.kind === "word") {
    ts.next();
    const name = ts.next();
    let codeWidth = reg.v6 ? 2 : 1, lengthWidth = reg.v6 ? 2 : 1;
    while (ts.peek().text !== ";") {
      const k = ts.next();
      if (k.text === "code" || k.text === "length") {
        ts.expect("width", "expecting width");
        const n = Number(ts.next().text);
        if (k.text === "code") codeWidth = n;
        else lengthWidth = n;
      } else if (k.text === "hash") {
        ts.expect("size", "expecting size");
        ts.next();
      } else throw new MigrateError(k, "expecting code width, length width or hash size", k.text);
    }
    ts.next();
    reg.declareSpace(name.text, codeWidth, lengthWidth);
    return { k: "optionspace", name: name.text, codeWidth, lengthWidth, loc };
  }
  // definition?
  if (first.kind === "word" && ts.peek(1).text === "code" && ts.peek(2).kind === "word" && ts.peek(3).text === "=") {
    const nameTok = ts.next();
    ts.next();
    const codeTok = ts.next();
    ts.next();
    const dot = nameTok.text.indexOf(".");
    const space = dot < 0 ? (reg.v6 ? "dhcp6" : "dhcp") : nameTok.text.slice(0, dot);
    const name = dot < 0 ? nameTok.text : nameTok.text.slice(dot + 1);
    if (!reg.space(space)) throw new MigrateError(nameTok, `no option space named ${space}.`, nameTok.text);
    const code = Number(codeTok.text);
    if (!Number.isInteger(code) || code < 0) {
      throw new MigrateError(codeTok, "expecting option code number", codeTok.text);
    }
    const def = parseOptionType(ts, reg);
    ts.expect(";", "semicolon expected.");
    if (space === "vsio" && def.encapsulate) reg.renameSpace(def.encapsulate, `vendor-${code}`);
    // a standard code under another name (`option arch code 93 = …`, pfSense's `domain-search-list code 119`):
    // Kea refuses to redefine it, so the name becomes the standard option (keama maps it the same way)
    const std = space === "dhcp" ? findOption4(code) : space === "dhcp6" ? findOption6(code) : undefined;
    if (std && !reg.hasStatus(space, name)) {
      if (code === 43 && space === "dhcp" && def.encapsulate) {
        reg.renameSpace(def.encapsulate, "vendor-encapsulated-options-space");
      }
      const info = reg.define(space, name, code, def);
      info.name = std.name;
      info.std = std;
      return { k: "optiondef", space: info.space, name, code, def, info, loc };
    }
    // keama parse_option_code_definition(): once a `%` directive set the option's status, only a dynamic option
    // nobody defined yet may be defined; anything else is a redefinition, commented out, and Kea no longer knows it
    const redefined = reg.hasStatus(space, name) &&
      (reg.status(space, name) !== "dynamic" || reg.lookupAny(space, name) !== undefined);
    const info = reg.define(space, name, code, def);
    if (redefined) reg.setStatus(space, name, "kea-unknown");
    return { k: "optiondef", space: reg.space(space)!.kea, name, code, def, info, redefined, loc };
  }
  const ref = parseOptionRef(ts, reg);
  if (ts.peek().kind === "punct" && ts.peek().text === "=") {
    ts.next();
    const expr = parseExpr(ts, reg);
    ts.expect(";", "semicolon expected.");
    const info = ref.space === "server" ? undefined : reg.lookup(ref.space, ref.name);
    const keaUnknown = keaUnknownData(reg, ref.space, ref.name);
    return { k: "option", space: ref.space, name: ref.name, code: ref.code, info, args: [], expr, keaUnknown, loc };
  }
  const args = valueTokens(ts);
  const info = ref.space === "server" ? undefined : reg.lookup(ref.space, ref.name);
  const value = info ? formatOptionValue(info.def, args, ts.peek()) : undefined;
  ts.expect(";", "semicolon expected.");
  const keaUnknown = keaUnknownData(reg, ref.space, ref.name);
  return { k: "option", space: ref.space, name: ref.name, code: ref.code, info, value, args, keaUnknown, loc };
}
