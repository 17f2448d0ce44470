/**
 * The modules a program loads before it runs a line (issue 16 item 5, docs/ARCHITECTURE.md "Role start-up"): the
 * closure of an entry's static value imports. `import type` is erased by the compiler and `await import("…")` loads
 * at the point of need, so neither counts; `export … from` does. Bare specifiers (npm packages through deno.json's
 * imports, `node:` built-ins) are leaves, kept by name: a `node:` import loads Deno's Node compatibility layer and an
 * npm package the npm resolver, which is what a role that does not need them must not pay for.
 */
import { normalize } from "./layers.ts";

const STATIC =
  /^\s*(?:import(?!\s+type\b)\s[^'"]*?from\s*|import\s*|export(?!\s+type\b)\s[^'"]*?from\s*)['"]([^'"]+)['"]/gm;

/** The import chain from the entry to `target` ("" when `target` is not loaded eagerly). */
export function chainTo(parents: Map<string, string>, target: string): string {
  if (!parents.has(target)) return "";
  const chain = [target];
  for (let f = parents.get(target)!; f; f = parents.get(f)!) chain.unshift(f);
  return chain.join(" → ");
}

/** Every module `entry` (a path relative to `root`) loads eagerly: relative paths, and bare specifiers as written. */
export function eagerClosure(root: string, entry: string): Set<string> {
  return new Set(eagerParents(root, entry).keys());
}

/** Each module of the eager closure with the module that first imported it (the entry: ""), to print a chain. */
export function eagerParents(root: string, entry: string): Map<string, string> {
  const seen = new Map<string, string>();
  const todo: [string, string][] = [[normalize(entry), ""]];
  while (todo.length) {
    const [f, from] = todo.shift()!;
    if (seen.has(f)) continue;
    seen.set(f, from);
    if (!f.endsWith(".ts")) continue; // a bare specifier: a leaf
    const src = Deno.readTextFileSync(`${root}/${f}`).replace(/\/\*[\s\S]*?\*\//g, "");
    const dir = f.includes("/") ? f.slice(0, f.lastIndexOf("/")) : "";
    for (const m of src.matchAll(STATIC)) {
      const spec = m[1];
      todo.push([spec.startsWith(".") ? normalize(`${dir}/${spec}`) : spec, f]);
    }
  }
  return seen;
}

if (import.meta.main) {
  const root = new URL("../..", import.meta.url).pathname;
  const all = [...eagerClosure(root, Deno.args[0] ?? "main.ts")].sort();
  const groups: Record<string, number> = {};
  for (const f of all) {
    const g = f.startsWith("mod/") ? f.split("/").slice(0, 2).join("/") : f;
    groups[g] = (groups[g] ?? 0) + 1;
  }
  console.log(all.length, groups);
  const parents = eagerParents(root, Deno.args[0] ?? "main.ts");
  if (Deno.args[1]) { for (const f of all) if (f.includes(Deno.args[1])) console.log(chainTo(parents, f)); }
}
