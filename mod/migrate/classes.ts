/**
 * dhcpd classes → Kea client classes (keama confparse.c/reduce.c): `match if` becomes the class `test`; a class
 * with `match DATA` is a superclass whose subclasses become one class each, named `sub#SUPER#N`, testing
 * `DATA == SELECTOR` (and the superclass's `match if`, when it has one), carrying the superclass's options
 * under their own. Pool `allow`/`deny` lists become the pool's `client-class`, generating a class (`gen#…#`)
 * when the rule is more than one plain class.
 */

import type { Expr, Node } from "./ast.ts";
import type { Ctx } from "./context.ts";
import { JObj, jobj } from "./emit.ts";
import { keaData, keaLiteral, keaTest, Untranslatable } from "./expr_kea.ts";
import { applyOption } from "./options.ts";
import { applyParam } from "./params.ts";
import { exprText } from "./parse_expr.ts";
import { BOOTP_PERMIT } from "./bootp.ts";
import { addComments, commentLast } from "./comments.ts";

interface Super {
  data: Expr;
  cond?: Expr;
  body: Node[];
  count: number;
}

/** Translates classes and subclasses, remembering superclasses for their subclasses. */
export class ClassTranslator {
  private readonly ctx: Ctx;
  private readonly supers = new Map<string, Super>();
  private readonly generated = new Map<string, JObj>();

  constructor(ctx: Ctx) {
    this.ctx = ctx;
  }

  private list() {
    return this.ctx.dhcp.arr("client-classes");
  }

  private body(obj: JObj, nodes: Node[]): void {
    for (const n of nodes) {
      if (n.k === "if") continue; // made into classes after this one (ifStmt)
      this.ctx.comments.around(n, obj, () => {
        if (n.k === "option") applyOption(n, obj, this.ctx);
        else if (n.k === "param") applyParam(n, obj, "class", this.ctx);
        else if (n.k === "stmt") this.ctx.off(obj, "statement", n.src, n.loc, [n.note]);
        else if (n.k !== "match") {
          this.ctx.off(obj, "statement", n.k, n.loc, [`'${n.k}' in a class has no Kea equivalent`]);
        }
      });
    }
  }

  private test(obj: JObj, make: () => string, from: string[], loc: Node["loc"]): void {
    try {
      obj.set("test", make(), from);
    } catch (e) {
      if (!(e instanceof Untranslatable)) throw e;
      this.ctx.off(obj, "test", from.join(" "), loc, [...from, `cannot be translated: ${e.message}`]);
    }
  }

  /** `class NAME { … }` (inherited = parameters of enclosing groups, applied under the class's own). */
  klass(node: Node & { k: "class" }, inherited: Node[]): void {
    const ctx = this.ctx;
    const obj = jobj({ name: node.name });
    const cond = node.body.find((n) => n.k === "match" && n.cond) as (Node & { k: "match" }) | undefined;
    const data = node.body.find((n) => n.k === "match" && n.data) as (Node & { k: "match" }) | undefined;
    if (data) this.supers.set(node.name, { data: data.data!, cond: cond?.cond, body: node.body, count: 0 });
    else if (cond) {
      this.test(obj, () => keaTest(cond.cond!, ctx.v6), [`from: ${cond.src}`], cond.loc);
      const test = obj.entries.find((e) => e.key === "test");
      if (test) addComments(test, ctx.comments.take(cond));
    }
    this.body(obj, [...inherited, ...node.body]);
    obj.comment(ctx.comments.tail(node));
    this.list().push(obj, data ? [`match: ${exprText(data.data!)}`] : undefined);
    ctx.counts.classes++;
    for (const n of node.body) {
      if (n.k === "if") this.ifStmt(n, node.name, obj.has("test") ? `member('${node.name}')` : undefined);
    }
  }

  /**
   * `if C1 { … } elsif C2 { … } else { … }` → one client class per branch, in order, whose test is its condition
   * and the negation of the earlier ones (and membership of the enclosing class), carrying the branch's boot
   * fields and options: Kea evaluates classes for every packet, which is what dhcpd does with the statement.
   * A condition Kea cannot express leaves the whole statement commented out, counted.
   */
  ifStmt(node: Node & { k: "if" }, parent?: string, parentTest?: string): void {
    const ctx = this.ctx;
    const made: { obj: JObj; nested: (Node & { k: "if" })[]; test: string }[] = [];
    try {
      const prev: string[] = [];
      node.branches.forEach((b, i) => {
        const own = b.cond ? keaTest(b.cond, ctx.v6) : undefined;
        const parts = [...(parentTest ? [parentTest] : []), ...prev.map((p) => `not (${p})`), ...(own ? [own] : [])];
        if (own) prev.push(own);
        const name = `${parent ? parent + "#" : ""}if#${node.loc.line}#${i + 1}`;
        const test = parts.length === 0
          ? "member('ALL')"
          : parts.map((p) => (parts.length > 1 ? `(${p})` : p)).join(" and ");
        const obj = jobj({ name, test });
        made.push({
          obj,
          nested: b.body.filter((n) => n.k === "if") as (Node & { k: "if" })[],
          test: `member('${name}')`,
        });
      });
    } catch (e) {
      if (!(e instanceof Untranslatable)) throw e;
      ctx.off(ctx.dhcp, "statement", node.src, node.loc, [`executable statement 'if': ${e.message}`]);
      addComments(ctx.dhcp.entries[ctx.dhcp.entries.length - 1], ctx.comments.take(node));
      return;
    }
    made.forEach((m, i) => {
      const b = node.branches[i];
      this.body(m.obj, b.body);
      this.list().push(m.obj, [
        `from: ${
          b.cond ? `${i === 0 ? "if" : "elsif"} ${exprText(b.cond)}` : "else"
        } (${node.loc.file}:${node.loc.line})`,
      ]);
      if (i === 0) commentLast(this.list(), ctx.comments.take(node));
      ctx.counts.classes++;
      for (const n of m.nested) this.ifStmt(n, String(m.obj.get("name")), m.test);
    });
  }

  /** `subclass "SUPER" SELECTOR [{ … }]` → a class `sub#SUPER#N` testing the superclass's data. */
  subclass(node: Node & { k: "subclass" }, inherited: Node[]): void {
    const ctx = this.ctx;
    const sup = this.supers.get(node.superName);
    if (!sup) return; // the parser has checked this already
    const obj = jobj({ name: `sub#${node.superName}#${sup.count++}` });
    this.body(obj, [...inherited, ...sup.body, ...node.body]);
    obj.comment(ctx.comments.tail(node));
    const sel = keaLiteral(node.selector);
    const from = [
      ...(sup.cond ? [`from: match-if ${exprText(sup.cond)}`] : []),
      `${sup.cond ? "match" : "from: match"} ${exprText(sup.data)}`,
      `data: ${exprText(node.selector)}`,
    ];
    this.test(
      obj,
      () => {
        const eq = `${keaData(sup.data, ctx.v6)} == ${sel}`;
        return sup.cond ? `(${keaTest(sup.cond, ctx.v6)}) and (${eq})` : eq;
      },
      from,
      node.loc,
    );
    this.list().push(obj, [`subclass selector ${exprText(node.selector)}`]);
    ctx.counts.classes++;
  }

  /**
   * Turns a pool's permit list (dhcpd.conf(5) "PERMIT LISTS") into the name of the Kea class that admits
   * exactly those clients; returns undefined when everyone is admitted.
   */
  permits(list: (Node & { k: "permit" })[], notes: string[]): string | undefined {
    const allows: string[] = [];
    const denies: string[] = [];
    for (const p of list) {
      notes.push(`From: ${p.allow ? "allow" : "deny"} ${p.what}`);
      let cls: string | undefined;
      let invert = false;
      const m = /^members of (.+)$/.exec(p.what);
      if (m) cls = m[1].replace(/^"|"$/g, "");
      else if (p.what === "known-clients" || p.what === "known clients") cls = "KNOWN";
      else if (p.what === "unknown-clients" || p.what === "unknown clients") cls = "UNKNOWN";
      else if (p.what === "all clients") cls = "ALL";
      else if (p.what === BOOTP_PERMIT) {
        // Kea's bootp hook puts BOOTP queries in class BOOTP; without the hook Kea ignores them (a deny holds)
        if (!this.ctx.bootp) continue;
        cls = "BOOTP";
      } else if (/^(un)?authenticated clients$/.test(p.what)) {
        notes.push("[un]authenticated-clients is not supported by ISC DHCP and Kea");
        cls = "ALL";
        invert = p.what.startsWith("authenticated") ? true : false;
        if (invert === !p.allow) continue; // allow unauthenticated / deny authenticated: everyone
        denies.push("ALL");
        continue;
      } else {
        this.ctx.skip(p.loc, `'${p.allow ? "allow" : "deny"} ${p.what}' has no Kea equivalent in a pool`);
        notes.push("(not translated: no Kea equivalent)");
        continue;
      }
      (p.allow ? allows : denies).push(cls);
    }
    if (allows.includes("ALL")) allows.length = 0;
    if (denies.length === 0 && allows.length === 1) return allows[0];
    if (denies.length === 0 && allows.length === 0) return undefined;
    const parts: string[] = [];
    if (allows.length > 0) {
      parts.push(
        allows.length === 1 ? `member('${allows[0]}')` : `(${allows.map((a) => `member('${a}')`).join(" or ")})`,
      );
    }
    for (const d of denies) parts.push(`not member('${d}')`);
    const name = `gen#${[...allows, ...denies.map((d) => `!${d}`)].join("#_AND_#")}#`;
    if (!this.generated.has(name)) {
      const g = jobj({ name, test: parts.join(" and ") });
      this.generated.set(name, g);
    }
    return name;
  }

  /** Appends the generated permit classes after all others (they may name the others in member()). */
  finish(): void {
    for (const g of this.generated.values()) this.list().push(g);
  }
}
