/**
 * The `Control-agent` map (Kea 2.2's kea-ctrl-agent grammar, agent_parser.yy): where the agent listens
 * (`http-host`, `http-port`, TLS files), its basic authentication, the unix sockets of the daemons it forwards to
 * (`control-sockets.dhcp4` / `dhcp6` / `d2`), hooks, loggers. weka does not run a Control Agent yet (each role
 * serves its own control sockets): the map is checked like every other, so a misspelt key is still refused, and the
 * loader warns that it is not served. The authentication map is the one weka's own HTTP sockets use.
 */
import * as v from "valibot";
import type { Problems } from "./errors.ts";
import { annotations, bool, nonEmptyStr, str, strictMap, uint32 } from "./schema_common.ts";
import { authentication } from "./schema_control.ts";
import { hookLibraryList, loggerList } from "./schema_daemon.ts";

/** One daemon's socket as the agent reaches it (Kea 2.2: unix only). */
const agentSocket = strictMap({
  "socket-name": v.optional(nonEmptyStr),
  "socket-type": v.optional(v.picklist(["unix"], 'must be "unix" (the only socket type of Kea\'s Control Agent)')),
  ...annotations,
}, "must be a map");

const TLS_KEYS = ["trust-anchor", "cert-file", "key-file"] as const;

/** The `Control-agent` map. */
export const ControlAgentSchema = strictMap({
  "http-host": v.optional(nonEmptyStr),
  "http-port": v.optional(v.pipe(uint32, v.maxValue(65535, "must be a port 0..65535"))),
  "trust-anchor": v.optional(str),
  "cert-file": v.optional(str),
  "key-file": v.optional(str),
  "cert-required": v.optional(bool),
  authentication: v.optional(authentication),
  "control-sockets": v.optional(strictMap({
    dhcp4: v.optional(agentSocket),
    dhcp6: v.optional(agentSocket),
    d2: v.optional(agentSocket),
    ...annotations,
  }, "must be a map")),
  "hooks-libraries": v.optional(hookLibraryList),
  loggers: v.optional(loggerList),
  ...annotations,
}, "must be a map");

/** A validated `Control-agent` map. */
export type ControlAgentIn = v.InferOutput<typeof ControlAgentSchema>;

/**
 * Kea's one semantic rule of the agent's map (CtrlAgentCfgContext / HttpListener): TLS needs all three files or
 * none ("all or none of TLS parameters must be set"). Then the warning that the section is not served.
 */
export function checkControlAgent(ca: ControlAgentIn, problems: Problems): void {
  const set = TLS_KEYS.filter((k) => (ca[k] ?? "") !== "");
  const missing = TLS_KEYS.find((k) => (ca[k] ?? "") === "");
  if (set.length && missing) {
    problems.add(
      ["Control-agent", set[0]],
      `${missing} parameter is missing or empty: all or none of TLS parameters must be set`,
    );
  }
  problems.warn(
    ["Control-agent"],
    "weka does not run a Control Agent yet: this section is checked and ignored (each role answers on its own control-socket)",
    true,
  );
}
