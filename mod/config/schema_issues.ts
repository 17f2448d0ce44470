/**
 * valibot issues → operator problems: each issue becomes a JSON path, a message and a position (at the key for an
 * unknown key, at the map for a missing one), recorded in a {@link Problems} list. Shared by the document's sections
 * (schema_top.ts) and by the hook parameters checked later (compile_ha.ts), which speak Kea's own words for a
 * missing or unknown parameter.
 */
import * as v from "valibot";
import type { JsonPath, Problems } from "./errors.ts";

/** How a schema family words the two structural problems valibot reports without a message of the schema's own. */
export interface IssueWords {
  /** an unknown key `key` in the map whose nearest named parent is `parent` */
  unknownKey(parent: string | undefined, key: string): string;
  /** a required key `key` missing from its map */
  missingKey(key: string): string;
}

/** weka's wording: "unknown or unsupported key 'x'", "missing required key 'x'". */
export const WEKA_WORDS: IssueWords = {
  unknownKey: (_parent, key) => `unknown or unsupported key '${key}'`,
  missingKey: (key) => `missing required key '${key}'`,
};

/** Turns one valibot issue into a path (below `base`), an operator message and whether it points at the key. */
function translate(
  issue: v.BaseIssue<unknown>,
  base: JsonPath,
  words: IssueWords,
): { path: JsonPath; message: string; atKey: boolean } {
  const path: JsonPath = [...base, ...(issue.path ?? []).map((p) => p.key as string | number)];
  const last = path[path.length - 1];
  const parent = () => [...path.slice(0, -1)].reverse().find((p) => typeof p === "string") as string | undefined;
  // an unknown key: a strict object's first extra key, or every extra key of an object whose rest is v.never()
  if ((issue.type === "strict_object" && issue.expected === "never") || issue.type === "never") {
    const own = issue.type === "never" && !issue.message.startsWith("Invalid type:");
    return { path, message: own ? issue.message : words.unknownKey(parent(), String(last)), atKey: true };
  }
  const objectKey = issue.path?.[issue.path.length - 1];
  if (issue.received === "undefined" && objectKey?.type === "object" && objectKey.origin === "key") {
    return { path: path.slice(0, -1), message: words.missingKey(String(last)), atKey: false };
  }
  const generic = /^Invalid type: Expected (.*) but received (.*)$/.exec(issue.message);
  let message = generic ? `must be ${generic[1]} (got ${generic[2]})` : issue.message;
  if (!generic && issue.kind === "schema" && message.startsWith("must be")) message += ` (got ${issue.received})`;
  return { path, message, atKey: issue.type === "custom" && issue.input !== undefined && last === "Dhcp6" };
}

/** Records every issue of a failed parse at its path below `base`. */
export function recordIssues(
  issues: readonly v.BaseIssue<unknown>[],
  base: JsonPath,
  problems: Problems,
  words: IssueWords = WEKA_WORDS,
): void {
  for (const issue of issues) {
    const t = translate(issue, base, words);
    problems.add(t.path, t.message, t.atKey);
  }
}

/**
 * Runs `schema` over `value` and reports every issue at once (`abortEarly: false`, `abortPipeEarly: true`: one
 * message per element) at its path below `base`. Returns the typed output, or undefined when anything was refused.
 */
export function checkSchema<S extends v.GenericSchema>(
  schema: S,
  value: unknown,
  base: JsonPath,
  problems: Problems,
  words: IssueWords = WEKA_WORDS,
): v.InferOutput<S> | undefined {
  const r = v.safeParse(schema, value, { abortEarly: false, abortPipeEarly: true });
  if (r.success) return r.output;
  recordIssues(r.issues, base, problems, words);
  return undefined;
}
