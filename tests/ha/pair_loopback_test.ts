/**
 * A real weka HA pair on loopback, without namespaces: two `weka dhcp4 -c FILE --port P` processes (the no-root
 * test mode: relayed DHCP on 127.0.0.1:P, replies to P+1), each with its own HA listener URL on 127.0.0.1, KV file and
 * control socket, in hot-standby. Both reach hot-standby; a DORA against the primary creates a lease that the
 * standby holds too (lease4-get-all through its HA listener); the standby does not answer while the primary lives;
 * after SIGKILL of the primary the standby reaches partner-down within max-response-delay + heartbeat-delay + slack
 * and answers a new client; the primary, restarted, synchronises the standby's leases and both return to hot-standby.
 * The failover time is printed. The peers talk HTTPS with mutual TLS (`trust-anchor`, `cert-file`, `key-file`,
 * `require-client-certs`): a client without a certificate signed by the pair's CA gets no answer from either.
 */
import assert from "node:assert/strict";
import { freePort, RelayClient, WekaProcess } from "../control/helpers.ts";
import { makeTestCerts } from "../control/cert_helpers.ts";

const HEARTBEAT_MS = 1000;
const MAX_RESPONSE_MS = 3000;

function config(dir: string, me: string, ha1: number, ha2: number): string {
  return JSON.stringify({
    Dhcp4: {
      "interfaces-config": { interfaces: ["lo"] },
      "lease-database": { type: "kv", name: `${dir}/${me}.kv` },
      "valid-lifetime": 600,
      "subnet4": [{ id: 1, subnet: "198.18.0.0/16", pools: [{ pool: "198.18.1.100 - 198.18.1.199" }] }],
      "control-socket": { "socket-type": "unix", "socket-name": `${dir}/${me}.sock` },
      "hooks-libraries": [
        { library: "/usr/lib/kea/hooks/libdhcp_lease_cmds.so" },
        {
          library: "/usr/lib/kea/hooks/libdhcp_ha.so",
          parameters: {
            "high-availability": [{
              "this-server-name": me,
              mode: "hot-standby",
              "heartbeat-delay": HEARTBEAT_MS,
              "max-response-delay": MAX_RESPONSE_MS,
              "max-ack-delay": 1000,
              "max-unacked-clients": 0,
              "trust-anchor": `${dir}/ca.pem`,
              "cert-file": `${dir}/peer.pem`,
              "key-file": `${dir}/peer.key`,
              "require-client-certs": true,
              peers: [
                { name: "server1", url: `https://127.0.0.1:${ha1}/`, role: "primary" },
                { name: "server2", url: `https://127.0.0.1:${ha2}/`, role: "standby" },
              ],
            }],
          },
        },
      ],
      loggers: [{ name: "kea-dhcp4", "output-options": [{ output: "stdout" }], severity: "INFO" }],
    },
  });
}

/** The TLS client the test talks to the HA listeners with (the peers' own CA and certificate). */
let client: Deno.HttpClient | undefined;

async function haCmd(port: number, command: string, args?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`https://127.0.0.1:${port}/`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ command, service: ["dhcp4"], arguments: args }),
    signal: AbortSignal.timeout(2000),
    client,
  });
  return (await res.json())[0];
}

async function haState(port: number): Promise<string | undefined> {
  try {
    const a = await haCmd(port, "ha-heartbeat");
    return (a.arguments as Record<string, string>).state;
  } catch {
    return undefined;
  }
}

async function waitState(port: number, want: string, ms: number, p: WekaProcess): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < ms) {
    if (await haState(port) === want) return Date.now();
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no ${want} on :${port} within ${ms} ms (now ${await haState(port)}); output:\n${p.output}`);
}

Deno.test("HA pair on loopback: hot-standby, lease update to the standby, failover after SIGKILL", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wkha-" });
  const [ha1, ha2] = [freePort(), freePort()];
  const [d1, d2] = [freePort(), freePort()];
  const ext = "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth,clientAuth\n";
  await makeTestCerts(dir, "wkha CA", { peer: "ha-peer" }, ext);
  const ca = await Deno.readTextFile(`${dir}/ca.pem`);
  client = Deno.createHttpClient({
    caCerts: [ca],
    cert: await Deno.readTextFile(`${dir}/peer.pem`),
    key: await Deno.readTextFile(`${dir}/peer.key`),
  });
  const anonymous = Deno.createHttpClient({ caCerts: [ca] });
  await Deno.writeTextFile(`${dir}/s1.json`, config(dir, "server1", ha1, ha2));
  await Deno.writeTextFile(`${dir}/s2.json`, config(dir, "server2", ha1, ha2));
  const p1 = new WekaProcess(`${dir}/s1.json`, d1);
  const p2 = new WekaProcess(`${dir}/s2.json`, d2);
  const c1 = await RelayClient.open(d1);
  const c2 = await RelayClient.open(d2);
  try {
    await waitState(ha1, "hot-standby", 30_000, p1);
    await waitState(ha2, "hot-standby", 30_000, p2);
    assert.match(p1.output, /HA_STATE_TRANSITION.*server1: HA state transition from waiting to syncing/);

    const ip = await c1.dora("02:00:00:00:aa:01");
    assert.ok(ip?.startsWith("198.18.1."), `the primary grants a lease:\n${p1.output}`);
    const all = await haCmd(ha2, "lease4-get-all");
    const leases = (all.arguments as { leases: Record<string, unknown>[] }).leases;
    assert.ok(
      leases.some((l) => l["ip-address"] === ip && l["hw-address"] === "02:00:00:00:aa:01"),
      `the standby holds the lease: ${JSON.stringify(all)}`,
    );
    assert.equal(await c2.dora("02:00:00:00:aa:02", "198.18.0.254", 500), undefined, "the standby stays silent");
    const refused = await haCmd(ha2, "config-get");
    assert.equal(refused.result, 2, "restrict-commands: config-get is not served on the HA listener");
    // without a client certificate the TLS handshake fails: no answer, and nothing changes
    await assert.rejects(
      fetch(`https://127.0.0.1:${ha2}/`, {
        method: "POST",
        body: JSON.stringify({ command: "dhcp-disable", service: ["dhcp4"] }),
        client: anonymous,
        signal: AbortSignal.timeout(2000),
      }),
    );
    assert.equal(await haState(ha2), "hot-standby");

    const killedAt = Date.now();
    await p1.stop("SIGKILL");
    const downAt = await waitState(ha2, "partner-down", MAX_RESPONSE_MS + HEARTBEAT_MS + 3000, p2);
    const failover = downAt - killedAt;
    console.log(`failover: the standby reached partner-down ${failover} ms after SIGKILL of the primary`);
    assert.ok(failover <= MAX_RESPONSE_MS + HEARTBEAT_MS + 1500, `failover took ${failover} ms`);
    const ip2 = await c2.dora("02:00:00:00:aa:03");
    if (Deno.env.get("HA_DEBUG")) console.log(p1.output, "\n=====\n", p2.output);
    assert.ok(ip2?.startsWith("198.18.1."), `the standby serves after failover:\n${p2.output}`);
    assert.notEqual(ip2, ip, "the primary's lease is known to the standby");

    // the primary comes back: it synchronises from the standby (partner-down) and both return to hot-standby
    const p1b = new WekaProcess(`${dir}/s1.json`, d1);
    try {
      await waitState(ha1, "hot-standby", 30_000, p1b);
      await waitState(ha2, "hot-standby", 10_000, p2);
      const back = await haCmd(ha1, "lease4-get-all");
      const got = (back.arguments as { leases: Record<string, unknown>[] }).leases.map((l) => l["ip-address"]);
      assert.ok(got.includes(ip) && got.includes(ip2), `the primary has both leases after its sync: ${got}`);
      assert.equal(await c2.dora("02:00:00:00:aa:04", "198.18.0.254", 500), undefined, "the standby is silent again");
      assert.ok((await c1.dora("02:00:00:00:aa:04"))?.startsWith("198.18.1."), "the primary serves again");
    } finally {
      assert.equal(await p1b.stop("SIGTERM"), 0, p1b.output);
    }
  } finally {
    c1.close();
    c2.close();
    await p1.stop("SIGKILL");
    const code = await p2.stop("SIGTERM");
    client.close();
    anonymous.close();
    assert.equal(code, 0, p2.output);
    await Deno.remove(dir, { recursive: true });
  }
});
