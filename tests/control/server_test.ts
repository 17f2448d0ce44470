/**
 * A running weka (no-root test mode: `weka dhcp4 -c FILE --port P`, relayed DHCP on loopback) driven through its
 * control channel: lease commands see what DHCP granted, dhcp-disable drops queries, config-reload / SIGHUP refuse a
 * bad file while DHCP keeps serving and apply a good one with the leases untouched, bad control input never stops
 * DHCP, `shutdown` exits with its exit-value, `weka leases import` refuses while the server runs, and a memfile
 * config whose Kea CSV exists is imported at start-up into an empty store.
 */
import assert from "node:assert/strict";
import { sendHttp, sendUnix } from "../../mod/control/client.ts";
import { freePort, RelayClient, REPO, WekaProcess } from "./helpers.ts";

function config(dir: string, httpPort: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    Dhcp4: {
      "interfaces-config": { interfaces: ["lo"] },
      "lease-database": { type: "memfile", name: `${dir}/kea-leases4.csv` },
      "valid-lifetime": 600,
      "subnet4": [{ id: 1, subnet: "198.18.0.0/16", pools: [{ pool: "198.18.1.100 - 198.18.1.199" }] }],
      "control-socket": { "socket-type": "unix", "socket-name": `${dir}/ctrl.sock` },
      "control-sockets": [{
        "socket-type": "http",
        "socket-address": "127.0.0.1",
        "socket-port": httpPort,
        authentication: { type: "basic", clients: [{ user: "admin", password: "pw" }] },
      }],
      "hooks-libraries": [{ library: "libdhcp_lease_cmds.so" }],
      loggers: [{ name: "kea-dhcp4", "output-options": [{ output: "stdout" }], severity: "INFO" }],
      ...extra,
    },
  });
}

async function cmd(dir: string, command: string, args?: unknown): Promise<Record<string, unknown>> {
  return JSON.parse(await sendUnix(`${dir}/ctrl.sock`, JSON.stringify({ command, arguments: args })));
}

async function started(dir: string, cfg: string) {
  const port = freePort();
  await Deno.writeTextFile(`${dir}/weka.json`, cfg);
  const weka = new WekaProcess(`${dir}/weka.json`, port);
  await weka.waitFor(/COMMAND_ACCEPTOR_START.*http/);
  const client = await RelayClient.open(port);
  return { weka, client, port };
}

Deno.test("DHCP and the control channel together: leases, dhcp-disable, reload, bad input, shutdown", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wkc-" });
  const httpPort = freePort();
  const { weka, client } = await started(dir, config(dir, httpPort));
  try {
    const ip = await client.dora("02:00:00:00:01:01");
    assert.ok(ip?.startsWith("198.18.1."), weka.output);
    const got = await cmd(dir, "lease4-get", { "ip-address": ip });
    assert.equal(got.result, 0);
    assert.equal((got.arguments as Record<string, unknown>)["hw-address"], "02:00:00:00:01:01");
    const acks = await cmd(dir, "statistic-get", { name: "pkt4-ack-sent" });
    assert.equal((acks.arguments as Record<string, [number, string][]>)["pkt4-ack-sent"][0][0], 1);

    // dhcp-disable drops queries (counted), dhcp-enable restores service
    assert.equal((await cmd(dir, "dhcp-disable")).result, 0);
    assert.equal(await client.dora("02:00:00:00:01:02", undefined, 500), undefined);
    const dis = await cmd(dir, "statistic-get", { name: "pkt4-service-disabled" });
    assert.ok((dis.arguments as Record<string, [number, string][]>)["pkt4-service-disabled"][0][0] >= 1);
    await cmd(dir, "dhcp-enable");
    assert.ok(await client.dora("02:00:00:00:01:02"));

    // a bad file is refused (1) by config-reload and by SIGHUP; DHCP keeps serving
    const good = await Deno.readTextFile(`${dir}/weka.json`);
    await Deno.writeTextFile(`${dir}/weka.json`, good.replace('"valid-lifetime":600', '"valid-lifetime":"long"'));
    const refused = await cmd(dir, "config-reload");
    assert.equal(refused.result, 1);
    assert.match(refused.text as string, /^Config reload failed: .*valid-lifetime/s);
    Deno.kill(weka.pid, "SIGHUP");
    await weka.waitFor(/DHCP4_DYNAMIC_RECONFIGURATION_FAIL/);
    assert.ok(await client.dora("02:00:00:00:01:03"));
    // a good file with a second subnet is applied; the existing leases are untouched
    const next = JSON.parse(good);
    next.Dhcp4["valid-lifetime"] = 900;
    next.Dhcp4.subnet4.push({ id: 2, subnet: "198.19.0.0/16", pools: [{ pool: "198.19.1.100 - 198.19.1.199" }] });
    await Deno.writeTextFile(`${dir}/weka.json`, JSON.stringify(next));
    const hashBefore = (await cmd(dir, "config-hash-get")).arguments;
    const applied = await cmd(dir, "config-reload");
    assert.equal(applied.result, 0, JSON.stringify(applied));
    assert.notDeepEqual((await cmd(dir, "config-hash-get")).arguments, hashBefore);
    assert.equal((await cmd(dir, "lease4-get", { "ip-address": ip })).result, 0);
    assert.equal(((await cmd(dir, "lease4-get-all")).arguments as { leases: unknown[] }).leases.length, 3);
    assert.ok((await client.dora("02:00:00:00:02:01", "198.19.0.254"))?.startsWith("198.19.1."));

    // bad control input while DHCP runs: every DORA still succeeds
    const url = `http://127.0.0.1:${httpPort}/`;
    const abuse = Promise.all([
      sendUnix(`${dir}/ctrl.sock`, "{ this is not json"),
      sendUnix(`${dir}/ctrl.sock`, `{"command": "x", "arguments": {"a": "${"z".repeat(10 << 20)}"}}`),
      sendHttp(url, `{"command": "${"z".repeat(10 << 20)}"}`, { user: "admin", password: "pw" }),
      sendHttp(url, '{"command": "list-commands"}', { user: "admin", password: "WRONG" }),
      (async () => {
        const c = await Deno.connect({ transport: "unix", path: `${dir}/ctrl.sock` });
        await c.write(new TextEncoder().encode('{"command": "lease4-'));
        c.close();
        return "";
      })(),
    ]);
    const doras = await Promise.all([0, 1, 2, 3, 4].map((i) => client.dora(`02:00:00:00:03:0${i}`)));
    const [bad, bigUnix, bigHttp, wrong] = await abuse;
    assert.match(JSON.parse(bad).text, /invalid JSON/);
    assert.match(JSON.parse(bigUnix).text, /request too large/);
    assert.equal(bigHttp.status, 413);
    assert.equal(wrong.status, 401);
    assert.ok(doras.every((d) => d !== undefined), JSON.stringify(doras));

    // weka leases import refuses while the server owns the database
    await Deno.writeTextFile(
      `${dir}/in.csv`,
      "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname\n",
    );
    const imp = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${REPO}main.ts`, "leases", "import", "-c", `${dir}/weka.json`, "-i", `${dir}/in.csv`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(imp.code, 1);
    assert.match(new TextDecoder().decode(imp.stderr), /the server \(pid \d+\) is running/);

    // shutdown exits with the exit-value after answering
    assert.equal((await cmd(dir, "shutdown", { "exit-value": 3 })).text, "Shutting down.");
    assert.equal((await weka.status).code, 3);
    await assert.rejects(Deno.stat(`${dir}/kea-leases4.kv.pid`));
  } finally {
    client.close();
    await weka.stop("SIGKILL");
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("start-up import: a Kea CSV (with LFC's .1 file) is loaded into an empty store, once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wkc-" });
  const header =
    "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context,pool_id";
  const far = Math.floor(Date.now() / 1000) + 3600;
  await Deno.writeTextFile(
    `${dir}/kea-leases4.csv.1`,
    [
      header,
      `198.18.1.101,02:00:00:00:00:01,,3600,${far},1,0,0,one,0,,0`,
      `198.18.1.102,02:00:00:00:00:02,,3600,${far},1,0,0,two,0,,0`,
    ].join("\n") + "\n",
  );
  await Deno.writeTextFile(
    `${dir}/kea-leases4.csv`,
    [
      header,
      `198.18.1.102,02:00:00:00:00:02,,0,${far},1,0,0,two,0,,0`, // Kea's deletion row: 102 is gone
      `198.18.1.103,02:00:00:00:00:03,01:02:03,3600,${far},1,1,1,three&#x2cx,0,{ "a": 1 },0`,
    ].join("\n") + "\n",
  );
  const { weka, client } = await started(dir, config(dir, freePort()));
  try {
    await weka.waitFor(/DHCPSRV_MEMFILE_CSV_IMPORTED/);
    assert.match(weka.output, /imported 2 lease\(s\) from the Kea lease file/);
    const all = await cmd(dir, "lease4-get-all");
    const leases = (all.arguments as { leases: Record<string, unknown>[] }).leases;
    assert.deepEqual(leases.map((l) => l["ip-address"]), ["198.18.1.101", "198.18.1.103"]);
    assert.equal(leases[1].hostname, "three,x");
    assert.deepEqual(leases[1]["user-context"], { a: 1 });
    // the imported lease is respected by DHCP: that client gets its address back
    assert.equal(await client.dora("02:00:00:00:00:01"), "198.18.1.101");
  } finally {
    client.close();
    await weka.stop();
  }
  const again = await started(dir, config(dir, freePort()));
  try {
    await again.weka.waitFor(/DHCP4_STARTED/);
    assert.doesNotMatch(again.weka.output, /DHCPSRV_MEMFILE_CSV_IMPORTED/); // the store is no longer empty
  } finally {
    again.client.close();
    await again.weka.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
