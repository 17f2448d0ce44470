/**
 * `weka ddns -c FILE`: the DHCP-DDNS role (Kea's kea-dhcp-ddns). Loads the `DhcpDdns` map, sets up its loggers,
 * starts D2 and its control sockets, and runs until SIGTERM/SIGINT or a `shutdown` command (exit 0, or the
 * command's exit-value). SIGHUP and `config-reload` re-read the file as Kea does (a refused configuration keeps
 * the running one).
 */
import { ConfigError } from "../config/errors.ts";
import { ControlListeners } from "../control/listeners.ts";
import { setupLogging } from "../log/logger.ts";
import { compileD2Config, type D2Config } from "../ddns/d2/config.ts";
import { buildD2Registry, d2Dispatcher, d2SocketSpecs } from "../ddns/d2/control.ts";
import { startD2 } from "../ddns/d2/daemon.ts";
import { loadD2ConfigFile } from "../ddns/d2/load.ts";
import { describeError } from "./role_common.ts";
import { VERSION, versionReport } from "./version.ts";

/**
 * Runs the D2 role; returns the process exit code (1 when the configuration is refused or the port is taken).
 * `journalPath` (or the WEKA_DDNS_JOURNAL environment variable) names a Deno KV file that keeps accepted requests
 * until they are applied, so none is lost across a restart; without it the queue is memory only, as in Kea.
 */
export async function runDdns(opts: { configPath: string; journalPath?: string }): Promise<number> {
  let cfg: D2Config;
  try {
    cfg = await loadD2ConfigFile(opts.configPath);
  } catch (e) {
    console.error(e instanceof ConfigError ? e.format() : `weka ddns: ${(e as Error).message}`);
    return 1;
  }
  let log;
  try {
    log = await setupLogging([...cfg.loggers], "kea-dhcp-ddns");
  } catch (e) {
    // e.g. Listing 10's "@localstatedir@/log/kea/kea-ddns.log": keep serving, logging to stdout instead
    console.error(`weka ddns: cannot open the configured log outputs (${(e as Error).message}); logging to stdout`);
    log = await setupLogging([], "kea-dhcp-ddns");
  }
  let d2;
  try {
    d2 = await startD2(cfg, log, { journalPath: opts.journalPath ?? Deno.env.get("WEKA_DDNS_JOURNAL") });
  } catch (e) {
    log.error("DHCP_DDNS_FAILED", (e as Error).message);
    console.error(`weka ddns: ${(e as Error).message}`);
    return 1;
  }
  const running = d2, logger = log;
  let current = cfg, reloadedAt = Date.now();
  const stopped = Promise.withResolvers<{ type: "now" | "normal" | "drain_first"; code: number }>();
  const apply = (next: D2Config) => {
    current = next;
    reloadedAt = Date.now();
    running.service.reconfigure(next);
  };
  const reloadFile = async () => {
    apply(await loadD2ConfigFile(opts.configPath));
    logger.info("DHCP_DDNS_CONFIG_RELOADED", `configuration reloaded from ${opts.configPath}`);
  };
  const registry = buildD2Registry({
    stats: running.service.stats,
    configDoc: () => ({ DhcpDdns: current.raw }),
    checkDoc: (doc) => compileD2Config(doc.DhcpDdns, undefined, (p) => Deno.readTextFileSync(p)),
    applyConfig: apply,
    reloadFile,
    shutdown: (type, code) => setTimeout(() => stopped.resolve({ type, code }), 50),
    backlog: () => running.service.backlog,
    pid: Deno.pid,
    startedAt: Date.now(),
    reloadedAt: () => reloadedAt,
    now: Date.now,
    version: VERSION,
    buildReport: versionReport(),
  });
  const control = await ControlListeners.start(d2SocketSpecs(cfg.controlSockets), {
    dispatch: d2Dispatcher(registry),
    log: (level, id, text) => logger[level](id, text),
  });
  const onStop = () => stopped.resolve({ type: "now", code: 0 });
  const onHup = () => {
    reloadFile().catch((e) => {
      try {
        logger.error("DHCP_DDNS_CONFIG_RELOAD_FAILED", describeError(e));
      } catch { /* the running configuration keeps serving either way */ }
    });
  };
  // the last line against silent death (as RoleLife does for the DHCP roles): Kea's DHCP_DDNS_FAILED, exit 1
  const fatal = (text: string) => {
    try {
      logger.error("DHCP_DDNS_FAILED", `${text}; stopping with exit code 1`);
    } catch { /* stopping all the same */ }
    stopped.resolve({ type: "now", code: 1 });
  };
  const onRejection = (e: PromiseRejectionEvent) => {
    e.preventDefault();
    fatal(`a background task failed and nothing handled it: ${describeError(e.reason)}`);
  };
  const onError = (e: ErrorEvent) => {
    e.preventDefault();
    fatal(`an exception escaped a background task: ${describeError(e.error ?? e.message)}`);
  };
  Deno.addSignalListener("SIGTERM", onStop);
  Deno.addSignalListener("SIGINT", onStop);
  Deno.addSignalListener("SIGHUP", onHup);
  globalThis.addEventListener("unhandledrejection", onRejection);
  globalThis.addEventListener("error", onError);
  const end = await stopped.promise;
  Deno.removeSignalListener("SIGTERM", onStop);
  Deno.removeSignalListener("SIGINT", onStop);
  Deno.removeSignalListener("SIGHUP", onHup);
  globalThis.removeEventListener("unhandledrejection", onRejection);
  globalThis.removeEventListener("error", onError);
  await control.close();
  await running.stop(end.type);
  return end.code;
}
