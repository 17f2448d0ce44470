/**
 * The status page behind Kea's Control Agent endpoint of `weka run` (Control-agent map): the agent answers only its
 * own commands, so the page addresses the DHCPv4 server through `service: ["dhcp4"]` and shows its subnet, pool use
 * and leases in headless Chromium, as on the server's own HTTP socket. On loopback, no root needed; skipped without
 * chromium.
 */
import assert from "node:assert/strict";
import { freePort } from "../control/helpers.ts";
import { controlCommand } from "../e2e/weka_proc.ts";
import { startCli, withTempDir } from "../cli/cli_helpers.ts";

const CHROMIUM = "/usr/bin/chromium";
const why = (() => {
  try {
    Deno.statSync(CHROMIUM);
    return undefined;
  } catch {
    return "chromium is not installed (apt-get install chromium)";
  }
})();
if (why) console.log(`SKIP status page behind the Control Agent: ${why}`);

Deno.test({
  name: "status page behind the Control Agent: the page reaches the DHCPv4 server by service and shows its leases",
  ignore: why !== undefined,
  fn: () =>
    withTempDir("wkagent-page-", async (dir) => {
      const port = freePort();
      const cfg = `${dir}/weka.json`;
      await Deno.writeTextFile(
        cfg,
        JSON.stringify({
          Dhcp4: {
            "interfaces-config": { interfaces: [] },
            "lease-database": { type: "kv", name: `${dir}/leases4.kv` },
            "control-socket": { "socket-type": "unix", "socket-name": `${dir}/s4` },
            subnet4: [{ id: 1, subnet: "198.18.0.0/16", pools: [{ pool: "198.18.1.100 - 198.18.1.199" }] }],
          },
          "Control-agent": {
            "http-host": "127.0.0.1",
            "http-port": port,
            authentication: { type: "basic", clients: [{ user: "admin", password: "pw" }] },
            "control-sockets": { dhcp4: { "socket-type": "unix", "socket-name": `${dir}/s4` } },
          },
        }),
      );
      const w = await startCli(["run", "-c", cfg], /CTRL_AGENT_HTTP_SERVICE_STARTED/, 30_000);
      try {
        await w.waitFor(/DHCP4_STARTED/);
        const added = await controlCommand(`${dir}/s4`, "lease4-add", {
          "ip-address": "198.18.1.150",
          "hw-address": "02:00:00:00:00:44",
          "subnet-id": 1,
          hostname: "via-agent",
        });
        assert.equal(added.result, 0, added.text);
        const o = await new Deno.Command(CHROMIUM, {
          args: [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            `--user-data-dir=${dir}/chromium`,
            "--virtual-time-budget=8000",
            "--dump-dom",
            `http://admin:pw@127.0.0.1:${port}/`,
          ],
          stdout: "piped",
          stderr: "null",
        }).output();
        const dom = new TextDecoder().decode(o.stdout);
        assert.match(dom, /<p id="error" class="error" hidden="">/, dom.slice(0, 1500));
        assert.match(dom, /DHCPv4 server · pid \d+/);
        assert.match(dom, /subnet 1 198\.18\.0\.0\/16<\/span><span>1 \/ 100 \(1\.0 %\)/);
        assert.match(dom, /<td>198\.18\.1\.150<\/td><td>02:00:00:00:00:44<\/td><td>via-agent<\/td>/);
      } finally {
        await w.stop();
      }
    }),
});
