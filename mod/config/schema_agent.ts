/**
 * The `Control-agent` map (Kea 2.2's kea-ctrl-agent grammar, agent_parser.yy): where the agent listens
 * (`http-host`, `http-port`, TLS files), its basic authentication, the unix sockets of the daemons it forwards to
 * (`control-sockets.dhcp4` / `dhcp6` / `d2`), hooks, loggers. `weka run` serves it (mod/control/agent.ts): one
 * HTTP(S) endpoint that routes each command by its `service` list to the roles of the process, or over the unix
 * sockets named here to daemons outside it. The authentication map is the one weka's own HTTP sockets use.
 */
import * as v from "valibot";
import type { Problems } from "./errors.ts";
import { compileLoggers } from "./compile_common.ts";
import type { ControlSocketSpec, LoggerSpec } from "./model.ts";
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

/** The services a Control Agent forwards to (Kea 2.2's `control-sockets` keys). */
export const AGENT_SERVICES = ["dhcp4", "dhcp6", "d2"] as const;
export type AgentService = typeof AGENT_SERVICES[number];

/** A compiled `Control-agent` map. */
export interface AgentConfig {
  /** the endpoint: `http-host` (default 127.0.0.1), `http-port` (default 8000), https when TLS files are set */
  listener: ControlSocketSpec;
  /** the unix socket of each service the map names (`control-sockets.<service>.socket-name`) */
  sockets: Partial<Record<AgentService, string>>;
  loggers: LoggerSpec[];
  /** the validated map as written (config-get) */
  raw: Record<string, unknown>;
}

/** Compiles a checked `Control-agent` map with Kea's defaults (kea-ctrl-agent: 127.0.0.1:8000). */
export function compileControlAgent(ca: ControlAgentIn): AgentConfig {
  const sockets: AgentConfig["sockets"] = {};
  for (const s of AGENT_SERVICES) {
    const name = ca["control-sockets"]?.[s]?.["socket-name"];
    if (name) sockets[s] = name;
  }
  const tls = (ca["cert-file"] ?? "") !== "";
  return {
    listener: {
      type: tls ? "https" : "http",
      address: ca["http-host"] ?? "127.0.0.1",
      port: ca["http-port"] ?? 8000,
      raw: ca as Record<string, unknown>,
    },
    sockets,
    loggers: compileLoggers(ca.loggers, "kea-ctrl-agent"),
    raw: ca as Record<string, unknown>,
  };
}

/**
 * Kea's one semantic rule of the agent's map (CtrlAgentCfgContext / HttpListener): TLS needs all three files or
 * none ("all or none of TLS parameters must be set"). And weka's: the agent loads no hook library (Kea's agent
 * hooks are premium, like role-based access control, or site-built), so one named in `hooks-libraries` is refused
 * rather than silently left out, as D2's are: an RBAC policy that is not enforced must not look enforced.
 */
export function checkControlAgent(ca: ControlAgentIn, problems: Problems): void {
  (ca["hooks-libraries"] ?? []).forEach((h, i) => {
    const name = String(h.library).split("/").pop();
    problems.add(
      ["Control-agent", "hooks-libraries", i, "library"],
      `hook library '${name}' is not available in weka's Control Agent, which loads none (Kea's agent hooks are ` +
        "premium or site-built, e.g. libca_rbac.so for role-based access control): remove it; 'authentication' " +
        "limits who may send commands",
    );
  });
  const set = TLS_KEYS.filter((k) => (ca[k] ?? "") !== "");
  const missing = TLS_KEYS.find((k) => (ca[k] ?? "") === "");
  if (set.length && missing) {
    problems.add(
      ["Control-agent", set[0]],
      `${missing} parameter is missing or empty: all or none of TLS parameters must be set`,
    );
  }
}
