/**
 * dhcpd's conditional statement (dhcp-eval(5) "CONDITIONAL BEHAVIOUR"): `if BOOLEAN { … } elsif BOOLEAN { … }
 * else { … }` (`else if` spelt either way), parsed into its branches so the translator can turn them into client
 * classes. The statement's text is parsed again on its own: when a condition uses something the expression parser
 * does not know, the caller keeps the statement as text, commented out, as before.
 */

import type { Expr, Node } from "./ast.ts";
import type { Loc } from "./lexer.ts";
import type { OptionRegistry } from "./option_registry.ts";
import { parseExpr } from "./parse_expr.ts";
import type { TokenStream } from "./token_stream.ts";

/** One branch: its condition (none for `else`) and its statements. */
export interface IfBranch {
  cond?: Expr;
  body: Node[];
}

/**
 * Parses `if … { … } [elsif … { … }]… [else { … }]` from `ts` (positioned on `if`); `block` reads statements up to
 * and including the closing `}`.
 */
export function parseIfChain(ts: TokenStream, reg: OptionRegistry, block: () => Node[], _loc: Loc): IfBranch[] {
  const out: IfBranch[] = [];
  ts.expect("if", "expecting if");
  for (;;) {
    const cond = parseExpr(ts, reg);
    ts.expect("{", "expecting left brace");
    out.push({ cond, body: block() });
    const n = ts.peek();
    if (n.kind === "word" && n.text === "elsif") {
      ts.next();
      continue;
    }
    if (n.kind === "word" && n.text === "else") {
      ts.next();
      if (ts.peek().kind === "word" && ts.peek().text === "if") {
        ts.next();
        continue;
      }
      ts.expect("{", "expecting left brace");
      out.push({ body: block() });
    }
    if (ts.peek().kind === "punct" && ts.peek().text === ";") ts.next();
    return out;
  }
}
