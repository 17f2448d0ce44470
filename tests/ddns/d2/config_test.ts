import assert from "node:assert/strict";
import { compileD2Config } from "../../../mod/ddns/d2/config.ts";
import { loadD2ConfigFile, parseD2ConfigText } from "../../../mod/ddns/d2/load.ts";
import { ConfigError } from "../../../mod/config/errors.ts";

const fixture = (n: string) => new URL(`../../fixtures/ddns/${n}`, import.meta.url).pathname;
const noFiles = (p: string): string => {
  throw new Error(`no such file ${p}`);
};

Deno.test("Listing 10 loads as written: defaults, HMAC-MD5 key, both reverse servers with their ports", async () => {
  const c = await loadD2ConfigFile(fixture("listing10.json"));
  assert.equal(c.ipAddress, "127.0.0.1");
  assert.equal(c.port, 53001);
  assert.equal(c.dnsServerTimeout, 500);
  const key = c.keys.get("dnstsigkey.")!;
  assert.equal(key.algorithm.name, "HMAC-MD5");
  assert.equal(key.secret.length, 16);
  assert.equal(c.forward[0].name, "demodomain.lmtest.de.");
  assert.deepEqual(c.forward[0].servers.map((s) => [s.ip, s.port, s.key?.name]), [["172.17.1.1", 53, "dnstsigkey."]]);
  assert.equal(c.reverse[0].name, "6.17.172.in-addr.arpa.");
  assert.deepEqual(c.reverse[0].servers.map((s) => [s.ip, s.port]), [["172.17.1.1", 53], ["192.168.77.88", 53001]]);
  assert.equal(c.controlSockets.length, 1);
  assert.equal(c.loggers.length, 1);
});

Deno.test("the example config/ddns.json loads", async () => {
  const c = await loadD2ConfigFile(new URL("../../../config/ddns.json", import.meta.url).pathname);
  assert.equal(c.keys.size, 2);
  assert.equal(c.reverse[1].servers[0].ip, "2001:db8:a::53");
});

const base = () => ({
  "tsig-keys": [{ name: "k1", algorithm: "hmac-sha256", secret: "9v5Ow6Jm0pSPlW8aQ4b3Uzt9Jm7X0ENrGHrU9SnmLkA=" }],
  "forward-ddns": {
    "ddns-domains": [{
      name: "lab.test",
      "key-name": "k1",
      "dns-servers": [{ "ip-address": "127.0.0.1", "key-name": "" }],
    }],
  },
});

Deno.test("server key-name overrides the domain's; an empty one inherits; secret-file is read", () => {
  const raw = base();
  raw["tsig-keys"].push({ name: "k2", algorithm: "HMAC-SHA512", "secret-file": "/k2.secret" } as never);
  raw["forward-ddns"]["ddns-domains"][0]["dns-servers"].push({ "ip-address": "::1", "key-name": "k2" });
  const c = compileD2Config(raw, undefined, (p) => (p === "/k2.secret" ? "c2hhNTEy\n" : noFiles(p)));
  assert.deepEqual(c.forward[0].servers.map((s) => s.key?.name), ["k1.", "k2."]);
  assert.equal(c.keys.get("k2.")!.secret.length, 6);
});

Deno.test("refusals name the JSON path and say what is wrong, every problem at once", () => {
  const cases: [unknown, RegExp][] = [
    [{ ...base(), bogus: 1 }, /DhcpDdns\.bogus: unknown parameter/],
    [
      { "tsig-keys": [{ name: "k", algorithm: "HMAC-GOST", secret: "AAAA" }] },
      /tsig-keys\[0\]\.algorithm: unknown TSIG algorithm/,
    ],
    [
      { "tsig-keys": [{ name: "k", algorithm: "HMAC-SHA256", "digest-bits": 64, secret: "AAAA" }] },
      /digest-bits 64 .* from 128 to 256/,
    ],
    [{ "tsig-keys": [{ name: "k", algorithm: "HMAC-MD5", secret: "not base64!" }] }, /secret is not valid base64/],
    [{ "tsig-keys": [{ name: "k", algorithm: "HMAC-MD5" }] }, /neither secret nor secret-file/],
    [{
      "forward-ddns": {
        "ddns-domains": [{ name: "a.", "key-name": "nokey", "dns-servers": [{ "ip-address": "1.2.3.4" }] }],
      },
    }, /key-name: TSIG key "nokey" is not defined/],
    [
      { "forward-ddns": { "ddns-domains": [{ name: "a.", "dns-servers": [{ hostname: "ns.a." }] }] } },
      /hostname is not supported/,
    ],
    [
      { "forward-ddns": { "ddns-domains": [{ name: "a.", "dns-servers": [{ "ip-address": "1.2.3" }] }] } },
      /"1.2.3" is not an IP address/,
    ],
    [{ "ncr-protocol": "TCP" }, /only UDP/],
    [{ "hooks-libraries": [{ library: "/usr/lib/libdhcp_gss_tsig.so" }] }, /not available in weka ddns/],
    [{ port: 70000 }, /DhcpDdns\.port/],
  ];
  for (const [raw, re] of cases) {
    assert.throws(
      () => compileD2Config(raw, undefined, noFiles),
      (e) => e instanceof ConfigError && re.test(e.message),
      String(re),
    );
  }
  const both = { "ncr-format": "XML", "ncr-protocol": "TCP" };
  assert.throws(() => compileD2Config(both), (e) => e instanceof ConfigError && e.problems.length === 2);
});

Deno.test("positions come from the file: an unknown key is reported at its line", () => {
  const text = '{\n "DhcpDdns": {\n  # comment\n  "prot": 1\n }\n}\n';
  assert.throws(() => parseD2ConfigText(text, "d2.json", noFiles), /d2\.json:4:\d+: DhcpDdns\.prot: unknown parameter/);
  assert.throws(() => parseD2ConfigText('{"Dhcp4": {}}', "x.json", noFiles), /no 'DhcpDdns' map/);
});
