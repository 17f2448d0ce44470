/**
 * DHCPv4 shared networks in the loader (Kea `shared-networks[]`): member subnets compiled into the one subnet list
 * with their network's name, inheritance global → shared network → subnet (lifetimes, timers, flags, boot fields,
 * interface, relay, class guard, options by code, ddns-*, reservation flags), and the configurations Kea refuses,
 * each with its exact message and file position. keama's sharetwo4 output loads as written.
 */
import assert from "node:assert/strict";
import { parseConfigText } from "../../mod/config/load.ts";
import type { Dhcp4Config, Subnet4 } from "../../mod/config/model.ts";
import { stubCodec } from "./stub_codec.ts";
import { load4, noIncludes, refused } from "./load_helpers.ts";
import { isPresent } from "./kea_corpus.ts";

const byId = (c: Dhcp4Config, id: number): Subnet4 => c.subnets.find((s) => s.id === id)!;

const NET = {
  name: "lan",
  interface: "eth0",
  "valid-lifetime": 1800,
  "renew-timer": 600,
  "rebind-timer": 1200,
  authoritative: true,
  "match-client-id": false,
  "next-server": "192.0.2.9",
  "boot-file-name": "net.efi",
  relay: { "ip-addresses": ["10.9.9.9"] },
  "option-data": [
    { name: "domain-name-servers", data: "192.0.2.53" },
    { name: "domain-name", data: "net.example" },
  ],
  "ddns-qualifying-suffix": "net.example.",
  "reservations-global": true,
  subnet4: [
    { id: 1, subnet: "192.0.2.0/24", pools: [{ pool: "192.0.2.10 - 192.0.2.20" }] },
    {
      id: 2,
      subnet: "198.51.100.0/24",
      "valid-lifetime": 900,
      "match-client-id": true,
      "boot-file-name": "own.efi",
      relay: { "ip-address": "10.8.8.8" },
      "option-data": [{ name: "domain-name", data: "sub.example" }],
      "ddns-qualifying-suffix": "sub.example.",
      "reservations-global": false,
      pools: [{ pool: "198.51.100.10 - 198.51.100.20" }],
    },
  ],
};

Deno.test("shared network: members join the one subnet list after the top-level subnets, with the network's name", () => {
  const c = load4({
    "valid-lifetime": 7200,
    subnet4: [{ id: 9, subnet: "203.0.113.0/24" }],
    "shared-networks": [NET, { name: "empty" }],
  });
  assert.deepEqual(c.subnets.map((s) => [s.id, s.prefix, s.sharedNetwork]), [
    [9, "203.0.113.0/24", undefined],
    [1, "192.0.2.0/24", "lan"],
    [2, "198.51.100.0/24", "lan"],
  ]);
  assert.deepEqual(c.sharedNetworks, [
    { name: "lan", subnetIds: [1, 2], interface: "eth0", relayAddresses: [0x0a090909] },
    { name: "empty", subnetIds: [], relayAddresses: [] },
  ]);
});

Deno.test("shared network: subnets inherit global → shared network → subnet", () => {
  const c = load4({
    "valid-lifetime": 7200,
    "t1-percent": 0.4,
    "option-data": [{ name: "routers", data: "192.0.2.1" }, { name: "domain-name", data: "global.example" }],
    "shared-networks": [NET],
  });
  const [a, b] = [byId(c, 1), byId(c, 2)];
  // lifetimes and timers: the network's, unless the subnet sets its own; t1-percent from the global scope
  assert.deepEqual([a.timers.validLifetime, a.timers.renewTimer, a.timers.rebindTimer], [1800, 600, 1200]);
  assert.deepEqual([a.timers.minValidLifetime, a.timers.maxValidLifetime], [1800, 1800]);
  assert.equal(b.timers.validLifetime, 900);
  assert.equal(a.timers.t1Percent, 0.4);
  // flags and boot fields
  assert.deepEqual([a.authoritative, a.matchClientId, b.matchClientId], [true, false, true]);
  assert.deepEqual([a.nextServer, a.bootFileName, b.bootFileName], [0xc0000209, "net.efi", "own.efi"]);
  // interface and relay: every member is on the network's link and answers to its relay
  assert.deepEqual([a.interface, b.interface], ["eth0", "eth0"]);
  assert.deepEqual(a.relayAddresses, [0x0a090909]);
  assert.deepEqual(b.relayAddresses, [0x0a090909, 0x0a080808]);
  // options by code: subnet over network over global
  const text = (s: Subnet4, code: number) => new TextDecoder().decode(s.options.get(code)!.data);
  assert.equal(text(a, 15), "net.example");
  assert.equal(text(b, 15), "sub.example");
  assert.deepEqual([...a.options.get(6)!.data], [192, 0, 2, 53]);
  assert.deepEqual([...b.options.get(3)!.data], [192, 0, 2, 1]);
  // ddns-* and reservation flags
  assert.equal(a.ddns?.qualifyingSuffix, "net.example.");
  assert.equal(b.ddns?.qualifyingSuffix, "sub.example.");
  assert.deepEqual([a.reservationsGlobal, b.reservationsGlobal], [true, false]);
});

Deno.test("shared network: a class guard and reservation-mode on the network reach members that set none", () => {
  const c = load4({
    "client-classes": [{ name: "gold", test: "option[60].exists" }],
    "shared-networks": [{
      name: "n",
      "client-class": "gold",
      "reservation-mode": "disabled",
      subnet4: [
        { id: 1, subnet: "192.0.2.0/24" },
        { id: 2, subnet: "198.51.100.0/24", "client-classes": [], "reservations-in-subnet": true },
      ],
    }],
  });
  assert.deepEqual(byId(c, 1).clientClasses, ["gold"]);
  assert.deepEqual([byId(c, 1).reservationsInSubnet, byId(c, 1).reservationsGlobal], [false, false]);
  assert.equal(byId(c, 2).clientClasses, undefined, "an empty client-classes list on the subnet opens it");
  assert.deepEqual([byId(c, 2).reservationsInSubnet, byId(c, 2).reservationsGlobal], [true, false]);
});

Deno.test("shared network: subnet ids are numbered across networks and plain subnets alike", () => {
  const c = load4({
    subnet4: [{ id: 1, subnet: "203.0.113.0/24" }],
    "shared-networks": [{ name: "n", subnet4: [{ subnet: "192.0.2.0/24" }, { id: 2, subnet: "198.51.100.0/24" }] }],
  });
  assert.deepEqual(c.subnets.map((s) => s.id), [1, 3, 2]);
  assert.deepEqual(c.sharedNetworks?.[0].subnetIds, [3, 2]);
});

Deno.test("shared network: keama's sharetwo4 output loads as written", () => {
  const text = `{ "Dhcp4": { "interfaces-config": { "interfaces": [ "en0" ] },
    "shared-networks": [ { "name": "foobar", "subnet4": [
      { "id": 1, "subnet": "10.5.5.0/27", "valid-lifetime": 3600,
        "option-data": [ { "space": "dhcp4", "name": "domain-name", "code": 15, "data": "x" } ],
        "pools": [ { "pool": "10.5.5.5 - 10.5.5.10" } ] },
      { "id": 2, "subnet": "10.10.10.0/27", "pools": [ { "pool": "10.10.10.5 - 10.10.10.10" } ] } ],
      "interface": "en0", "valid-lifetime": 1800 } ] } }`;
  const c = parseConfigText(text, "sharetwo4.json", noIncludes, { codec: stubCodec }).dhcp4!;
  assert.deepEqual(c.subnets.map((s) => [s.id, s.interface, s.timers.validLifetime, s.sharedNetwork]), [
    [1, "en0", 3600, "foobar"],
    [2, "en0", 1800, "foobar"],
  ]);
});

Deno.test("shared network: a relay address shared with a subnet outside the network is accepted with a warning", () => {
  const c = parseConfigText(
    JSON.stringify({
      Dhcp4: {
        subnet4: [{ id: 9, subnet: "203.0.113.0/24", relay: { "ip-addresses": ["10.9.9.9"] } }],
        "shared-networks": [{ ...NET, subnet4: [NET.subnet4[0]] }],
      },
    }),
    "w.json",
    noIncludes,
    { codec: stubCodec },
  );
  assert.deepEqual(
    c.warnings.map((w) => `${w.path}: ${w.message}`),
    [
      "Dhcp4.shared-networks[0].relay: relay address 10.9.9.9 already selects subnet 203.0.113.0/24; " +
      "queries relayed from it never reach shared network 'lan'",
    ],
  );
});

Deno.test("shared network: bad configurations are refused with Kea's rule, the path and the position", () => {
  const cases: [string, string][] = [
    [
      `{ "Dhcp4": { "shared-networks": [\n  { "name": "a" },\n  { "name": "a" }\n] } }`,
      `s.json:3:13: Dhcp4.shared-networks[1].name: shared network name 'a' is already used by ` +
      `Dhcp4.shared-networks[0]`,
    ],
    [
      `{ "Dhcp4": { "shared-networks": [\n  { "subnet4": [] }\n] } }`,
      `s.json:2:3: Dhcp4.shared-networks[0]: missing required key 'name'`,
    ],
    [
      `{ "Dhcp4": { "shared-networks": [\n  { "name": "" }\n] } }`,
      `s.json:2:13: Dhcp4.shared-networks[0].name: must not be empty`,
    ],
    [
      `{ "Dhcp4": { "shared-networks": [ { "name": "n", "interface": "eth0", "subnet4": [\n` +
      `  { "id": 1, "subnet": "192.0.2.0/24", "interface": "eth1" }\n] } ] } }`,
      `s.json:2:53: Dhcp4.shared-networks[0].subnet4[0].interface: subnet 192.0.2.0/24 is on interface 'eth1', ` +
      `but shared network 'n' is on 'eth0'; the subnets of a shared network share one link`,
    ],
    [
      `{ "Dhcp4": { "shared-networks": [ { "name": "n", "subnet4": [\n` +
      `  { "id": 1, "subnet": "192.0.2.0/24", "interface": "eth1" },\n` +
      `  { "id": 2, "subnet": "198.51.100.0/24", "interface": "eth2" }\n] } ] } }`,
      `s.json:3:56: Dhcp4.shared-networks[0].subnet4[1].interface: subnet 198.51.100.0/24 is on interface 'eth2', ` +
      `but Dhcp4.shared-networks[0].subnet4[0] of shared network 'n' is on 'eth1'; the subnets of a shared ` +
      `network share one link`,
    ],
    [
      `{ "Dhcp4": { "subnet4": [ { "id": 7, "subnet": "192.0.2.0/24" } ],\n` +
      `  "shared-networks": [ { "name": "n", "subnet4": [ { "id": 7, "subnet": "198.51.100.0/24" } ] } ] } }`,
      `s.json:2:60: Dhcp4.shared-networks[0].subnet4[0].id: subnet id 7 is already used by Dhcp4.subnet4[0]`,
    ],
    [
      `{ "Dhcp4": { "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24" } ],\n` +
      `  "shared-networks": [ { "name": "n", "subnet4": [ { "id": 2, "subnet": "192.0.2.0/24" } ] } ] } }`,
      `s.json:2:73: Dhcp4.shared-networks[0].subnet4[0].subnet: subnet 192.0.2.0/24 is already defined at ` +
      `Dhcp4.subnet4[0] (a prefix may be configured once)`,
    ],
    [
      `{ "Dhcp4": { "shared-networks": [ { "name": "n",\n  "pools": [] } ] } }`,
      `s.json:2:3: Dhcp4.shared-networks[0].pools: unknown or unsupported key 'pools'`,
    ],
    [
      `{ "Dhcp4": { "shared-networks": [ { "name": "n", "allocator": "flq",\n  "adaptive-lease-time-threshold": 0.5, ` +
      `"subnet4": [ { "id": 1, "subnet": "192.0.2.0/24" } ] } ] } }`,
      `s.json:2:54: Dhcp4.shared-networks[0].subnet4[0]: 'adaptive-lease-time-threshold' 0.5 applies to this subnet, ` +
      `which allocates with flq: not supported by weka yet (weka's flq grants the usual lifetimes whatever the pool ` +
      `occupancy; remove the threshold or set it to 1)`,
    ],
    [
      `{ "Dhcp4": { "shared-networks": [ { "name": "n", "valid-lifetime": 100,\n  "min-valid-lifetime": 200 } ] } }`,
      `s.json:2:25: Dhcp4.shared-networks[0].min-valid-lifetime: min-valid-lifetime (200) is greater than ` +
      `valid-lifetime (100)`,
    ],
    [
      `{ "Dhcp4": { "shared-networks": [ { "name": "n", "valid-lifetime": 100, "subnet4": [\n` +
      `  { "id": 1, "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.3.1 - 192.0.3.9" } ] } ] } ] } }`,
      `s.json:2:61: Dhcp4.shared-networks[0].subnet4[0].pools[0].pool: pool 192.0.3.1-192.0.3.9 is not inside ` +
      `subnet 192.0.2.0/24`,
    ],
  ];
  for (const [text, want] of cases) assert.deepEqual(refused(text, "s.json")[0], want, text);
});

const KEA_EXAMPLE = new URL("../../../shared/conformance/kea-examples/kea22-kea4/shared-network.json", import.meta.url)
  .pathname;
const haveExample = isPresent(KEA_EXAMPLE, "file");

Deno.test({
  name: "shared network: Kea 2.2's shared-network.json example compiles with network 'frog' inherited",
  ignore: !haveExample,
  fn: () => {
    const c = parseConfigText(Deno.readTextFileSync(KEA_EXAMPLE), KEA_EXAMPLE, noIncludes).dhcp4!;
    assert.deepEqual(c.subnets.map((s) => [s.id, s.prefix, s.sharedNetwork, s.interface]), [
      [3, "192.0.3.0/24", undefined, "eth0"],
      [1, "10.0.0.0/8", "frog", "eth1"],
      [2, "192.0.2.0/24", "frog", "eth1"],
    ]);
    const s2 = byId(c, 2);
    // the subnet's own timers win; the network's authoritative reaches it; match-client-id is the subnet's own
    assert.deepEqual([s2.timers.validLifetime, s2.timers.renewTimer, s2.timers.rebindTimer], [30, 10, 20]);
    assert.deepEqual([s2.authoritative, s2.matchClientId, byId(c, 3).authoritative], [true, true, false]);
    assert.deepEqual(c.sharedNetworks?.map((n) => [n.name, n.subnetIds, n.interface]), [["frog", [1, 2], "eth1"]]);
  },
});
