/**
 * A copy of a parsed configuration that the loader's passes can run on again after the elements they refused are
 * cut out of it, so that one `config-test` run reports the problems of every pass (schema, Kea's semantic rules,
 * compilation) instead of stopping at the first pass that found any. Kea stops at the first error; weka reports
 * them all, and the later passes must not trip over what an earlier one refused. Cutting a list element shifts the
 * indexes after it: {@link PrunedDoc.original} maps a path of the copy back to the path as written, so every
 * message still names the element and position of the file.
 */
import type { JsonPath } from "./errors.ts";

type Node = Record<string, unknown> | unknown[];

function isNode(x: unknown): x is Node {
  return typeof x === "object" && x !== null;
}

/** The parsed document, cut down pass after pass, with the map from its paths to the paths as written. */
export class PrunedDoc {
  /** the document as the next pass sees it (a deep copy of the parsed one) */
  readonly value: unknown;
  /** a list's path as written (JSON) → the indexes as written of the elements cut from it, ascending */
  readonly #cut = new Map<string, number[]>();
  #cuts = 0;

  constructor(parsed: unknown) {
    this.value = structuredClone(parsed);
  }

  /** How many elements were cut so far (0: the copy is the document as written). */
  get cuts(): number {
    return this.#cuts;
  }

  /** The path as written of the element at `path` of the pruned copy. */
  original(path: JsonPath): JsonPath {
    const out: JsonPath = [];
    for (const seg of path) {
      if (typeof seg === "number") {
        let idx = seg;
        for (const x of this.#cut.get(JSON.stringify(out)) ?? []) {
          if (x <= idx) idx++;
          else break;
        }
        out.push(idx);
      } else out.push(seg);
    }
    return out;
  }

  /**
   * Cuts the element at `path` of the pruned copy: a key out of its map, an element out of its list. When the
   * path goes deeper than the document does (a problem about a key that is missing), the deepest element that
   * exists is cut instead. Returns false when only the document itself could be cut (nothing is changed then).
   */
  cut(path: JsonPath): boolean {
    let node: unknown = this.value;
    let depth = 0;
    while (depth < path.length && isNode(node)) {
      const seg = path[depth];
      const next = Array.isArray(node) ? (typeof seg === "number" ? node[seg] : undefined) : node[String(seg)];
      if (next === undefined) break;
      node = next;
      depth++;
    }
    if (depth === 0) return false;
    const at = path.slice(0, depth);
    const parentPath = at.slice(0, -1);
    let parent: unknown = this.value;
    for (const seg of parentPath) parent = (parent as Record<string | number, unknown>)[seg];
    const last = at[at.length - 1];
    if (Array.isArray(parent) && typeof last === "number") {
      const orig = this.original(at);
      const key = JSON.stringify(orig.slice(0, -1));
      const list = this.#cut.get(key) ?? [];
      list.push(orig[orig.length - 1] as number);
      list.sort((a, b) => a - b);
      this.#cut.set(key, list);
      parent.splice(last, 1);
    } else if (isNode(parent)) {
      delete (parent as Record<string, unknown>)[String(last)];
    } else return false;
    this.#cuts++;
    return true;
  }
}
