/**
 * The life of a DHCP server role that `weka dhcp4` and `weka dhcp6` share, written once: the configuration file
 * loaded and its section picked, the logging, the Deno KV lease database opened, the one apply path of SIGHUP,
 * config-reload and config-set (refuse with a reason, or swap the compiled section whole and tell the role), the
 * configuration half of the control context, the control channel opened last (Kea logs `…_STARTED` once its
 * control socket answers), then the wait for a signal or the shutdown command and the orderly stop: every part the
 * role registered stops in reverse order, the last lease commit flushed, statistics logged. A role module only
 * builds what is its own (transport, server, reclaimer, HA, DDNS) in between.
 */
import type { LoadedConfig } from "../config/load_core.ts";
import { loadRoleConfigFile, parseRoleConfigText } from "../config/load_role.ts";
import { formatProblem } from "../config/errors.ts";
import type { ControlSocketSpec } from "../config/model.ts";
import type { ControlContext } from "../control/context.ts";
import { kvFiles, type LiveFile } from "../control/safe_write.ts";
import { closeLogging, type Log, reconfigureLoggers, setupLogging } from "../log/logger.ts";
import type { Stats } from "../stats/stats.ts";
import { reportConfigFailure } from "./config_test.ts";
import { statsSummary } from "./dhcp4_stats.ts";
import { openLeaseDb, RoleLife, type RolePrefix } from "./role_common.ts";

/** What the runner needs of a role's compiled section (Dhcp4Config and Dhcp6Config both are). */
export interface RoleSection {
  lease: { path: string; csvName?: string; db?: { type: string } };
  loggers: Parameters<typeof setupLogging>[0];
  controlSockets: readonly ControlSocketSpec[];
  subnets: readonly unknown[];
  raw: Record<string, unknown>;
}

/** What distinguishes one role from the other. */
export interface RoleKind<C extends RoleSection> {
  prefix: RolePrefix;
  /** the document's map, "Dhcp4" or "Dhcp6" */
  map: "Dhcp4" | "Dhcp6";
  /** Kea's root logger name, "kea-dhcp4" or "kea-dhcp6" */
  logger: string;
  /** the role's section of a loaded file */
  section(loaded: LoadedConfig): C | undefined;
  /** why a reload cannot be applied (a restart is needed), or undefined */
  reloadBlocker(old: C, next: C): string | undefined;
}

/** A control channel as the runner uses it. */
export interface RoleChannel {
  start(specs: readonly ControlSocketSpec[]): Promise<void>;
  status(): ReturnType<ControlContext["socketsStatus"]>;
  close(): Promise<void>;
}

/**
 * Loads `configPath` and picks the role's section; prints why not and returns the exit code when it cannot
 * (a refused file, or no such section: `missing` says what to use instead), unless `instead` runs another role for
 * such a file and returns that role's exit code.
 */
export async function loadRole<C extends RoleSection>(
  kind: RoleKind<C>,
  configPath: string,
  missing: (loaded: LoadedConfig) => string,
  instead?: (loaded: LoadedConfig) => Promise<number> | undefined,
): Promise<{ loaded: LoadedConfig; config: C } | number> {
  let loaded: LoadedConfig;
  try {
    loaded = await loadRoleConfigFile(configPath);
  } catch (e) {
    return reportConfigFailure(configPath, e);
  }
  const config = kind.section(loaded);
  if (!config) {
    const other = instead?.(loaded);
    if (other) return await other;
    console.error(`${configPath}: there is no ${kind.map} section to serve${missing(loaded)}`);
    return 1;
  }
  return { loaded, config };
}

/** A running role: the current section, the apply path, the life, and the parts to stop at the end. */
export class RoleRunner<C extends RoleSection> {
  current: C;
  readonly life: RoleLife;
  private readonly stops: (() => Promise<unknown> | unknown)[] = [];
  private channel?: RoleChannel;
  private onApplied: (next: C) => void = () => {};

  private constructor(
    readonly kind: RoleKind<C>,
    readonly configPath: string,
    readonly log: Log,
    private readonly closeLogs: () => Promise<void>,
    config: C,
  ) {
    this.current = config;
    this.life = new RoleLife(kind.prefix, log, () => this.reloadFile());
  }

  /**
   * Sets up logging (or uses `log`, whose owner closes it) and logs the file's warnings; the runner that results
   * knows nothing of the role's parts yet.
   */
  static async begin<C extends RoleSection>(
    kind: RoleKind<C>,
    configPath: string,
    loaded: LoadedConfig,
    config: C,
    log?: Log,
  ): Promise<RoleRunner<C>> {
    const own = log ?? await setupLogging(config.loggers, kind.logger);
    const r = new RoleRunner(kind, configPath, own, () => log ? Promise.resolve() : closeLogging(), config);
    for (const w of loaded.warnings) own.warn(`${kind.prefix}_CONFIG_WARNING`, formatProblem(w));
    r.logNotices(loaded);
    return r;
  }

  /**
   * Logs, at INFO, what weka does with the accepted Kea keys of this role's map whose meaning differs in weka
   * (`<PREFIX>_CONFIG_INFO`, one line per key: README "Configuration reference").
   */
  private logNotices(loaded: LoadedConfig): void {
    for (const n of loaded.notices) {
      if (n.path === this.kind.map || n.path.startsWith(`${this.kind.map}.`)) {
        this.log.info(`${this.kind.prefix}_CONFIG_INFO`, formatProblem(n));
      }
    }
  }

  /**
   * Opens the role's own (Deno KV) lease database (`open` is the store's), or logs why not and returns undefined.
   * A SQL lease database is the role's to open (mod/cli/sql_leases.ts); asking here for one is refused.
   */
  openStore<S>(open: Parameters<typeof openLeaseDb<S>>[3]): Promise<S | undefined> {
    if (this.current.lease.db) {
      this.log.error(
        `${this.kind.prefix}_LEASE_DB_OPEN_FAILED`,
        `the ${this.current.lease.db.type} lease database is not a Deno KV file (${this.kind.map})`,
      );
      return Promise.resolve(undefined);
    }
    return openLeaseDb(this.kind.prefix, this.current.lease.path, this.log, open);
  }

  /** Registers what to do at the stop, run in reverse order of registration. */
  onStop(stop: () => Promise<unknown> | unknown): void {
    this.stops.push(stop);
  }

  /** Gives up before serving: stops what was started, closes the logs, returns exit code 1. */
  async abort(): Promise<number> {
    await this.stopParts();
    await this.closeLogs();
    return 1;
  }

  /**
   * The one apply path of SIGHUP, config-reload and config-set: refuse (throw) or swap the section whole, re-apply
   * its `loggers` (a file that cannot be opened refuses the configuration, as Kea refuses it), tell the role
   * (`applied`), log `<PREFIX>_CONFIG_COMPLETE`, and reopen the control sockets after the answer went out.
   */
  async apply(next: LoadedConfig, origin: string): Promise<void> {
    const section = this.kind.section(next);
    if (!section) throw new Error(`the new configuration has no ${this.kind.map} section`);
    const why = this.kind.reloadBlocker(this.current, section);
    if (why) throw new Error(why);
    try {
      await reconfigureLoggers(this.kind.logger, section.loggers);
    } catch (e) {
      throw new Error(`the loggers cannot be applied: ${(e as Error).message}`);
    }
    this.current = section;
    this.logNotices(next);
    this.onApplied(section);
    this.life.reloadedAt = Date.now();
    this.log.info(
      `${this.kind.prefix}_CONFIG_COMPLETE`,
      `configuration applied from ${origin}: ${section.subnets.length} subnet(s)`,
    );
    this.life.afterAnswer("reopening the control sockets of the new configuration", () => this.reopen(section));
  }

  /** config-reload and SIGHUP: re-reads the `-c` file and applies it. */
  async reloadFile(): Promise<void> {
    await this.apply(await loadRoleConfigFile(this.configPath), this.configPath);
  }

  /** What the role does after a reload was applied (reset its server, its statistics…). */
  whenApplied(fn: (next: C) => void): void {
    this.onApplied = fn;
  }

  private reopen(section: C): Promise<void> | undefined {
    return this.channel?.start(section.controlSockets);
  }

  /**
   * The configuration and process half of the role's control context: the serving section and document, config
   * checks and the apply path, the life's clock, identity and shutdown, and the live files no command may
   * overwrite (the configuration, the lease database and its journal files, the memfile CSV, and `extraLive`).
   */
  contextBase(extraLive: () => LiveFile[]) {
    const map = this.kind.map;
    return {
      config: () => this.current,
      configDoc: () => ({ [map]: this.current.raw }),
      configFile: this.configPath,
      checkDoc: (doc: Record<string, unknown>): LoadedConfig => {
        const l = parseRoleConfigText(JSON.stringify(doc, null, 2), "<command>", (p) => Deno.readTextFileSync(p));
        if (!this.kind.section(l)) throw new Error(`the configuration has no ${map} map`);
        return l;
      },
      applyConfig: (next: LoadedConfig) => this.apply(next, "a control command"),
      reloadFile: () => this.reloadFile(),
      ...this.life.contextBase(() => this.channel?.status() ?? { status: "ready" }, () => [
        { path: this.configPath, what: "the running configuration" },
        ...kvFiles(this.current.lease.path),
        ...(this.current.lease.csvName ? [{ path: this.current.lease.csvName, what: "the memfile lease file" }] : []),
        ...extraLive(),
      ]),
    };
  }

  /**
   * Opens the control channel, then logs `<PREFIX>_STARTED` (`started`: what is served) or, serving nothing, a
   * warning that names the key to set; starts listening for signals. The channel is closed first at the stop.
   */
  async open(channel: RoleChannel, started: string, servesNothing: boolean): Promise<void> {
    this.channel = channel;
    this.life.listen();
    await channel.start(this.current.controlSockets);
    this.log.info(`${this.kind.prefix}_STARTED`, started);
    if (servesNothing) {
      this.log.warn(
        `${this.kind.prefix}_NO_INTERFACES`,
        `no interface is configured to serve: add one to ${this.kind.map}.interfaces-config.interfaces`,
      );
    }
  }

  /**
   * Waits for SIGTERM/SIGINT, the shutdown command, a fatal failure or `stop` (`weka run`: another role of the
   * process ended), then stops: the channel, then every part in reverse order (the last lease commit flushed), and
   * logs the statistics. Returns the exit code.
   */
  async serveUntilStopped(stats: Stats, family: string, stop?: Promise<string>): Promise<number> {
    const why = await (stop ? Promise.race([this.life.stopped.promise, stop]) : this.life.stopped.promise);
    const p = this.kind.prefix;
    this.log.info(`${p}_SHUTDOWN_REQUEST`, `${why} received: stopping after the last lease commit`);
    // the signal listeners stay (mod/cli/role_common.ts RoleLife.unlisten): a SIGTERM repeated while the last
    // commit is flushed, or after, must not end the process with the signal's default action (status 143)
    this.life.unlisten(true);
    await this.channel?.close();
    await this.stopParts();
    this.log.info(`${p}_SHUTDOWN`, `weka ${family} server stopped; statistics: ${statsSummary(stats)}`);
    await this.closeLogs();
    return this.life.exitCode;
  }

  private async stopParts(): Promise<void> {
    for (const stop of this.stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (e) {
        this.log.error(`${this.kind.prefix}_SHUTDOWN_FAILED`, `while stopping: ${(e as Error).message}`);
      }
    }
  }
}
