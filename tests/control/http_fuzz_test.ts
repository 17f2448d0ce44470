/**
 * 50 000 hostile HTTP requests (tests/control/http_fuzz.ts) against a real weka's HTTP control socket and its HA
 * listener (a passive-backup primary whose backup is absent, so DHCP keeps being served), with stalled half
 * requests held open throughout: no crash, no hang, RSS bounded, every kind of refusal seen, and afterwards a
 * control client and a DHCP client are served. `deno task bench:fuzz-http` runs the 100 000+ version.
 */
import assert from "node:assert/strict";
import { sendHttp } from "../../mod/control/client.ts";
import { freePort, RelayClient, WekaProcess } from "./helpers.ts";
import { fuzzHttp, type FuzzTarget } from "./http_fuzz.ts";

/** A weka config with an authenticated HTTP control socket and an HA listener (passive-backup primary). */
export function fuzzConfig(dir: string, ctrlPort: number, haPort: number, backupPort: number): string {
  return JSON.stringify({
    Dhcp4: {
      "interfaces-config": { interfaces: ["lo"] },
      "lease-database": { type: "kv", name: `${dir}/leases4.kv` },
      subnet4: [{ id: 1, subnet: "198.18.0.0/16", pools: [{ pool: "198.18.1.1 - 198.18.1.250" }] }],
      "control-sockets": [{
        "socket-type": "http",
        "socket-address": "127.0.0.1",
        "socket-port": ctrlPort,
        authentication: { type: "basic", clients: [{ user: "admin", password: "pw" }] },
      }],
      "hooks-libraries": [{ library: "libdhcp_lease_cmds.so" }, {
        library: "libdhcp_ha.so",
        parameters: {
          "high-availability": [{
            "this-server-name": "server1",
            mode: "passive-backup",
            peers: [
              {
                name: "server1",
                url: `http://127.0.0.1:${haPort}/`,
                role: "primary",
                "basic-auth-user": "ha1",
                "basic-auth-password": "ha-pw",
              },
              { name: "backup", url: `http://127.0.0.1:${backupPort}/`, role: "backup" },
            ],
          }],
        },
      }],
      loggers: [{ name: "kea-dhcp4", "output-options": [{ output: "stdout" }], severity: "INFO" }],
    },
  });
}

/** Resident set size of a process, KiB (VmRSS of /proc/PID/status). */
export function rssKiB(pid: number): number {
  const m = Deno.readTextFileSync(`/proc/${pid}/status`).match(/^VmRSS:\s+(\d+) kB/m);
  return m ? Number(m[1]) : NaN;
}

Deno.test({
  name: "http fuzz: 50 000 hostile requests to the control socket and the HA listener; weka still serves",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "wkc-fuzz-" });
    const [port, ctrl, ha, backup] = [freePort(), freePort(), freePort(), freePort()];
    await Deno.writeTextFile(`${dir}/weka.json`, fuzzConfig(dir, ctrl, ha, backup));
    const weka = new WekaProcess(`${dir}/weka.json`, port);
    const client = await RelayClient.open(port);
    try {
      await weka.waitFor(/DHCP4_STARTED/, 30_000);
      const targets: FuzzTarget[] = [
        { port: ctrl, auth: { user: "admin", password: "pw" } },
        { port: ha, auth: { user: "ha1", password: "ha-pw" } },
      ];
      const before = rssKiB(weka.pid);
      const r = await fuzzHttp(targets, 50_000, { seed: 9, concurrency: 64 });
      const after = rssKiB(weka.pid);
      console.log(
        `  ${r.requests} requests in ${r.ms} ms; answers ${JSON.stringify(r.statuses)}; waited ${r.waited}; ` +
          `refused connects ${r.connectFailures}; RSS ${before} → ${after} KiB`,
      );
      let exited: Deno.CommandStatus | undefined;
      weka.status.then((s) => exited = s);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(exited, undefined, `weka exited during the fuzz:\n${weka.output.slice(-3000)}`);
      for (const s of ["200", "400", "401", "413", "431"]) assert.ok(r.statuses[s] > 0, `no ${s} answers`);
      assert.equal(r.connectFailures, 0);
      assert.ok(after - before < 150_000, `RSS grew by ${after - before} KiB`);
      const ok = await sendHttp(`http://127.0.0.1:${ctrl}/`, '{"command": "status-get"}', {
        user: "admin",
        password: "pw",
        timeoutMs: 5000,
      });
      assert.equal(ok.status, 200);
      assert.equal(JSON.parse(ok.text)[0].result, 0);
      assert.ok((await client.dora("02:fe:00:00:00:01"))?.startsWith("198.18.1."), weka.output.slice(-2000));
      assert.doesNotMatch(weka.output, /Uncaught|panicked|HTTP_HANDLER_FAILED/);
    } finally {
      client.close();
      assert.equal(await weka.stop("SIGTERM"), 0, weka.output.slice(-3000));
      await Deno.remove(dir, { recursive: true });
    }
  },
});
