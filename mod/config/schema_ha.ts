/**
 * The valibot schema of libdhcp_ha.so's `parameters` (Kea 2.2's ha_config_parser.cc and the ARM's "High
 * Availability" keys), with Kea 2.2's own words for every type and range problem ("invalid type specified for
 * parameter 'x'", "'x' must not be negative", "unsupported value 'y' for mode parameter"). Every unknown key of
 * every map is refused (Kea 2.2 ignores them; weka refuses them, as its schemas do everywhere). Cross-field rules
 * (peer URLs and TLS, roles per mode, state pauses) live in compile_ha.ts; defaults in defaults.ts.
 */
import * as v from "valibot";
import { HA_MODES, HA_ROLES, type HaMode, type HaRole } from "./model_ha.ts";
import type { IssueWords } from "./schema_issues.ts";

const U16 = 65535, U32 = 4294967295;

/** Kea's words for a parameter of the wrong JSON type. */
const badType = (k: string) => `invalid type specified for parameter '${k}'`;
const str = (k: string) => v.string(badType(k));
const bool = (k: string) => v.boolean(badType(k));
/** Kea's getAndValidateInteger: an integer, not negative, within the parameter's C type. */
const int = (k: string, max: number) =>
  v.pipe(
    v.number(badType(k)),
    v.integer(badType(k)),
    v.minValue(0, `'${k}' must not be negative`),
    v.maxValue(max, `'${k}' must not be greater than ${max}`),
  );

const isMap = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

/** `comment` and `user-context`: accepted in every HA map, with any value, as Kea's HA parser leaves them alone. */
const annotations = { comment: v.optional(v.unknown()), "user-context": v.optional(v.unknown()) };

/** A map whose every unknown key is refused (one problem each) and whose not-a-map message is Kea's `notMap`. */
function haMap<E extends v.ObjectEntries>(entries: E, notMap: string) {
  return v.pipe(
    v.custom<Record<string, unknown>>(isMap, notMap),
    v.objectWithRest({ ...entries, ...annotations }, v.never(), notMap),
  );
}

/** Integer keys of a relationship with Kea 2.2's C type width. */
const INTS = {
  "heartbeat-delay": U16,
  "max-response-delay": U16,
  "max-ack-delay": U16,
  "max-unacked-clients": U32,
  "max-rejected-lease-updates": U32,
  "sync-timeout": U32,
  "sync-page-limit": U32,
  "delayed-updates-limit": U32,
} as const;
const BOOLS = ["send-lease-updates", "sync-leases", "wait-backup-ack", "require-client-certs", "restrict-commands"];
const tls = {
  "trust-anchor": v.optional(str("trust-anchor")),
  "cert-file": v.optional(str("cert-file")),
  "key-file": v.optional(str("key-file")),
};

/** A name that must not be blank once trimmed (Kea trims peer and server names). */
const name = (k: string, blank: string) =>
  v.pipe(str(k), v.transform((s) => s.trim()), v.check((s) => s !== "", blank));

const peer = haMap({
  name: name("name", "peer name must not be empty"),
  url: str("url"),
  role: v.pipe(
    str("role"),
    v.check((r) => HA_ROLES.includes(r as HaRole), (i) => `unsupported value '${i.input}' for role parameter`),
  ),
  "auto-failover": v.optional(bool("auto-failover")),
  "basic-auth-user": v.optional(str("basic-auth-user")),
  "basic-auth-password": v.optional(str("basic-auth-password")),
  "basic-auth-user-file": v.optional(
    v.never("'basic-auth-user-file' is not supported by weka yet: give the user in 'basic-auth-user'"),
  ),
  "basic-auth-password-file": v.optional(
    v.never("'basic-auth-password-file' is not supported by weka yet: give the password in 'basic-auth-password'"),
  ),
  /** not a peer parameter: Kea's HA parser ignores it here (compile_ha.ts warns); Kea's own TLS example sets it */
  "require-client-certs": v.optional(bool("require-client-certs")),
  ...tls,
}, "peer configuration must be a map");

const multiThreading = haMap({
  "enable-multi-threading": v.optional(bool("enable-multi-threading")),
  "http-dedicated-listener": v.optional(bool("http-dedicated-listener")),
  "http-listener-threads": v.optional(int("http-listener-threads", U32)),
  "http-client-threads": v.optional(int("http-client-threads", U32)),
}, "multi-threading configuration must be a map");

const stateMachine = haMap({
  states: v.optional(v.array(
    haMap({ state: str("state"), pause: v.optional(str("pause")) }, "state configuration must be a map"),
    "'states' parameter must be a list",
  )),
}, "'state-machine' parameter must be a map");

/** One `high-availability[]` entry: one relationship. */
export const relationshipSchema = haMap({
  "this-server-name": name("this-server-name", "'this-server-name' value must not be empty"),
  mode: v.pipe(
    str("mode"),
    v.check((m) => HA_MODES.includes(m as HaMode), (i) => `unsupported value '${i.input}' for mode parameter`),
  ),
  peers: v.array(peer, "'peers' parameter must be a list"),
  "multi-threading": v.optional(multiThreading),
  "state-machine": v.optional(stateMachine),
  ...Object.fromEntries(Object.entries(INTS).map(([k, max]) => [k, v.optional(int(k, max))])) as {
    [K in keyof typeof INTS]: v.OptionalSchema<ReturnType<typeof int>, undefined>;
  },
  ...Object.fromEntries(BOOLS.map((k) => [k, v.optional(bool(k))])) as Record<
    "send-lease-updates" | "sync-leases" | "wait-backup-ack" | "require-client-certs" | "restrict-commands",
    v.OptionalSchema<v.BooleanSchema<string>, undefined>
  >,
  ...tls,
}, "expected list of maps in the HA configuration");

/**
 * The hook's `parameters`: `high-availability`, a list that must not be empty. Its entries are checked one by one
 * (compile_ha.ts): weka runs exactly one relationship, as Kea 2.2 does.
 */
export const haParametersSchema = haMap({
  "high-availability": v.pipe(
    v.array(v.unknown(), "HA configuration must be a list"),
    v.minLength(1, "invalid number of configurations in the HA configuration list. Expected exactly one configuration"),
  ),
}, "the parameters of libdhcp_ha.so must be a map holding 'high-availability'");

/** A validated relationship. */
export type RelationshipIn = v.InferOutput<typeof relationshipSchema>;
/** A validated peer. */
export type PeerIn = v.InferOutput<typeof peer>;
/** A validated `state-machine` map. */
export type StateMachineIn = v.InferOutput<typeof stateMachine>;

const MISSING: Record<string, string> = {
  "high-availability": "missing parameter 'high-availability' (HA configuration must not be null)",
  peers: "'peers' parameter missing in HA configuration",
};

/** Kea 2.2's words for a missing parameter; an unknown key is weka's "unknown or unsupported key". */
export const HA_WORDS: IssueWords = {
  unknownKey: (_parent, key) => `unknown or unsupported key '${key}'`,
  missingKey: (key) => MISSING[key] ?? `missing parameter '${key}'`,
};
