/**
 * How weka stops, on the real entry point. `weka run` (Dhcp4 + Dhcp6 + DhcpDdns in one process, mod/cli/run.ts),
 * `weka dhcp4`, `weka dhcp6` and `weka ddns` exit 0 on SIGTERM, also when SIGTERM and SIGHUP keep coming while they
 * stop: Deno takes a signal's default action (exit 143, 129) once no listener is left, so each keeps its listeners
 * until it has flushed (CI once saw 143 from `weka run`, whose first role to end sent the process a SIGTERM to
 * stop the others). The `shutdown` command sent to one role of `weka run` stops the others too, each logging why,
 * and the process exits with the command's exit-value. No interface is served (`interfaces: []`): no root needed.
 */
import assert from "node:assert/strict";
import { sendUnix } from "../../mod/control/client.ts";
import { freePort } from "../control/helpers.ts";
import { startCli, withTempDir } from "./cli_helpers.ts";

/** Dhcp4, Dhcp6 (each with a unix control socket in `dir`) and DhcpDdns on 127.0.0.1:`d2Port`, logging to stdout. */
function config(dir: string, d2Port: number): Record<string, unknown> {
  const logger = (name: string) => [{ name, "output_options": [{ output: "stdout" }], severity: "INFO" }];
  return {
    Dhcp4: {
      "interfaces-config": { interfaces: [] },
      "lease-database": { type: "memfile", name: `${dir}/leases4.csv` },
      "control-socket": { "socket-type": "unix", "socket-name": `${dir}/ctrl4.sock` },
      "dhcp-ddns": { "enable-updates": true, "server-port": d2Port },
      subnet4: [{ id: 1, subnet: "198.18.0.0/16", pools: [{ pool: "198.18.1.0 - 198.18.1.200" }] }],
      loggers: logger("kea-dhcp4"),
    },
    Dhcp6: {
      "interfaces-config": { interfaces: [] },
      "lease-database": { type: "memfile", name: `${dir}/leases6.csv` },
      "control-socket": { "socket-type": "unix", "socket-name": `${dir}/ctrl6.sock` },
      "server-id": { type: "LLT", persist: false },
      subnet6: [{ id: 1, subnet: "2001:db8:1::/64", pools: [{ pool: "2001:db8:1::100-2001:db8:1::1ff" }] }],
      loggers: logger("kea-dhcp6"),
    },
    DhcpDdns: {
      "ip-address": "127.0.0.1",
      port: d2Port,
      "control-socket": { "socket-type": "unix", "socket-name": `${dir}/ctrl-d2.sock` },
      loggers: logger("kea-dhcp-ddns"),
    },
  };
}

/**
 * Starts `weka ROLE -c FILE` (FILE holding `maps` of the config above) and waits until every control socket
 * those maps name answers.
 */
async function start(dir: string, role: string, maps: string[]) {
  const all = config(dir, freePort());
  const doc = Object.fromEntries(maps.map((m) => [m, all[m]]));
  await Deno.writeTextFile(`${dir}/weka.json`, JSON.stringify(doc));
  const w = await startCli([role, "-c", `${dir}/weka.json`], /_STARTED /, 30_000);
  for (const m of maps) {
    const path = ((doc[m] as Record<string, unknown>)["control-socket"] as { "socket-name": string })["socket-name"];
    let answer: { result?: number } = {};
    for (let i = 0; i < 100 && answer.result !== 0; i++) {
      answer = await sendUnix(path, JSON.stringify({ command: "version-get" })).then(JSON.parse, () => ({}));
      if (answer.result !== 0) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(answer.result, 0, `${path} does not answer:\n${w.output()}`);
  }
  return w;
}

const CASES: [string, string[], RegExp[]][] = [
  ["run", ["Dhcp4", "Dhcp6", "DhcpDdns"], [/DHCP4_SHUTDOWN /, /DHCP6_SHUTDOWN /]],
  ["dhcp4", ["Dhcp4"], [/DHCP4_SHUTDOWN /]],
  ["dhcp6", ["Dhcp6"], [/DHCP6_SHUTDOWN /]],
  ["ddns", ["DhcpDdns"], [/DHCP_DDNS_SHUTDOWN/]],
];

for (const [role, maps, shutdown] of CASES) {
  Deno.test(`weka ${role} (${maps.join(" + ")}): SIGTERM stops it with exit 0, also when SIGTERMs and SIGHUPs keep coming`, async () => {
    await withTempDir("weka-stop-", async (dir) => {
      for (let i = 0; i < 6; i++) {
        const w = await start(dir, role, maps);
        let done = false;
        const stopped = w.stop().finally(() => done = true);
        // an impatient operator (or a supervisor) repeats the signal while the roles flush and the logs close, and
        // a reload (SIGHUP) comes in too: neither may end the process with the signal's default action
        for (let n = 0; i > 0 && !done; n++) {
          try {
            w.signal(n % 4 === 3 ? "SIGHUP" : "SIGTERM");
          } catch { /* exited between the check and the signal */ }
          await new Promise((r) => setTimeout(r, 1));
        }
        assert.equal(await stopped, 0, `round ${i}:\n${w.output().slice(-3000)}`);
        for (const re of shutdown) assert.match(w.output(), re);
      }
    });
  });
}

Deno.test("weka run: the shutdown command to the DHCPv6 role stops the DHCPv4 role too, exit code = exit-value", async () => {
  await withTempDir("weka-run-shutdown-", async (dir) => {
    const w = await start(dir, "run", ["Dhcp4", "Dhcp6", "DhcpDdns"]);
    const answer = JSON.parse(
      await sendUnix(`${dir}/ctrl6.sock`, JSON.stringify({ command: "shutdown", arguments: { "exit-value": 3 } })),
    );
    assert.equal(answer.result, 0);
    // the process ends by itself: stop() only collects its exit code (its SIGTERM finds it gone or stopping)
    await w.waitFor(/DHCP4_SHUTDOWN /);
    assert.equal(await w.stop(), 3, w.output().slice(-3000));
    assert.match(w.output(), /DHCP6_SHUTDOWN_REQUEST shutdown command received/);
    assert.match(w.output(), /DHCP4_SHUTDOWN_REQUEST another role stopped received/);
  });
});

Deno.test("weka run: a SIGTERM that comes while the roles are still starting stops them once they have", async () => {
  await withTempDir("weka-run-early-", async (dir) => {
    const all = config(dir, freePort());
    await Deno.writeTextFile(`${dir}/weka.json`, JSON.stringify(all));
    // D2 starts first in `weka run`; the DHCP roles load and open their stores after it
    const w = await startCli(["run", "-c", `${dir}/weka.json`], /DHCP_DDNS_STARTED/, 30_000);
    w.signal("SIGTERM");
    // the old code swallowed this signal (a no-op listener) and served on; now both roles stop by themselves
    await w.waitFor(/DHCP4_SHUTDOWN [\s\S]*DHCP6_SHUTDOWN |DHCP6_SHUTDOWN [\s\S]*DHCP4_SHUTDOWN /);
    assert.equal(await w.stop(), 0, w.output().slice(-3000));
  });
});
