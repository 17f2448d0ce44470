/**
 * Bad Dhcp6 configurations are refused, each with its exact first problem: `file:line:col`, the JSON path and an
 * operator message (Kea 2.2's rule, in weka's words). Positions point at the offending value, or at the key for
 * unknown keys; every case was checked against the text by hand.
 */
import assert from "node:assert/strict";
import { ConfigError, formatProblem } from "../../mod/config/errors.ts";
import { parseConfigText } from "../../mod/config/load.ts";

/** [what, configuration text, line, col, "path: message" of the first problem] */
const CASES: [string, string, number, number, string][] = [
  [
    "unknown key",
    `{"Dhcp6": {"subnet6": [{"subnet": "2001:db8::/64",\n  "prefered-lifetime": 5}]}}`,
    2,
    3,
    "Dhcp6.subnet6[0].prefered-lifetime: unknown or unsupported key 'prefered-lifetime'",
  ],
  [
    "unsupported key",
    `{"Dhcp6": {\n  "dhcp4o6-port": 786}}`,
    2,
    19,
    "Dhcp6.dhcp4o6-port: DHCPv4-over-DHCPv6 (RFC 7341) is not served by weka: remove 'dhcp4o6-port' (or set it to 0, Kea's default)",
  ],
  [
    "unsupported subnet key",
    `{"Dhcp6": {"subnet6": [{"subnet": "2001:db8::/64", "pd-allocator": "flq", "adaptive-lease-time-threshold": 0.2, ` +
    `"pd-pools": [{"prefix": "2001:db8:1::", "prefix-len": 48, "delegated-len": 56}]}]}}`,
    1,
    75,
    "Dhcp6.subnet6[0].adaptive-lease-time-threshold: 'adaptive-lease-time-threshold' 0.2 applies to this subnet, which allocates with flq: not supported by weka yet (weka's flq grants the usual lifetimes whatever the pool occupancy; remove the threshold or set it to 1)",
  ],
  [
    "cql lease db",
    `{"Dhcp6": {"lease-database": {"type": "cql"}}}`,
    1,
    39,
    'Dhcp6.lease-database.type: lease database type \'cql\' is not supported by weka (use "memfile", "kv", "postgresql" or "mysql")',
  ],
  [
    "bad prefix",
    `{"Dhcp6": {"subnet6": [{"subnet": "2001:db8::/129"}]}}`,
    1,
    35,
    "Dhcp6.subnet6[0].subnet: '2001:db8::/129' is not an IPv6 prefix (expected ADDR/LEN)",
  ],
  [
    "v4 prefix",
    `{"Dhcp6": {"subnet6": [{"subnet": "192.0.2.0/24"}]}}`,
    1,
    35,
    "Dhcp6.subnet6[0].subnet: '192.0.2.0/24' is not an IPv6 prefix (expected ADDR/LEN)",
  ],
  [
    "pool outside",
    `{"Dhcp6": {"subnet6": [{"subnet": "2001:db8::/64",\n  "pools": [{"pool": "2001:db9::/80"}]}]}}`,
    2,
    22,
    "Dhcp6.subnet6[0].pools[0].pool: pool 2001:db9::-2001:db9::ffff:ffff:ffff is not inside subnet 2001:db8::/64",
  ],
  [
    "pool reversed",
    `{"Dhcp6": {"subnet6": [{"subnet": "2001:db8::/64", "pools": [{"pool": "2001:db8::ff - 2001:db8::1"}]}]}}`,
    1,
    71,
    "Dhcp6.subnet6[0].pools[0].pool: pool start 2001:db8::ff is after its end 2001:db8::1",
  ],
  [
    "pool overlap",
    `{"Dhcp6": {"subnet6": [{"subnet": "2001:db8::/64", "pools": [{"pool": "2001:db8::/120"},\n {"pool": "2001:db8::10-2001:db8::20"}]}]}}`,
    2,
    11,
    "Dhcp6.subnet6[0].pools[1].pool: pool 2001:db8::10-2001:db8::20 overlaps pool 2001:db8::-2001:db8::ff",
  ],
  [
    "pool garbage",
    `{"Dhcp6": {"subnet6": [{"subnet": "2001:db8::/64", "pools": [{"pool": "2001:db8::1"}]}]}}`,
    1,
    71,
    'Dhcp6.subnet6[0].pools[0].pool: \'2001:db8::1\' is not a pool (expected "2001:db8::10 - 2001:db8::ff" or "2001:db8::/120")',
  ],
  [
    "delegated shorter",
    `{"Dhcp6": {"subnet6": [{"subnet": "2001:db8::/64", "pd-pools": [{"prefix": "2001:db8:1::", "prefix-len": 48, "delegated-len": 40}]}]}}`,
    1,
    127,
    "Dhcp6.subnet6[0].pd-pools[0].delegated-len: delegated-len (40) must be greater than or equal to prefix-len (48)",
  ],
  [
    "delegated over 128",
    `{"Dhcp6": {"subnet6": [{"subnet": "2001:db8::/64", "pd-pools": [{"prefix": "2001:db8:1::", "prefix-len": 48, "delegated-len": 129}]}]}}`,
    1,
    127,
    "Dhcp6.subnet6[0].pd-pools[0].delegated-len: must be a prefix length 0..128",
  ],
  [
    "excluded outside",
    `{"Dhcp6": {"subnet6": [{"subnet": "2001:db8::/64", "pd-pools": [{"prefix": "2001:db8:1::", "prefix-len": 48, "delegated-len": 56,\n "excluded-prefix": "2001:db8:2::", "excluded-prefix-len": 64}]}]}}`,
    2,
    21,
    "Dhcp6.subnet6[0].pd-pools[0].excluded-prefix: excluded prefix 2001:db8:2::/64 is not inside the delegated prefix 2001:db8:1::/56",
  ],
  [
    "excluded len",
    `{"Dhcp6": {"subnet6": [{"subnet": "2001:db8::/64", "pd-pools": [{"prefix": "2001:db8:1::", "prefix-len": 48, "delegated-len": 56, "excluded-prefix": "2001:db8:1::", "excluded-prefix-len": 56}]}]}}`,
    1,
    189,
    "Dhcp6.subnet6[0].pd-pools[0].excluded-prefix-len: excluded-prefix-len (56) must be greater than delegated-len (56)",
  ],
  [
    "excluded alone",
    `{"Dhcp6": {"subnet6": [{"subnet": "2001:db8::/64", "pd-pools": [{"prefix": "2001:db8:1::", "prefix-len": 48, "delegated-len": 56, "excluded-prefix": "2001:db8:1::"}]}]}}`,
    1,
    150,
    "Dhcp6.subnet6[0].pd-pools[0].excluded-prefix: 'excluded-prefix' and 'excluded-prefix-len' must be given together",
  ],
  [
    "pd overlap",
    `{"Dhcp6": {"subnet6": [{"subnet": "2001:db8::/64", "pd-pools": [{"prefix": "2001:db8:1::", "prefix-len": 48, "delegated-len": 56},\n {"prefix": "2001:db8:1::", "prefix-len": 52, "delegated-len": 56}]}]}}`,
    2,
    13,
    "Dhcp6.subnet6[0].pd-pools[1].prefix: pd-pool 2001:db8:1::/52 overlaps pd-pool 2001:db8:1::-2001:db8:1:ffff:ffff:ffff:ffff:ffff",
  ],
  [
    "dup id",
    `{"Dhcp6": {"subnet6": [{"id": 1, "subnet": "2001:db8::/64"},\n {"id": 1, "subnet": "2001:db9::/64"}]}}`,
    2,
    9,
    "Dhcp6.subnet6[1].id: subnet id 1 is already used by Dhcp6.subnet6[0]",
  ],
  [
    "id range",
    `{"Dhcp6": {"subnet6": [{"id": 4294967295, "subnet": "2001:db8::/64"}]}}`,
    1,
    31,
    "Dhcp6.subnet6[0].id: subnet id 4294967295 is out of range (1..4294967294)",
  ],
  [
    "dup prefix",
    `{"Dhcp6": {"subnet6": [{"subnet": "2001:db8::/64"}],\n "shared-networks": [{"name": "n", "subnet6": [{"subnet": "2001:db8::/64"}]}]}}`,
    2,
    59,
    "Dhcp6.shared-networks[0].subnet6[0].subnet: subnet 2001:db8::/64 is already defined by Dhcp6.subnet6[0]",
  ],
  [
    "min pref",
    `{"Dhcp6": {"preferred-lifetime": 100, "min-preferred-lifetime": 50, "subnet6": [{"subnet": "2001:db8::/64", "preferred-lifetime": 40}]}}`,
    1,
    131,
    "Dhcp6.subnet6[0].preferred-lifetime: min-preferred-lifetime (50) is greater than preferred-lifetime (40)",
  ],
  [
    "max valid",
    `{"Dhcp6": {"subnet6": [{"subnet": "2001:db8::/64", "valid-lifetime": 100, "max-valid-lifetime": 50}]}}`,
    1,
    97,
    "Dhcp6.subnet6[0].max-valid-lifetime: max-valid-lifetime (50) is less than valid-lifetime (100)",
  ],
  [
    "renew rebind",
    `{"Dhcp6": {"subnet6": [{"subnet": "2001:db8::/64", "renew-timer": 100, "rebind-timer": 50}]}}`,
    1,
    67,
    "Dhcp6.subnet6[0].renew-timer: renew-timer (100) is greater than rebind-timer (50)",
  ],
  [
    "two identifiers",
    `{"Dhcp6": {"subnet6": [{"subnet": "2001:db8::/64", "reservations": [{"duid": "01:02", "hw-address": "01:02:03:04:05:06", "ip-addresses": ["2001:db8::1"]}]}]}}`,
    1,
    101,
    "Dhcp6.subnet6[0].reservations[0].hw-address: 'duid' and 'hw-address' are mutually exclusive (one identifier per reservation)",
  ],
  [
    "no identifier",
    `{"Dhcp6": {"subnet6": [{"subnet": "2001:db8::/64", "reservations": [{"ip-addresses": ["2001:db8::1"]}]}]}}`,
    1,
    69,
    "Dhcp6.subnet6[0].reservations[0]: a reservation needs one identifier: 'duid', 'hw-address' or 'flex-id'",
  ],
  [
    "bad duid",
    `{"Dhcp6": {"subnet6": [{"subnet": "2001:db8::/64", "reservations": [{"duid": "zz", "ip-addresses": ["2001:db8::1"]}]}]}}`,
    1,
    78,
    "Dhcp6.subnet6[0].reservations[0].duid: 'zz' is not a valid duid (expected hex such as \"01:02:03:04:05:06\")",
  ],
  [
    "dup duid",
    `{"Dhcp6": {"subnet6": [{"subnet": "2001:db8::/64", "reservations": [{"duid": "01:02", "ip-addresses": ["2001:db8::1"]},\n {"duid": "01:02", "ip-addresses": ["2001:db8::2"]}]}]}}`,
    2,
    11,
    "Dhcp6.subnet6[0].reservations[1].duid: a host with duid 01:02 is already reserved by reservations[0]",
  ],
  [
    "dup address",
    `{"Dhcp6": {"subnet6": [{"subnet": "2001:db8::/64", "reservations": [{"duid": "01:02", "ip-addresses": ["2001:db8::1"]},\n {"duid": "01:03", "ip-addresses": ["2001:db8::1"]}]}]}}`,
    2,
    37,
    "Dhcp6.subnet6[0].reservations[1].ip-addresses[0]: address 2001:db8::1 is already reserved by reservations[0]",
  ],
  [
    "address outside",
    `{"Dhcp6": {"subnet6": [{"subnet": "2001:db8::/64", "reservations": [{"duid": "01:02", "ip-addresses": ["2001:db9::1"]}]}]}}`,
    1,
    104,
    "Dhcp6.subnet6[0].reservations[0].ip-addresses[0]: reserved address 2001:db9::1 is not inside subnet 2001:db8::/64",
  ],
  [
    "nothing reserved",
    `{"Dhcp6": {"reservations": [{"duid": "01:02"}]}}`,
    1,
    29,
    "Dhcp6.reservations[0]: a reservation must reserve something: a hostname, ip-addresses, prefixes, option-data or client-classes",
  ],
  [
    "interface and interface-id",
    `{"Dhcp6": {"subnet6": [{"subnet": "2001:db8::/64", "interface": "eth0", "interface-id": "x"}]}}`,
    1,
    89,
    "Dhcp6.subnet6[0].interface-id: 'interface' (a directly reachable link) and 'interface-id' (a link behind relays) cannot both be set",
  ],
  [
    "shared network interface",
    `{"Dhcp6": {"shared-networks": [{"name": "a", "interface": "eth0",\n "subnet6": [{"subnet": "2001:db8::/64", "interface": "eth1"}]}]}}`,
    2,
    55,
    "Dhcp6.shared-networks[0].subnet6[0].interface: subnet 2001:db8::/64 has interface 'eth1', but shared network 'a' uses 'eth0' (set on the shared network itself)",
  ],
  [
    "dup shared network",
    `{"Dhcp6": {"shared-networks": [{"name": "a"}, {"name": "a"}]}}`,
    1,
    56,
    "Dhcp6.shared-networks[1].name: shared network 'a' is already defined by Dhcp6.shared-networks[0]",
  ],
  [
    "server-id hex",
    `{"Dhcp6": {"server-id": {"type": "EN", "identifier": "zz"}}}`,
    1,
    54,
    "Dhcp6.server-id.identifier: identifier 'zz' is not a valid string of hexadecimal digits",
  ],
  [
    "server-id type",
    `{"Dhcp6": {"server-id": {"type": "UUID"}}}`,
    1,
    34,
    'Dhcp6.server-id.type: must be "LLT", "EN" or "LL" (got "UUID")',
  ],
  [
    "htype range",
    `{"Dhcp6": {"server-id": {"type": "LLT", "htype": 70000}}}`,
    1,
    50,
    "Dhcp6.server-id.htype: must be at most 65535",
  ],
  [
    "unknown option",
    `{"Dhcp6": {"option-data": [{"name": "routers", "data": "192.0.2.1"}]}}`,
    1,
    37,
    "Dhcp6.option-data[0].name: unknown option 'routers' in space 'dhcp6'",
  ],
  [
    "bad option data",
    `{"Dhcp6": {"option-data": [{"name": "dns-servers", "data": "192.0.2.1"}]}}`,
    1,
    60,
    "Dhcp6.option-data[0].data: option 'dns-servers' (23): '192.0.2.1' is not an IPv6 address",
  ],
  [
    "option-def std clash",
    `{"Dhcp6": {"option-def": [{"name": "foo", "code": 23, "type": "uint8"}]}}`,
    1,
    51,
    "Dhcp6.option-def[0].code: option 23 'dns-servers' is a standard option of space 'dhcp6' and cannot be redefined (Kea refuses it too); use option-data with name 'dns-servers', or pick a free code such as 65000-65534",
  ],
  [
    "class option-def",
    `{"Dhcp6": {"client-classes": [{"name": "a", "option-def": []}]}}`,
    1,
    45,
    "Dhcp6.client-classes[0].option-def: unknown or unsupported key 'option-def'",
  ],
  [
    "class v4 token",
    `{"Dhcp6": {"client-classes": [{"name": "a", "test": "pkt4.mac == 0x01"}]}}`,
    1,
    53,
    "Dhcp6.client-classes[0].test: cannot parse the test of class 'a' at column 1: 'pkt4' is a DHCPv4 expression and cannot be used in Dhcp6 (in \"pkt4.mac == 0x01\")",
  ],
  [
    "class bad relay6",
    `{"Dhcp6": {"client-classes": [{"name": "a", "test": "relay6[0].option[18].txt == 'x'"}]}}`,
    1,
    53,
    "Dhcp6.client-classes[0].test: cannot parse the test of class 'a' at column 22: expected 'hex', 'text' or 'exists' after 'relay6[0].option[18].' but found 'txt' (in \"relay6[0].option[18].txt == 'x'\")",
  ],
  [
    "rapid-commit global",
    `{"Dhcp6": {"rapid-commit": true}}`,
    1,
    12,
    "Dhcp6.rapid-commit: unknown or unsupported key 'rapid-commit'",
  ],
  [
    "pool ddns key",
    `{"Dhcp6": {"subnet6": [{"subnet": "2001:db8::/64", "pools": [{"pool": "2001:db8::/120", "ddns-send-updates": true}]}]}}`,
    1,
    89,
    "Dhcp6.subnet6[0].pools[0].ddns-send-updates: 'ddns-send-updates' is not supported by weka yet",
  ],
  [
    "ha hook without its parameters",
    `{"Dhcp6": {"hooks-libraries": [{"library": "/usr/lib/kea/hooks/libdhcp_ha.so"}]}}`,
    1,
    32,
    "Dhcp6.hooks-libraries[0].parameters: missing parameter 'high-availability' (HA configuration must not be null)",
  ],
  [
    "unicast not v6",
    `{"Dhcp6": {"interfaces-config": {"interfaces": ["eth0/192.0.2.1"]}}}`,
    1,
    49,
    'Dhcp6.interfaces-config.interfaces[0]: \'eth0/192.0.2.1\' is not an interface (expected "eth0", "eth0/2001:db8::1" or "*")',
  ],
  [
    "socket type",
    `{"Dhcp6": {"interfaces-config": {"dhcp-socket-type": "raw"}}}`,
    1,
    34,
    "Dhcp6.interfaces-config.dhcp-socket-type: unknown or unsupported key 'dhcp-socket-type'",
  ],
  [
    "nothing",
    `{"Dhcp5": {}}`,
    1,
    2,
    "Dhcp5: unknown or unsupported key 'Dhcp5'",
  ],
  [
    "empty",
    `{}`,
    1,
    1,
    "the configuration holds neither a 'Dhcp4', a 'Dhcp6' nor a 'DhcpDdns' map",
  ],
];

for (const [what, text, line, col, expected] of CASES) {
  Deno.test(`dhcp6 refused: ${what}`, () => {
    assert.throws(
      () => parseConfigText(text, "bad6.json", () => ""),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${e}`);
        assert.equal(formatProblem(e.problems[0]), `bad6.json:${line}:${col}: ${expected}`);
        return true;
      },
    );
  });
}

Deno.test("dhcp6 refused: every problem of a file is listed, in file order", () => {
  const text = `{"Dhcp6": {"subnet6": [
  {"id": 1, "subnet": "2001:db8::/64", "pools": [{"pool": "2001:db9::/120"}]},
  {"id": 1, "subnet": "2001:db8:1::/64", "renew-timer": 9, "rebind-timer": 1}]}}`;
  let e: unknown;
  try {
    parseConfigText(text, "many.json", () => "");
  } catch (err) {
    e = err;
  }
  assert.ok(e instanceof ConfigError);
  assert.deepEqual(e.problems.map((p) => `${p.line}:${p.col} ${p.path}`), [
    "2:59 Dhcp6.subnet6[0].pools[0].pool",
    "3:10 Dhcp6.subnet6[1].id",
    "3:57 Dhcp6.subnet6[1].renew-timer",
  ]);
});
