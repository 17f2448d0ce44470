/**
 * The lexer of Kea's client classification expression language (the `test` of a client class). Token shapes
 * follow Kea's `src/lib/eval/lexer.ll`: quoted strings `'…'` (no escapes, no newline), hexadecimal strings
 * `0x…`, integers with an optional minus sign, IPv4/IPv6 address literals, keywords and punctuation. Every token
 * carries its 1-based column so a parse error can point at it.
 */

/** Kinds of token the parser sees. */
export type TokenKind = "string" | "hex" | "int" | "ip" | "word" | "punct" | "eof";

/** One token: its kind, its text (a string literal without its quotes) and its 1-based column. */
export interface Token {
  kind: TokenKind;
  text: string;
  col: number;
}

/** A lexical or syntax error in an expression, with the 1-based column where it was found. */
export class ExprError extends Error {
  constructor(readonly col: number, message: string) {
    super(message);
    this.name = "ExprError";
  }
}

const IPV4 = /^[0-9]{1,3}(\.[0-9]{1,3}){3}/;
const IPV6 = /^[0-9a-fA-F]*:[0-9a-fA-F:.]*/;
const HEX = /^0[xX][0-9a-fA-F]*/;
const INT = /^-?[0-9]+/;
const WORD = /^[A-Za-z_][A-Za-z0-9_-]*/;
const PUNCT = ["==", "(", ")", "[", "]", ".", ",", "+", "*"];

/**
 * Splits an expression into tokens, as Kea's flex scanner does: whitespace separates tokens, a quoted string runs
 * to the next `'`, an address literal wins over an integer (so `10.0.0.1` is one token), and anything else is a
 * lexical error naming the character and its column. `-` is only accepted as the sign of an integer (Kea's
 * `substring(x, -3, all)`). The list always ends with an `eof` token.
 */
export function lex(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
      continue;
    }
    const col = i + 1;
    const rest = text.slice(i);
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      const nl = text.indexOf("\n", i + 1);
      if (end < 0 || (nl >= 0 && nl < end)) throw new ExprError(col, "unterminated string (a ' without its closing ')");
      out.push({ kind: "string", text: text.slice(i + 1, end), col });
      i = end + 1;
      continue;
    }
    let m = HEX.exec(rest);
    if (m && !/^[0-9a-fA-F]*:/.test(rest)) {
      if (m[0].length === 2) throw new ExprError(col, "'0x' must be followed by hexadecimal digits");
      out.push({ kind: "hex", text: m[0], col });
      i += m[0].length;
      continue;
    }
    m = IPV4.exec(rest) ?? (/^[0-9a-fA-F]*::?[0-9a-fA-F]/.test(rest) || rest.startsWith("::") ? IPV6.exec(rest) : null);
    if (m && !/^[A-Za-z]/.test(rest.slice(m[0].length)) && (m[0].includes(".") || m[0].includes(":"))) {
      out.push({ kind: "ip", text: m[0], col });
      i += m[0].length;
      continue;
    }
    m = INT.exec(rest);
    if (m) {
      out.push({ kind: "int", text: m[0], col });
      i += m[0].length;
      continue;
    }
    m = WORD.exec(rest);
    if (m) {
      out.push({ kind: "word", text: m[0], col });
      i += m[0].length;
      continue;
    }
    const p = PUNCT.find((q) => rest.startsWith(q));
    if (p) {
      out.push({ kind: "punct", text: p, col });
      i += p.length;
      continue;
    }
    throw new ExprError(col, `unexpected character '${c}'`);
  }
  out.push({ kind: "eof", text: "", col: text.length + 1 });
  return out;
}
