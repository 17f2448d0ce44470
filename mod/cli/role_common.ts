/**
 * The wiring the DHCPv4 and DHCPv6 roles (mod/cli/dhcp4.ts, mod/cli/dhcp6.ts) share: opening the Deno KV lease
 * database, the DHCP service switch (dhcp-disable / dhcp-enable), signals (SIGTERM/SIGINT stop, SIGHUP reloads, as
 * Kea's servers do), and the process-level half of the control context. Each role keeps what is its own (the
 * server, the apply path, the reload rules) and passes its Kea message-id prefix (`DHCP4` / `DHCP6`).
 */
import { basename, dirname } from "../control/posix_path.ts";
import type { Log } from "../log/logger.ts";
import type { ControlSocketSpec } from "../config/model.ts";
import { DhcpState } from "../control/dhcp_state.ts";
import type { ControlContext } from "../control/context.ts";
import type { ChannelLog } from "../control/channel.ts";
import type { LiveFile, WriteFs } from "../control/safe_write.ts";
import { VERSION, versionReport } from "./version.ts";

/** Kea's message-id prefix of a role. */
export type RolePrefix = "DHCP4" | "DHCP6";

/** The operator text of a refused configuration (a ConfigError's own format, else the message); never throws. */
export function describeError(e: unknown): string {
  if (typeof e === "object" && e !== null) {
    if ("format" in e && typeof e.format === "function") return String(e.format());
    if (e instanceof Error) return e.message;
  }
  return String(e);
}

/**
 * Opens the lease database at `path` (making its directory), or logs `<PREFIX>_LEASE_DB_OPEN_FAILED` and returns
 * undefined. A lock error says another process owns the file: Kea likewise lets one server own a lease file.
 */
export async function openLeaseDb<S>(
  prefix: RolePrefix,
  path: string,
  log: Log,
  open: (path: string, opts: { log: (id: string, text: string, level?: "info" | "error") => void }) => Promise<S>,
): Promise<S | undefined> {
  try {
    await Deno.mkdir(dirname(path), { recursive: true });
    return await open(path, { log: (id, text, level = "info") => log[level](id, text) });
  } catch (e) {
    const msg = (e as Error).message;
    log.error(
      `${prefix}_LEASE_DB_OPEN_FAILED`,
      `cannot open the lease database ${path}: ${msg}${
        /locked/i.test(msg) ? " (another weka process is using it: only one server may own a lease file)" : ""
      }`,
    );
    return undefined;
  }
}

/** The dhcp-disable / dhcp-enable switch of a role: calls `setEnabled` and logs `<PREFIX>_SERVICE_(EN|DIS)ABLED`. */
export function serviceState(prefix: RolePrefix, log: Log, setEnabled: (enabled: boolean) => void): DhcpState {
  return new DhcpState((enabled) => {
    setEnabled(enabled);
    log.info(
      enabled ? `${prefix}_SERVICE_ENABLED` : `${prefix}_SERVICE_DISABLED`,
      `DHCP service ${enabled ? "enabled" : "disabled"}`,
    );
  });
}

/** The unix socket paths among a role's control sockets (an agent's socket naming one of them is this role). */
export function unixSockets(specs: readonly ControlSocketSpec[]): string[] {
  return specs.filter((s) => s.type === "unix" && s.name).map((s) => s.name!);
}

/**
 * A `Control-agent` map in a file a single role serves (`weka dhcp4`, `weka dhcp6`, `weka ddns`): said once at INFO,
 * since only `weka run` opens the agent's endpoint.
 */
export function noteAgentNotServed(hasAgent: boolean, underRun: boolean, log: Log): void {
  if (hasAgent && !underRun) {
    log.info(
      "DCTL_CONFIG_NOTE",
      "the Control-agent map is served by 'weka run' only; this role answers on its own control sockets",
    );
  }
}

/** A control channel's log: Kea-style ids at error level go to `log.error`, the rest to `log.info`. */
export function channelLog(log: Log): ChannelLog {
  return (level, id, text) => {
    if (level !== "debug" || log.debugEnabled) log[level](id, text);
  };
}

/**
 * A role's life: resolves `stopped` on SIGTERM/SIGINT or the shutdown command (Kea's `shutdown`, answered first),
 * re-reads the file on SIGHUP (a refused file logs `<PREFIX>_DYNAMIC_RECONFIGURATION_FAIL` and the old
 * configuration keeps serving), and keeps the exit code and the start / last-reload times status-get reports.
 * While listening it is also the role's last line against silent death: a promise rejection nobody handled or an
 * exception nobody caught (a background loop's bug) is logged as Kea's `<PREFIX>_SERVER_FAILED` and the role stops
 * cleanly with exit code 1 (the last lease commit flushed), instead of the runtime ending the process mid-write.
 */
export class RoleLife {
  readonly stopped = Promise.withResolvers<string>();
  exitCode = 0;
  readonly startedAt = Date.now();
  reloadedAt = this.startedAt;
  private readonly handlers: [Deno.Signal, () => void][];
  private stopping = false;
  private readonly onRejection: (e: PromiseRejectionEvent) => void;
  private readonly onError: (e: ErrorEvent) => void;

  constructor(private readonly prefix: RolePrefix, private readonly log: Log, reloadFile: () => Promise<void>) {
    const onStop = (sig: string) => () => this.stopped.resolve(sig);
    const reload = async () => {
      if (this.stopping) return; // the role is stopping: nothing left to reconfigure
      try {
        await reloadFile();
      } catch (e) {
        this.report(
          "error",
          `${prefix}_DYNAMIC_RECONFIGURATION_FAIL`,
          () => `reload refused, the previous configuration keeps serving: ${describeError(e)}`,
        );
      }
    };
    this.handlers = [["SIGTERM", onStop("SIGTERM")], ["SIGINT", onStop("SIGINT")], ["SIGHUP", () => void reload()]];
    this.onRejection = (e) => {
      e.preventDefault();
      this.fail(`a background task failed and nothing handled it: ${describeError(e.reason)}`);
    };
    this.onError = (e) => {
      e.preventDefault();
      this.fail(`an exception escaped a background task: ${describeError(e.error ?? e.message)}`);
    };
  }

  /** Logs without letting the log itself throw into a signal handler or a timer. */
  private report(level: "error" | "info", id: string, text: () => string): void {
    try {
      this.log[level](id, text());
    } catch { /* nowhere left to report to */ }
  }

  /**
   * The role cannot trust its state any more, or a background loop cannot go on (a receive loop whose transport
   * keeps failing, after it logged why with its own id): logged as `<PREFIX>_SERVER_FAILED`, stopped cleanly with
   * exit code 1, so a supervisor restarts it instead of it living on deaf (issue 9, "no silent death").
   */
  fail(text: string): void {
    this.report("error", `${this.prefix}_SERVER_FAILED`, () => `${text}; stopping with exit code 1`);
    this.exitCode = 1;
    this.stopped.resolve("fatal error");
  }

  /** Starts listening for the signals and for failures nothing handled. */
  listen(): void {
    for (const [sig, fn] of this.handlers) Deno.addSignalListener(sig, fn);
    globalThis.addEventListener("unhandledrejection", this.onRejection);
    globalThis.addEventListener("error", this.onError);
  }

  /**
   * Stops listening for the signals and failures. A role that ends the process (`weka dhcp4|dhcp6|run`) passes
   * `keepSignals`: its signal listeners stay until the process exits with the code it returns (SIGHUP then does
   * nothing), because with no listener left Deno takes a signal's default action, so a SIGTERM repeated while the
   * last commit is flushed would end the process there with status 143 (a SIGHUP with 129).
   */
  unlisten(keepSignals = false): void {
    this.stopping = true;
    if (!keepSignals) { for (const [s, fn] of this.handlers) Deno.removeSignalListener(s, fn); }
    globalThis.removeEventListener("unhandledrejection", this.onRejection);
    globalThis.removeEventListener("error", this.onError);
  }

  /**
   * Runs `work` shortly after the current answer has gone out (reopening the control sockets a reload changed);
   * a failure is logged as `<PREFIX>_DYNAMIC_RECONFIGURATION_FAIL` and the role goes on with the sockets it has.
   */
  afterAnswer(what: string, work: () => Promise<unknown> | undefined): void {
    setTimeout(() => {
      Promise.resolve().then(work).catch((e) =>
        this.report("error", `${this.prefix}_DYNAMIC_RECONFIGURATION_FAIL`, () => `${what}: ${describeError(e)}`)
      );
    }, 50);
  }

  /** Stops with `code` shortly after the current answer has gone out (the shutdown command). */
  shutdown(code: number): void {
    this.exitCode = code;
    setTimeout(() => this.stopped.resolve("shutdown command"), 50);
  }

  /** The process-level half of a ControlContext: clock, times, identity, shutdown, file writing. */
  contextBase(
    socketsStatus: () => ReturnType<ControlContext["socketsStatus"]>,
    liveFiles: () => LiveFile[],
  ): Pick<
    ControlContext,
    | "writeTextFile"
    | "fs"
    | "liveFiles"
    | "shutdown"
    | "now"
    | "startedAt"
    | "reloadedAt"
    | "pid"
    | "version"
    | "buildReport"
    | "socketsStatus"
  > {
    return {
      writeTextFile: writeFileAtomically,
      fs: DENO_WRITE_FS,
      liveFiles,
      shutdown: (code) => this.shutdown(code),
      now: () => Date.now(),
      startedAt: this.startedAt,
      reloadedAt: () => this.reloadedAt,
      pid: Deno.pid,
      version: VERSION,
      buildReport: versionReport(),
      socketsStatus,
    };
  }
}

/** The write commands' file-system facts from Deno (real paths resolve symlinks and `..`). */
export const DENO_WRITE_FS: WriteFs = {
  realPath: (p) => Deno.realPath(p).catch(() => undefined),
  isSymlink: (p) => Deno.lstat(p).then((i) => i.isSymlink, () => false),
};

/**
 * Writes `text` to a new temporary file beside `path` (created exclusively, mode 0640) and renames it over `path`:
 * the rename replaces whatever name was there (a symlink is replaced, never followed) and a reader sees either the
 * old file or the whole new one.
 */
export async function writeFileAtomically(path: string, text: string): Promise<void> {
  const tmp = `${dirname(path)}/.${basename(path)}.weka-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  try {
    await Deno.writeTextFile(tmp, text, { createNew: true, mode: 0o640 });
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}
