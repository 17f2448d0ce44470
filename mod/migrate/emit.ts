/**
 * A JSON document model with comments, and its writer. keama's convention (keama/doc.txt): what cannot be
 * translated stays in the output as JSON commented out with `//`, explanations go on `///` lines, so the
 * operator sees both the intent and why it was not carried over; the input's own `#` comments are written as
 * indented `//` lines above what they described (keama writes them as `#`). Kea's parser (and weka's loader)
 * accept `//` and `#` comments, so the written text loads as it is. `plain()` gives the same document without
 * comments.
 */

/** A JSON value of the model. */
export type JVal = string | number | boolean | null | JObj | JArr;

/**
 * An object member: key, value, the input's comments and the `///` notes written above it, and whether it is
 * commented out. A member with `only` set is no member: just its comments, where they stood in the input.
 */
export interface JEntry {
  key: string;
  value: JVal;
  notes?: string[];
  off?: boolean;
  comments?: string[];
  only?: true;
}

/** An array element, with the same annotations as an object member. */
export interface JItem {
  value: JVal;
  notes?: string[];
  off?: boolean;
  comments?: string[];
  only?: true;
}

/** Ordered JSON object whose members can carry notes or be commented out. */
export class JObj {
  readonly entries: JEntry[] = [];

  /** Sets (or replaces, keeping its place) the active member `key`. */
  set(key: string, value: JVal, notes?: string[]): this {
    const e = this.entries.find((x) => x.key === key && !x.off);
    if (e) {
      e.value = value;
      if (notes) e.notes = notes;
    } else this.entries.push({ key, value, notes });
    return this;
  }

  /** Adds a commented-out member with its explanation (keama's "skip" flag). */
  off(key: string, value: JVal, notes: string[]): this {
    this.entries.push({ key, value, notes, off: true });
    return this;
  }

  /** Adds the input's comments at this point of the object, apart from any member (off: nothing reads them). */
  comment(lines: string[]): this {
    if (lines.length) this.entries.push({ key: "", value: null, off: true, only: true, comments: lines });
    return this;
  }

  /** The active member `key`, if any. */
  get(key: string): JVal | undefined {
    return this.entries.find((x) => x.key === key && !x.off)?.value;
  }

  /** Whether the active member `key` exists. */
  has(key: string): boolean {
    return this.entries.some((x) => x.key === key && !x.off);
  }

  /** Removes the active member `key`. */
  delete(key: string): void {
    const i = this.entries.findIndex((x) => x.key === key && !x.off);
    if (i >= 0) this.entries.splice(i, 1);
  }

  /** The array member `key`, created empty when missing. */
  arr(key: string): JArr {
    let v = this.get(key);
    if (!(v instanceof JArr)) {
      v = new JArr();
      this.set(key, v);
    }
    return v;
  }

  /** The object member `key`, created empty when missing. */
  obj(key: string): JObj {
    let v = this.get(key);
    if (!(v instanceof JObj)) {
      v = new JObj();
      this.set(key, v);
    }
    return v;
  }
}

/** JSON array whose elements can carry notes or be commented out. */
export class JArr {
  readonly items: JItem[] = [];

  /** Appends an active element. */
  push(value: JVal, notes?: string[]): this {
    this.items.push({ value, notes });
    return this;
  }

  /** Appends a commented-out element. */
  off(value: JVal, notes: string[]): this {
    this.items.push({ value, notes, off: true });
    return this;
  }

  /** The active elements. */
  active(): JVal[] {
    return this.items.filter((i) => !i.off).map((i) => i.value);
  }
}

/** Builds a JObj from a plain object literal (convenience for fixed shapes). */
export function jobj(fields: Record<string, JVal | undefined>): JObj {
  const o = new JObj();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) o.set(k, v);
  return o;
}

/** The document as plain JSON data (commented-out parts dropped), e.g. for the config loader or for tests. */
export function plain(v: JVal): unknown {
  if (v instanceof JObj) {
    const o: Record<string, unknown> = {};
    for (const e of v.entries) if (!e.off) o[e.key] = plain(e.value);
    return o;
  }
  if (v instanceof JArr) return v.active().map(plain);
  return v;
}

function write(v: JVal, ind: string, prefix: string, out: string[], head: string, tail: string): void {
  if (!(v instanceof JObj) && !(v instanceof JArr)) {
    out.push(`${prefix}${ind}${head}${JSON.stringify(v)}${tail}`);
    return;
  }
  const isObj = v instanceof JObj;
  const kids: (JItem & { key?: string })[] = isObj ? v.entries : v.items;
  if (kids.length === 0) {
    out.push(`${prefix}${ind}${head}${isObj ? "{ }" : "[ ]"}${tail}`);
    return;
  }
  out.push(`${prefix}${ind}${head}${isObj ? "{" : "["}`);
  const inner = ind + "  ";
  const lastOn = kids.reduce((acc, k, i) => (k.off || prefix !== "" ? acc : i), -1);
  kids.forEach((k, i) => {
    const p = prefix !== "" ? prefix : k.off ? "//" : "";
    const pad = p !== "" && prefix === "" ? inner.slice(2) : inner;
    for (const c of k.comments ?? []) out.push(`${prefix === "" ? inner : prefix + pad}${commentLine(c)}`);
    if (k.only) return;
    for (const n of k.notes ?? []) out.push(`${prefix === "" ? inner : prefix + pad}/// ${n}`);
    const comma = prefix !== "" ? (i < kids.length - 1 ? "," : "") : !k.off && i < lastOn ? "," : "";
    write(k.value, pad, p, out, k.key !== undefined ? `${JSON.stringify(k.key)}: ` : "", comma);
  });
  out.push(`${prefix}${ind}${isObj ? "}" : "]"}${tail}`);
}

/**
 * One `#` comment of the input as a `//` line: its first `#` (and the blank after it) becomes `// `; control
 * characters become blanks, so the line stays one comment for Kea's and weka's readers.
 */
export function commentLine(text: string): string {
  // deno-lint-ignore no-control-regex
  const rest = text.replace(/^#\s?/, "").replace(/[\x00-\x08\x0a-\x1f\x7f]/g, " ").trimEnd();
  return rest === "" ? "//" : `// ${rest}`;
}

/** Writes the document as indented JSON with `//` commented-out parts and `///` notes (keama's layout). */
export function emitJson(v: JVal): string {
  const out: string[] = [];
  write(v, "", "", out, "", "");
  return out.join("\n") + "\n";
}
