/**
 * Recursive-descent parser for dhcpd.conf (dhcpd.conf(5); the grammar of dhcpd's confpars.c as keama uses it).
 * It builds the tree in ast.ts and refuses, with dhcpd's own wording plus file:line:column and the token, what
 * dhcpd refuses: declarations in the wrong scope, malformed subnets, pools outside networks, bad option
 * declarations, subclasses of unknown classes, and so on.
 */

import type { ConfFile, Node } from "./ast.ts";
import { type Comment, type Loc, MigrateError, type Token } from "./lexer.ts";
import { OptionRegistry } from "./option_registry.ts";
import { type ClassTable, parseClass, parseMatch, parseSubclass } from "./parse_class.ts";
import { address, parsePrefix6, parseRange6, subnet4Head, subnet6Head } from "./parse_net.ts";
import { parseFailover, parseKey, parseServerDuid, parseZone, skipStatement, tokensText } from "./parse_misc.ts";
import { parseDirective } from "./parse_directive.ts";
import { parseOptionStatement } from "./parse_option.ts";
import { parseHostStatement } from "./parse_host.ts";
import { parseIfChain } from "./parse_if.ts";
import { type FileReader, TokenStream } from "./token_stream.ts";
import { EXEC, KEYWORDS } from "./parse_keywords.ts";

type Scope = "root" | "shared" | "subnet" | "pool" | "host" | "class" | "group";

/** Options of the parser: address family and where included files come from. */
export interface ParseOptions {
  v6: boolean;
  file: string;
  readFile?: FileReader;
  /** called every 10 000 top-level statements with the current line (progress on big files) */
  onProgress?: (statements: number, line: number) => void;
}

/** Result of a parse: the tree plus the option registry it filled (the translator needs both). */
export interface ParseResult extends ConfFile {
  registry: OptionRegistry;
}

/**
 * Parses a whole dhcpd.conf text into its declaration tree (dhcpd's readconf()/parse_statement()); throws a
 * MigrateError, positioned on the offending token, for the first problem found, as dhcpd and keama stop there.
 */
export function parseDhcpdConf(text: string, opts: ParseOptions): ParseResult {
  const p = new Parser(new TokenStream(opts.file, text, opts.readFile), new OptionRegistry(opts.v6));
  p.onProgress = opts.onProgress;
  p.mainFile = opts.file;
  const nodes = p.block(["root"], true);
  return { nodes, comments: p.ts.comments(), registry: p.reg, header: p.header, trailer: p.trailer };
}

const texts = (cs: Comment[]) => cs.map((c) => c.text);

/**
 * The file's header: the leading comments of its first statement that a blank line keeps apart from it (the
 * comments right above a statement describe it).
 */
function splitHeader(lead: Comment[], firstLine: number): [Comment[], Comment[]] {
  let i = lead.length;
  let next = firstLine;
  while (i > 0 && lead[i - 1].line === next - 1) next = lead[--i].line;
  return [lead.slice(0, i), lead.slice(i)];
}

class Parser {
  readonly ts: TokenStream;
  readonly reg: OptionRegistry;
  private readonly classes: ClassTable = new Map();
  onProgress?: (statements: number, line: number) => void;
  private count = 0;
  header: string[] = [];
  trailer: string[] = [];
  private headed = false;
  mainFile = "";
  /** comments on the line of a body's `{` and before its `}`, by the body's node list */
  private readonly heads = new WeakMap<Node[], Comment[]>();
  private readonly tails = new WeakMap<Node[], Comment[]>();

  constructor(ts: TokenStream, reg: OptionRegistry) {
    this.ts = ts;
    this.reg = reg;
  }

  /**
   * Parses statements until `}` (consumed) or, at top level, end of input. Each statement gets the comments above it,
   * those inside it that no inner statement took, and the one after it on its last line (keama keeps them).
   */
  block(scopes: Scope[], top = false): Node[] {
    const out: Node[] = [];
    if (!top) this.heads.set(out, this.ts.takeTrailing());
    let pending: Comment[] = [];
    for (;;) {
      const t = this.ts.peek();
      pending.push(...this.ts.takeBefore());
      if (t.kind === "eof") {
        if (top) {
          this.trailer = texts(pending);
          return out;
        }
        throw new MigrateError(t, "unexpected end of file: missing '}'", "end of file");
      }
      if (t.kind === "punct" && t.text === "}") {
        if (top) throw new MigrateError(t, "expecting a parameter or declaration", t.text);
        this.ts.next();
        this.tails.set(out, pending);
        return out;
      }
      if (t.kind === "punct" && t.text === ";") {
        this.ts.next();
        continue;
      }
      if (top && !this.headed) {
        this.headed = true;
        const [header, lead] = t.file === this.mainFile ? splitHeader(pending, t.line) : [[], pending];
        this.header = texts(header);
        pending = lead;
      }
      if (t.kind === "punct" && t.text === "%") {
        // keama's directives (confparse.c parse_statement(), case PERCENT): top level only
        if (scopes.length !== 1 || scopes[0] !== "root") {
          throw new MigrateError(t, "directives are only supported at toplevel", t.text);
        }
        this.ts.next();
        const d = parseDirective(this.ts, this.reg, { file: t.file, line: t.line, col: t.col });
        if (d) out.push(this.comment(d, pending));
        if (d) pending = [];
        continue;
      }
      const n = this.statement(scopes);
      if (n) {
        out.push(this.comment(n, pending));
        pending = [];
      }
      if (top && this.onProgress && ++this.count % 10000 === 0) this.onProgress(this.count, t.line);
    }
  }

  /** Gives `n` its comments: `lead`, its body's head, what is left inside it, and the one after it on its line. */
  private comment(n: Node, lead: Comment[]): Node {
    const body = "body" in n ? n.body : undefined;
    const all = [
      ...lead,
      ...(body ? this.heads.get(body) ?? [] : []),
      ...this.ts.takeInner(),
      ...this.ts.takeTrailing(),
    ];
    if (all.length) n.comments = texts(all);
    const tail = body && this.tails.get(body);
    if (tail?.length) n.tail = texts(tail);
    return n;
  }

  private has(scopes: Scope[], ...kinds: Scope[]): boolean {
    return scopes.some((s) => kinds.includes(s));
  }

  private body(scopes: Scope[], kind: Scope): Node[] {
    this.ts.expect("{", "expecting left brace");
    return this.block([...scopes, kind]);
  }

  private statement(scopes: Scope[]): Node | undefined {
    const ts = this.ts;
    const t = ts.peek();
    const loc: Loc = { file: t.file, line: t.line, col: t.col };
    if (t.kind !== "word") throw new MigrateError(t, "expecting a parameter or declaration", t.text);
    // dhcpd's keywords are case-insensitive (conflex.c intern() compares with strcasecmp): `Allow booting;`
    const lower = t.text.toLowerCase();
    const w = KEYWORDS.has(lower) ? lower : t.text === "ignore-client-updates" ? "ignore" : t.text;
    if (t.text === "ignore-client-updates") {
      ts.next();
      ts.expect(";", "semicolon expected.");
      return { k: "param", name: "ignore", args: [{ ...t, text: "client-updates" }], loc };
    }
    const inClass = this.has(scopes, "class");
    const network = this.has(scopes, "subnet", "shared");
    switch (w) {
      case "include": {
        ts.next();
        const f = ts.next();
        if (f.kind !== "string") throw new MigrateError(f, "filename string expected.", f.text);
        ts.expect(";", "semicolon expected.");
        ts.include(f.text, f);
        return undefined;
      }
      case "option":
        ts.next();
        return parseOptionStatement(ts, this.reg, loc);
      case "subnet":
      case "subnet6": {
        ts.next();
        if (inClass || this.has(scopes, "subnet", "host", "pool")) {
          throw new MigrateError(t, "subnet declarations not allowed here.", w);
        }
        const v6 = w === "subnet6";
        if (v6 !== this.reg.v6) {
          throw new MigrateError(t, `${w} declaration in a DHCPv${this.reg.v6 ? 6 : 4} configuration`, w);
        }
        const head = v6 ? subnet6Head(ts) : subnet4Head(ts);
        return this.subnetBody(scopes, loc, v6, head.prefix, head.len);
      }
      case "shared-network": {
        ts.next();
        if (this.has(scopes, "shared", "subnet", "host", "class", "pool")) {
          throw new MigrateError(t, "shared-network parameters not allowed here.", w);
        }
        const nameTok = ts.peek();
        if (nameTok.kind === "punct") {
          throw new MigrateError(nameTok, "expecting a name for shared-network", nameTok.text);
        }
        ts.next();
        const body = this.body(scopes, "shared");
        const ifs = body.filter((n) => n.k === "interface");
        if (ifs.length > 1) {
          throw new MigrateError(ifs[1].loc, "A shared network can't be connected to two interfaces.", "interface");
        }
        if (!body.some((n) => n.k === "subnet")) throw new MigrateError(ts.last(), "empty shared-network decl", "}");
        return { k: "shared", name: nameTok.text, body, loc };
      }
      case "group": {
        ts.next();
        if (inClass) throw new MigrateError(t, "group declarations not allowed here.", w);
        const name = ts.peek().text === "{" ? undefined : ts.next().text;
        return { k: "group", name, body: this.body(scopes, "group"), loc };
      }
      case "pool":
      case "pool6": {
        ts.next();
        if (!network) throw new MigrateError(t, `${w} declared outside of network`, w);
        return { k: "pool", v6: w === "pool6", body: this.body(scopes, "pool"), loc };
      }
      case "range": {
        ts.next();
        if (!network) throw new MigrateError(t, "range declaration not allowed here.", w);
        let bootp = false;
        if (ts.peek().text === "dynamic-bootp") bootp = !!ts.next();
        const lo = address(this.ts, false);
        const hi = ts.peek().text === ";" ? lo : address(this.ts, false);
        ts.expect(";", "semicolon expected.");
        return { k: "range", lo: lo.text, hi: hi.text, bootp, loc };
      }
      case "range6":
        ts.next();
        if (!network) throw new MigrateError(t, "range6 declaration not allowed here.", w);
        return parseRange6(ts, loc);
      case "prefix6":
        ts.next();
        if (!network) throw new MigrateError(t, "prefix6 declaration not allowed here.", w);
        return parsePrefix6(ts, loc);
      case "host": {
        ts.next();
        if (inClass || this.has(scopes, "host")) throw new MigrateError(t, "host declarations not allowed here.", w);
        const name = ts.next();
        return { k: "host", name: name.text, body: this.body(scopes, "host"), loc };
      }
      case "hardware":
      case "fixed-address":
      case "fixed-address6":
      case "fixed-prefix6":
      case "uid":
      case "host-identifier":
        return parseHostStatement(ts, this.reg, w, this.has(scopes, "host"), loc);
      case "class":
        ts.next();
        // dhcpd (confpars.c parse_statement, CLASS) refuses a class only inside a class; in a subnet, shared
        // network, pool or host it declares a global class whose statements inherit that scope
        if (inClass) throw new MigrateError(t, "class declarations not allowed here.", w);
        return parseClass(ts, this.classes, () => this.body(scopes, "class"), loc);
      case "subclass":
        ts.next();
        if (inClass) {
          throw new MigrateError(t, "class declarations not allowed here.", w);
        }
        return parseSubclass(ts, this.classes, () => this.body(scopes, "class"), loc);
      case "match":
        ts.next();
        if (!inClass) throw new MigrateError(t, "match statement in inappropriate scope.", w);
        return parseMatch(ts, this.reg, loc);
      case "allow":
      case "deny":
      case "ignore": {
        ts.next();
        const toks: Token[] = [];
        while (ts.peek().text !== ";" && ts.peek().kind !== "eof") toks.push(ts.next());
        ts.expect(";", "semicolon expected.");
        if (toks[0]) toks[0] = { ...toks[0], text: toks[0].text.toLowerCase() };
        const what = toks.map((x) => x.text).join(" ");
        if (this.has(scopes, "pool") && w !== "ignore") return { k: "permit", allow: w === "allow", what, loc };
        return { k: "param", name: w, args: toks, loc };
      }
      case "interface": {
        ts.next();
        const n = ts.next();
        ts.expect(";", "semicolon expected.");
        return { k: "interface", name: n.text, loc };
      }
      case "zone":
        ts.next();
        return parseZone(ts, loc);
      case "key":
        ts.next();
        return parseKey(ts, loc);
      case "failover":
        ts.next();
        return parseFailover(ts, loc);
      case "server-duid": {
        ts.next();
        const d = parseServerDuid(ts, loc);
        // dhcpd -4 takes the bare forms but refuses a DUID with link-layer details (keama duidlltthw4.err4)
        if (!this.reg.v6 && d.k === "duid" && d.htype !== undefined) {
          throw new MigrateError(t, "expecting a parameter or declaration", w);
        }
        if (!this.reg.v6) return { k: "stmt", src: "server-duid", note: "server-duid is a DHCPv6 parameter", loc };
        return d;
      }
      case "vendor-class":
      case "user-class":
        throw new MigrateError(t, `obsolete '${w}' declaration`, w);
      case "case":
        throw new MigrateError(t, "case statement in inappropriate scope.", w);
      case "default:":
        throw new MigrateError(t, "switch default statement in inappropriate scope.", "default");
      case "default":
        if (ts.peek(1).text === ":") throw new MigrateError(t, "switch default statement in inappropriate scope.", w);
        ts.next();
        return {
          k: "stmt",
          src: `default ${skipStatement(ts)}`,
          note: "Kea does not support option data set variants (default)",
          loc,
        };
      case "lease":
        if (ts.peek(1).text === "limit") {
          ts.next();
          return {
            k: "stmt",
            src: `lease ${skipStatement(ts)}`,
            note: "Per-class lease limit is not supported by Kea 2.2",
            loc,
          };
        }
        break;
      case "spawn":
        ts.next();
        return { k: "stmt", src: `spawn ${skipStatement(ts)}`, note: "spawning classes are not supported by Kea", loc };
    }
    if (EXEC.has(w)) {
      ts.next();
      const src = `${w} ${skipStatement(ts)}`;
      const note = `executable statement '${w}' has no Kea equivalent`;
      if (w !== "if") return { k: "stmt", src, note, loc };
      // parsed again on its own: branches the translator can make client classes of, or the text as before
      try {
        const sub = new Parser(new TokenStream(loc.file, src), this.reg);
        return { k: "if", branches: parseIfChain(sub.ts, this.reg, () => sub.block(scopes), loc), src, loc };
      } catch (e) {
        if (!(e instanceof MigrateError)) throw e;
        return { k: "stmt", src, note, loc };
      }
    }
    // a parameter: NAME ARGS… ;   (unknown words are dhcpd "eval" statements; the translator decides)
    ts.next();
    const args: Token[] = [];
    let depth = 0;
    for (;;) {
      const a = ts.peek();
      if (a.kind === "eof") throw new MigrateError(a, "semicolon expected.", "end of file");
      if (a.kind === "punct" && depth === 0 && (a.text === ";" || a.text === "{" || a.text === "}")) break;
      if (a.text === "(") depth++;
      if (a.text === ")") depth--;
      args.push(ts.next());
    }
    if (ts.peek().text !== ";") throw new MigrateError(ts.peek(), "semicolon expected.", ts.peek().text);
    ts.next();
    if (args.length > 0 && args[0].text === "=") args.shift();
    return { k: "param", name: w, args, loc };
  }

  private subnetBody(scopes: Scope[], loc: Loc, v6: boolean, prefix: string, len: number): Node {
    const body = this.body(scopes, "subnet");
    const ifs = body.filter((n) => n.k === "interface");
    if (ifs.length > 1) {
      throw new MigrateError(ifs[1].loc, "A subnet can't be connected to two interfaces.", "interface");
    }
    return { k: "subnet", v6, prefix, len, body, loc };
  }
}

export { tokensText };
