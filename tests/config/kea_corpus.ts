/**
 * One helper for the Kea example corpora (../shared/conformance/kea-examples/…): find the corpus beside the
 * repository, and register one test per example that asserts it loads, or is refused with a clear first problem
 * that names its JSON path, file and position (and, where given, the exact expected first line). None may crash.
 */
import assert from "node:assert/strict";
import { ConfigError, formatProblem } from "../../mod/config/errors.ts";
import { loadConfigFile } from "../../mod/config/load.ts";
import type { LoadedConfig } from "../../mod/config/load.ts";

/** True when `path` exists and is a file (`kind` "file") or a directory ("dir"): corpora beside the repository. */
export function isPresent(path: string, kind: "file" | "dir"): boolean {
  try {
    const st = Deno.statSync(path);
    return kind === "file" ? st.isFile : st.isDirectory;
  } catch {
    return false;
  }
}

/** The corpus directory `dir` under kea-examples, and whether it is present (a message is printed when not). */
export function keaCorpus(dir: string, label: string): { root: string; present: boolean } {
  const root = new URL(`../../../shared/conformance/kea-examples/${dir}/`, import.meta.url).pathname;
  const present = isPresent(root, "dir");
  if (!present) console.log(`skipping the ${label} corpus: ${root} is absent`);
  return { root, present };
}

/** What one universe's "loads or is refused clearly" tests expect. */
export interface LoadsOrRefused {
  /** test name prefix, e.g. "kea22 example" */
  title: string;
  /** the map the examples configure; a clear first refusal names a path in it */
  map: "Dhcp4" | "Dhcp6";
  /** examples that must load */
  loads: string[];
  /** the exact first refusal (`path: message`) of some of the others */
  first: Record<string, string>;
  /** a loaded example's model is plausible */
  loaded: (c: LoadedConfig) => boolean;
}

/** What a clear first refusal (`path: message`) of a `map` example looks like. */
function clearRefusal(map: string): RegExp {
  return new RegExp(
    `^${map}(\\.|\\[|$).*: ('[^']+' is not supported by weka yet|unknown or unsupported key|hook library|` +
      `unknown option|option |lease database type|DHCPv4-over-DHCPv6 \\(RFC 7341\\) is not served|` +
      `configuration backends \\('config-control'\\) are not served)`,
  );
}

/** Registers one `Deno.test` per `.json` example of the corpus, in name order. */
export function testLoadsOrRefused(corpus: { root: string; present: boolean }, x: LoadsOrRefused): void {
  const { root, present } = corpus;
  const clear = clearRefusal(x.map);
  const names = present ? [...Deno.readDirSync(root)].map((e) => e.name).filter((n) => n.endsWith(".json")).sort() : [];
  for (const name of names) {
    Deno.test(`${x.title} ${name}: loads or is refused clearly`, async () => {
      try {
        const c = await loadConfigFile(root + name);
        assert.ok(x.loads.includes(name), `${name} loaded but was expected to be refused`);
        assert.ok(x.loaded(c));
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        assert.ok(!x.loads.includes(name), `${name} refused: ${e.format()}`);
        const p = e.problems[0];
        assert.equal(p.file, root + name);
        assert.ok(p.line > 0 && p.col > 0);
        assert.match(`${p.path}: ${p.message}`, clear, formatProblem(p));
        if (x.first[name]) assert.equal(`${p.path}: ${p.message}`, x.first[name]);
      }
    });
  }
}
