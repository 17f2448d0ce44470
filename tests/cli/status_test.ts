/**
 * The admin tools through the control channel (mod/cli/status.ts, mod/cli/leases.ts): against a real weka server
 * process (its no-root test mode on loopback) that served a relayed client, `weka status -c FILE` prints the pool
 * use, packet counters and the recent warnings the server logged, asked over the configured unix control socket;
 * `weka leases list -c FILE` gets the lease from the server (lease4-get-page), and reads the database directly
 * once the server is stopped.
 */
import assert from "node:assert/strict";
import { freePort, RelayClient, REPO, WekaProcess } from "../control/helpers.ts";
import { run } from "../control/listen_helpers.ts";

const weka = (...args: string[]) => run([Deno.execPath(), "run", "-A", `${REPO}main.ts`, ...args]);

Deno.test({
  name: "weka status and weka leases list ask the running server over its control socket; the store when it stopped",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "wks-" });
    const port = freePort();
    const cfg = `${dir}/weka.json`;
    await Deno.writeTextFile(
      cfg,
      JSON.stringify({
        Dhcp4: {
          "interfaces-config": { interfaces: ["lo"] },
          "lease-database": { type: "kv", name: `${dir}/leases4.kv` },
          "control-socket": { "socket-type": "unix", "socket-name": `${dir}/ctrl.sock` },
          "valid-lifetime": 600,
          "shared-networks": [{
            name: "office",
            subnet4: [{ id: 1, subnet: "198.18.0.0/16", pools: [{ pool: "198.18.1.100 - 198.18.1.109" }] }],
          }],
          // a key weka warns about: the warning must show in the summary's recent warnings
          "reservation-mode": "all",
          loggers: [{ name: "kea-dhcp4", output_options: [{ output: "stdout" }], severity: "INFO" }],
        },
      }),
    );
    const server = new WekaProcess(cfg, port);
    const client = await RelayClient.open(port);
    try {
      await server.waitFor(/DHCP4_STARTED/);
      const addr = await client.dora("02:00:00:aa:bb:01");
      assert.equal(addr, "198.18.1.100");

      const st = await weka("status", "-c", cfg);
      assert.equal(st.code, 0, st.err);
      assert.match(st.out, new RegExp(`asked ${dir}/ctrl.sock`));
      assert.match(st.out, /subnet 1 +198\.18\.0\.0\/16 +\[#{2}\.{18}\] 1 \/ 10 \(10 %\)\s+\[office\]/);
      assert.match(st.out, /network office: \[#{2}\.{18}\] 1 \/ 10/);
      assert.match(st.out, /pkt4-ack-sent=1/);
      assert.match(st.out, /high availability:\n {2}\(not configured\)/);
      assert.match(st.out, /WARN DHCP4_CONFIG_WARNING .*reservation-mode/);

      const js = await weka("status", "--socket", `${dir}/ctrl.sock`, "--json");
      const s = JSON.parse(js.out);
      assert.deepEqual(s.networks, [{ name: "office", total: 10, assigned: 1, declined: 0, subnets: [1] }]);

      const live = await weka("leases", "list", "-c", cfg);
      assert.equal(live.code, 0, live.err);
      assert.match(live.out, /198\.18\.1\.100 +02:00:00:aa:bb:01/);
      assert.match(live.out, new RegExp(`1 lease\\(s\\) held by the server at ${dir}/ctrl.sock`));
    } finally {
      client.close();
      await server.stop();
    }
    const stopped = await weka("leases", "list", "-c", cfg);
    assert.equal(stopped.code, 0, stopped.err);
    assert.match(stopped.out, /198\.18\.1\.100 +02:00:00:aa:bb:01/);
    assert.match(stopped.out, /1 lease\(s\) in .*leases4\.kv/);
    const none = await weka("status", "-c", cfg);
    assert.equal(none.code, 1);
    assert.match(none.err, /weka status: .*has no control socket to ask|no answer from/);
    await Deno.remove(dir, { recursive: true });
  },
});
