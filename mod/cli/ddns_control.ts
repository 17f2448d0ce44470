/**
 * The control side of a running D2 (Kea's kea-dhcp-ddns control channel): the D2 command registry, the `DhcpDdns`
 * map's control sockets, config-set/config-reload applied to the running D2, and the re-reading of the `-c` file.
 * `weka ddns` uses it for its one role; `weka run` uses it for the D2 that runs beside the DHCP servers, which the
 * Control Agent then reaches as the `d2` service.
 */
import { ConfigError, formatProblem } from "../config/errors.ts";
import type { LoadedConfig } from "../config/load_core.ts";
import { loadRoleConfigFile, parseRoleConfigText } from "../config/load_role.ts";
import type { D2Config } from "../config/model_d2.ts";
import type { Answer } from "../control/answer.ts";
import { ControlListeners } from "../control/listeners.ts";
import { buildD2Registry, d2Dispatcher } from "../ddns/d2/control.ts";
import { type D2Daemon, startD2 } from "../ddns/d2/daemon.ts";
import type { ServiceDirectory } from "../control/services.ts";
import { type Log, reconfigureLoggers } from "../log/logger.ts";
import { unixSockets } from "./role_common.ts";
import { VERSION, versionReport } from "./version.ts";

/** The compiled `DhcpDdns` map of a loaded configuration; a ConfigError when the file has none. */
export function d2Of(loaded: LoadedConfig): D2Config {
  if (loaded.d2) return loaded.d2;
  throw new ConfigError([{ ...loaded.locate([]), path: "", message: "the configuration has no 'DhcpDdns' map" }]);
}

/** Loads the file and returns its D2 configuration and the warnings about its `DhcpDdns` map. */
export async function loadD2(path: string): Promise<{ cfg: D2Config; warnings: string[] }> {
  const loaded = await loadRoleConfigFile(path);
  const warnings = loaded.warnings.filter((w) => w.path.startsWith("DhcpDdns")).map(formatProblem);
  return { cfg: d2Of(loaded), warnings };
}

/** A running D2's control channel. */
export interface D2Control {
  /** answers one request as the D2's own control socket does */
  dispatch(text: string): Promise<Answer>;
  /** the unix control sockets open now */
  unixSockets(): string[];
  /** re-reads the `-c` file and applies its `DhcpDdns` map (throws when refused; the running one keeps serving) */
  reload(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the control channel of `d2`, serving `cfg` (its control sockets are opened now). `shutdown` is called
 * after the shutdown command was answered, with Kea's shutdown type and exit value.
 */
export async function openD2Control(
  d2: D2Daemon,
  cfg: D2Config,
  opts: {
    configPath: string;
    log: Log;
    shutdown(type: "now" | "normal" | "drain_first", code: number): void;
    /** the D2 logs through its own `loggers` (re-applied by a reload); false when it logs as the DHCP role */
    ownLoggers?: boolean;
  },
): Promise<D2Control> {
  const { log } = opts;
  let current = cfg, reloadedAt = Date.now();
  const apply = (next: D2Config) => {
    current = next;
    reloadedAt = Date.now();
    d2.service.reconfigure(next);
  };
  const reload = async () => {
    const next = await loadD2(opts.configPath);
    for (const w of next.warnings) log.warn("DHCP_DDNS_CONFIG_WARNING", w);
    if (opts.ownLoggers) await reconfigureLoggers("kea-dhcp-ddns", next.cfg.loggers);
    apply(next.cfg);
    log.info("DHCP_DDNS_CONFIG_RELOADED", `configuration reloaded from ${opts.configPath}`);
  };
  const registry = buildD2Registry({
    stats: d2.service.stats,
    configDoc: () => ({ DhcpDdns: current.raw }),
    checkDoc: (doc) =>
      d2Of(parseRoleConfigText(JSON.stringify(doc, null, 2), "<command>", (p) => Deno.readTextFileSync(p))),
    applyConfig: apply,
    reloadFile: reload,
    shutdown: (type, code) => setTimeout(() => opts.shutdown(type, code), 50),
    backlog: () => d2.service.backlog,
    pid: Deno.pid,
    startedAt: Date.now(),
    reloadedAt: () => reloadedAt,
    now: Date.now,
    version: VERSION,
    buildReport: versionReport(),
  });
  const dispatch = d2Dispatcher(registry);
  const listeners = await ControlListeners.start([...cfg.controlSockets], {
    dispatch,
    log: (level, id, text) => log[level](id, text),
  });
  const unix = unixSockets(cfg.controlSockets);
  return {
    dispatch,
    unixSockets: () => unix,
    reload,
    close: () => listeners.close(),
  };
}

/** What an in-process D2 needs from the role it runs beside. */
export interface D2Host {
  log: Log;
  configPath: string;
  /** registers what to do at the stop */
  onStop(fn: () => Promise<unknown> | unknown): void;
  /** the D2's shutdown command stops the process with this exit value */
  shutdown(code: number): void;
}

/**
 * `weka run`: starts the D2 of the file's `DhcpDdns` map beside a DHCP role, with its control channel (its own
 * control sockets, and the `d2` service of the Control Agent when `services` is given); SIGHUP re-reads its map.
 * Undefined when it cannot start (logged as DHCP_DDNS_FAILED).
 */
export async function startInProcessD2(
  host: D2Host & { ownLoggers?: boolean },
  cfg: D2Config,
  services?: ServiceDirectory,
): Promise<D2Daemon | undefined> {
  const { log } = host;
  let d2: D2Daemon;
  try {
    d2 = await startD2(cfg, log);
  } catch (e) {
    log.error("DHCP_DDNS_FAILED", (e as Error).message);
    return undefined;
  }
  host.onStop(() => d2.stop("normal"));
  const control = await openD2Control(d2, cfg, {
    configPath: host.configPath,
    log,
    shutdown: (_type, code) => host.shutdown(code),
    ownLoggers: host.ownLoggers,
  });
  host.onStop(() => control.close());
  if (services) host.onStop(services.register("d2", control));
  const onHup = () => {
    control.reload().catch((e) => log.error("DHCP_DDNS_CONFIG_RELOAD_FAILED", (e as Error).message));
  };
  Deno.addSignalListener("SIGHUP", onHup);
  host.onStop(() => Deno.removeSignalListener("SIGHUP", onHup));
  return d2;
}
