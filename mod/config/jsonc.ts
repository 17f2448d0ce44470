/**
 * JSON with comments (`//`, `/* *\/`) into a tree with offsets, for the configuration loader (parse_text.ts) and
 * the control channel's request parser (mod/control/registry.ts). It reads what jsonc-parser's `parseTree` read
 * there and names the first syntax error with jsonc-parser's code and offset (its `printParseErrorCode` names:
 * CommaExpected, CloseBraceExpected, …), so messages stay as they were. It stops at the first error, as Kea's
 * parser does. jsonc-parser ships as a UMD/CommonJS module, which Deno loads through its Node compatibility
 * layer: about 5 MiB of resident memory in every server for a few hundred lines of scanning (issue 16 item 5).
 * Pure.
 */

/** A node of the parse tree (jsonc-parser's `Node` shape): a property's children are its key and its value. */
export interface JsonNode {
  type: "object" | "array" | "property" | "string" | "number" | "boolean" | "null";
  /** offset of the node's first character in the text */
  offset: number;
  length: number;
  /** the value of a leaf (string, number, boolean, null) */
  value?: unknown;
  children?: JsonNode[];
}

/** The first syntax error: jsonc-parser's error code name, the offset and length of the token where it was found. */
export interface JsoncError {
  code: string;
  offset: number;
  length: number;
}

/** What {@link parseJsonc} gives back: the tree when the text parsed, else the first error. */
export type JsoncResult = { tree: JsonNode; error?: undefined } | { tree?: undefined; error: JsoncError };

type Tok = "{" | "}" | "[" | "]" | ":" | "," | "string" | "number" | "true" | "false" | "null" | "eof";

class Stop {
  constructor(readonly error: JsoncError) {}
}

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0b || c === 0x0c || c === 0xa0 || c === 0xfeff;
const isBreak = (c: number) => c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
/** characters that end an unquoted word (jsonc-parser's isUnknownContentCharacter, negated) */
const ENDS_WORD = new Set([...'{}[]":,/'].map((c) => c.charCodeAt(0)));

/** A scanner over `text`: one token ahead, comments and white space skipped. */
class Scanner {
  pos = 0;
  private t: Tok = "eof";
  start = 0;
  value: unknown = undefined;

  constructor(private readonly text: string) {}

  /** the current token (a method, so a check after `next()` is not narrowed away by the compiler) */
  cur(): Tok {
    return this.t;
  }

  private fail(code: string): never {
    throw new Stop({ code, offset: this.start, length: this.pos - this.start });
  }

  /** Advances to the next token. */
  next(): Tok {
    const t = this.text;
    for (;;) {
      this.start = this.pos;
      this.value = undefined;
      if (this.pos >= t.length) return this.t = "eof";
      const c = t.charCodeAt(this.pos);
      if (isSpace(c) || isBreak(c)) {
        this.pos++;
        continue;
      }
      if (c === 0x2f) { // '/'
        const d = t.charCodeAt(this.pos + 1);
        if (d === 0x2f) {
          this.pos += 2;
          while (this.pos < t.length && !isBreak(t.charCodeAt(this.pos))) this.pos++;
          continue;
        }
        if (d === 0x2a) {
          const end = t.indexOf("*/", this.pos + 2);
          if (end < 0) {
            this.pos = t.length;
            this.fail("UnexpectedEndOfComment");
          }
          this.pos = end + 2;
          continue;
        }
        this.pos++;
        this.fail("InvalidSymbol");
      }
      const single = "{}[]:,".indexOf(t[this.pos]);
      if (single >= 0) {
        this.pos++;
        return this.t = t[this.start] as Tok;
      }
      if (c === 0x22) return this.string();
      if (c === 0x2d || isDigit(c)) return this.number();
      while (this.pos < t.length) {
        const x = t.charCodeAt(this.pos);
        if (isSpace(x) || isBreak(x) || ENDS_WORD.has(x)) break;
        this.pos++;
      }
      if (this.pos === this.start) this.pos++;
      const word = t.slice(this.start, this.pos);
      if (word === "true" || word === "false" || word === "null") {
        this.value = word === "null" ? null : word === "true";
        return this.t = word;
      }
      this.fail("InvalidSymbol");
    }
  }

  private string(): Tok {
    const t = this.text;
    let out = "";
    let from = ++this.pos;
    for (;;) {
      if (this.pos >= t.length) this.fail("UnexpectedEndOfString");
      const c = t.charCodeAt(this.pos);
      if (c === 0x22) {
        out += t.slice(from, this.pos++);
        break;
      }
      if (c === 0x5c) {
        out += t.slice(from, this.pos++);
        if (this.pos >= t.length) this.fail("UnexpectedEndOfString");
        const e = t[this.pos++];
        const simple = ({ '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" } as const)[
          e as '"'
        ];
        if (simple !== undefined) out += simple;
        else if (e === "u") {
          const hex = t.slice(this.pos, this.pos + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail("InvalidUnicode");
          out += String.fromCharCode(parseInt(hex, 16));
          this.pos += 4;
        } else this.fail("InvalidEscapeCharacter");
        from = this.pos;
        continue;
      }
      if (c <= 0x1f) {
        if (isBreak(c)) this.fail("UnexpectedEndOfString");
        this.fail("InvalidCharacter");
      }
      this.pos++;
    }
    this.value = out;
    return this.t = "string";
  }

  private number(): Tok {
    const t = this.text;
    if (t.charCodeAt(this.pos) === 0x2d) {
      this.pos++;
      if (!isDigit(t.charCodeAt(this.pos))) this.fail("InvalidSymbol");
    }
    const digits = () => {
      while (isDigit(t.charCodeAt(this.pos))) this.pos++;
    };
    if (t.charCodeAt(this.pos) === 0x30) this.pos++;
    else digits();
    if (t.charCodeAt(this.pos) === 0x2e) {
      this.pos++;
      if (!isDigit(t.charCodeAt(this.pos))) this.fail("UnexpectedEndOfNumber");
      digits();
    }
    const e = t.charCodeAt(this.pos);
    if (e === 0x45 || e === 0x65) {
      this.pos++;
      const s = t.charCodeAt(this.pos);
      if (s === 0x2b || s === 0x2d) this.pos++;
      if (!isDigit(t.charCodeAt(this.pos))) this.fail("UnexpectedEndOfNumber");
      digits();
    }
    const n = Number(t.slice(this.start, this.pos));
    if (Number.isNaN(n)) this.fail("InvalidNumberFormat");
    this.value = n;
    return this.t = "number";
  }

  /** Stops the parse with `code` at the current token. */
  error(code: string): never {
    this.fail(code);
  }
}

/** Options as jsonc-parser's: a comma before `}` or `]` is accepted when allowTrailingComma is set. */
export interface JsoncOptions {
  allowTrailingComma?: boolean;
}

/** Parses `text` (one JSON value, comments allowed) into a tree, or names its first syntax error. */
export function parseJsonc(text: string, opts: JsoncOptions = {}): JsoncResult {
  const s: Scanner = new Scanner(text);
  const trailing = opts.allowTrailingComma ?? false;
  const leaf = (): JsonNode => {
    const type = s.cur() === "true" || s.cur() === "false" ? "boolean" : s.cur() as "string" | "number" | "null";
    const node: JsonNode = { type, offset: s.start, length: s.pos - s.start, value: s.value };
    s.next();
    return node;
  };
  const value = (): JsonNode | undefined => {
    switch (s.cur()) {
      case "{":
        return container("object", "}", "CloseBraceExpected", property);
      case "[":
        return container("array", "]", "CloseBracketExpected", value);
      case "string":
      case "number":
      case "true":
      case "false":
      case "null":
        return leaf();
      default:
        return undefined;
    }
  };
  const property = (): JsonNode | undefined => {
    if (s.cur() !== "string") s.error("PropertyNameExpected");
    const key = leaf();
    if (s.cur() !== ":") s.error("ColonExpected");
    s.next();
    const v = value();
    if (!v) s.error("ValueExpected");
    return { type: "property", offset: key.offset, length: v.offset + v.length - key.offset, children: [key, v] };
  };
  const container = (
    type: "object" | "array",
    close: "}" | "]",
    missing: string,
    item: () => JsonNode | undefined,
  ): JsonNode => {
    const offset = s.start;
    const children: JsonNode[] = [];
    s.next();
    while (s.cur() !== close && s.cur() !== "eof") {
      if (s.cur() === ",") {
        if (!children.length) s.error("ValueExpected");
        if (s.next() === close && trailing) break;
      } else if (children.length) s.error("CommaExpected");
      const got = item();
      if (!got) s.error("ValueExpected");
      children.push(got);
    }
    if (s.cur() !== close) s.error(missing);
    const node: JsonNode = { type, offset, length: s.pos - offset, children };
    s.next();
    return node;
  };
  try {
    s.next();
    if (s.cur() === "eof") s.error("ValueExpected");
    const tree = value();
    if (!tree) s.error("ValueExpected");
    if (s.cur() !== "eof") s.error("EndOfFileExpected");
    return { tree };
  } catch (e) {
    if (e instanceof Stop) return { error: e.error };
    throw e;
  }
}

/** The value a node stands for, as JSON.parse builds it (a `__proto__` key is an own key; the last key wins). */
export function nodeValue(node: JsonNode): unknown {
  if (node.type === "array") return node.children!.map(nodeValue);
  if (node.type === "object") {
    return Object.fromEntries(node.children!.map((p) => [p.children![0].value as string, nodeValue(p.children![1])]));
  }
  return node.value;
}
