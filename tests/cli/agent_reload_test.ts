/**
 * SIGHUP re-reads a Control Agent's file, as kea-ctrl-agent does (Kea's DControllerBase): `weka run` with only a
 * `Control-agent` map moves its endpoint to the port the edited file names, and a broken file is refused with
 * DCTL_CFG_FILE_RELOAD_ERROR (naming the path and line) while the running endpoint keeps answering. Real entry
 * point, loopback only, no root.
 */
import assert from "node:assert/strict";
import { freePort } from "../control/helpers.ts";
import { startCli, withTempDir } from "./cli_helpers.ts";

/** POSTs `command` to the agent on 127.0.0.1:port; the parsed answer, or undefined when nothing listens. */
async function ask(port: number, command: string): Promise<{ result: number; text?: string } | undefined> {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ command }),
    });
    const body = await r.json();
    return Array.isArray(body) ? body[0] : body;
  } catch {
    return undefined;
  }
}

const agentFile = (port: number) =>
  JSON.stringify({ "Control-agent": { "http-host": "127.0.0.1", "http-port": port } });

Deno.test("agent: SIGHUP reloads the Control-agent map (new port); a broken file is refused and the endpoint stays", async () => {
  await withTempDir("weka-agent-hup-", async (dir) => {
    const [a, b] = [freePort(), freePort()];
    await Deno.writeTextFile(`${dir}/ca.json`, agentFile(a));
    const w = await startCli(["run", "-c", `${dir}/ca.json`], /CTRL_AGENT_HTTP_SERVICE_STARTED/, 30_000);
    try {
      assert.equal((await ask(a, "list-commands"))?.result, 0, w.output());
      await Deno.writeTextFile(`${dir}/ca.json`, agentFile(b));
      w.signal("SIGHUP");
      await w.waitFor(new RegExp(`DCTL_CFG_FILE_RELOAD_SIGNAL_RECVD[\\s\\S]*listening on [^\\n]*:${b}`));
      assert.equal((await ask(b, "list-commands"))?.result, 0, w.output());
      assert.equal(await ask(a, "list-commands"), undefined, "the old port is closed");
      // a file that does not parse: refused with its place, the endpoint on b goes on
      await Deno.writeTextFile(`${dir}/ca.json`, `{ "Control-agent": { "http-port": ${b}, } `);
      w.signal("SIGHUP");
      await w.waitFor(/DCTL_CFG_FILE_RELOAD_ERROR configuration reload failed: [^\n]*ca\.json:1/);
      assert.equal((await ask(b, "list-commands"))?.result, 0, w.output());
    } finally {
      assert.equal(await w.stop(), 0, w.output());
    }
  });
});
