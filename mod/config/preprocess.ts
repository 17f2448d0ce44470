/**
 * The part of Kea's configuration dialect that plain JSONC lacks: shell-style `#` comments and
 * `<?include "file"?>` directives. The preprocessor blanks `#` comments (outside strings and outside `//` and
 * `/* *\/` comments) with spaces, keeping every offset, and expands includes in place while recording a segment
 * map so positions can be traced back to the file they came from.
 */

import type { ConfigProblem } from "./errors.ts";
import { SourceMap } from "./source_map.ts";

/** Reads an include file by its resolved path; throws (any error) when it cannot be read. */
export type IncludeReader = (path: string) => string;

/** Kea refuses more than 10 nested includes ("Too many nested include."). */
export const MAX_INCLUDE_DEPTH = 10;

/** The expanded text, its segment map and any problems with include directives. */
export interface Preprocessed {
  text: string;
  map: SourceMap;
  problems: ConfigProblem[];
}

const INCLUDE_RE = /^<\?include\s*"([^"]*)"\s*\?>/;

/** Resolves an include path relative to the directory of the including file (absolute paths stay as they are). */
export function resolveInclude(from: string, target: string): string {
  if (target.startsWith("/")) return target;
  const slash = from.lastIndexOf("/");
  return slash < 0 ? target : from.slice(0, slash + 1) + target;
}

/**
 * Expands Kea's dialect into JSONC text. `#` starts a comment to end of line (Kea's lexer accepts it next to
 * `//` and `/* *\/`); a `#` inside a string is data. `<?include "file"?>` is replaced by the file's text,
 * recursively. Kea resolves a relative include against its working directory; weka resolves it against the
 * including file, so a config directory can be moved whole. Includes nest at most MAX_INCLUDE_DEPTH deep, and a
 * file that includes itself (directly or through others) is refused with the chain of files.
 */
export function preprocess(text: string, name: string, reader: IncludeReader): Preprocessed {
  const map = new SourceMap();
  const problems: ConfigProblem[] = [];
  const out: string[] = [];
  let outLen = 0;

  const expand = (src: string, file: string, stack: string[]): void => {
    map.addFile(file, src);
    const chars = src.split("");
    let segStart = 0;
    let i = 0;
    const flush = (end: number) => {
      const piece = chars.slice(segStart, end).join("");
      map.addSegment({ outStart: outLen, length: piece.length, file, srcStart: segStart });
      out.push(piece);
      outLen += piece.length;
    };
    while (i < chars.length) {
      const c = chars[i];
      if (c === '"') {
        i++;
        while (i < chars.length && chars[i] !== '"' && chars[i] !== "\n") i += chars[i] === "\\" ? 2 : 1;
        i++;
      } else if (c === "/" && chars[i + 1] === "/") {
        while (i < chars.length && chars[i] !== "\n") i++;
      } else if (c === "/" && chars[i + 1] === "*") {
        const end = src.indexOf("*/", i + 2);
        i = end < 0 ? chars.length : end + 2;
      } else if (c === "#") {
        while (i < chars.length && chars[i] !== "\n") chars[i++] = " ";
      } else if (c === "<" && chars[i + 1] === "?") {
        const m = INCLUDE_RE.exec(src.slice(i));
        if (!m) {
          i++;
          continue;
        }
        flush(i);
        const loc = map.position(file, i);
        const target = resolveInclude(file, m[1]);
        if (stack.includes(target)) {
          problems.push({ ...loc, path: "", message: `include cycle: ${[...stack, target].join(" -> ")}` });
        } else if (stack.length > MAX_INCLUDE_DEPTH) {
          problems.push({ ...loc, path: "", message: `too many nested includes (at most ${MAX_INCLUDE_DEPTH})` });
        } else {
          let inc: string | undefined;
          try {
            inc = reader(target);
          } catch (e) {
            const why = e instanceof Error ? e.message : String(e);
            problems.push({ ...loc, path: "", message: `cannot open include file '${target}': ${why}` });
          }
          if (inc !== undefined) expand(inc, target, [...stack, target]);
        }
        i += m[0].length;
        // the directive itself contributes no text; keep a one-space gap so tokens on either side stay apart
        out.push(" ");
        map.addSegment({ outStart: outLen, length: 1, file, srcStart: i - 1 });
        outLen += 1;
        segStart = i;
      } else if (c === "." && /[0-9]/.test(chars[i + 1] ?? "") && !/[0-9]/.test(chars[i - 1] ?? "")) {
        // Kea's lexer reads ".5" as 0.5 (its all-keys example writes "t1-percent": .5); JSON needs the 0
        flush(i);
        out.push("0");
        map.addSegment({ outStart: outLen, length: 1, file, srcStart: i });
        outLen += 1;
        segStart = i;
        i++;
      } else {
        i++;
      }
    }
    flush(chars.length);
  };

  expand(text, name, [name]);
  return { text: out.join(""), map, problems };
}
