/**
 * The DHCPv6 tokens of Kea's classification expressions (`src/lib/eval/parser.yy`), parsed when the expression
 * belongs to a `Dhcp6` configuration: `pkt6.msgtype` / `pkt6.transid`, `relay6[n].option[c].hex|text|exists`,
 * `relay6[n].peeraddr|linkaddr`, and the vendor tokens `vendor[E].exists`, `vendor[*].enterprise`,
 * `vendor[E].option[c].hex|text|exists`, `vendor-class[E].exists`, `vendor-class[*].enterprise` (also written
 * `vendor.enterprise` / `vendor-class.enterprise`),
 * `vendor-class[E].data` and `vendor-class[E].data[i]`. The DHCPv4-only tokens (`pkt4`, `relay4`) are refused.
 */
import type { BoolExpr, Pkt6Field, StrExpr, VendorKind } from "./ast.ts";
import { ExprError, type Token } from "./lexer.ts";
import type { Parser, Typed } from "./parser.ts";

const PKT6: readonly Pkt6Field[] = ["msgtype", "transid"];

const show = (t: Token) => (t.kind === "eof" ? "the end of the expression" : `'${t.text}'`);

/** `[*]` or `[N]` after vendor / vendor-class: the enterprise number or any. */
function enterprise(p: Parser): number | "*" {
  p.expect("[");
  const t = p.peek();
  if (t.kind === "punct" && t.text === "*") {
    p.next();
    p.expect("]");
    return "*";
  }
  const n = p.int("an enterprise number or '*'", 0, 0xffffffff);
  p.expect("]");
  return n;
}

function vendor(p: Parser, t: Token, kind: VendorKind): Typed {
  const s = (e: StrExpr): Typed => ({ type: "str", e, col: t.col });
  const b = (e: BoolExpr): Typed => ({ type: "bool", e, col: t.col });
  const bare = p.peek().kind === "punct" && p.peek().text === ".";
  const ent = bare ? "*" : enterprise(p);
  p.expect(".");
  if (bare) {
    const f = p.next();
    if (f.text === "enterprise") return s({ t: "vendor", kind, enterprise: "*", field: "enterprise" });
    throw new ExprError(f.col, `expected 'enterprise' after '${kind}.' but found ${show(f)}`);
  }
  const f = p.next();
  if (f.text === "exists") return b({ t: "vendorexists", kind, enterprise: ent });
  if (f.text === "enterprise") return s({ t: "vendor", kind, enterprise: ent, field: "enterprise" });
  if (kind === "vendor" && f.text === "option") {
    const code = p.optionCode();
    p.expect(".");
    const g = p.next();
    if (g.text === "exists") return b({ t: "vendorexists", kind, enterprise: ent, code });
    if (g.text === "hex" || g.text === "text") {
      return s({ t: "vendor", kind, enterprise: ent, field: "option", code, repr: g.text });
    }
    throw new ExprError(
      g.col,
      `expected 'hex', 'text' or 'exists' after 'vendor[…].option[${code}].' but found ${show(g)}`,
    );
  }
  if (kind === "vendor-class" && f.text === "data") {
    let index = 0;
    if (p.peek().kind === "punct" && p.peek().text === "[") {
      p.next();
      index = p.int("a data index", 0, 0xffffffff);
      p.expect("]");
    }
    return s({ t: "vendor", kind, enterprise: ent, field: "data", index });
  }
  const want = kind === "vendor" ? "'exists', 'enterprise' or 'option'" : "'exists', 'enterprise' or 'data'";
  throw new ExprError(f.col, `expected ${want} after '${kind}[…].' but found ${show(f)}`);
}

/**
 * Parses one DHCPv6-specific word at `t` (already consumed) or returns undefined when the word is common to both
 * protocols (the main parser handles it). Throws an ExprError with the column for a malformed token, and for the
 * DHCPv4-only `pkt4` and `relay4`.
 */
export function word6(p: Parser, t: Token): Typed | undefined {
  const s = (e: StrExpr): Typed => ({ type: "str", e, col: t.col });
  const b = (e: BoolExpr): Typed => ({ type: "bool", e, col: t.col });
  switch (t.text) {
    case "pkt4":
    case "relay4":
      throw new ExprError(t.col, `'${t.text}' is a DHCPv4 expression and cannot be used in Dhcp6`);
    case "pkt6": {
      p.expect(".");
      const f = p.next();
      if ((PKT6 as readonly string[]).includes(f.text)) return s({ t: "pkt6", field: f.text as Pkt6Field });
      throw new ExprError(f.col, `unknown packet field 'pkt6.${f.text}' (expected one of ${PKT6.join(", ")})`);
    }
    case "relay6": {
      p.expect("[");
      const nest = p.int("a relay nesting level", -32, 31);
      p.expect("]");
      p.expect(".");
      const f = p.next();
      if (f.text === "peeraddr" || f.text === "linkaddr") return s({ t: "relay6field", nest, field: f.text });
      if (f.text === "option") {
        const code = p.optionCode();
        p.expect(".");
        const g = p.next();
        if (g.text === "exists") return b({ t: "relay6exists", nest, code });
        if (g.text === "hex" || g.text === "text") return s({ t: "relay6", nest, code, repr: g.text });
        throw new ExprError(
          g.col,
          `expected 'hex', 'text' or 'exists' after 'relay6[${nest}].option[${code}].' but found ${show(g)}`,
        );
      }
      throw new ExprError(
        f.col,
        `expected 'option', 'peeraddr' or 'linkaddr' after 'relay6[${nest}].' but found ${show(f)}`,
      );
    }
    case "vendor":
    case "vendor-class":
      return vendor(p, t, t.text);
  }
  return undefined;
}
