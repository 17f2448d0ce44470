/**
 * The `DhcpDdns` map (mod/config/schema_d2.ts, compile_d2.ts) through the one loader: Listing 10 and the example
 * config/ddns.json compile to the expected D2 model with Kea's defaults; each refusal names its JSON path and says
 * what is wrong, every problem at once; a `secret-file` is read through the loader's file reader.
 */
import assert from "node:assert/strict";
import { compileD2Config } from "../../mod/config/compile_d2.ts";
import { ConfigError } from "../../mod/config/errors.ts";
import { loadConfigFile, parseConfigText } from "../../mod/config/load.ts";

const fixture = (n: string) => new URL(`../fixtures/ddns/${n}`, import.meta.url).pathname;
const noFiles = (p: string): string => {
  throw new Error(`no such file ${p}`);
};

Deno.test("d2 config: Listing 10 loads as written: defaults, HMAC-MD5 key, both reverse servers with their ports", async () => {
  const c = (await loadConfigFile(fixture("listing10.json"))).d2!;
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
  assert.deepEqual(c.controlSockets.map((s) => [s.type, s.name]), [["unix", "/run/kea/kea-ddns-ctrl-socket"]]);
  assert.deepEqual(c.loggers, [{
    name: "kea-dhcp-ddns",
    severity: "INFO",
    debuglevel: 0,
    outputs: [{ output: "@localstatedir@/log/kea/kea-ddns.log", flush: true, maxsize: 10240000, maxver: 1 }],
  }]);
});

Deno.test("d2 config: the example config/ddns.json loads", async () => {
  const c = (await loadConfigFile(new URL("../../config/ddns.json", import.meta.url).pathname)).d2!;
  assert.equal(c.keys.size, 2);
  assert.equal(c.reverse[1].servers[0].ip, "2001:db8:a::53");
});

Deno.test("d2 config: no loggers means none (the D2 role's logging applies its own default)", () => {
  assert.deepEqual(compileD2Config({}).loggers, []);
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

Deno.test("d2 config: server key-name overrides the domain's; an empty one inherits; secret-file is read", () => {
  const raw = base();
  raw["tsig-keys"].push({ name: "k2", algorithm: "HMAC-SHA512", "secret-file": "/k2.secret" } as never);
  raw["forward-ddns"]["ddns-domains"][0]["dns-servers"].push({ "ip-address": "::1", "key-name": "k2" });
  const c = compileD2Config(raw, undefined, (p) => (p === "/k2.secret" ? "c2hhNTEy\n" : noFiles(p)));
  assert.deepEqual(c.forward[0].servers.map((s) => s.key?.name), ["k1.", "k2."]);
  assert.equal(c.keys.get("k2.")!.secret.length, 6);
  const loaded = parseConfigText(JSON.stringify({ DhcpDdns: raw }), "d.json", (p) => {
    assert.equal(p, "/k2.secret");
    return "c2hhNTEy";
  });
  assert.equal(loaded.d2!.keys.get("k2.")!.secret.length, 6, "the loader reads secret-file through its reader");
});

Deno.test("d2 config: refusals name the JSON path and say what is wrong, every problem at once", () => {
  const cases: [unknown, RegExp][] = [
    [{ ...base(), bogus: 1 }, /^DhcpDdns\.bogus: unknown or unsupported key 'bogus'$/],
    [
      { "tsig-keys": [{ name: "k", algorithm: "HMAC-GOST", secret: "AAAA" }] },
      /^DhcpDdns\.tsig-keys\[0\]\.algorithm: unknown TSIG algorithm "HMAC-GOST" \(HMAC-MD5, .* or HMAC-SHA512\)$/,
    ],
    [
      { "tsig-keys": [{ name: "k", algorithm: "HMAC-SHA256", "digest-bits": 64, secret: "AAAA" }] },
      /digest-bits: digest-bits 64 .* from 128 to 256/,
    ],
    [{ "tsig-keys": [{ name: "k", algorithm: "HMAC-MD5", secret: "not base64!" }] }, /secret: .*not valid base64/],
    [{ "tsig-keys": [{ name: "k", algorithm: "HMAC-MD5" }] }, /tsig-keys\[0\]: .*neither secret nor secret-file/],
    [
      { "tsig-keys": [{ name: "k", algorithm: "HMAC-MD5", secret: "AAAA", "secret-file": "/k" }] },
      /secret-file: give either secret or secret-file, not both/,
    ],
    [
      { "tsig-keys": [{ name: "k", algorithm: "HMAC-MD5", "secret-file": "/nope" }] },
      /secret-file: cannot read secret-file "\/nope": no such file \/nope/,
    ],
    [{
      "forward-ddns": {
        "ddns-domains": [{ name: "a.", "key-name": "nokey", "dns-servers": [{ "ip-address": "1.2.3.4" }] }],
      },
    }, /key-name: TSIG key "nokey" is not defined/],
    [
      { "forward-ddns": { "ddns-domains": [{ name: "a.", "dns-servers": [{ hostname: "ns.a." }] }] } },
      /dns-servers\[0\]\.hostname: hostname is not supported/,
    ],
    [
      { "forward-ddns": { "ddns-domains": [{ name: "a.", "dns-servers": [{ "ip-address": "1.2.3" }] }] } },
      /ip-address: "1.2.3" is not an IP address/,
    ],
    [
      { "reverse-ddns": { "ddns-domains": [{ name: "a..b", "dns-servers": [{ "ip-address": "::1" }] }] } },
      /reverse-ddns\.ddns-domains\[0\]\.name: invalid domain name "a\.\.b\.": empty label/,
    ],
    [
      { "forward-ddns": { "ddns-domains": [{ name: "a", "dns-servers": [] }, { name: "A.", "dns-servers": [] }] } },
      /ddns-domains\[1\]\.name: duplicate domain "A\."/,
    ],
    [{ "ip-address": "localhost" }, /^DhcpDdns\.ip-address: "localhost" is not an IP address$/],
    [{ "ncr-protocol": "TCP" }, /only UDP/],
    [{ "hooks-libraries": [{ library: "/usr/lib/libdhcp_gss_tsig.so" }] }, /not available in weka ddns/],
    [{ port: 70000 }, /^DhcpDdns\.port: must be a port 0\.\.65535$/],
  ];
  for (const [raw, re] of cases) {
    assert.throws(
      () => compileD2Config(raw, undefined, noFiles),
      (e) => e instanceof ConfigError && e.problems.some((p) => re.test(`${p.path}: ${p.message}`)),
      String(re),
    );
  }
  const both = { "ncr-format": "XML", "ncr-protocol": "TCP" };
  assert.throws(() => compileD2Config(both), (e) => e instanceof ConfigError && e.problems.length === 2);
});

Deno.test("d2 config: positions come from the file: an unknown key is reported at its line", () => {
  const text = '{\n "DhcpDdns": {\n  # comment\n  "prot": 1\n }\n}\n';
  assert.throws(() => parseConfigText(text, "d2.json", noFiles), (e) => {
    assert.ok(e instanceof ConfigError);
    assert.equal(e.format(), "d2.json:4:3: DhcpDdns.prot: unknown or unsupported key 'prot'");
    return true;
  });
});
