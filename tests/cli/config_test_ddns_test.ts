/**
 * `weka config-test` checks a `DhcpDdns` map as `kea-dhcp-ddns -t` does, through the real CLI (`deno run -A
 * main.ts`): an unknown key, a TSIG secret that is not base64 and a DNS server given by host name are refused with
 * their JSON path and file:line:col (exit 1); config/ddns.json passes (exit 0) with a D2 summary; the problems of
 * `Dhcp4` and `DhcpDdns` in one file come out in one run; a `Control-agent` map is checked and, when valid, loads
 * with one warning that it is not served. No message quotes a secret.
 */
import assert from "node:assert/strict";
import { MAIN, withTempDir } from "./cli_helpers.ts";

/** `weka config-test -c FILE` on `text` written to DIR/name; its exit code and stdout + stderr lines. */
async function configTest(dir: string, name: string, text: string): Promise<{ code: number; lines: string[] }> {
  const file = `${dir}/${name}`;
  await Deno.writeTextFile(file, text);
  const o = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "config-test", "-c", file],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  const lines = (dec.decode(o.stderr) + dec.decode(o.stdout)).split("\n").filter((l) => l !== "")
    .map((l) => l.replaceAll(dir + "/", ""));
  return { code: o.code, lines };
}

const BAD_D2 = `{
  "DhcpDdns": {
    "bogus-key": 1,
    "tsig-keys": [ { "name": "k1", "algorithm": "HMAC-SHA256", "secret": "s3cr3t-not-base64!" } ],
    "forward-ddns": { "ddns-domains": [ {
      "name": "lab.test.", "key-name": "k1",
      "dns-servers": [ { "hostname": "ns1.lab.test." }, { "ip-address": "ns2.lab.test" } ] } ] }
  }
}
`;

Deno.test("config-test refuses a bad DhcpDdns map: unknown key, bad base64, host-name servers, each at its place", async () => {
  await withTempDir("weka-ct-d2-", async (dir) => {
    const r = await configTest(dir, "d2.json", BAD_D2);
    assert.equal(r.code, 1);
    assert.deepEqual(r.lines, [
      "d2.json:3:5: DhcpDdns.bogus-key: unknown or unsupported key 'bogus-key'",
      'd2.json:4:74: DhcpDdns.tsig-keys[0].secret: TSIG key "k1": the secret is not valid base64',
      "d2.json:7:38: DhcpDdns.forward-ddns.ddns-domains[0].dns-servers[0].hostname: hostname is not supported (as in Kea): give ip-address",
      'd2.json:7:73: DhcpDdns.forward-ddns.ddns-domains[0].dns-servers[1].ip-address: "ns2.lab.test" is not an IP address (D2 sends updates to an address; it does not resolve names, as in Kea)',
      "d2.json: configuration is invalid (4 problems)",
    ], "the schema's problem and the later checks' problems come out in one run");
    const fixed = await configTest(dir, "d2b.json", BAD_D2.replace(`"bogus-key": 1,`, ""));
    assert.equal(fixed.code, 1);
    assert.deepEqual(fixed.lines, [
      'd2b.json:4:74: DhcpDdns.tsig-keys[0].secret: TSIG key "k1": the secret is not valid base64',
      "d2b.json:7:38: DhcpDdns.forward-ddns.ddns-domains[0].dns-servers[0].hostname: hostname is not supported (as in Kea): give ip-address",
      'd2b.json:7:73: DhcpDdns.forward-ddns.ddns-domains[0].dns-servers[1].ip-address: "ns2.lab.test" is not an IP address (D2 sends updates to an address; it does not resolve names, as in Kea)',
      "d2b.json: configuration is invalid (3 problems)",
    ]);
    assert.ok(!fixed.lines.join("\n").includes("s3cr3t"), "the secret is never quoted");
  });
});

Deno.test("config-test passes config/ddns.json with a D2 summary", async () => {
  await withTempDir("weka-ct-d2-", async (dir) => {
    const r = await configTest(
      dir,
      "ddns.json",
      await Deno.readTextFile(new URL("../../config/ddns.json", import.meta.url)),
    );
    assert.equal(r.code, 0, r.lines.join("\n"));
    assert.deepEqual(r.lines, [
      "ddns.json: configuration is valid; DhcpDdns: 2 TSIG key(s), 1 forward and 2 reverse domain(s), NCRs on 127.0.0.1:53001",
    ]);
  });
});

Deno.test("config-test reports the problems of Dhcp4 and DhcpDdns in one run", async () => {
  const text = `{
  "Dhcp4": { "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.3.1 - 192.0.3.9" } ] } ] },
  "DhcpDdns": { "tsig-keys": [ { "name": "k", "algorithm": "HMAC-MD4", "secret": "AAAA" } ] }
}
`;
  await withTempDir("weka-ct-d2-", async (dir) => {
    const r = await configTest(dir, "both.json", text);
    assert.equal(r.code, 1);
    assert.equal(r.lines.length, 3, r.lines.join("\n"));
    assert.match(r.lines[0], /^both\.json:2:\d+: Dhcp4\.subnet4\[0\]\.pools\[0\]\.pool: .*192\.0\.2\.0\/24/);
    assert.match(
      r.lines[1],
      /^both\.json:3:\d+: DhcpDdns\.tsig-keys\[0\]\.algorithm: unknown TSIG algorithm "HMAC-MD4"/,
    );
    assert.equal(r.lines[2], "both.json: configuration is invalid (2 problems)");
    // schema problems of both maps come out together as well
    const schema = await configTest(
      dir,
      "schema.json",
      `{ "Dhcp4": { "valid-lifetimes": 1 },\n  "DhcpDdns": { "prot": 1 } }\n`,
    );
    assert.deepEqual(schema.lines, [
      "schema.json:1:14: Dhcp4.valid-lifetimes: unknown or unsupported key 'valid-lifetimes'",
      "schema.json:2:17: DhcpDdns.prot: unknown or unsupported key 'prot'",
      "schema.json: configuration is invalid (2 problems)",
    ]);
  });
});

Deno.test("config-test checks a Control-agent map (served by weka run, no warning)", async () => {
  const ca = (extra: string) =>
    `{ "Control-agent": { "http-host": "127.0.0.1", "http-port": 8000${extra},
    "control-sockets": { "dhcp4": { "socket-type": "unix", "socket-name": "/run/kea/kea4-ctrl-socket" } },
    "authentication": { "type": "basic", "clients": [ { "user": "admin", "password": "1234" } ] },
    "loggers": [ { "name": "kea-ctrl-agent", "severity": "INFO" } ] },
  "DhcpDdns": { } }
`;
  await withTempDir("weka-ct-ca-", async (dir) => {
    const ok = await configTest(dir, "ca.json", ca(""));
    assert.equal(ok.code, 0, ok.lines.join("\n"));
    assert.deepEqual(ok.lines.filter((l) => l.startsWith("warning:")), []);
    const bad = await configTest(dir, "ca2.json", ca(`, "http-prt": 8001, "cert-file": "/etc/kea/c.pem"`));
    assert.equal(bad.code, 1);
    assert.deepEqual(bad.lines, [
      "ca2.json:1:67: Control-agent.http-prt: unknown or unsupported key 'http-prt'",
      "ca2.json:1:98: Control-agent.cert-file: trust-anchor parameter is missing or empty: all or none of TLS parameters must be set",
      "ca2.json: configuration is invalid (2 problems)",
    ]);
  });
});
