/**
 * Kea's JSON dialect → a plain JSON value plus a locator from JSON paths to `file:line:col`. Comments and
 * includes are handled by the preprocessor; jsonc.ts does the JSON, and its parse tree gives node offsets.
 */

import { type JsonNode as Node, nodeValue, parseJsonc } from "./jsonc.ts";
import { ConfigError, type ConfigProblem, type JsonPath, type Locator, type SourceLoc } from "./errors.ts";
import { type IncludeReader, preprocess } from "./preprocess.ts";
import type { SourceMap } from "./source_map.ts";

/** A parsed configuration text: the JSON value, where each element came from, and non-fatal warnings. */
export interface ParsedText {
  value: unknown;
  locate: Locator;
  /** non-fatal findings (Kea's DHCP4_CONFIG_SYNTAX_WARNING cases) */
  warnings: ConfigProblem[];
  /** every file read, the main file first */
  files: string[];
}

const SYNTAX_MESSAGES: Record<string, string> = {
  InvalidSymbol: "syntax error: unexpected character",
  InvalidNumberFormat: "syntax error: invalid number",
  PropertyNameExpected: "syntax error: expected a quoted key",
  ValueExpected: "syntax error: expected a value",
  ColonExpected: "syntax error: expected ':'",
  CommaExpected: "syntax error: expected ',' (a comma is missing)",
  CloseBraceExpected: "syntax error: expected '}'",
  CloseBracketExpected: "syntax error: expected ']'",
  EndOfFileExpected: "syntax error: text after the end of the configuration",
  InvalidCommentToken: "syntax error: invalid comment",
  UnexpectedEndOfComment: "syntax error: comment not closed ('*/' missing)",
  UnexpectedEndOfString: "syntax error: string not closed (missing '\"')",
  UnexpectedEndOfNumber: "syntax error: number cut short",
  InvalidUnicode: "syntax error: invalid \\u escape",
  InvalidEscapeCharacter: "syntax error: invalid escape character in string",
  InvalidCharacter: "syntax error: invalid character in string",
};

/** Removes `//` and `/* *\/` comments from a stretch of JSONC that holds no strings. */
function stripComments(s: string): string {
  return s.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/[^\n]*/g, "");
}

/** Walks the parse tree for trailing commas (warned) and duplicate keys (refused), as Kea 2.2 does. */
function checkTree(
  node: Node,
  text: string,
  map: SourceMap,
  problems: ConfigProblem[],
  warnings: ConfigProblem[],
): void {
  const kids = node.children ?? [];
  if (node.type === "object" || node.type === "array") {
    const last = kids[kids.length - 1];
    const from = last ? last.offset + last.length : node.offset + 1;
    const gap = stripComments(text.slice(from, node.offset + node.length - 1));
    const comma = gap.indexOf(",");
    if (comma >= 0) {
      const at = map.locate(from + text.slice(from).indexOf(","));
      warnings.push({ ...at, path: "", message: "extraneous comma; a piece of configuration may have been omitted" });
    }
  }
  if (node.type === "object") {
    const seen = new Map<string, Node>();
    for (const prop of kids) {
      const key = prop.children?.[0];
      if (!key) continue;
      const prev = seen.get(String(key.value));
      if (prev) {
        const p = map.locate(prev.offset);
        problems.push({
          ...map.locate(key.offset),
          path: "",
          message: `duplicate '${key.value}' entries in one map (previous at ${p.file}:${p.line}:${p.col})`,
        });
      } else seen.set(String(key.value), key);
    }
  }
  for (const k of kids) checkTree(k, text, map, problems, warnings);
}

/** Copies the parser's null-prototype objects into plain objects and arrays. */
function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === "object") {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = plain(x);
    return o;
  }
  return v;
}

/** Finds the node for a path, or the deepest existing ancestor. With atKey, a property's key node. */
function findNode(root: Node, path: JsonPath, atKey: boolean): Node {
  let node = root;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    let next: Node | undefined;
    if (node.type === "object" && typeof seg === "string") {
      const props = (node.children ?? []).filter((p) => p.children?.[0]?.value === seg);
      const prop = props[props.length - 1];
      if (prop) next = atKey && i === path.length - 1 ? prop.children![0] : prop.children![1];
    } else if (node.type === "array" && typeof seg === "number") {
      next = node.children?.[seg];
    }
    if (!next) return node;
    node = next;
  }
  return node;
}

/**
 * Parses Kea-dialect text. `#`, `//` and `/* *\/` comments and `<?include "file"?>` are accepted, as Kea's
 * lexer accepts them. Any syntax error is fatal (`file:line:col: message`). A trailing comma is accepted with a
 * warning, as Kea 2.2 does ("Extraneous comma. A piece of configuration may have been omitted."). A key that
 * appears twice in one map is refused, as Kea refuses it ("duplicate X entries in Y map"), in every map,
 * user-context included.
 */
export function parseKeaJson(text: string, name: string, reader: IncludeReader): ParsedText {
  const pre = preprocess(text, name, reader);
  if (pre.problems.length) throw new ConfigError(pre.problems);
  const problems: ConfigProblem[] = [];
  const { tree, error: e } = parseJsonc(pre.text, { allowTrailingComma: true });
  if (e) {
    problems.push({
      ...pre.map.locate(e.offset),
      path: "",
      message: SYNTAX_MESSAGES[e.code] ?? `syntax error: ${e.code}`,
    });
  }
  if (!tree && problems.length === 0) {
    problems.push({ ...pre.map.locate(0), path: "", message: "the configuration is empty" });
  }
  const warnings: ConfigProblem[] = [];
  if (tree && problems.length === 0) checkTree(tree, pre.text, pre.map, problems, warnings);
  if (tree && problems.length === 0 && tree.type !== "object") {
    problems.push({ ...pre.map.locate(tree.offset), path: "", message: "the configuration must be a JSON object" });
  }
  if (problems.length) throw new ConfigError(problems);
  const root = tree!;
  const locate: Locator = (path, atKey = false): SourceLoc => pre.map.locate(findNode(root, path, atKey).offset);
  return { value: plain(nodeValue(root)), locate, warnings, files: pre.map.files() };
}
