/**
 * `weka ddns -c FILE`: the DHCP-DDNS role (Kea's kea-dhcp-ddns). Loads the `DhcpDdns` map, sets up its loggers,
 * starts D2 and runs until SIGTERM/SIGINT (exit 0). SIGHUP reloads the configuration as Kea's config-reload does
 * (a refused new configuration keeps the running one).
 */
import { ConfigError } from "../config/errors.ts";
import { setupLogging } from "../log/logger.ts";
import { loadD2ConfigFile } from "../ddns/d2/load.ts";
import { startD2 } from "../ddns/d2/daemon.ts";

/** Runs the D2 role; returns the process exit code (1 when the configuration is refused or the port is taken). */
export async function runDdns(opts: { configPath: string }): Promise<number> {
  let cfg;
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
    console.error(`weka ddns: cannot set up logging: ${(e as Error).message}`);
    return 1;
  }
  let d2;
  try {
    d2 = await startD2(cfg, log);
  } catch (e) {
    log.error("DHCP_DDNS_FAILED", (e as Error).message);
    console.error(`weka ddns: ${(e as Error).message}`);
    return 1;
  }
  const running = d2;
  const stopped = Promise.withResolvers<void>();
  const onStop = () => stopped.resolve();
  const onHup = async () => {
    try {
      const next = await loadD2ConfigFile(opts.configPath);
      running.service.reconfigure(next);
      log.info("DHCP_DDNS_CONFIG_RELOADED", `configuration reloaded from ${opts.configPath}`);
    } catch (e) {
      log.error("DHCP_DDNS_CONFIG_RELOAD_FAILED", e instanceof ConfigError ? e.format() : (e as Error).message);
    }
  };
  Deno.addSignalListener("SIGTERM", onStop);
  Deno.addSignalListener("SIGINT", onStop);
  Deno.addSignalListener("SIGHUP", onHup);
  await stopped.promise;
  Deno.removeSignalListener("SIGTERM", onStop);
  Deno.removeSignalListener("SIGINT", onStop);
  Deno.removeSignalListener("SIGHUP", onHup);
  await running.stop("now");
  return 0;
}
