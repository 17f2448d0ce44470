/**
 * Class declarations of dhcpd.conf (dhcpd.conf(5) "CLIENT CLASSING"): `class`, `subclass` and `match`, with the
 * checks dhcpd and keama make (one `match if` per class, subclasses only of data-matching classes, selectors that
 * are strings or hex lists, no constant rules), using their messages.
 */

import type { Expr, Node } from "./ast.ts";
import { type Loc, MigrateError } from "./lexer.ts";
import type { OptionRegistry } from "./option_registry.ts";
import { exprText, hexListBytes, isBoolean, parseExpr } from "./parse_expr.ts";
import type { TokenStream } from "./token_stream.ts";

/** Classes seen so far, with the data expression of those that can have subclasses. */
export type ClassTable = Map<string, { data?: Expr }>;

/**
 * Parses `class NAME { … }` (dhcpd parse_class_declaration()): at most one `match if`; a `match DATA` makes it a
 * superclass, remembered in `classes` for its subclasses.
 */
export function parseClass(ts: TokenStream, classes: ClassTable, readBody: () => Node[], loc: Loc): Node {
  const name = ts.next();
  if (name.kind !== "string" && name.kind !== "word") throw new MigrateError(name, "expecting class name", name.text);
  const entry: { data?: Expr } = {};
  classes.set(name.text, entry);
  const body = readBody();
  const ifs = body.filter((n) => n.k === "match" && n.cond);
  if (ifs.length > 1) throw new MigrateError(ifs[1].loc, "A class may only have one 'match if' clause.", "match");
  const data = body.find((n) => n.k === "match" && n.data);
  if (data && data.k === "match") entry.data = data.data;
  return { k: "class", name: name.text, body, loc };
}

/**
 * Parses `subclass "SUPER" SELECTOR [{ … } | ;]`: the superclass must exist and match on data, the selector must
 * be a string or hex list, and a constant superclass rule is refused (dhcpd/keama messages).
 */
export function parseSubclass(ts: TokenStream, classes: ClassTable, readBody: () => Node[], loc: Loc): Node {
  const name = ts.next();
  const sup = classes.get(name.text);
  if (!sup) throw new MigrateError(name, `no class named ${name.text}`, name.text);
  if (!sup.data) {
    throw new MigrateError(name, `found class name ${name.text} but it is not a suitable superclass`, name.text);
  }
  const sel = ts.next();
  let selector: Expr;
  const hex = sel.kind === "word" ? hexListBytes(sel.text) : undefined;
  if (sel.kind === "string") selector = { op: "const", bytes: sel.text, text: true };
  else if (hex !== undefined) selector = { op: "const", bytes: hex, text: false };
  else throw new MigrateError(sel, "Expecting string or hex list.", sel.text);
  if (sup.data.op === "const") {
    throw new MigrateError(
      sel,
      `class matching rule evaluated to a constant boolean expression: ${exprText(sup.data)} = ${exprText(selector)}`,
      sel.text,
    );
  }
  let body: Node[] = [];
  if (ts.peek().text === "{") body = readBody();
  else ts.expect(";", "semicolon expected.");
  return { k: "subclass", superName: name.text, selector, body, loc };
}

/** Parses `match if BOOLEAN;` or `match DATA;` inside a class; `match if` must be boolean and not constant. */
export function parseMatch(ts: TokenStream, reg: OptionRegistry, loc: Loc): Node {
  if (ts.peek().text === "if") {
    ts.next();
    const start = ts.peek();
    const cond = parseExpr(ts, reg);
    if (!isBoolean(cond)) throw new MigrateError(start, "Expecting a boolean expression.", start.text);
    if ((cond.op === "eq" || cond.op === "ne") && cond.left.op === "const" && cond.right.op === "const") {
      throw new MigrateError(
        start,
        `'match if' with a constant boolean expression ${exprText(cond.left)} ${cond.op === "eq" ? "=" : "!="} ${
          exprText(cond.right)
        }`,
        start.text,
      );
    }
    ts.expect(";", "semicolon expected.");
    return { k: "match", cond, src: `match if ${exprText(cond)}`, loc };
  }
  const data = parseExpr(ts, reg);
  ts.expect(";", "semicolon expected.");
  return { k: "match", data, src: `match ${exprText(data)}`, loc };
}
