/**
 * Runs the script of Kea's `libdhcp_run_script.so` (`parameters.name`): one child process per hook call, with the
 * hook point's name as its only argument and only the call's environment variables (Kea's ProcessSpawn passes no
 * other: no PATH, no HOME), asynchronously as Kea 2.2 runs it (the DHCP reply never waits for the script). A hostile
 * LAN must not turn lease events into a fork bomb: at most `maxRunning` scripts run at once and `maxQueued` wait;
 * a call beyond that is dropped and counted, with a rate-limited warning. A script that cannot be started is
 * logged (RUN_SCRIPT_EXEC_FAILED) and the server goes on.
 */
import type { ScriptCall } from "../dhcp4/run_script4.ts";
import type { Log } from "../log/logger.ts";

/** Checks `parameters` as Kea's hook does at load; returns the script path or throws Kea's message. */
export function scriptPath(parameters: Record<string, unknown> | undefined): string {
  const name = parameters?.name;
  if (name === undefined) throw new Error("The 'name' parameter is mandatory");
  if (typeof name !== "string") throw new Error("The 'name' parameter must be a string");
  const sync = parameters?.sync;
  if (sync !== undefined && typeof sync !== "boolean") throw new Error("The 'sync' parameter must be a boolean");
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(name);
  } catch {
    throw new Error(`Invalid 'name' parameter: File not found: ${name}`);
  }
  if (!info.isFile || ((info.mode ?? 0o777) & 0o111) === 0) {
    throw new Error(`Invalid 'name' parameter: File not executable: ${name}`);
  }
  return name;
}

/** Bounded asynchronous runs of one script. */
export class ScriptRunner {
  private running = 0;
  private readonly queue: ScriptCall[] = [];
  private readonly children = new Set<Promise<unknown>>();
  dropped = 0;
  started = 0;
  private lastWarn = 0;

  constructor(
    readonly path: string,
    private readonly log: Log,
    private readonly maxRunning = 16,
    private readonly maxQueued = 4096,
  ) {}

  /** Queues the calls (in order); never blocks, never throws. */
  run(calls: readonly ScriptCall[]): void {
    for (const c of calls) {
      this.pump();
      if (this.queue.length >= this.maxQueued) {
        this.dropped++;
        const now = Date.now();
        if (now - this.lastWarn > 10_000) {
          this.lastWarn = now;
          this.log.warn(
            "RUN_SCRIPT_QUEUE_FULL",
            `${this.maxQueued} script runs are waiting: ${c.args[0]} dropped (${this.dropped} dropped so far)`,
          );
        }
        continue;
      }
      this.queue.push(c);
    }
    this.pump();
  }

  private pump(): void {
    while (this.running < this.maxRunning && this.queue.length) {
      const c = this.queue.shift()!;
      this.running++;
      this.started++;
      let done: Promise<unknown>;
      try {
        const child = new Deno.Command(this.path, {
          args: c.args,
          env: c.env,
          clearEnv: true,
          stdin: "null",
          stdout: "null",
          stderr: "null",
        }).spawn();
        done = child.status;
      } catch (e) {
        done = Promise.reject(e);
      }
      const p = done.catch((e) =>
        this.log.error("RUN_SCRIPT_EXEC_FAILED", `${this.path} ${c.args[0]}: ${(e as Error).message ?? e}`)
      ).finally(() => {
        this.running--;
        this.children.delete(p);
        this.pump();
      });
      this.children.add(p);
    }
  }

  /** Waits (at most `ms`) for the scripts started or queued so far. */
  async close(ms = 5000): Promise<void> {
    const end = Date.now() + ms;
    while ((this.children.size || this.queue.length) && Date.now() < end) {
      await Promise.race([Promise.allSettled([...this.children]), new Promise((r) => setTimeout(r, 100))]);
    }
  }
}
