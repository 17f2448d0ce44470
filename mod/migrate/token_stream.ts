/**
 * The parser's view of the input: a stack of lexers, one per open file, so that `include "file";` switches to
 * the included file and returns to the includer at its end, as dhcpd's parse_include() does. Reading files is
 * injected (`readFile`) so the parser stays free of I/O.
 */

import { type Comment, Lexer, type Loc, MigrateError, type Token } from "./lexer.ts";

/** Reads an included file; returns its text, or throws when it cannot be read. */
export type FileReader = (path: string, from: string) => string;

/** Token source over the main file and any included files. */
export class TokenStream {
  private readonly stack: Lexer[] = [];
  private readonly done: Lexer[] = [];
  private readonly reader: FileReader | undefined;
  private lastTok: Token;
  /** the lexer the last consumed token came from (its trailing comment is in that lexer) */
  private lastLexer: Lexer;

  constructor(file: string, text: string, reader?: FileReader) {
    this.stack.push(new Lexer(file, text));
    this.reader = reader;
    this.lastTok = { file, line: 1, col: 1, kind: "eof", text: "" };
    this.lastLexer = this.stack[0];
  }

  private top(): Lexer {
    for (;;) {
      const lx = this.stack[this.stack.length - 1];
      if (this.stack.length > 1 && lx.peek().kind === "eof") {
        this.done.push(this.stack.pop()!);
        continue;
      }
      return lx;
    }
  }

  /** The next token, looking through the ends of included files. */
  peek(n = 0): Token {
    const lx = this.top();
    return lx.peek(n);
  }

  /** Consumes the next token. */
  next(): Token {
    this.lastLexer = this.top();
    this.lastTok = this.lastLexer.next();
    return this.lastTok;
  }

  /**
   * Takes, in order, the untaken comments of `lx` up to the first one `beyond` says lies past the bound (comments are
   * kept in file order, and a cursor skips those taken already, so parsing stays linear in the file's length).
   */
  private take(lx: Lexer, beyond: (c: Comment) => boolean, want: (c: Comment) => boolean, out: Comment[]): void {
    const list = lx.comments as Comment[];
    for (let i = lx.commentCursor; i < list.length; i++) {
      const c = list[i];
      if (c.taken) continue;
      if (beyond(c)) break;
      if (!want(c)) continue;
      c.taken = true;
      out.push(c);
    }
    while (lx.commentCursor < list.length && list[lx.commentCursor].taken) lx.commentCursor++;
  }

  /**
   * Takes the comments not yet given to a node that come before the next token: all of those in files left or
   * included (everything they scanned lies before), and in the next token's own file those above or left of it.
   */
  takeBefore(): Comment[] {
    const lx = this.top();
    const t = lx.peek();
    const out: Comment[] = [];
    for (const other of [...this.done, ...this.stack]) {
      const past = other === lx ? (c: Comment) => c.line > t.line || (c.line === t.line && c.col > t.col) : () => false;
      this.take(other, past, () => true, out);
    }
    return out;
  }

  /** Takes the comments of the last consumed token's file that come before it (inside a statement just read). */
  takeInner(): Comment[] {
    const t = this.lastTok;
    const out: Comment[] = [];
    this.take(this.lastLexer, (c) => c.line > t.line || (c.line === t.line && c.col > t.col), () => true, out);
    return out;
  }

  /** Takes the comments on the line of the last consumed token, after it (`option x 1; # the x`). */
  takeTrailing(): Comment[] {
    this.peek(); // lexes past the end of the line, so a comment there is seen
    const t = this.lastTok;
    const out: Comment[] = [];
    this.take(this.lastLexer, (c) => c.line > t.line, (c) => c.trailing && c.line === t.line && c.col > t.col, out);
    return out;
  }

  /** The last token consumed (error positions point at it when the problem is found after it). */
  last(): Token {
    return this.lastTok;
  }

  /** Opens `path` (relative to the including file) and continues reading from it (dhcpd's `include`). */
  include(path: string, at: Loc): void {
    if (!this.reader) throw new MigrateError(at, "include files are not available here", path);
    if (this.stack.length > 16) throw new MigrateError(at, "includes nested too deeply", path);
    let text: string;
    try {
      text = this.reader(path, at.file);
    } catch (e) {
      throw new MigrateError(at, `can't open include file ${path}: ${(e as Error).message}`, path);
    }
    this.stack.push(new Lexer(path, text));
  }

  /** Consumes the next token and checks it is the punctuation or word `text`, else raises `message`. */
  expect(text: string, message: string): Token {
    const t = this.peek();
    if (t.text !== text || t.kind === "string") throw new MigrateError(t, message, t.text);
    return this.next();
  }

  /** All comments seen so far in every file, with the file they are in. */
  comments(): { file: string; line: number; text: string }[] {
    const out: { file: string; line: number; text: string }[] = [];
    for (const lx of [...this.done, ...this.stack]) {
      for (const c of lx.comments as Comment[]) out.push({ file: lx.file, line: c.line, text: c.text });
    }
    return out;
  }
}
