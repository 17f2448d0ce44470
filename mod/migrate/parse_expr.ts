/**
 * Parser for dhcpd expressions (dhcp-eval(5)): boolean expressions (`=`, `!=`, `and`, `or`, `not`, `exists`,
 * `known`) over data expressions (`option`, `hardware`, `substring`, `suffix`, `concat`, `binary-to-ascii`,
 * `encode-int`, `extract-int`, `pick-first-value`, `packet`, strings, hex lists, numbers). Operator precedence
 * follows dhcpd's parse_expression(): comparison binds tighter than `and`, which binds tighter than `or`.
 */

import type { Expr } from "./ast.ts";
import { MigrateError, type Token } from "./lexer.ts";
import type { OptionRegistry } from "./option_registry.ts";
import type { TokenStream } from "./token_stream.ts";

const HEX_LIST = /^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2})+$/;

/** Decodes a colon-separated hex list (`01:00:0b`) into a byte string, or undefined when it is not one. */
export function hexListBytes(text: string): string | undefined {
  if (!HEX_LIST.test(text)) return undefined;
  return text.split(":").map((h) => String.fromCharCode(parseInt(h, 16))).join("");
}

/** Whether an expression is boolean-valued (dhcpd's is_boolean_expression()). */
export function isBoolean(e: Expr): boolean {
  if (["eq", "ne", "and", "or", "not", "exists"].includes(e.op)) return true;
  return e.op === "call" && ["known", "check", "static", "member"].includes(e.name);
}

/** Parses one expression from `ts`; option names are resolved against `reg` (unknown names are errors). */
export function parseExpr(ts: TokenStream, reg: OptionRegistry): Expr {
  return parseOr(ts, reg);
}

function parseOr(ts: TokenStream, reg: OptionRegistry): Expr {
  let left = parseAnd(ts, reg);
  while (ts.peek().kind === "word" && ts.peek().text === "or") {
    ts.next();
    left = { op: "or", left, right: parseAnd(ts, reg) };
  }
  return left;
}

function parseAnd(ts: TokenStream, reg: OptionRegistry): Expr {
  let left = parseEq(ts, reg);
  while (ts.peek().kind === "word" && ts.peek().text === "and") {
    ts.next();
    left = { op: "and", left, right: parseEq(ts, reg) };
  }
  return left;
}

function parseEq(ts: TokenStream, reg: OptionRegistry): Expr {
  const left = parseUnary(ts, reg);
  const t = ts.peek();
  if (t.kind === "punct" && (t.text === "=" || t.text === "!=")) {
    ts.next();
    return { op: t.text === "=" ? "eq" : "ne", left, right: parseUnary(ts, reg) };
  }
  return left;
}

function parseUnary(ts: TokenStream, reg: OptionRegistry): Expr {
  const t = ts.peek();
  if (t.kind === "word" && t.text === "not") {
    ts.next();
    return { op: "not", arg: parseUnary(ts, reg) };
  }
  return parsePrimary(ts, reg);
}

/** Parses `[space.]name` after `option`/`exists` and resolves it (dhcpd parse_option_name()). */
export function parseOptionRef(ts: TokenStream, reg: OptionRegistry): { space: string; name: string; code?: number } {
  const t = ts.next();
  if (t.kind !== "word") throw new MigrateError(t, "expecting an option name", t.text);
  const dot = t.text.indexOf(".");
  const space = dot < 0 ? reg.defaultSpace(t.text) : t.text.slice(0, dot);
  const name = dot < 0 ? t.text : t.text.slice(dot + 1);
  if (space === "server") return { space, name };
  if (!reg.space(space)) throw new MigrateError(t, `no option space named ${space}.`, t.text);
  const info = reg.lookup(space, name);
  if (!info) throw new MigrateError(t, `unknown option ${space}.${name}`, t.text);
  return { space, name, code: info.code };
}

function parseArgs(ts: TokenStream, reg: OptionRegistry, open: Token): Expr[] {
  ts.expect("(", `expecting '(' after ${open.text}`);
  const args: Expr[] = [];
  if (ts.peek().text === ")" && ts.peek().kind === "punct") {
    ts.next();
    return args;
  }
  for (;;) {
    args.push(parseOr(ts, reg));
    const t = ts.next();
    if (t.kind === "punct" && t.text === ")") return args;
    if (t.kind !== "punct" || t.text !== ",") throw new MigrateError(t, "expecting ',' or ')'", t.text);
  }
}

function parsePrimary(ts: TokenStream, reg: OptionRegistry): Expr {
  const t = ts.next();
  if (t.kind === "string") return { op: "const", bytes: t.text, text: true };
  if (t.kind === "punct" && t.text === "(") {
    const e = parseOr(ts, reg);
    ts.expect(")", "expecting right paren");
    return e;
  }
  if (t.kind !== "word") throw new MigrateError(t, "expecting an expression", t.text);
  const w = t.text;
  if (/^\d+$/.test(w)) return { op: "num", value: Number(w) };
  const hex = hexListBytes(w);
  if (hex !== undefined) return { op: "const", bytes: hex, text: false };
  switch (w) {
    case "option": {
      const r = parseOptionRef(ts, reg);
      return { op: "option", space: r.space, name: r.name, code: r.code };
    }
    case "exists": {
      const r = parseOptionRef(ts, reg);
      return { op: "exists", space: r.space, name: r.name, code: r.code };
    }
    case "config-option": {
      const r = parseOptionRef(ts, reg);
      return { op: "call", name: "config-option", args: [{ op: "var", name: `${r.space}.${r.name}` }] };
    }
    case "hardware":
      return { op: "hardware" };
    case "null":
      return { op: "null" };
    case "known":
    case "static":
    case "leased-address":
    case "host-decl-name":
    case "client-state":
    case "lease-time":
      return { op: "call", name: w, args: [] };
    case "check":
    case "dns-update":
    case "reverse":
    case "filename":
    case "server-name":
      if (w === "check" && ts.peek().kind === "string") {
        return { op: "call", name: w, args: [{ op: "const", bytes: ts.next().text, text: true }] };
      }
      return { op: "call", name: w, args: ts.peek().text === "(" ? parseArgs(ts, reg, t) : [] };
    default:
      if (ts.peek().kind === "punct" && ts.peek().text === "(") {
        return { op: "call", name: w, args: parseArgs(ts, reg, t) };
      }
      return { op: "var", name: w };
  }
}

/** Renders an expression in dhcpd-like text, for the `/// from:` notes keama writes next to a test. */
export function exprText(e: Expr): string {
  switch (e.op) {
    case "const":
      return e.text && /^[\x20-\x7e]*$/.test(e.bytes) ? `'${e.bytes}'` : `0x${hexOf(e.bytes)}`;
    case "num":
      return String(e.value);
    case "option":
      return `option ${e.space}.${e.name}`;
    case "exists":
      return `exists ${e.space}.${e.name}`;
    case "hardware":
      return "hardware";
    case "null":
      return "null";
    case "eq":
    case "ne":
      return `(${exprText(e.left)}) ${e.op === "eq" ? "=" : "!="} (${exprText(e.right)})`;
    case "and":
    case "or":
      return `(${exprText(e.left)}) ${e.op} (${exprText(e.right)})`;
    case "not":
      return `not ${exprText(e.arg)}`;
    case "call":
      return `${e.name}(${e.args.map(exprText).join(", ")})`;
    case "var":
      return e.name;
  }
}

/** Hex digits of a byte string. */
export function hexOf(bytes: string): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += (bytes.charCodeAt(i) & 0xff).toString(16).padStart(2, "0");
  return s;
}
