/**
 * The top level of a configuration file and the run of the schemas over it. Kea's daemons each read their own
 * map (`Dhcp4`, `Dhcp6`, `DhcpDdns`, `Control-agent`); weka's `run` reads every role the file names. Each map is
 * checked on its own, so one run reports the schema problems of every map, and the maps that passed go on to
 * their semantic checks. Issues become operator messages that name the JSON path and the file position.
 */

import * as v from "valibot";
import type { Problems } from "./errors.ts";
import type { Dhcp4In, Dhcp4Schema } from "./schema4.ts";
import type { Dhcp6In, Dhcp6Schema } from "./schema6.ts";
import type { ControlAgentIn, ControlAgentSchema } from "./schema_agent.ts";
import { isKeaUnsupported, strictMap } from "./schema_common.ts";
import type { DhcpDdnsIn, DhcpDdnsSchema } from "./schema_d2.ts";
import { checkSchema, type IssueWords, WEKA_WORDS } from "./schema_issues.ts";

const opaqueMap = v.record(v.string(), v.unknown(), "must be a map");

/**
 * The schemas of the maps a configuration document may hold (Control-agent: a Kea 2.x Control Agent map, checked,
 * not served), each with the words of its issues. They come from the loader's sections (load_core.ts), so that a
 * role loads only the schemas of the maps its file holds; Kea 1.x top-level `Logging` is ignored with a warning.
 */
export interface SectionSchemas {
  Dhcp4?: { schema: typeof Dhcp4Schema; words?: IssueWords };
  Dhcp6?: { schema: typeof Dhcp6Schema; words?: IssueWords };
  DhcpDdns?: { schema: typeof DhcpDdnsSchema; words?: IssueWords };
  "Control-agent"?: { schema: typeof ControlAgentSchema; words?: IssueWords };
}

/** The top-level keys, in the order their maps are checked. */
const KEYS = ["Dhcp4", "Dhcp6", "DhcpDdns", "Control-agent", "Logging"] as const;

/** The document's top level: only the known maps (each checked by its own schema afterwards). */
const TopSchema = strictMap(
  Object.fromEntries(KEYS.map((k) => [k, v.optional(v.unknown())])) as Record<
    (typeof KEYS)[number],
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
export const DHCP_WORDS: IssueWords = {
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
export function validateSchema(value: unknown, problems: Problems, schemas: SectionSchemas): ConfigIn {
  checkSchema(TopSchema, value, [], problems);
  const doc = (value ?? {}) as Record<string, unknown>;
  const out: ConfigIn = {};
  for (const k of KEYS) {
    if (doc[k] === undefined) continue;
    const s = k === "Logging" ? { schema: opaqueMap, words: WEKA_WORDS } : schemas[k];
    if (!s) throw new Error(`internal: the ${k} schema is not loaded`);
    const checked = checkSchema(s.schema as v.GenericSchema, doc[k], [k], problems, s.words ?? WEKA_WORDS);
    if (checked !== undefined) (out as Record<string, unknown>)[k] = checked;
  }
  return out;
}
