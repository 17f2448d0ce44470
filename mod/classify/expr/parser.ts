/**
 * The parser of Kea's classification expressions (DHCPv4): tokens from lexer.ts → a typed tree (ast.ts). The
 * grammar and precedence follow Kea's `src/lib/eval/parser.yy`: `or` binds loosest, then `and`, then `not`,
 * then `==`, then the string `+`; `known` is `member('KNOWN')` and `unknown` is `not member('KNOWN')`. Errors
 * carry the 1-based column of the offending token.
 */
import type { BoolExpr, IntToText, ParsedTest, Pkt4Field, PktField, StrExpr } from "./ast.ts";
import { ExprError, lex, type Token } from "./lexer.ts";
import { ipv4Bytes, parseIpv4 } from "../../wire/addr.ts";
import { parseIpv6 } from "../../wire/ipv6.ts";
import { word6 } from "./parser6.ts";

/** What the parser needs from the configuration: option names → codes (standard and `option-def`). */
export interface ParseOptions {
  /** the dhcp4-space code of an option name, or undefined when unknown */
  optionCode?: (name: string) => number | undefined;
  /** the protocol of the configuration: 4 (default) or 6 (Dhcp6: pkt6, relay6, vendor tokens, 16-bit codes) */
  family?: 4 | 6;
}

/** A parsed sub-expression with its type and column. */
export type Typed = { type: "bool"; e: BoolExpr; col: number } | { type: "str"; e: StrExpr; col: number };

const PKT4: readonly Pkt4Field[] = [
  "mac",
  "hlen",
  "htype",
  "ciaddr",
  "giaddr",
  "yiaddr",
  "siaddr",
  "msgtype",
  "transid",
];
const PKT: readonly PktField[] = ["iface", "src", "dst", "len"];
const INT_TO_TEXT: Record<string, IntToText> = {
  uint8totext: "uint8",
  uint16totext: "uint16",
  uint32totext: "uint32",
  int8totext: "int8",
  int16totext: "int16",
  int32totext: "int32",
};
const V6_ONLY = new Set(["relay6", "pkt6", "peeraddr", "linkaddr"]);
const UNSUPPORTED = new Set(["vendor", "vendor-class", "match", "sub-option"]);

/** Encodes text as UTF-8 and returns it as a byte string (one char per byte). */
export function utf8Bytes(s: string): string {
  return String.fromCharCode(...new TextEncoder().encode(s));
}

/** The parser (exported for the DHCPv6 token rules of parser6.ts). */
export class Parser {
  private i = 0;
  readonly members: string[] = [];

  constructor(private readonly toks: Token[], readonly opts: ParseOptions) {}

  peek(): Token {
    return this.toks[this.i];
  }
  next(): Token {
    return this.toks[this.i++];
  }
  isWord(w: string): boolean {
    const t = this.peek();
    return t.kind === "word" && t.text === w;
  }
  expect(p: string): Token {
    const t = this.next();
    if ((t.kind === "punct" || t.kind === "word") && t.text === p) return t;
    throw new ExprError(t.col, `expected '${p}' but found ${describe(t)}`);
  }
  int(what: string, min: number, max: number): number {
    const t = this.next();
    const n = t.kind === "int" ? Number(t.text) : NaN;
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new ExprError(t.col, `expected ${what} (an integer ${min}..${max}) but found ${describe(t)}`);
    }
    return n;
  }
  private str(what: string): StrExpr {
    const x = this.or();
    if (x.type !== "str") throw new ExprError(x.col, `${what} must be a string expression, not a boolean one`);
    return x.e;
  }
  private bool(x: Typed, what: string): BoolExpr {
    if (x.type !== "bool") throw new ExprError(x.col, `${what} must be a boolean expression (true or false)`);
    return x.e;
  }

  /** The whole input as a boolean expression. */
  test(): BoolExpr {
    const x = this.or();
    const t = this.peek();
    if (t.kind !== "eof") throw new ExprError(t.col, `unexpected ${describe(t)} after the end of the expression`);
    return this.bool(x, "a class test");
  }

  /** The whole input as a string expression (Kea's PARSER_STRING mode, used by flex-id). */
  value(): StrExpr {
    const e = this.str("an identifier expression");
    const t = this.peek();
    if (t.kind !== "eof") throw new ExprError(t.col, `unexpected ${describe(t)} after the end of the expression`);
    return e;
  }

  or(): Typed {
    let a = this.and();
    while (this.isWord("or") || this.isWord("sor")) {
      const op = this.next();
      const b = this.and();
      a = {
        type: "bool",
        e: {
          t: "or",
          a: this.bool(a, `the left side of '${op.text}'`),
          b: this.bool(b, `the right side of '${op.text}'`),
        },
        col: a.col,
      };
    }
    return a;
  }

  private and(): Typed {
    let a = this.not();
    while (this.isWord("and") || this.isWord("sand")) {
      const op = this.next();
      const b = this.not();
      a = {
        type: "bool",
        e: {
          t: "and",
          a: this.bool(a, `the left side of '${op.text}'`),
          b: this.bool(b, `the right side of '${op.text}'`),
        },
        col: a.col,
      };
    }
    return a;
  }

  private not(): Typed {
    if (this.isWord("not")) {
      const t = this.next();
      const e = this.not();
      return { type: "bool", e: { t: "not", e: this.bool(e, "the operand of 'not'") }, col: t.col };
    }
    return this.cmp();
  }

  private cmp(): Typed {
    const a = this.sum();
    const t = this.peek();
    if (t.kind !== "punct" || t.text !== "==") return a;
    this.next();
    const b = this.sum();
    if (a.type !== "str") throw new ExprError(a.col, "the left side of '==' must be a string expression");
    if (b.type !== "str") throw new ExprError(b.col, "the right side of '==' must be a string expression");
    return { type: "bool", e: { t: "eq", a: a.e, b: b.e }, col: a.col };
  }

  private sum(): Typed {
    let a = this.primary();
    while (this.peek().kind === "punct" && this.peek().text === "+") {
      const op = this.next();
      const b = this.primary();
      if (a.type !== "str" || b.type !== "str") throw new ExprError(op.col, "'+' joins two string expressions");
      a = { type: "str", e: { t: "concat", a: a.e, b: b.e }, col: a.col };
    }
    return a;
  }

  private primary(): Typed {
    const t = this.next();
    const s = (e: StrExpr): Typed => ({ type: "str", e, col: t.col });
    const b = (e: BoolExpr): Typed => ({ type: "bool", e, col: t.col });
    switch (t.kind) {
      case "string":
        return s({ t: "lit", value: utf8Bytes(t.text) });
      case "hex": {
        const h = t.text.slice(2);
        const even = h.length % 2 ? "0" + h : h;
        let v = "";
        for (let k = 0; k < even.length; k += 2) v += String.fromCharCode(parseInt(even.slice(k, k + 2), 16));
        return s({ t: "lit", value: v });
      }
      case "int": {
        const n = Number(t.text);
        if (n < 0 || n > 0xffffffff) throw new ExprError(t.col, `integer ${t.text} is out of range 0..4294967295`);
        return s({ t: "lit", value: String.fromCharCode(...ipv4Bytes(n)) });
      }
      case "ip": {
        const a6 = this.opts.family === 6 && t.text.includes(":") ? parseIpv6(t.text) : undefined;
        if (a6) return s({ t: "lit", value: String.fromCharCode(...a6) });
        const a = parseIpv4(t.text);
        if (a === undefined) {
          throw new ExprError(
            t.col,
            `'${t.text}' is not an IPv4 address (IPv6 literals are not supported by weka's DHCPv4 server)`,
          );
        }
        return s({ t: "lit", value: String.fromCharCode(...ipv4Bytes(a)) });
      }
      case "punct":
        if (t.text === "(") {
          const x = this.or();
          this.expect(")");
          return { ...x, col: t.col };
        }
        break;
      case "word":
        return this.word(t, s, b);
    }
    if (t.kind === "eof") throw new ExprError(t.col, "unexpected end of the expression: an operand is missing");
    throw new ExprError(t.col, `unexpected ${describe(t)}`);
  }

  private word(t: Token, s: (e: StrExpr) => Typed, b: (e: BoolExpr) => Typed): Typed {
    const w = t.text;
    if (this.opts.family === 6) {
      const r = word6(this, t);
      if (r) return r;
    }
    if (w === "option") {
      const code = this.optionCode();
      this.expect(".");
      const f = this.next();
      if (f.text === "exists") return b({ t: "exists", code });
      if (f.text === "hex" || f.text === "text") return s({ t: "option", code, repr: f.text });
      if (f.text === "option") {
        throw new ExprError(f.col, "sub-options (option[a].option[b]) are not supported by weka yet");
      }
      throw new ExprError(
        f.col,
        `expected 'hex', 'text' or 'exists' after 'option[${code}].' but found ${describe(f)}`,
      );
    }
    if (w === "relay4") {
      this.expect("[");
      const code = this.int("a relay agent sub-option code", 0, 255);
      this.expect("]");
      this.expect(".");
      const f = this.next();
      if (f.text === "exists") return b({ t: "relay4exists", code });
      if (f.text === "hex") return s({ t: "relay4", code });
      throw new ExprError(f.col, `expected 'hex' or 'exists' after 'relay4[${code}].' but found ${describe(f)}`);
    }
    if (w === "pkt4" || w === "pkt") {
      this.expect(".");
      const f = this.next();
      if (w === "pkt4" && (PKT4 as readonly string[]).includes(f.text)) {
        return s({ t: "pkt4", field: f.text as Pkt4Field });
      }
      if (w === "pkt" && (PKT as readonly string[]).includes(f.text)) return s({ t: "pkt", field: f.text as PktField });
      const list = (w === "pkt4" ? PKT4 : PKT).join(", ");
      throw new ExprError(f.col, `unknown packet field '${w}.${f.text}' (expected one of ${list})`);
    }
    if (w === "member") {
      this.expect("(");
      const n = this.next();
      if (n.kind !== "string") throw new ExprError(n.col, `member() takes a quoted class name, not ${describe(n)}`);
      this.expect(")");
      if (!this.members.includes(n.text)) this.members.push(n.text);
      return b({ t: "member", name: n.text });
    }
    if (w === "known" || w === "unknown") {
      if (!this.members.includes("KNOWN")) this.members.push("KNOWN");
      const m: BoolExpr = { t: "member", name: "KNOWN" };
      return b(w === "known" ? m : { t: "not", e: m });
    }
    if (w === "substring") {
      this.expect("(");
      const str = this.str("the first argument of substring()");
      this.expect(",");
      const start = this.int("the start of substring()", -0x80000000, 0x7fffffff);
      this.expect(",");
      let len: number | "all" = "all";
      if (this.isWord("all")) this.next();
      else len = this.int("the length of substring() or 'all'", -0x80000000, 0x7fffffff);
      this.expect(")");
      return s({ t: "substring", str, start, len });
    }
    if (w === "split") {
      this.expect("(");
      const str = this.str("the first argument of split()");
      this.expect(",");
      const sep = this.str("the separator of split()");
      this.expect(",");
      const field = this.int("the field number of split()", 0, 0x7fffffff);
      this.expect(")");
      return s({ t: "split", str, sep, field });
    }
    if (w === "concat" || w === "hexstring") {
      this.expect("(");
      const a = this.str(`the first argument of ${w}()`);
      this.expect(",");
      const c = this.str(`the second argument of ${w}()`);
      this.expect(")");
      return s(w === "concat" ? { t: "concat", a, b: c } : { t: "hexstring", str: a, sep: c });
    }
    if (w === "ifelse" || w === "sifelse") {
      this.expect("(");
      const cond = this.bool(this.or(), `the condition of ${w}()`);
      this.expect(",");
      const a = this.str(`the second argument of ${w}()`);
      this.expect(",");
      const c = this.str(`the third argument of ${w}()`);
      this.expect(")");
      return s({ t: "ifelse", cond, a, b: c });
    }
    if (w === "lcase" || w === "ucase" || w === "addrtotext" || INT_TO_TEXT[w]) {
      this.expect("(");
      const str = this.str(`the argument of ${w}()`);
      this.expect(")");
      if (w === "addrtotext") return s({ t: "addrtotext", str });
      if (INT_TO_TEXT[w]) return s({ t: "inttotext", kind: INT_TO_TEXT[w], str });
      return s({ t: "case", upper: w === "ucase", str });
    }
    if (V6_ONLY.has(w) && this.opts.family !== 6) {
      throw new ExprError(t.col, `'${w}' is a DHCPv6 expression and cannot be used in Dhcp4`);
    }
    if (UNSUPPORTED.has(w)) throw new ExprError(t.col, `'${w}' expressions are not supported by weka yet`);
    throw new ExprError(t.col, `unknown word '${w}'`);
  }

  optionCode(): number {
    this.expect("[");
    const t = this.next();
    let code: number | undefined;
    if (t.kind === "int") {
      code = Number(t.text);
      const max = this.opts.family === 6 ? 65535 : 255;
      if (!Number.isInteger(code) || code < 0 || code > max) {
        throw new ExprError(t.col, `option code ${t.text} is out of range 0..${max}`);
      }
    } else if (t.kind === "word") {
      code = this.opts.optionCode?.(t.text);
      const space = this.opts.family === 6 ? "dhcp6" : "dhcp4";
      if (code === undefined) throw new ExprError(t.col, `unknown option name '${t.text}' in space '${space}'`);
    } else throw new ExprError(t.col, `expected an option code or name but found ${describe(t)}`);
    this.expect("]");
    return code;
  }
}

/** How an error message shows a token. */
export function describe(t: Token): string {
  if (t.kind === "eof") return "the end of the expression";
  if (t.kind === "string") return `'${t.text}'`;
  return `'${t.text}'`;
}

/**
 * Parses a class `test` (Kea's `evaluateBool` input) into a typed tree, checking that it is boolean as Kea's
 * parser does for a client class. Throws an ExprError carrying the 1-based column and an operator-facing message
 * (Kea's "EvalParseError"). Option names are resolved through `opts.optionCode` (standard and custom options).
 */
export function parseTest(text: string, opts: ParseOptions = {}): ParsedTest {
  const p = new Parser(lex(text), opts);
  const expr = p.test();
  return { expr, members: p.members };
}

/**
 * Parses a string-valued expression (Kea's `EvalContext::PARSER_STRING`, the mode the flex-id hook's
 * `identifier-expression` is parsed in): the same grammar as a class test, but the whole input must give a
 * string, e.g. `option[12].hex` or `substring(relay4[1].hex, 0, 6)`. Throws an ExprError with the 1-based column.
 */
export function parseStringExpr(text: string, opts: ParseOptions = {}): StrExpr {
  return new Parser(lex(text), opts).value();
}
