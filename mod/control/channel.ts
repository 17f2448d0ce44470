/**
 * The control channel of a DHCPv4 server: one command registry (general commands, statistics, and the lease
 * commands when `libdhcp_lease_cmds.so` is configured) served on every configured control socket. A reload that
 * changes the sockets reopens them; one that adds or drops libdhcp_lease_cmds.so adds or drops the lease commands,
 * as Kea (re)loads hook libraries on reconfiguration.
 */
import type { ControlSocketSpec, Dhcp4Config } from "../config/model.ts";
import { type MetricsFamily, renderPrometheus, type SubnetLabel } from "../stats/prometheus.ts";
import type { Stats } from "../stats/stats.ts";
import type { ControlContext } from "./context.ts";
import { registerGeneralCommands, setStatusSection } from "./general_cmds.ts";
import { recentLines } from "../log/recent.ts";
import { LEASE_COMMANDS, registerLeaseCommands } from "./lease_cmds.ts";
import type { ListenerLog } from "./conn_guard.ts";
import { ControlListeners } from "./listeners.ts";
import { CommandRegistry } from "./registry.ts";
import { registerStatCommands } from "./stat_cmds.ts";
import { registerStatLease4, STAT_CMDS_HOOK } from "./stat_lease_cmds.ts";

/** Kea's file name of the lease commands hook library. */
export const LEASE_CMDS_HOOK = "libdhcp_lease_cmds.so";

/**
 * Whether a configuration switches the lease commands on: a `hooks-libraries` entry naming libdhcp_lease_cmds.so
 * (any directory), or weka's own lease backend (`lease-database.type: "kv"`), which always carries them.
 */
export function leaseCommandsEnabled(config: Dhcp4Config): boolean {
  return config.hooks.some((h) => h.endsWith(LEASE_CMDS_HOOK)) || config.lease.type === "kv";
}

/** Builds the registry for `ctx` (lease commands per `leaseCommandsEnabled(ctx.config())`). */
export function buildRegistry(ctx: ControlContext): CommandRegistry {
  const reg = new CommandRegistry();
  registerGeneralCommands(reg, ctx);
  registerStatCommands(reg, ctx.stats);
  if (leaseCommandsEnabled(ctx.config())) registerLeaseCommands(reg, ctx);
  if (ctx.config().hooks.some((h) => h.endsWith(STAT_CMDS_HOOK))) {
    registerStatLease4(reg, {
      stats: ctx.stats,
      subnetIds: () => ctx.config().subnets.map((s) => s.id).sort((a, b) => a - b),
      leases: () => ctx.store.all(),
      now: () => ctx.now(),
    });
  }
  return reg;
}

/** Where a channel's log lines go: Kea-style ids with their level (the listeners' log). */
export type ChannelLog = ListenerLog;

/**
 * A command registry served on the configured control sockets (Kea's control channel, ctrl-channel.rst): the
 * part every server family shares; its status-get carries the process's `recent-warnings`. `subnets` labels the Prometheus output of GET /metrics; the DHCPv4 and DHCPv6
 * channels differ only in the registry they build and in what a reload changes.
 */
export class RegistryChannel {
  private listeners?: ControlListeners;
  private specs = "";

  constructor(
    readonly registry: CommandRegistry,
    private readonly stats: Stats,
    private readonly subnets: () => readonly SubnetLabel[],
    private readonly log: ChannelLog,
    private readonly timeoutMs?: number,
    private readonly family: MetricsFamily = "dhcp4",
  ) {
    // the process's last warnings and errors, for the status page and `weka status` (mod/log/recent.ts)
    setStatusSection(registry, "recent-warnings", recentLines);
  }

  /** Answers one request (what every listener calls). */
  dispatch = (text: string) => this.registry.dispatch(text);

  /** The Prometheus text of the current statistics (GET /metrics). */
  metrics = () => renderPrometheus(this.stats, this.subnets(), this.family);

  /** Opens the configured sockets (reopens them when they differ from the open ones). */
  async start(specs: readonly ControlSocketSpec[]): Promise<void> {
    const key = JSON.stringify(specs);
    if (this.listeners && key === this.specs) return;
    await this.listeners?.close();
    this.specs = key;
    this.listeners = await ControlListeners.start(specs, {
      dispatch: this.dispatch,
      metrics: this.metrics,
      log: this.log,
      timeoutMs: this.timeoutMs,
    });
  }

  /** status-get `sockets`. */
  status(): { status: "ready" | "failed"; errors?: string[] } {
    return this.listeners?.status() ?? { status: "ready" };
  }

  /** Where the channel listens (paths and URLs). */
  endpoints(): string[] {
    return this.listeners?.endpoints ?? [];
  }

  /** Closes every socket. */
  async close(): Promise<void> {
    await this.listeners?.close();
    this.listeners = undefined;
  }
}

/** The registry plus the listeners of a DHCPv4 server; `log` receives Kea-style ids. */
export class ControlChannel extends RegistryChannel {
  constructor(private readonly ctx: ControlContext, log: ChannelLog, timeoutMs?: number) {
    super(
      buildRegistry(ctx),
      ctx.stats,
      () => ctx.config().subnets.map((s) => ({ id: s.id, prefix: s.prefix })),
      log,
      timeoutMs,
    );
  }

  /** After a reload: lease commands on/off per the new config, and the sockets reopened if they changed. */
  async reconfigure(config: Dhcp4Config): Promise<void> {
    const want = leaseCommandsEnabled(config);
    if (want && !this.registry.has("lease4-add")) registerLeaseCommands(this.registry, this.ctx);
    if (!want) { for (const c of LEASE_COMMANDS) this.registry.unregister(c); }
    await this.start(config.controlSockets);
  }
}
