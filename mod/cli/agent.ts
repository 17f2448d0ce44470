/**
 * The Control Agent of `weka run` (a `Control-agent` map in the file): one HTTP(S) endpoint on the map's
 * `http-host`/`http-port`, with its `authentication` and TLS files, answering as kea-ctrl-agent 2.2 answers
 * (mod/control/agent.ts). config-set and config-reload apply a new map (a changed address, port, TLS or
 * authentication reopens the endpoint once the answer is out); `shutdown` closes the endpoint and leaves the
 * roles serving, as stopping kea-ctrl-agent leaves the Kea servers running.
 */
import { ConfigError } from "../config/errors.ts";
import type { LoadedConfig } from "../config/load_core.ts";
import { loadRoleConfigFile, parseRoleConfigText } from "../config/load_role.ts";
import type { AgentConfig } from "../config/schema_agent.ts";
import { type AgentContext, agentDispatcher, buildAgentRegistry, routeOf } from "../control/agent.ts";
import { sendUnix } from "../control/client.ts";
import { ControlListeners } from "../control/listeners.ts";
import type { ServiceDirectory } from "../control/services.ts";
import { type Log, reconfigureLoggers } from "../log/logger.ts";
import { DENO_WRITE_FS, describeError, writeFileAtomically } from "./role_common.ts";
import { VERSION, versionReport } from "./version.ts";

/** A running Control Agent endpoint. */
export interface RunningAgent {
  /** where it listens (empty when it could not open) */
  endpoints(): string[];
  stop(): Promise<void>;
}

/** The compiled `Control-agent` map of a loaded configuration; a ConfigError when it has none. */
function agentOf(loaded: LoadedConfig): AgentConfig {
  if (loaded.agent) return loaded.agent;
  throw new ConfigError([{ ...loaded.locate([]), path: "", message: "the configuration has no 'Control-agent' map" }]);
}

/** Starts the endpoint of `cfg`; the roles are found in `services` (a failed open is logged, the roles go on). */
export async function startAgent(
  cfg: AgentConfig,
  opts: {
    configPath: string;
    log: Log;
    services: ServiceDirectory;
    /** the services this process runs (for the start-up line, before they have registered) */
    local: readonly string[];
  },
): Promise<RunningAgent> {
  const { log, services } = opts;
  let current = cfg, reloadedAt = Date.now(), listeners: ControlListeners | undefined, stopped = false;
  const open = async () => {
    await listeners?.close();
    listeners = stopped ? undefined : await ControlListeners.start([current.listener], {
      dispatch,
      log: (level, id, text) => log[level](id, text),
    });
    if (listeners?.endpoints.length) {
      log.info(
        "CTRL_AGENT_HTTP_SERVICE_STARTED",
        `Control Agent listening on ${listeners.endpoints[0]}, forwarding to ${
          describe(current, services, opts.local)
        }`,
      );
    }
  };
  const apply = (next: AgentConfig) => {
    const reopen = JSON.stringify(next.listener) !== JSON.stringify(current.listener);
    current = next;
    reloadedAt = Date.now();
    if (reopen) setTimeout(() => open().catch((e) => log.error("CTRL_AGENT_FAILED", (e as Error).message)), 50);
  };
  const ctx: AgentContext = {
    services,
    config: () => current,
    configDoc: () => ({ "Control-agent": current.raw }),
    checkDoc: (doc) =>
      agentOf(parseRoleConfigText(JSON.stringify(doc, null, 2), "<command>", (p) => Deno.readTextFileSync(p))),
    applyConfig: apply,
    reloadFile: async () => {
      const next = agentOf(await loadRoleConfigFile(opts.configPath));
      await reconfigureLoggers("kea-ctrl-agent", next.loggers);
      apply(next);
    },
    forward: (path, text) => sendUnix(path, text),
    shutdown: () => {
      stopped = true;
      log.info("CTRL_AGENT_SHUTDOWN", "Control Agent endpoint closing (shutdown command); the servers go on");
      setTimeout(() => listeners?.close(), 50);
    },
    configFile: opts.configPath,
    fs: DENO_WRITE_FS,
    liveFiles: () => [{ path: opts.configPath, what: "the running configuration" }, ...services.liveFiles()],
    writeTextFile: writeFileAtomically,
    pid: Deno.pid,
    startedAt: Date.now(),
    reloadedAt: () => reloadedAt,
    now: Date.now,
    version: VERSION,
    buildReport: versionReport(),
  };
  const dispatch = agentDispatcher(buildAgentRegistry(ctx), ctx);
  await open();
  // SIGHUP re-reads the file, as kea-ctrl-agent's controller does (a refused file keeps the running map)
  const onHup = () => {
    log.info(
      "DCTL_CFG_FILE_RELOAD_SIGNAL_RECVD",
      `OS signal 1 received, reloading configuration from file: ${opts.configPath}`,
    );
    ctx.reloadFile().catch((e) =>
      log.error(
        "DCTL_CFG_FILE_RELOAD_ERROR",
        `configuration reload failed: ${describeError(e)}, reverting to current configuration.`,
      )
    );
  };
  Deno.addSignalListener("SIGHUP", onHup);
  return {
    endpoints: () => listeners?.endpoints ?? [],
    async stop() {
      stopped = true;
      Deno.removeSignalListener("SIGHUP", onHup);
      await listeners?.close();
    },
  };
}

/** "d2 (/run/kea/kea-ddns-ctrl-socket), dhcp4 (in this process)" for the start-up line. */
function describe(cfg: AgentConfig, services: ServiceDirectory, local: readonly string[]): string {
  const names = new Set([...local, ...Object.keys(cfg.sockets)]);
  const parts = [...names].sort().map((n) => {
    const sock = (cfg.sockets as Record<string, string | undefined>)[n];
    const route = routeOf(cfg, services, n);
    const here = route ? "role" in route : local.includes(n) && !sock;
    return here ? `${n} (in this process)` : `${n} (${sock})`;
  });
  return parts.join(", ") || "no server (no role in this process and no control-sockets)";
}
