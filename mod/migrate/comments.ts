/**
 * The input's `#` comments in the output, next to what they described (keama keeps them; the parser gives each
 * statement its comments, ast.ts `Commented`). A comment is written once, as `//` lines (emit.ts `commentLine`)
 * above the member or element its statement became: the option-data element of an option, the subnet, pool,
 * reservation or class object of a declaration, the member of a parameter, the commented-out member of something
 * Kea lacks. A statement that becomes nothing (Kea's default, a note) leaves its comment where it stood, between the
 * members written before and after it.
 */

import type { Node } from "./ast.ts";
import { JArr, type JEntry, type JItem, type JObj } from "./emit.ts";

/** Adds `lines` above one member or element, after the comments it already carries (before them: `first`). */
export function addComments(x: JEntry | JItem, lines: readonly string[], first = false): void {
  if (lines.length) x.comments = first ? [...lines, ...(x.comments ?? [])] : [...(x.comments ?? []), ...lines];
}

/** Adds `lines` above the last element of `arr` (the one just pushed). */
export function commentLast(arr: JArr, lines: readonly string[]): void {
  const last = arr.items[arr.items.length - 1];
  if (last) addComments(last, lines);
}

/** The state of an object before a statement is applied to it: its members and the elements of its arrays. */
export class Snapshot {
  private readonly entries: Set<JEntry>;
  private readonly items: Set<JItem>;

  constructor(private readonly target: JObj) {
    this.entries = new Set(target.entries);
    this.items = new Set();
    for (const e of target.entries) if (e.value instanceof JArr) { for (const i of e.value.items) this.items.add(i); }
  }

  /**
   * Puts `lines` above what the statement added: a new array element (the last one when `last`: an option whose
   * container option-data came first), else the first new member, else at the object's end as they stand; `first`
   * puts them before comments already there (a declaration's above its first statement's).
   */
  attach(lines: readonly string[], last = false, first = false, key?: string): void {
    if (!lines.length) return;
    let fresh: JItem[] = [];
    for (const e of this.target.entries) {
      if (!(e.value instanceof JArr)) continue;
      const mine = e.value.items.filter((i) => !this.items.has(i) && !i.only);
      // the array the statement is about (`key`) comes first: an option's option-data, not its option-def
      if (key !== undefined && e.key === key && mine.length) {
        fresh = mine;
        break;
      }
      fresh.push(...mine);
    }
    if (fresh.length) return addComments(last ? fresh[fresh.length - 1] : fresh[0], lines, first);
    const member = this.target.entries.find((e) => !this.entries.has(e) && !e.only);
    if (member) return addComments(member, lines, first);
    this.target.comment([...lines]);
  }
}

/**
 * Comments are given out once: a group's parameter applies to every subnet or host inside it, and its comment goes
 * with the first of them. `take` answers a node's comments the first time and nothing afterwards.
 */
export class CommentLedger {
  private readonly given = new WeakSet<object>();

  /** The node's comments (above, inside, after it), the first time it is asked for. */
  take(n: Node): string[] {
    if (!n.comments?.length || this.given.has(n)) return [];
    this.given.add(n);
    return n.comments;
  }

  /** The comments before the node's closing brace, the first time it is asked for. */
  tail(n: Node): string[] {
    if (!n.tail?.length || this.given.has(n.tail)) return [];
    this.given.add(n.tail);
    return n.tail;
  }

  /**
   * Applies `fn` (which writes `n` into `target`) and puts `n`'s comments above what it wrote: for an option its
   * option-data element, for a class its client-classes element, else the first thing written.
   */
  around(n: Node, target: JObj, fn: () => void): void {
    const snap = new Snapshot(target);
    fn();
    const key = n.k === "option"
      ? "option-data"
      : n.k === "class" || n.k === "subclass" || n.k === "if"
      ? "client-classes"
      : n.k === "optiondef"
      ? "option-def"
      : undefined;
    snap.attach(this.take(n), n.k === "option", false, key);
  }

  /** Moves a group's own comments onto the first statement inside it (a group becomes nothing by itself). */
  intoFirst(group: Node & { body: Node[] }): void {
    const first = group.body[0];
    const lines = this.take(group);
    if (first && lines.length) first.comments = [...lines, ...(first.comments ?? [])];
  }

  /** The comments of every node under `nodes` that none took (they are still written: at the map's end). */
  leftover(nodes: Node[], out: string[] = []): string[] {
    for (const n of nodes) {
      out.push(...this.take(n));
      if ("body" in n) this.leftover(n.body, out);
      if (n.k === "if") { for (const b of n.branches) this.leftover(b.body, out); }
      out.push(...this.tail(n));
    }
    return out;
  }
}
