/**
 * `weka ddns -c FILE`: the DHCP-DDNS role (Kea's kea-dhcp-ddns). Loads the file through the one configuration loader
 * (mod/config/load.ts, as `weka config-test` and `weka run` do) and serves its `DhcpDdns` map: sets up its loggers,
 * starts D2 and its control sockets, and runs until SIGTERM/SIGINT or a `shutdown` command (exit 0, or the
 * command's exit-value). SIGHUP and `config-reload` re-read the file as Kea does (a refused configuration keeps
 * the running one).
 */
import { ConfigError } from "../config/errors.ts";
import type { D2Config } from "../config/model_d2.ts";
import type { ServiceDirectory } from "../control/services.ts";
import { closeLogging, type Log, setupLogging } from "../log/logger.ts";
import { startD2 } from "../ddns/d2/daemon.ts";
import { loadD2, openD2Control } from "./ddns_control.ts";
import { describeError } from "./role_common.ts";

/**
 * Runs the D2 role; returns the process exit code (1 when the configuration is refused or the port is taken).
 * `journalPath` (or the WEKA_DDNS_JOURNAL environment variable) names a Deno KV file that keeps accepted requests
 * until they are applied, so none is lost across a restart; without it the queue is memory only, as in Kea.
 */
export async function runDdns(opts: {
  configPath: string;
  journalPath?: string;
  /** `weka run`: log through this (its owner closes it) */
  log?: Log;
  /** `weka run`: register as the `d2` service of the process's Control Agent */
  services?: ServiceDirectory;
}): Promise<number> {
  let cfg: D2Config, warnings: string[];
  try {
    ({ cfg, warnings } = await loadD2(opts.configPath));
  } catch (e) {
    console.error(e instanceof ConfigError ? e.format() : `weka ddns: ${(e as Error).message}`);
    return 1;
  }
  let log = opts.log;
  if (!log) {
    try {
      log = await setupLogging([...cfg.loggers], "kea-dhcp-ddns");
    } catch (e) {
      // e.g. Listing 10's "@localstatedir@/log/kea/kea-ddns.log": keep serving, logging to stdout instead
      console.error(`weka ddns: cannot open the configured log outputs (${(e as Error).message}); logging to stdout`);
      log = await setupLogging([], "kea-dhcp-ddns");
    }
  }
  for (const w of warnings) log.warn("DHCP_DDNS_CONFIG_WARNING", w);
  let d2;
  try {
    d2 = await startD2(cfg, log, { journalPath: opts.journalPath ?? Deno.env.get("WEKA_DDNS_JOURNAL") });
  } catch (e) {
    log.error("DHCP_DDNS_FAILED", (e as Error).message);
    console.error(`weka ddns: ${(e as Error).message}`);
    if (!opts.log) await closeLogging();
    return 1;
  }
  const running = d2, logger = log;
  const stopped = Promise.withResolvers<{ type: "now" | "normal" | "drain_first"; code: number }>();
  const control = await openD2Control(running, cfg, {
    configPath: opts.configPath,
    log,
    shutdown: (type, code) => stopped.resolve({ type, code }),
    ownLoggers: true,
  });
  const unregister = opts.services?.register("d2", control);
  const onStop = () => stopped.resolve({ type: "now", code: 0 });
  let stopping = false;
  const onHup = () => {
    if (stopping) return; // nothing left to reconfigure
    control.reload().catch((e) => {
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
  // the signal listeners stay until the process exits with the code returned: with none left, Deno takes the
  // default action (status 143, or 129 for SIGHUP) on a signal repeated while the queue drains or the logs flush
  stopping = true;
  globalThis.removeEventListener("unhandledrejection", onRejection);
  globalThis.removeEventListener("error", onError);
  unregister?.();
  await control.close();
  await running.stop(end.type);
  // the role's own logging is flushed (its last line is DHCP_DDNS_SHUTDOWN); under `weka run` its owner closes it
  if (!opts.log) await closeLogging();
  return end.code;
}
