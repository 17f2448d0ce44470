/**
 * A process started inside a lab host: its output (stdout and stderr, interleaved as it arrives) is collected in
 * the background so pipes never fill, `waitFor` waits for a line pattern, and `stop` ends it (SIGTERM, then SIGKILL).
 */

/** A tracked child process of the lab. */
export class LabProcess {
  readonly child: Deno.ChildProcess;
  readonly host: string;
  readonly cmd: readonly string[];
  readonly status: Promise<Deno.CommandStatus>;
  #out = "";
  #readers: Promise<void>[] = [];
  #waiters = new Set<() => void>();
  #exited = false;

  constructor(host: string, cmd: readonly string[], child: Deno.ChildProcess) {
    this.host = host;
    this.cmd = cmd;
    this.child = child;
    for (const stream of [child.stdout, child.stderr]) this.#readers.push(this.#collect(stream));
    this.status = child.status.then((s) => {
      this.#exited = true;
      this.#notify();
      return s;
    });
  }

  async #collect(stream: ReadableStream<Uint8Array>): Promise<void> {
    const dec = new TextDecoder();
    try {
      for await (const chunk of stream) {
        this.#out += dec.decode(chunk, { stream: true });
        this.#notify();
      }
    } catch { /* the process was killed */ }
  }

  #notify(): void {
    for (const w of this.#waiters) w();
  }

  /** The pid (of the command itself: `ip netns exec` execs it). */
  get pid(): number {
    return this.child.pid;
  }

  /** Everything the process wrote so far (stdout and stderr). */
  get output(): string {
    return this.#out;
  }

  /** True once the process has exited. */
  get exited(): boolean {
    return this.#exited;
  }

  /**
   * Resolves with the output once `pattern` matches it; rejects with the output so far when `timeoutMs` passes
   * or the process exits first.
   */
  waitFor(pattern: RegExp, timeoutMs = 10_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`timeout after ${timeoutMs} ms`)), timeoutMs);
      const check = () => {
        if (pattern.test(this.#out)) done();
        else if (this.#exited) done(new Error("the process exited"));
      };
      const done = (err?: Error) => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        if (!err) return resolve(this.#out);
        reject(
          new Error(
            `${err.message} waiting for ${pattern} from [${this.host}] ${this.cmd.join(" ")}; output:\n${this.#out}`,
          ),
        );
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** Sends `signal` to the process now (no waiting); a process that already exited is ignored. */
  kill(signal: Deno.Signal = "SIGTERM"): void {
    if (this.#exited) return;
    try {
      this.child.kill(signal);
    } catch { /* already gone */ }
  }

  /** Sends `signal` (SIGTERM by default), escalates to SIGKILL after `graceMs`, and waits for the exit. */
  async stop(signal: Deno.Signal = "SIGTERM", graceMs = 2000): Promise<Deno.CommandStatus> {
    if (!this.#exited) {
      try {
        this.child.kill(signal);
      } catch { /* already gone */ }
      const timer = setTimeout(() => {
        try {
          this.child.kill("SIGKILL");
        } catch { /* already gone */ }
      }, graceMs);
      await this.status;
      clearTimeout(timer);
    }
    await Promise.all(this.#readers);
    return this.status;
  }
}
