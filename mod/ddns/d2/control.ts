/**
 * D2's control commands (Kea ARM "Management API for the D2 Server"): build-report, config-get, config-hash-get,
 * config-reload, config-set, config-test, list-commands, shutdown (`type`), status-get, version-get and the
 * statistic commands, on the shared command registry of mod/control. Pure: every effect goes through
 * {@link D2ControlContext}, wired by the CLI.
 */
import { type Answer, answer, badArgs, ok, Result } from "../../control/answer.ts";
import { D2_CONFIG, registerConfigCommands } from "../../control/config_cmds.ts";
import { CommandRegistry } from "../../control/registry.ts";
import { registerStatCommands } from "../../control/stat_cmds.ts";
import type { Stats } from "../../stats/stats.ts";
import type { D2Config } from "../../config/model_d2.ts";

/** What the D2 commands need from the running daemon. */
export interface D2ControlContext {
  stats: Stats;
  /** `{"DhcpDdns": {…}}` as serving now */
  configDoc(): Record<string, unknown>;
  /** validates a `{"DhcpDdns": {…}}` document; throws ConfigError */
  checkDoc(doc: Record<string, unknown>): D2Config;
  /** swaps in a checked configuration (config-set) */
  applyConfig(cfg: D2Config): void;
  /** re-reads the `-c` file (config-reload); throws when refused */
  reloadFile(): Promise<void>;
  /** stops the daemon after answering: `now`, `normal` (finish running transactions) or `drain_first` (the queue too) */
  shutdown(type: "normal" | "drain_first" | "now", exitValue: number): void;
  /** requests waiting and running (status-get) */
  backlog(): number;
  pid: number;
  startedAt: number;
  reloadedAt(): number;
  now(): number;
  version: string;
  buildReport: string;
}

/** Builds D2's registry: Kea's D2 command set, answered from `ctx`, with Kea's result codes and texts. */
export function buildD2Registry(ctx: D2ControlContext): CommandRegistry {
  const reg = new CommandRegistry("d2");
  reg.register("list-commands", () => answer(Result.SUCCESS, undefined, reg.names()));
  reg.register("version-get", () => ok(ctx.version, { extended: ctx.buildReport }));
  reg.register("build-report", () => ok(ctx.buildReport));
  reg.register("status-get", () => {
    const now = ctx.now();
    return ok(undefined, {
      pid: ctx.pid,
      uptime: Math.floor((now - ctx.startedAt) / 1000),
      reload: Math.floor((now - ctx.reloadedAt()) / 1000),
      "queue-size": ctx.backlog(),
    });
  });
  registerConfigCommands(reg, ctx, D2_CONFIG);
  reg.register("shutdown", (args) => {
    const type = args?.type ?? "normal";
    if (type !== "normal" && type !== "drain_first" && type !== "now") {
      badArgs(`Invalid Shutdown type: ${JSON.stringify(type)}`);
    }
    const ev = args?.["exit-value"] ?? 0;
    if (typeof ev !== "number" || !Number.isInteger(ev)) badArgs("'exit-value' must be an integer");
    ctx.shutdown(type, ev);
    return ok("Shutdown initiated, type is: " + type);
  });
  registerStatCommands(reg, ctx.stats);
  return reg;
}

/** The dispatcher the listeners call: the registry's (`service` is ignored, as kea-dhcp-ddns ignores it). */
export function d2Dispatcher(reg: CommandRegistry): (text: string) => Promise<Answer> {
  return (text) => reg.dispatch(text);
}
