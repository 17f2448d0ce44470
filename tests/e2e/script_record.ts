/**
 * The recording side of the run_script lab tests (tests/e2e/run_script_test.ts for DHCPv4, run_script6_test.ts for
 * DHCPv6): a script that writes one file per run (its argument, then its whole environment, as Kea's hook passes
 * them), and the collection of those runs.
 */

/** Which of `paths` (and root) the test needs but this machine lacks. */
export function missingFor(paths: string[]): string[] {
  if (Deno.uid() !== 0) return ["root"];
  return paths.filter((p) => {
    try {
      Deno.statSync(p);
      return false;
    } catch {
      return true;
    }
  });
}

/** One script run: its argument and environment (PWD, SHLVL and _, which the shell adds, left out). */
export interface Call {
  hook: string;
  env: Record<string, string>;
}

/** The script: one file per run, its argument on the first line, then its environment. */
export const RECORD_SCRIPT = (out: string) =>
  `#!/bin/sh\n{ echo "$1"; /usr/bin/env; } > ${out}/call.$$.tmp && /bin/mv ${out}/call.$$.tmp ${out}/call.$$\n`;

const names = (out: string) => [...Deno.readDirSync(out)].map((e) => e.name).filter((n) => /^call\.\d+$/.test(n));

/** The calls recorded in `out` since the last collect (removed once read), ordered by `key`. */
async function collect(out: string, key: (c: Call) => string): Promise<Call[]> {
  const got: Call[] = [];
  for (const n of names(out)) {
    const [hook, ...lines] = (await Deno.readTextFile(`${out}/${n}`)).split("\n");
    const env: Record<string, string> = {};
    for (const line of lines) {
      const eq = line.indexOf("=");
      if (eq > 0 && !/^(PWD|SHLVL|_)=/.test(line)) env[line.slice(0, eq)] = line.slice(eq + 1);
    }
    await Deno.remove(`${out}/${n}`);
    got.push({ hook, env });
  }
  return got.sort((a, b) => key(a).localeCompare(key(b)));
}

/** Waits (at most 20 s) for `want` runs, then half a second for late ones, and collects them. */
export async function settle(out: string, want: number, key: (c: Call) => string): Promise<Call[]> {
  for (let i = 0; i < 80 && names(out).length < want; i++) await new Promise((r) => setTimeout(r, 250));
  await new Promise((r) => setTimeout(r, 500));
  return await collect(out, key);
}
