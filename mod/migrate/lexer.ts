/**
 * Lexer for ISC dhcpd.conf text. dhcpd's own lexer (common/conflex.c) is context-sensitive: whether
 * `00:0b:fd` is a hex list, `2001::1` an address or `www.isc.org` a name is decided by the parser. This
 * lexer therefore returns "words" (runs of characters that are not white space, quotes or punctuation) and
 * lets the parser interpret them; strings are decoded with dhcpd's escapes (\n \t \b \r \" \\ \ooo \xHH).
 * Tokens are produced on demand so that a parser error is reported before text further on is lexed, as
 * dhcpd does. `#` starts a comment that runs to the end of the line; comments are kept (keama copies them).
 */

/** Where a token starts: file name, 1-based line and column. */
export interface Loc {
  file: string;
  line: number;
  col: number;
}

/** Token kinds: a bare word, a quoted string, a punctuation mark, or end of input. */
export type TokKind = "word" | "string" | "punct" | "eof";

/** One token with its position. `text` is the decoded value (for strings: without quotes, escapes applied). */
export interface Token extends Loc {
  kind: TokKind;
  text: string;
}

/**
 * A `#` comment with where it starts (keama copies comments into its output): `trailing` when a token precedes it
 * on its line; `taken` once the parser has given it to a node (token_stream.ts).
 */
export interface Comment {
  line: number;
  col: number;
  text: string;
  trailing: boolean;
  taken?: boolean;
}

/** The error raised on bad input, carrying the position and the token (dhcpd's parse_warn() names the line). */
export class MigrateError extends Error {
  readonly loc: Loc;
  readonly token: string;
  readonly reason: string;

  constructor(loc: Loc, reason: string, token: string) {
    super(`${loc.file}:${loc.line}:${loc.col}: ${reason}${token === "" ? "" : ` (at '${token}')`}`);
    this.name = "MigrateError";
    this.loc = loc;
    this.token = token;
    this.reason = reason;
  }
}

const PUNCT = new Set(["{", "}", ";", ",", "=", "(", ")", "!"]);

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;
}

/**
 * Pull lexer over one file's text. `next()` consumes a token, `peek()` looks at the next one without consuming;
 * both work lazily. Follows dhcpd's conflex.c for comments and string escapes; `!=` is one punctuation token, and
 * so is a `%` at the start of a token (keama's conflex.c returns it as PERCENT for its directives).
 */
export class Lexer {
  readonly file: string;
  readonly comments: Comment[] = [];
  /** index of the first comment no node has taken yet (token_stream.ts) */
  commentCursor = 0;
  private readonly text: string;
  private pos = 0;
  private line = 1;
  private lineStart = 0;
  private ahead: Token[] = [];
  /** line of the last token scanned (a comment on it is a trailing one) */
  private tokLine = 0;

  constructor(file: string, text: string) {
    this.file = file;
    this.text = text;
  }

  /** Returns the next token without consuming it (`n` = 0 for the next, 1 for the one after). */
  peek(n = 0): Token {
    while (this.ahead.length <= n) this.ahead.push(this.scan());
    return this.ahead[n];
  }

  /** Consumes and returns the next token. */
  next(): Token {
    return this.ahead.length > 0 ? this.ahead.shift()! : this.scan();
  }

  private loc(): Loc {
    return { file: this.file, line: this.line, col: this.pos - this.lineStart + 1 };
  }

  private scan(): Token {
    const t = this.text;
    for (;;) {
      while (this.pos < t.length && isSpace(t.charCodeAt(this.pos))) {
        if (t.charCodeAt(this.pos) === 10) {
          this.line++;
          this.lineStart = this.pos + 1;
        }
        this.pos++;
      }
      if (this.pos < t.length && t[this.pos] === "#") {
        const end = t.indexOf("\n", this.pos);
        const stop = end < 0 ? t.length : end;
        const col = this.pos - this.lineStart + 1;
        const text = t.slice(this.pos, stop).trimEnd();
        this.comments.push({ line: this.line, col, text, trailing: this.tokLine === this.line });
        this.pos = stop;
        continue;
      }
      break;
    }
    const loc = this.loc();
    this.tokLine = this.line;
    if (this.pos >= t.length) return { ...loc, kind: "eof", text: "" };
    const c = t[this.pos];
    if (c === '"') return { ...loc, kind: "string", text: this.scanString(loc) };
    if (c === "!" && t[this.pos + 1] === "=") {
      this.pos += 2;
      return { ...loc, kind: "punct", text: "!=" };
    }
    // `%` starts one of keama's directives (`% option NAME known unknown;`); inside a word it stays part of it
    if (PUNCT.has(c) || c === "%") {
      this.pos++;
      return { ...loc, kind: "punct", text: c };
    }
    const start = this.pos;
    while (this.pos < t.length) {
      const ch = t[this.pos];
      if (isSpace(t.charCodeAt(this.pos)) || ch === '"' || ch === "#" || PUNCT.has(ch)) break;
      this.pos++;
    }
    return { ...loc, kind: "word", text: t.slice(start, this.pos) };
  }

  private scanString(loc: Loc): string {
    const t = this.text;
    this.pos++;
    let out = "";
    while (this.pos < t.length) {
      const ch = t[this.pos++];
      if (ch === '"') return out;
      if (ch === "\n") {
        this.line++;
        this.lineStart = this.pos;
      }
      if (ch !== "\\") {
        out += ch;
        continue;
      }
      const e = t[this.pos++];
      if (e === "n") out += "\n";
      else if (e === "t") out += "\t";
      else if (e === "r") out += "\r";
      else if (e === "b") out += "\b";
      else if (e === "x") {
        const m = /^[0-9a-fA-F]{1,2}/.exec(t.slice(this.pos, this.pos + 2));
        if (m) {
          out += String.fromCharCode(parseInt(m[0], 16));
          this.pos += m[0].length;
        } else out += "x";
      } else if (e >= "0" && e <= "7") {
        const m = /^[0-7]{1,3}/.exec(t.slice(this.pos - 1, this.pos + 2))!;
        out += String.fromCharCode(parseInt(m[0], 8) & 0xff);
        this.pos += m[0].length - 1;
      } else if (e !== undefined) out += e;
    }
    throw new MigrateError(loc, "unterminated string", '"');
  }
}
