/**
 * The wiring the DHCPv4 and DHCPv6 roles (mod/cli/dhcp4.ts, mod/cli/dhcp6.ts) share: opening the Deno KV lease
 * database, the DHCP service switch (dhcp-disable / dhcp-enable), signals (SIGTERM/SIGINT stop, SIGHUP reloads, as
 * Kea's servers do), and the process-level half of the control context. Each role keeps what is its own (the
 * server, the apply path, the reload rules) and passes its Kea message-id prefix (`DHCP4` / `DHCP6`).
 */
import { dirname } from "node:path";
import type { Log } from "../log/logger.ts";
import { DhcpState } from "../control/dhcp_state.ts";
import type { ControlContext } from "../control/context.ts";
import type { ChannelLog } from "../control/channel.ts";
import { VERSION, versionReport } from "./version.ts";

/** Kea's message-id prefix of a role. */
export type RolePrefix = "DHCP4" | "DHCP6";

/** The operator text of a refused configuration (a ConfigError's own format, else the message). */
export function describeError(e: unknown): string {
  return "format" in (e as object) ? (e as { format(): string }).format() : (e as Error).message;
}

/**
 * Opens the lease database at `path` (making its directory), or logs `<PREFIX>_LEASE_DB_OPEN_FAILED` and returns
 * undefined. A lock error says another process owns the file: Kea likewise lets one server own a lease file.
 */
export async function openLeaseDb<S>(
  prefix: RolePrefix,
  path: string,
  log: Log,
  open: (path: string, opts: { log: (id: string, text: string) => void }) => Promise<S>,
): Promise<S | undefined> {
  try {
    await Deno.mkdir(dirname(path), { recursive: true });
    return await open(path, { log: (id, text) => log.info(id, text) });
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

/** A control channel's log: Kea-style ids at error level go to `log.error`, the rest to `log.info`. */
export function channelLog(log: Log): ChannelLog {
  return (level, id, text) => level === "error" ? log.error(id, text) : log.info(id, text);
}

/**
 * A role's life: resolves `stopped` on SIGTERM/SIGINT or the shutdown command (Kea's `shutdown`, answered first),
 * re-reads the file on SIGHUP (a refused file logs `<PREFIX>_DYNAMIC_RECONFIGURATION_FAIL` and the old
 * configuration keeps serving), and keeps the exit code and the start / last-reload times status-get reports.
 */
export class RoleLife {
  readonly stopped = Promise.withResolvers<string>();
  exitCode = 0;
  readonly startedAt = Date.now();
  reloadedAt = this.startedAt;
  private readonly handlers: [Deno.Signal, () => void][];

  constructor(prefix: RolePrefix, log: Log, reloadFile: () => Promise<void>) {
    const onStop = (sig: string) => () => this.stopped.resolve(sig);
    const reload = async () => {
      try {
        await reloadFile();
      } catch (e) {
        log.error(
          `${prefix}_DYNAMIC_RECONFIGURATION_FAIL`,
          `reload refused, the previous configuration keeps serving: ${describeError(e)}`,
        );
      }
    };
    this.handlers = [["SIGTERM", onStop("SIGTERM")], ["SIGINT", onStop("SIGINT")], ["SIGHUP", () => void reload()]];
  }

  /** Starts listening for the signals. */
  listen(): void {
    for (const [sig, fn] of this.handlers) Deno.addSignalListener(sig, fn);
  }

  /** Stops listening for the signals. */
  unlisten(): void {
    for (const [s, fn] of this.handlers) Deno.removeSignalListener(s, fn);
  }

  /**
   * A background loop cannot go on (it has logged why with its message id): the role stops as on SIGTERM and the
   * process exits with status 1, so a supervisor restarts it instead of it living on deaf (issue 9, "no silent
   * death").
   */
  fail(reason: string): void {
    this.exitCode = 1;
    this.stopped.resolve(reason);
  }

  /** Stops with `code` shortly after the current answer has gone out (the shutdown command). */
  shutdown(code: number): void {
    this.exitCode = code;
    setTimeout(() => this.stopped.resolve("shutdown command"), 50);
  }

  /** The process-level half of a ControlContext: clock, times, identity, shutdown, file writing. */
  contextBase(
    socketsStatus: () => ReturnType<ControlContext["socketsStatus"]>,
  ): Pick<
    ControlContext,
    | "writeTextFile"
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
      writeTextFile: (path, text) => Deno.writeTextFile(path, text),
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
