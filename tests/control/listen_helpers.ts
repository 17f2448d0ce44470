/** Helpers for the listener tests: listeners over a test registry, socket specs, and a subprocess runner. */
import { ControlListeners } from "../../mod/control/listeners.ts";
import { buildRegistry } from "../../mod/control/channel.ts";
import type { ControlSocketSpec } from "../../mod/config/model.ts";
import { freePort, testContext } from "./helpers.ts";

export { REPO } from "./helpers.ts";

/** Runs `fn` with listeners opened from `specs` (a temp dir and a free port given), then closes everything. */
export async function withListeners(
  specs: (dir: string, port: number) => ControlSocketSpec[],
  fn: (l: ControlListeners, dir: string, port: number) => Promise<void>,
  timeoutMs?: number,
) {
  const dir = await Deno.makeTempDir({ prefix: "wkc-" });
  const ctx = await testContext();
  const reg = buildRegistry(ctx);
  const port = freePort();
  const l = await ControlListeners.start(specs(dir, port), {
    dispatch: (t) => reg.dispatch(t),
    metrics: () => 'kea_dhcp4_packets_received_total{operation="ack"} 0\n',
    log: () => {},
    timeoutMs,
  });
  try {
    await fn(l, dir, port);
  } finally {
    await l.close();
    await ctx.store.close();
    await Deno.remove(dir, { recursive: true });
  }
}

export const unix = (dir: string): ControlSocketSpec => ({ type: "unix", name: `${dir}/ctrl.sock`, raw: {} });
export const http = (port: number, raw: Record<string, unknown> = {}): ControlSocketSpec => ({
  type: "http",
  address: "127.0.0.1",
  port,
  raw,
});
export const AUTH = {
  authentication: { type: "basic", realm: "weka-test", clients: [{ user: "admin", password: "s3cret" }] },
};

/** Runs a command to completion (stdin text optional); code and text output. */
export async function run(cmd: string[], stdin?: string): Promise<{ code: number; out: string; err: string }> {
  const p = new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const w = p.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  const o = await p.output();
  const dec = new TextDecoder();
  return { code: o.code, out: dec.decode(o.stdout), err: dec.decode(o.stderr) };
}
