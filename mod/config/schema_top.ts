/**
 * The top level of a configuration file and the run of the schemas over it. Kea's daemons each read their own
 * map (`Dhcp4`, `Dhcp6`, `DhcpDdns`, `Control-agent`); weka's `run` reads every role the file names. Schema
 * issues are turned into operator messages that name the JSON path and the file position.
 */

import * as v from "valibot";
import { type JsonPath, type Locator, Problems } from "./errors.ts";
import { Dhcp4Schema } from "./schema4.ts";
import { Dhcp6Schema } from "./schema6.ts";
import { isKeaUnsupported } from "./schema_common.ts";

const opaqueMap = v.record(v.string(), v.unknown(), "must be a map");

/** The whole configuration document. */
export const ConfigSchema = v.strictObject({
  Dhcp4: v.optional(Dhcp4Schema),
  Dhcp6: v.optional(Dhcp6Schema),
  /** validated by the DDNS role itself */
  DhcpDdns: v.optional(opaqueMap),
  /** a Kea 2.x Control Agent map: weka serves the control API from each role's own control socket */
  "Control-agent": v.optional(opaqueMap),
  /** Kea 1.x top-level logging: ignored with a warning */
  Logging: v.optional(opaqueMap),
}, "the configuration must be a map");

/** The validated document. */
export type ConfigIn = v.InferOutput<typeof ConfigSchema>;

/** Turns one valibot issue into a path, an operator message and whether the position is the key itself. */
function translate(issue: v.BaseIssue<unknown>): { path: JsonPath; message: string; atKey: boolean } {
  const path: JsonPath = (issue.path ?? []).map((p) => p.key as string | number);
  const last = path[path.length - 1];
  if (issue.type === "strict_object" && issue.expected === "never") {
    const parent = [...path.slice(0, -1)].reverse().find((p) => typeof p === "string") as string | undefined;
    const key = String(last);
    const message = parent !== undefined && isKeaUnsupported(parent, key)
      ? `'${key}' is not supported by weka yet`
      : `unknown or unsupported key '${key}'`;
    return { path, message, atKey: true };
  }
  if (issue.type === "strict_object" && issue.received === "undefined") {
    return { path: path.slice(0, -1), message: `missing required key '${String(last)}'`, atKey: false };
  }
  const generic = /^Invalid type: Expected (.*) but received (.*)$/.exec(issue.message);
  let message = generic ? `must be ${generic[1]} (got ${generic[2]})` : issue.message;
  if (!generic && issue.kind === "schema" && message.startsWith("must be")) message += ` (got ${issue.received})`;
  return { path, message, atKey: issue.type === "custom" && issue.input !== undefined && last === "Dhcp6" };
}

/**
 * Runs the schemas over a parsed document and reports every issue at once (`abortEarly: false`,
 * `abortPipeEarly: true`), each as `file:line:col: path: message`. Unknown keys are refused as Kea's grammar
 * refuses them; a Kea key weka has not implemented is named as such.
 */
export function validateSchema(value: unknown, locate: Locator): ConfigIn {
  const r = v.safeParse(ConfigSchema, value, { abortEarly: false, abortPipeEarly: true });
  if (r.success) return r.output;
  const problems = new Problems(locate);
  for (const issue of r.issues) {
    const t = translate(issue);
    problems.add(t.path, t.message, t.atKey);
  }
  problems.throwIfAny();
  throw new Error("unreachable: schema failed without issues");
}
