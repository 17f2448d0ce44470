/**
 * Kea's general commands of a DHCPv4 server (Kea's ARM, ctrl-channel.rst "Commands Supported by Both the
 * DHCPv4 and DHCPv6 Servers"): introspection, configuration get/test/set/reload/write with the SHA-256 hash,
 * shutdown, dhcp-disable/dhcp-enable, leases-reclaim and status-get. Texts follow Kea's wording so scripts that
 * grep for them keep working.
 */
import { dirname, resolve } from "./posix_path.ts";
import { type Answer, badArgs, ok, Result } from "./answer.ts";
import { answer } from "./answer.ts";
import { parseOrigin } from "./dhcp_state.ts";
import type { ControlContext } from "./context.ts";
import type { CommandRegistry } from "./registry.ts";
import { writableTarget } from "./safe_write.ts";
import { configHash, DHCP4_CONFIG, DHCP6_CONFIG, registerConfigCommands } from "./config_cmds.ts";

export { configHash };

/** Extra status-get sections per registry (e.g. `high-availability`, added by mod/ha/commands.ts). */
const statusSections = new WeakMap<CommandRegistry, Map<string, () => unknown>>();

/**
 * Adds (or with `fn` undefined removes) a section of the status-get answer, as Kea's hooks add theirs (the HA hook
 * adds `high-availability`). `fn` is called at each status-get.
 */
export function setStatusSection(reg: CommandRegistry, key: string, fn: (() => unknown) | undefined): void {
  let m = statusSections.get(reg);
  if (!m) statusSections.set(reg, m = new Map());
  if (fn) m.set(key, fn);
  else m.delete(key);
}

/**
 * status-get's multi-threading part as Kea 2.2 answers it: `multi-threading-enabled` always; with it enabled, the
 * thread pool size in use (weka handles packets on one thread: 1), the configured `packet-queue-size`, and the
 * queue depth averaged over the last 10, 100 and 1000 packets (weka's queue is a receive round).
 */
function multiThreadingStatus(ctx: ControlContext): Record<string, unknown> {
  const t = ctx.config().tuning;
  if (!t?.multiThreading) return { "multi-threading-enabled": false };
  return {
    "multi-threading-enabled": true,
    "thread-pool-size": 1,
    "packet-queue-size": t.packetQueueSize,
    "packet-queue-statistics": ctx.packetQueueStats?.() ?? [0, 0, 0],
  };
}

/** Registers the general commands on `reg`, answering from `ctx`. */
export function registerGeneralCommands(reg: CommandRegistry, ctx: ControlContext): void {
  reg.register("list-commands", () => answer(Result.SUCCESS, undefined, reg.names()));
  reg.register("version-get", () => ok(ctx.version, { extended: ctx.buildReport }));
  reg.register("build-report", () => ok(ctx.buildReport));
  reg.register("status-get", () => {
    const now = ctx.now();
    const extra: Record<string, unknown> = {};
    for (const [k, fn] of statusSections.get(reg) ?? []) extra[k] = fn();
    return ok(undefined, {
      pid: ctx.pid,
      uptime: Math.floor((now - ctx.startedAt) / 1000),
      reload: Math.floor((now - ctx.reloadedAt()) / 1000),
      ...multiThreadingStatus(ctx),
      sockets: ctx.socketsStatus(),
      "dhcp-state": ctx.dhcpState.report(),
      ...extra,
    });
  });
  registerConfigCommands(reg, ctx, reg.service === "dhcp6" ? DHCP6_CONFIG : DHCP4_CONFIG);
  reg.register("config-write", (args) => configWrite(ctx, args));
  reg.register("server-tag-get", () => {
    const tag = ctx.configDoc()[reg.service === "dhcp6" ? "Dhcp6" : "Dhcp4"] as Record<string, unknown> | undefined;
    return ok(undefined, { "server-tag": typeof tag?.["server-tag"] === "string" ? tag["server-tag"] : "" });
  });
  // weka's hooks are built in: nothing to reload, as Kea answers when the libraries are unchanged
  reg.register("libreload", () => ok("Hooks libraries successfully reloaded."));
  reg.register("shutdown", (args) => {
    const ev = args?.["exit-value"] ?? 0;
    if (typeof ev !== "number" || !Number.isInteger(ev)) badArgs("'exit-value' must be an integer");
    ctx.shutdown(ev);
    return ok("Shutting down.");
  });
  reg.register("dhcp-disable", (args) => {
    const maxPeriod = args?.["max-period"];
    if (maxPeriod !== undefined && (typeof maxPeriod !== "number" || !Number.isInteger(maxPeriod) || maxPeriod < 1)) {
      badArgs("'max-period' must be a positive number of seconds");
    }
    const origin = parseOrigin(args?.origin, args?.["origin-id"]);
    if (typeof origin === "string") badArgs(origin);
    ctx.dhcpState.disable(origin, maxPeriod as number | undefined);
    const v = reg.service === "dhcp6" ? "DHCPv6" : "DHCPv4";
    return ok(maxPeriod ? `${v} service disabled for ${maxPeriod} seconds` : `${v} service disabled`);
  });
  reg.register("dhcp-enable", (args) => {
    const origin = parseOrigin(args?.origin, args?.["origin-id"]);
    if (typeof origin === "string") badArgs(origin);
    ctx.dhcpState.enable(origin);
    return ok("DHCP service successfully enabled");
  });
  reg.register("leases-reclaim", async (args) => {
    if (typeof args?.remove !== "boolean") badArgs("'remove' parameter not specified or not a boolean");
    const r = await ctx.reclaim(args.remove as boolean);
    return ok(`Reclamation of expired leases is complete (${r.reclaimed} lease(s) reclaimed).`);
  });
}

/**
 * config-write: writes the serving configuration (`configDoc`; the agent's is its `Control-agent` map) as JSON to `filename`. As in Kea since 2.7.9, the file must be
 * in the directory of the `-c` file; weka resolves the real path and refuses the running configuration itself
 * (Kea's default target when no `filename` is given) and the server's other live files (mod/control/safe_write.ts):
 * write beside it and move the file into place.
 */
export async function configWrite(
  ctx: Pick<ControlContext, "configFile" | "configDoc" | "fs" | "liveFiles" | "writeTextFile">,
  args: Record<string, unknown> | undefined,
): Promise<Answer> {
  const name = args?.filename ?? ctx.configFile;
  if (typeof name !== "string" || name === "") badArgs("'filename' must be a non-empty string");
  const dir = dirname(resolve(ctx.configFile));
  const path = await writableTarget("config-write", name, dir, ctx.liveFiles(), ctx.fs);
  const text = JSON.stringify(ctx.configDoc(), null, 2) + "\n";
  try {
    await ctx.writeTextFile(path, text);
  } catch (e) {
    return answer(Result.ERROR, `Unable to write the configuration to ${path}: ${(e as Error).message}`);
  }
  return ok(`Configuration written to ${path} successful`, { filename: path, size: text.length });
}
