/**
 * A good Dhcp6 configuration compiles to the expected model6: pools as 128-bit ranges, pd-pools, lifetimes and
 * timers inherited global → shared network → subnet with Kea 2.2's defaults, ids assigned as Kea assigns them,
 * option data encoded to DHCPv6 wire bytes (vendor-opts carrying its vendor space), reservations keyed by
 * identifier, client classes parsed with the DHCPv6 tokens.
 */
import assert from "node:assert/strict";
import { parseConfigText } from "../../mod/config/load.ts";
import { parseIpv6Big } from "../../mod/config/addr6.ts";

const ip = (s: string) => parseIpv6Big(s)!;
const hex = (b: Uint8Array | undefined) => b ? [...b].map((x) => x.toString(16).padStart(2, "0")).join("") : "";

const GOOD = `{
  // a comment, as Kea allows
  "Dhcp6": {
    "interfaces-config": { "interfaces": ["eth0", "eth1/2001:db8::1"] },
    "preferred-lifetime": 3000, "valid-lifetime": 4000, "renew-timer": 1000, "rebind-timer": 2000,
    "option-data": [
      { "name": "dns-servers", "data": "2001:db8::53" },
      { "name": "vendor-opts", "data": "4491" },
      { "name": "tftp-servers", "space": "vendor-4491", "data": "3000:1::234" }
    ],
    "server-id": { "type": "EN", "enterprise-id": 2495, "identifier": "0102" },
    "client-classes": [
      { "name": "cm", "test": "vendor-class[4491].exists and pkt6.msgtype == 1", "preferred-lifetime": 100 },
      { "name": "relayed", "test": "relay6[0].option[18].exists or relay6[0].peeraddr == fe80::1" }
    ],
    "subnet6": [{
      "id": 10, "subnet": "2001:db8:1::/64", "interface": "eth0", "rapid-commit": true, "valid-lifetime": 5000,
      "pools": [
        { "pool": "2001:db8:1::10 - 2001:db8:1::ff" },
        { "pool": "2001:db8:1:0:1::/80", "client-class": "cm" }
      ],
      "pd-pools": [{ "prefix": "2001:db8:8::", "prefix-len": 56, "delegated-len": 64,
                     "excluded-prefix": "2001:db8:8::", "excluded-prefix-len": 72 }],
      "option-data": [{ "name": "domain-search", "data": "example.com" }],
      "reservations": [{ "duid": "01:02:03:04", "ip-addresses": ["2001:db8:1::100"],
                         "prefixes": ["2001:db8:9::/56"], "hostname": "h1" }]
    }],
    "shared-networks": [{
      "name": "net", "interface": "eth1", "preferred-lifetime": 2000,
      "option-data": [{ "name": "preference", "data": "7" }],
      "subnet6": [{ "subnet": "2001:db8:2::/64", "pools": [{ "pool": "2001:db8:2::/120" }] }]
    }]
  }
}`;

const load = () => parseConfigText(GOOD, "good6.json", () => "");

Deno.test("dhcp6: subnets, pools as 128-bit ranges and pd-pools", () => {
  const c = load().dhcp6!;
  assert.equal(c.subnets.length, 2);
  const [a, b] = c.subnets;
  assert.equal(a.id, 10);
  assert.equal(a.network, ip("2001:db8:1::"));
  assert.equal(a.len, 64);
  assert.deepEqual(a.pools.map((p) => [p.start, p.end]), [
    [ip("2001:db8:1::10"), ip("2001:db8:1::ff")],
    [ip("2001:db8:1:0:1::"), ip("2001:db8:1:0:1:ffff:ffff:ffff")],
  ]);
  assert.deepEqual(a.pools[1].clientClasses, ["cm"]);
  assert.equal(a.pools[0].clientClasses, undefined);
  assert.deepEqual(
    a.pdPools.map((p) => [p.prefix, p.prefixLen, p.delegatedLen, p.excludedPrefix, p.excludedPrefixLen]),
    [
      [ip("2001:db8:8::"), 56, 64, ip("2001:db8:8::"), 72],
    ],
  );
  assert.equal(a.rapidCommit, true);
  assert.equal(b.rapidCommit, false);
  // b has no id: Kea 2.2 numbers it, skipping the used 10 → 1
  assert.equal(b.id, 1);
  assert.deepEqual([b.pools[0].start, b.pools[0].end], [ip("2001:db8:2::"), ip("2001:db8:2::ff")]);
});

Deno.test("dhcp6: lifetimes and timers inherit global → shared network → subnet, with Kea 2.2's defaults", () => {
  const [a, b] = load().dhcp6!.subnets;
  assert.deepEqual(a.timers, {
    validLifetime: 5000,
    minValidLifetime: 5000,
    maxValidLifetime: 5000,
    preferredLifetime: 3000,
    minPreferredLifetime: 3000,
    maxPreferredLifetime: 3000,
    renewTimer: 1000,
    rebindTimer: 2000,
    calculateTeeTimes: true,
    t1Percent: 0.5,
    t2Percent: 0.8,
  });
  assert.equal(b.timers.validLifetime, 4000);
  assert.equal(b.timers.preferredLifetime, 2000);
  assert.equal(b.sharedNetwork, "net");
  assert.equal(b.interface, "eth1");
  assert.equal(a.interface, "eth0");
});

Deno.test("dhcp6: option data is encoded to DHCPv6 wire bytes and merged by scope", () => {
  const c = load().dhcp6!;
  const [a, b] = c.subnets;
  assert.equal(hex(c.options.get(23)?.data), "20010db8000000000000000000000053");
  // vendor-opts: enterprise 4491, then sub-option 32 (two-byte code and length) carrying 3000:1::234
  assert.equal(hex(c.options.get(17)?.data), "0000118b" + "00200010" + "30000001000000000000000000000234");
  assert.equal(hex(a.options.get(24)?.data), "076578616d706c6503636f6d00");
  assert.equal(a.options.get(24)?.space, "dhcp6");
  assert.ok(a.options.has(23), "the subnet inherits the global option");
  assert.equal(a.options.has(7), false);
  assert.equal(hex(b.options.get(7)?.data), "07");
  assert.ok(b.options.has(23));
});

Deno.test("dhcp6: reservations, server-id, interfaces and client classes", () => {
  const c = load().dhcp6!;
  const r = c.subnets[0].reservations.get("duid=01:02:03:04")!;
  assert.deepEqual(r.addresses, [ip("2001:db8:1::100")]);
  assert.deepEqual(r.prefixes, [{ prefix: ip("2001:db8:9::"), len: 56 }]);
  assert.equal(r.hostname, "h1");
  assert.equal(c.subnets[0].reservedAddresses.get(ip("2001:db8:1::100")), "duid=01:02:03:04");
  assert.deepEqual(c.serverId, {
    type: "EN",
    identifier: Uint8Array.of(1, 2),
    htype: 0,
    time: 0,
    enterpriseId: 2495,
    persist: true,
  });
  assert.deepEqual(c.interfaces, [{ name: "eth0" }, { name: "eth1", unicast: ip("2001:db8::1") }]);
  assert.deepEqual(c.hostReservationIdentifiers, ["hw-address", "duid"]);
  assert.deepEqual(c.relaySuppliedOptions, [65]);
  assert.equal(c.clientClasses[0].preferredLifetime, 100);
  assert.deepEqual(c.clientClasses[0].test, {
    t: "and",
    a: { t: "vendorexists", kind: "vendor-class", enterprise: 4491 },
    b: { t: "eq", a: { t: "pkt6", field: "msgtype" }, b: { t: "lit", value: "\x00\x00\x00\x01" } },
  });
  assert.equal(c.clientClasses[1].test?.t, "or");
  assert.deepEqual(c.sharedNetworks, [{
    name: "net",
    subnetIds: [1],
    interface: "eth1",
    relayAddresses: [],
    additionalClasses: [],
  }]);
  assert.equal(c.lease.csvName, "/var/lib/kea/kea-leases6.csv");
  assert.equal(c.lease.path, "/var/lib/kea/kea-leases6.kv");
});

Deno.test("dhcp6: warnings for assigned ids and a preferred lifetime above the valid lifetime", () => {
  const text = `{"Dhcp6": {"valid-lifetime": 1800, "subnet6": [{"subnet": "2001:db8::/64"}]}}`;
  const l = parseConfigText(text, "w.json", () => "");
  assert.deepEqual(l.warnings.map((w) => `${w.path}: ${w.message}`), [
    "Dhcp6: preferred-lifetime (3600, Kea's default) is greater than valid-lifetime (1800); clients discard such leases (RFC 8415 §21.6)",
    "Dhcp6.subnet6[0]: no 'id' given; assigned id 1 (Kea 3 requires an explicit id)",
  ]);
});

Deno.test("dhcp6: a file with Dhcp4 and Dhcp6 compiles both", () => {
  const l = parseConfigText(`{"Dhcp4": {}, "Dhcp6": {}}`, "both.json", () => "");
  assert.ok(l.dhcp4);
  assert.ok(l.dhcp6);
  assert.equal(l.dhcp6.subnets.length, 0);
  assert.equal(Object.isFrozen(l.dhcp6), true);
});

Deno.test("dhcp6: ip-reservations-unique false lets two hosts reserve one address, as Kea allows", () => {
  const subnet = `"subnet6": [{"id": 1, "subnet": "2001:db8::/64", "reservations": [
    {"duid": "01:02", "ip-addresses": ["2001:db8::1"]}, {"duid": "01:03", "ip-addresses": ["2001:db8::1"]}]}]`;
  assert.throws(() => parseConfigText(`{"Dhcp6": {${subnet}}}`, "u.json", () => ""), /already reserved/);
  const l = parseConfigText(`{"Dhcp6": {"ip-reservations-unique": false, ${subnet}}}`, "u.json", () => "");
  assert.equal(l.dhcp6!.subnets[0].reservations.size, 2);
});

Deno.test("dhcp6: a custom option-def with a 16-bit code is used by option-data; code 0 is reserved", () => {
  const c = parseConfigText(
    `{"Dhcp6": {"option-def": [{"name": "my-opt", "code": 65001, "type": "string"}],
      "option-data": [{"name": "my-opt", "data": "hi"}]}}`,
    "d.json",
    () => "",
  ).dhcp6!;
  assert.equal(hex(c.options.get(65001)?.data), "6869");
  assert.throws(
    () => parseConfigText(`{"Dhcp6": {"option-def": [{"name": "z", "code": 0, "type": "uint8"}]}}`, "z.json", () => ""),
    /z\.json:1:49: Dhcp6\.option-def\[0\]\.code: option code 0 is reserved in space 'dhcp6'/,
  );
});
