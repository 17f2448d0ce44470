/**
 * Helpers of the CLI tests: the real entry point (`deno run -A main.ts`, as `deno task compile` builds it) started
 * as a child process whose output is watched, and a temporary directory removed however a test ends. Tests only.
 */
import assert from "node:assert/strict";

/** The weka entry point. */
export const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** A running `weka ARGS`: its output so far, signals, a wait for a line, and a stop (SIGTERM → exit code). */
export interface CliProcess {
  output(): string;
  signal(sig: Deno.Signal): void;
  /** waits (up to 10 s) until the output matches `re` */
  waitFor(re: RegExp): Promise<void>;
  /** SIGTERM (unless it has exited already), then its exit code once its output is read */
  stop(): Promise<number>;
}

/**
 * Starts `weka ARGS` and waits until its output (stdout + stderr) matches `ready`, it exits, or `timeoutMs` pass
 * (no limit when absent).
 */
export async function startCli(
  args: string[],
  ready: RegExp,
  timeoutMs?: number,
  env?: Record<string, string>,
): Promise<CliProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let out = "";
  const dec = new TextDecoder();
  const started = Promise.withResolvers<void>();
  const pump = async (st: ReadableStream<Uint8Array>) => {
    for await (const c of st) {
      out += dec.decode(c, { stream: true });
      if (ready.test(out)) started.resolve();
    }
  };
  const readers = Promise.all([pump(child.stdout), pump(child.stderr)]);
  child.status.then(() => started.resolve());
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => started.resolve(), timeoutMs);
  await started.promise;
  clearTimeout(timer);
  return {
    output: () => out,
    signal: (sig: Deno.Signal) => child.kill(sig),
    waitFor: async (re: RegExp) => {
      for (let i = 0; i < 100 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 100));
      assert.match(out, re);
    },
    stop: async () => {
      try {
        child.kill("SIGTERM");
      } catch { /* already exited */ }
      const st = await child.status;
      await readers;
      return st.code;
    },
  };
}

/** Runs `fn` with a fresh temporary directory (named `prefix…`), removed afterwards however `fn` ends. */
export async function withTempDir(prefix: string, fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
