/**
 * The top level of a configuration file and the run of the schemas over it. Kea's daemons each read their own
 * map (`Dhcp4`, `Dhcp6`, `DhcpDdns`, `Control-agent`); weka's `run` reads every role the file names. Each map is
 * checked on its own, so one run reports the schema problems of every map, and the maps that passed go on to
 * their semantic checks. Issues become operator messages that name the JSON path and the file position.
 */

import * as v from "valibot";
import type { Problems } from "./errors.ts";
import { type Dhcp4In, Dhcp4Schema } from "./schema4.ts";
import { type Dhcp6In, Dhcp6Schema } from "./schema6.ts";
import { type ControlAgentIn, ControlAgentSchema } from "./schema_agent.ts";
import { isKeaUnsupported, strictMap } from "./schema_common.ts";
import { type DhcpDdnsIn, DhcpDdnsSchema } from "./schema_d2.ts";
import { checkSchema, type IssueWords, WEKA_WORDS } from "./schema_issues.ts";

const opaqueMap = v.record(v.string(), v.unknown(), "must be a map");

/** The maps a configuration document may hold, each with its schema. */
const SECTIONS = {
  Dhcp4: Dhcp4Schema,
  Dhcp6: Dhcp6Schema,
  DhcpDdns: DhcpDdnsSchema,
  /** a Kea 2.x Control Agent map: checked, not served (schema_agent.ts) */
  "Control-agent": ControlAgentSchema,
  /** Kea 1.x top-level logging: ignored with a warning */
  Logging: opaqueMap,
} as const;

/** The document's top level: only the known maps (each checked by its own schema afterwards). */
const TopSchema = strictMap(
  Object.fromEntries(Object.keys(SECTIONS).map((k) => [k, v.optional(v.unknown())])) as Record<
    keyof typeof SECTIONS,
    v.OptionalSchema<v.UnknownSchema, undefined>
  >,
  "the configuration must be a map",
);

/** The maps of a document that passed their schema (a map that did not is absent; its problems are recorded). */
export interface ConfigIn {
  Dhcp4?: Dhcp4In;
  Dhcp6?: Dhcp6In;
  DhcpDdns?: DhcpDdnsIn;
  "Control-agent"?: ControlAgentIn;
  Logging?: Record<string, unknown>;
}

/** Kea keys weka has not implemented yet are named as such in the DHCP maps; elsewhere an unknown key is unknown. */
const DHCP_WORDS: IssueWords = {
  ...WEKA_WORDS,
  unknownKey: (parent, key) =>
    parent !== undefined && isKeaUnsupported(parent, key)
      ? `'${key}' is not supported by weka yet`
      : WEKA_WORDS.unknownKey(parent, key),
};

/**
 * Runs the schemas over a parsed document and records every issue of every map in `problems`, each as
 * `file:line:col: path: message` (`abortEarly: false`, `abortPipeEarly: true`). Unknown keys are refused as Kea's
 * grammar refuses them; a Kea key weka has not implemented is named as such. Returns the maps that passed.
 */
export function validateSchema(value: unknown, problems: Problems): ConfigIn {
  checkSchema(TopSchema, value, [], problems);
  const doc = (value ?? {}) as Record<string, unknown>;
  const out: ConfigIn = {};
  const section = <K extends keyof typeof SECTIONS>(k: K, words = WEKA_WORDS) => {
    if (doc[k] === undefined) return;
    const checked = checkSchema(SECTIONS[k], doc[k], [k], problems, words);
    if (checked !== undefined) (out as Record<string, unknown>)[k] = checked;
  };
  section("Dhcp4", DHCP_WORDS);
  section("Dhcp6", DHCP_WORDS);
  section("DhcpDdns");
  section("Control-agent");
  section("Logging");
  return out;
}
