/**
 * `weka status [-c FILE | --socket FILE | --host H --port P]`: the state of a running server at a glance, in the
 * terminal — the same summary the status page shows (mod/control/page/summary.js computes both): pool use per
 * subnet and shared network, HA state of this server and its partner with the age of the last heartbeat, packet
 * and DDNS counters, recent warnings and errors. Everything comes from the server's control channel (status-get,
 * statistic-get-all, config-get). `--json` prints the summary as JSON. Exit 0 with an answer, 1 without one.
 */
import { loadRoleConfigFile } from "../config/load_role.ts";
import { formatSummary, summarize, type Summary } from "../control/page/summary.js";
import { reportConfigFailure } from "./config_test.ts";
import { type ControlTarget, findTarget, type TargetOptions } from "./control_target.ts";

/** Options of `weka status`. */
export interface StatusOptions extends TargetOptions {
  configPath?: string;
  json?: boolean;
}

/** Asks `target` for the three answers and builds the summary. */
export async function fetchSummary(target: ControlTarget): Promise<Summary> {
  const [status, stats, config] = await Promise.all([
    target.send("status-get"),
    target.send("statistic-get-all"),
    target.send("config-get"),
  ]);
  for (const [name, a] of [["status-get", status], ["statistic-get-all", stats], ["config-get", config]] as const) {
    if (a.result !== 0) throw new Error(`${name} answered result ${a.result}: ${a.text ?? ""}`);
  }
  return summarize({ status: status.arguments, stats: stats.arguments, config: config.arguments });
}

/** Runs `weka status`; returns the exit code. */
export async function runStatus(opts: StatusOptions): Promise<number> {
  let specs;
  if (opts.configPath && !opts.socket && opts.host === undefined && opts.port === undefined) {
    try {
      const loaded = await loadRoleConfigFile(opts.configPath);
      specs = (loaded.dhcp4 ?? loaded.dhcp6)?.controlSockets ?? [];
    } catch (e) {
      return reportConfigFailure(opts.configPath, e);
    }
  }
  if (!specs && !opts.socket && opts.host === undefined && opts.port === undefined) {
    console.error("weka status: name the server: -c FILE (its control-socket), --socket FILE, or --host/--port");
    return 2;
  }
  const target = findTarget(opts, specs);
  if (!target) {
    console.error(`weka status: ${opts.configPath} has no control socket to ask (add a "control-socket")`);
    return 1;
  }
  try {
    const s = await fetchSummary(target);
    console.log(opts.json ? JSON.stringify(s, null, 2) : formatSummary(s, target.where));
    return 0;
  } catch (e) {
    console.error(`weka status: no answer from ${target.where}: ${(e as Error).message}`);
    return 1;
  }
}
