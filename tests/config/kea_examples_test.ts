/**
 * Kea 2.2's own example configurations (../shared/conformance/kea-examples/kea22-kea4): each one loads, or is
 * refused with a clear first line that names the JSON path of the first thing weka does not support. None may
 * crash. Skipped, with a message, when the conformance corpus is not beside the repository.
 */
import assert from "node:assert/strict";
import { loadConfigFile, parseConfigText } from "../../mod/config/load.ts";
import { keaCorpus, testLoadsOrRefused } from "./kea_corpus.ts";

const CORPUS = keaCorpus("kea22-kea4", "Kea 2.2 example");
const { root: ROOT, present } = CORPUS;

/** Examples that use only what weka supports (with the standard option table of mod/options). */
const LOADS = [
  "advanced.json",
  "all-options.json",
  "backends.json",
  "classify.json",
  "classify2.json",
  "comments.json",
  "config-backend.json",
  "global-reservations.json",
  "ha-load-balancing-primary.json",
  "leases-expiration.json",
  "multiple-options.json",
  "mysql-reservations.json",
  "pgsql-reservations.json",
  "reservations.json",
  "several-subnets.json",
  "shared-network.json",
  "single-subnet.json",
  "vendor-specific.json",
  "vivso.json",
  "with-ddns.json",
];

/** The first refusal expected for some examples: path and message. */
const FIRST: Record<string, string> = {
  "hooks.json":
    "Dhcp4.hooks-libraries[0].library: hook library 'security.so' is not supported: weka builds in only libdhcp_lease_cmds.so, libdhcp_ha.so, libdhcp_flex_id.so, libdhcp_stat_cmds.so, libdhcp_run_script.so, libdhcp_flex_option.so and libdhcp_bootp.so",
  "dhcpv4-over-dhcpv6.json":
    "Dhcp4.dhcp4o6-port: DHCPv4-over-DHCPv6 (RFC 7341) is not served by weka: remove 'dhcp4o6-port' (or set it to 0, Kea's default)",
};

testLoadsOrRefused(CORPUS, {
  title: "kea22 example",
  map: "Dhcp4",
  loads: LOADS,
  first: FIRST,
  // config-backend.json has no subnet: it loads with the warning that nothing is leased until config-set adds one
  loaded: (c) =>
    c.dhcp4 !== undefined &&
    (c.dhcp4.subnets.length > 0 || c.warnings.some((w) => /no lease is given until config-set/.test(w.message))),
});

Deno.test({
  name: "kea22 example single-subnet.json compiles to its subnet and pool",
  ignore: !present,
  fn: async () => {
    const c = await loadConfigFile(ROOT + "single-subnet.json");
    const s = c.dhcp4!.subnets[0];
    assert.equal(s.prefix, "192.0.2.0/24");
    assert.deepEqual([s.pools[0].start, s.pools[0].end], [0xc0000201, 0xc00002c8]);
    assert.equal(s.timers.validLifetime, 4000);
    assert.equal(s.interface, "eth0");
    assert.deepEqual(c.dhcp4!.interfaces, [{ name: "eth0" }]);
  },
});

Deno.test("article listing 9: the HA hook loads as written and compiles its relationship", () => {
  const listing = `{ "Dhcp4": { "hooks-libraries": [{
    "library": "/usr/lib/kea/hooks/libdhcp_lease_cmds.so", "parameters": {} }, {
    "library": "/usr/lib/kea/hooks/libdhcp_ha.so", "parameters": { "high-availability": [{
      "this-server-name": "server1", "mode": "load-balancing", "heartbeat-delay": 10000,
      "max-response-delay": 60000, "max-ack-delay": 5000, "max-unacked-clients": 5, "delayed-updates-limit": 100,
      "peers": [{ "name": "server1", "url": "http://172.17.1.43:8000/", "role": "primary", "auto-failover": true },
                { "name": "server2", "url": "http://172.17.1.44:8000/", "role": "secondary", "auto-failover": true }]
    }] } }],
    "subnet4": [{ "id": 1, "subnet": "172.17.1.0/24", "pools": [
      { "pool": "172.17.1.100 - 172.17.1.149", "client-class": "HA_server1" },
      { "pool": "172.17.1.150 - 172.17.1.199", "client-class": "HA_server2" }] }] } }`;
  const c = parseConfigText(listing, "listing9.json", () => "");
  const ha = c.dhcp4!.ha!;
  assert.equal(ha.thisServerName, "server1");
  assert.equal(ha.mode, "load-balancing");
  assert.equal(ha.maxAckDelayMs, 5000);
  assert.equal(ha.maxUnackedClients, 5);
  assert.deepEqual(ha.peers.map((p) => [p.name, p.role, p.autoFailover]), [
    ["server1", "primary", true],
    ["server2", "secondary", true],
  ]);
  assert.deepEqual(c.dhcp4!.hooks, ["libdhcp_lease_cmds.so", "libdhcp_ha.so"]);
  assert.deepEqual(c.warnings, [], "HA_server1/HA_server2 pool guards count as defined classes");
});

Deno.test("article listing 11: the dhcp-ddns block and ddns-* keys load as written", () => {
  const listing = `{ "Dhcp4": {
"dhcp-ddns": {
 "enable-updates": true,
 "server-ip": "127.0.0.1",
 "server-port": 53001,
 "sender-ip": "127.0.0.1",
 "max-queue-size": 2048,
 "ncr-protocol": "UDP",
 "ncr-format": "JSON"
},
"ddns-send-updates": true,
"ddns-override-no-update": true,
"ddns-override-client-update": true,
"ddns-replace-client-name": "when-not-present",
"ddns-generated-prefix": "prefix",
"ddns-qualifying-suffix": "demodomain.lmtest.de",
"ddns-update-on-renew": false,
"ddns-use-conflict-resolution": true,
"hostname-char-set": "[^A-Za-z0-9.-]",
"hostname-char-replacement": "x"
} }`;
  const c = parseConfigText(listing, "l11.json", () => "").dhcp4!;
  assert.equal(c.dhcpDdns?.enableUpdates, true);
  assert.equal(c.dhcpDdns?.maxQueueSize, 2048);
  assert.equal(c.ddns?.replaceClientName, "when-not-present");
  assert.equal(c.ddns?.generatedPrefix, "prefix");
  assert.equal(c.ddns?.qualifyingSuffix, "demodomain.lmtest.de");
  assert.equal(c.ddns?.conflictResolutionMode, "check-with-dhcid");
  assert.equal(c.ddns?.hostnameCharReplacement, "x");
});

Deno.test({
  name: "kea22 example multiple-options.json encodes every subnet option with the standard table",
  ignore: !present,
  fn: async () => {
    const c = await loadConfigFile(ROOT + "multiple-options.json");
    const s = c.dhcp4!.subnets[0];
    assert.ok(s.options.size >= 5, `only ${s.options.size} options`);
    assert.ok(s.options.has(6) && s.options.has(119), "domain-name-servers and domain-search are present");
  },
});
