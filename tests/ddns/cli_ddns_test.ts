/**
 * `weka ddns -c FILE` as a process (through runDdns): a config file in Kea's dialect with comments, the FFI NCR
 * receiver on a fixed loopback port, a real BIND, Kea's D2 commands on the unix control socket; `shutdown` ends it
 * with its exit-value. A refused config exits 1 with the
 * file position. BIND on 127.0.0.1 only; skipped without named/root.
 */
import assert from "node:assert/strict";
import { BIND_KEYS, bindAvailable, startBind } from "./bind_harness.ts";
import { computeDhcid } from "../../mod/ddns/dns/dhcid.ts";
import { openNcrSender } from "../../mod/ddns/ncr/udp.ts";
import { sendUnix } from "../../mod/control/client.ts";

const RUN = new URL("./run_ddns.ts", import.meta.url).pathname;
const BIND_PORT = 15356, NCR_PORT = 15302;

Deno.test("a refused configuration exits 1 and names file:line:col and the path", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wkd-cli-" });
  await Deno.writeTextFile(
    `${dir}/bad.json`,
    '{\n  "DhcpDdns": {\n    # a comment\n    "tsig-keys": [{ "name": "k", "algorithm": "HMAC-FOO", "secret": "AAAA" }]\n  }\n}\n',
  );
  const o = await new Deno.Command("deno", {
    args: ["run", "-A", RUN, `${dir}/bad.json`],
    stdout: "piped",
    stderr: "piped",
  }).output();
  await Deno.remove(dir, { recursive: true });
  assert.equal(o.code, 1);
  assert.match(
    new TextDecoder().decode(o.stderr),
    /bad\.json:4:\d+: DhcpDdns\.tsig-keys\[0\]\.algorithm: unknown TSIG algorithm "HMAC-FOO"/,
  );
});

Deno.test({
  name: "weka ddns process: NCR in, A/PTR/DHCID in BIND, control socket commands, shutdown → exit-value",
  ignore: !(await bindAvailable()),
}, async () => {
  const bind = await startBind("127.0.0.1", BIND_PORT);
  const dir = await Deno.makeTempDir({ prefix: "wkd-cli-" });
  const conf = `// Listing 10's shape, on loopback
{ "DhcpDdns": {
  "ip-address": "127.0.0.1", "port": ${NCR_PORT},
  "control-socket": { "socket-type": "unix", "socket-name": "${dir}/d2.sock" },
  "tsig-keys": [{ "name": "ddns-md5", "algorithm": "HMAC-MD5", "secret": "${BIND_KEYS["ddns-md5"][1]}" },
                { "name": "ddns-sha256", "algorithm": "hmac-sha256", "secret": "${BIND_KEYS["ddns-sha256"][1]}" }],
  "forward-ddns": { "ddns-domains": [{ "comment": "Test Domain", "name": "lab.test.", "key-name": "ddns-sha256",
                    "dns-servers": [{ "ip-address": "127.0.0.1", "port": ${BIND_PORT} }] }] },
  "reverse-ddns": { "ddns-domains": [{ "name": "18.198.in-addr.arpa.", "key-name": "ddns-md5",
                    "dns-servers": [{ "ip-address": "127.0.0.1", "port": ${BIND_PORT} }] }] },
  "loggers": [{ "name": "kea-dhcp-ddns", "output_options": [{ "output": "${dir}/d2.log" }], "severity": "INFO", "debuglevel": 0 }]
} }`;
  await Deno.writeTextFile(`${dir}/d2.json`, conf);
  const child = new Deno.Command("deno", {
    args: ["run", "-A", RUN, `${dir}/d2.json`],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const tx = openNcrSender("127.0.0.1", NCR_PORT);
  try {
    let log = "";
    for (let i = 0; i < 100 && !log.includes("DHCP_DDNS_STARTED"); i++) {
      await new Promise((r) => setTimeout(r, 100));
      log = await Deno.readTextFile(`${dir}/d2.log`).catch(() => "");
    }
    assert.match(log, /INFO {2}\[kea-dhcp-ddns\/\d+\] DHCP_DDNS_STARTED/);
    const fqdn = "dave.lab.test.";
    await tx.send({
      changeType: "add",
      forwardChange: true,
      reverseChange: true,
      fqdn,
      ipAddress: "198.18.1.44",
      dhcid: computeDhcid(0, new Uint8Array([1, 2, 0, 0, 0, 0, 0x44]), fqdn),
      leaseExpiresOn: "20301127180000",
      leaseLength: 900,
      conflictResolutionMode: "check-with-dhcid",
    });
    let a: string[] = [];
    for (let i = 0; i < 50 && a.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      a = await bind.dig(fqdn, "A");
    }
    assert.deepEqual(a, ["198.18.1.44"]);
    assert.deepEqual(await bind.dig("44.1.18.198.in-addr.arpa", "PTR"), ["dave.lab.test."]);
    assert.equal((await bind.dig(fqdn, "DHCID")).length, 1);
    for (let i = 0; i < 20 && !log.includes("DHCP_DDNS_ADD_SUCCEEDED"); i++) {
      await new Promise((r) => setTimeout(r, 100));
      log = await Deno.readTextFile(`${dir}/d2.log`);
    }
    assert.match(
      log,
      /DHCP_DDNS_ADD_SUCCEEDED Request ID 000001[0-9A-F]{64}: added the DNS mapping for dave\.lab\.test\. 198\.18\.1\.44/,
    );
    // the control channel: Kea's D2 statistics and commands on the unix socket of the config
    const ask = async (req: unknown) => JSON.parse(await sendUnix(`${dir}/d2.sock`, JSON.stringify(req)));
    const st1 = await ask({ command: "statistic-get", arguments: { name: "ncr-received" }, service: ["d2"] });
    assert.equal(st1.result, 0);
    assert.equal(st1.arguments["ncr-received"][0][0], 1);
    const all = await ask({ command: "statistic-get-all" });
    assert.equal(all.arguments["update-signed"][0][0], 2);
    assert.equal(all.arguments["key[ddns-sha256.].update-success"][0][0], 1);
    const cmds = await ask({ command: "list-commands" });
    for (const c of ["config-get", "config-reload", "shutdown", "status-get", "statistic-reset-all", "version-get"]) {
      assert.ok(cmds.arguments.includes(c), c);
    }
    const got = await ask({ command: "config-get" });
    assert.equal(got.arguments.DhcpDdns.port, NCR_PORT);
    assert.equal(typeof got.arguments.hash, "string");
    assert.equal((await ask({ command: "config-reload" })).result, 0);
    assert.equal((await ask({ command: "shutdown", arguments: { type: "bogus" } })).result, 1);
    assert.equal((await ask({ command: "shutdown", arguments: { type: "drain_first", "exit-value": 3 } })).result, 0);
    assert.equal((await child.status).code, 3);
  } finally {
    tx.close();
    try {
      child.kill("SIGTERM");
    } catch { /* already exited after the shutdown command */ }
    const st = await child.status;
    const err = new TextDecoder().decode(await new Response(child.stderr).arrayBuffer());
    await bind.stop();
    await Deno.remove(dir, { recursive: true });
    assert.ok(st.code === 3, err);
  }
});
