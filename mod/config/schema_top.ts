/**
 * The top level of a configuration file and the run of the schemas over it. Kea's daemons each read their own
 * map (`Dhcp4`, `Dhcp6`, `DhcpDdns`, `Control-agent`); weka's `run` reads every role the file names. Schema
 * issues are turned into operator messages that name the JSON path and the file position.
 */

import * as v from "valibot";
import { type Locator, Problems } from "./errors.ts";
import { Dhcp4Schema } from "./schema4.ts";
import { Dhcp6Schema } from "./schema6.ts";
import { isKeaUnsupported } from "./schema_common.ts";
import { type IssueWords, recordIssues, WEKA_WORDS } from "./schema_issues.ts";

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

/** Kea keys weka has not implemented yet are named as such; any other unknown key is unknown. */
const DHCP_WORDS: IssueWords = {
  ...WEKA_WORDS,
  unknownKey: (parent, key) =>
    parent !== undefined && isKeaUnsupported(parent, key)
      ? `'${key}' is not supported by weka yet`
      : WEKA_WORDS.unknownKey(parent, key),
};

/**
 * Runs the schemas over a parsed document and reports every issue at once (`abortEarly: false`,
 * `abortPipeEarly: true`), each as `file:line:col: path: message`. Unknown keys are refused as Kea's grammar
 * refuses them; a Kea key weka has not implemented is named as such.
 */
export function validateSchema(value: unknown, locate: Locator): ConfigIn {
  const r = v.safeParse(ConfigSchema, value, { abortEarly: false, abortPipeEarly: true });
  if (r.success) return r.output;
  const problems = new Problems(locate);
  recordIssues(r.issues, [], problems, DHCP_WORDS);
  problems.throwIfAny();
  throw new Error("unreachable: schema failed without issues");
}
