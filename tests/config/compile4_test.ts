/**
 * Compilation of Dhcp4 into the runtime model: Kea's defaults when nothing is configured, inheritance
 * global → subnet, options merged by code (subnet wins), pools, reservations, interfaces, lease database paths,
 * hooks and control sockets.
 */
import assert from "node:assert/strict";
import { parseConfigText } from "../../mod/config/load.ts";
import { ConfigError } from "../../mod/config/errors.ts";
import { stubCodec } from "./stub_codec.ts";
import { load4, noIncludes } from "./load_helpers.ts";

Deno.test("compile: an almost empty Dhcp4 gets Kea's defaults", () => {
  const c = load4({ subnet4: [{ id: 5, subnet: "192.0.2.0/24" }] });
  assert.deepEqual(c.interfaces, []);
  assert.equal(c.socketType, "raw");
  assert.equal(c.echoClientId, true);
  assert.equal(c.declineProbationPeriod, 86400);
  assert.deepEqual(c.expired, {
    reclaimTimerWaitTime: 10,
    flushReclaimedTimerWaitTime: 25,
    holdReclaimedTime: 3600,
    maxReclaimLeases: 100,
    maxReclaimTime: 250,
    unwarnedReclaimCycles: 5,
  });
  assert.deepEqual(c.lease, {
    type: "memfile",
    path: "/var/lib/kea/kea-leases4.kv",
    csvName: "/var/lib/kea/kea-leases4.csv",
    persist: true,
  });
  const s = c.subnets[0];
  assert.equal(s.id, 5);
  assert.deepEqual(s.timers, {
    validLifetime: 7200,
    minValidLifetime: 7200,
    maxValidLifetime: 7200,
    renewTimer: undefined,
    rebindTimer: undefined,
    calculateTeeTimes: false,
    t1Percent: 0.5,
    t2Percent: 0.875,
  });
  assert.equal(s.authoritative, false);
  assert.equal(s.matchClientId, true);
  assert.equal(s.nextServer, 0);
  assert.equal(s.serverHostname, "");
  assert.equal(s.bootFileName, "");
  assert.deepEqual(c.loggers, [{
    name: "kea-dhcp4",
    severity: "INFO",
    debuglevel: 0,
    outputs: [{ output: "stdout", flush: true, maxsize: 10240000, maxver: 1 }],
  }]);
  assert.deepEqual(c.hooks, []);
  assert.ok(Object.isFrozen(c));
});

Deno.test("compile: subnet parameters inherit from the global scope and override it", () => {
  const c = load4({
    "valid-lifetime": 4000,
    "min-valid-lifetime": 3000,
    "max-valid-lifetime": 5000,
    "renew-timer": 1000,
    "rebind-timer": 2000,
    "calculate-tee-times": true,
    "t1-percent": 0.4,
    authoritative: true,
    "match-client-id": false,
    "next-server": "192.0.2.1",
    "boot-file-name": "pxelinux.0",
    subnet4: [
      { id: 1, subnet: "192.0.2.0/24" },
      {
        id: 2,
        subnet: "198.51.100.0/24",
        "valid-lifetime": 4500,
        "renew-timer": 1500,
        authoritative: false,
        "next-server": "198.51.100.2",
        "server-hostname": "boot2",
      },
    ],
  });
  const [a, b] = c.subnets;
  assert.deepEqual(a.timers, {
    validLifetime: 4000,
    minValidLifetime: 3000,
    maxValidLifetime: 5000,
    renewTimer: 1000,
    rebindTimer: 2000,
    calculateTeeTimes: true,
    t1Percent: 0.4,
    t2Percent: 0.875,
  });
  assert.equal(a.authoritative, true);
  assert.equal(a.matchClientId, false);
  assert.equal(a.nextServer, 0xc0000201);
  assert.equal(a.bootFileName, "pxelinux.0");
  assert.equal(b.timers.validLifetime, 4500);
  assert.equal(b.timers.minValidLifetime, 3000);
  assert.equal(b.timers.renewTimer, 1500);
  assert.equal(b.timers.rebindTimer, 2000);
  assert.equal(b.authoritative, false);
  assert.equal(b.nextServer, 0xc6336402);
  assert.equal(b.serverHostname, "boot2");
  assert.equal(b.bootFileName, "pxelinux.0");
});

Deno.test("compile: options merge global → subnet by code, pool and reservation options stay their own", () => {
  const c = load4({
    "option-data": [
      { name: "domain-name-servers", data: "192.0.2.53, 192.0.2.54", "always-send": true },
      { name: "domain-name", data: "example.org" },
    ],
    subnet4: [{
      id: 1,
      subnet: "192.0.2.0/24",
      "option-data": [{ code: 6, data: "192.0.2.99" }, { name: "routers", data: "192.0.2.1" }],
      pools: [{
        pool: "192.0.2.10-192.0.2.20",
        "pool-id": 7,
        "option-data": [{ name: "domain-name", data: "pool.example" }],
      }],
      reservations: [{
        "hw-address": "AA-BB-CC-DD-EE-FF",
        "ip-address": "192.0.2.30",
        hostname: "printer",
        "option-data": [{ name: "routers", data: "192.0.2.254" }],
      }],
    }],
  });
  assert.deepEqual([...c.options.keys()], [6, 15]);
  const s = c.subnets[0];
  assert.deepEqual([...s.options.keys()].sort((x, y) => x - y), [3, 6, 15]);
  const dns = s.options.get(6)!;
  assert.deepEqual([...dns.data], [192, 0, 2, 99]);
  assert.equal(dns.alwaysSend, true, "always-send is sticky across scopes (Kea)");
  assert.equal(new TextDecoder().decode(s.options.get(15)!.data), "example.org");
  assert.deepEqual(s.pools, [{
    start: 0xc000020a,
    end: 0xc0000214,
    poolId: 7,
    options: new Map([[15, {
      code: 15,
      space: "dhcp4",
      data: new TextEncoder().encode("pool.example"),
      alwaysSend: false,
      neverSend: false,
    }]]),
  }]);
  const r = s.reservations.get("aa:bb:cc:dd:ee:ff")!;
  assert.equal(r.ipAddress, 0xc000021e);
  assert.equal(r.hostname, "printer");
  assert.deepEqual([...r.options.get(3)!.data], [192, 0, 2, 254]);
  assert.deepEqual([...s.reservedAddresses], [[0xc000021e, "aa:bb:cc:dd:ee:ff"]]);
});

Deno.test("compile: a prefix pool covers the whole prefix; relay addresses accept both spellings", () => {
  const c = load4({
    subnet4: [{
      id: 1,
      subnet: "10.1.0.0/16",
      interface: "eth1",
      pools: [{ pool: "10.1.2.0/24" }],
      relay: { "ip-addresses": ["10.1.0.1"], "ip-address": "10.1.0.2" },
    }],
  });
  const s = c.subnets[0];
  assert.deepEqual([s.pools[0].start, s.pools[0].end], [0x0a010200, 0x0a0102ff]);
  assert.deepEqual(s.relayAddresses, [0x0a010001, 0x0a010002]);
  assert.equal(s.interface, "eth1");
  assert.equal(s.mask, 0xffff0000);
  assert.equal(s.network, 0x0a010000);
  assert.equal(s.len, 16);
});

Deno.test("compile: interfaces, socket type, lease database, hooks and control sockets", () => {
  const c = load4({
    "interfaces-config": { interfaces: ["eth0", "eth1/192.0.2.1", "*"], "dhcp-socket-type": "udp", "re-detect": false },
    "lease-database": { type: "memfile", name: "/var/lib/kea/leases.v4.csv", persist: false, "lfc-interval": 0 },
    "hooks-libraries": [
      { library: "/usr/lib/kea/hooks/libdhcp_lease_cmds.so", parameters: { "binding-variables": [] } },
    ],
    "control-socket": { "socket-type": "unix", "socket-name": "/run/kea/kea4.sock" },
    "control-sockets": [{ "socket-type": "http", "socket-address": "127.0.0.1", "socket-port": 8004 }],
  });
  assert.deepEqual(c.interfaces, [{ name: "eth0" }, { name: "eth1", address: 0xc0000201 }, { name: "*" }]);
  assert.equal(c.socketType, "udp");
  assert.deepEqual(c.lease, {
    type: "memfile",
    path: "/var/lib/kea/leases.v4.kv",
    csvName: "/var/lib/kea/leases.v4.csv",
    persist: false,
  });
  assert.deepEqual(c.hooks, ["libdhcp_lease_cmds.so"]);
  assert.deepEqual(c.hookParameters.get("libdhcp_lease_cmds.so"), { "binding-variables": [] });
  assert.deepEqual(c.controlSockets.map((s) => [s.type, s.name, s.address, s.port]), [
    ["unix", "/run/kea/kea4.sock", undefined, undefined],
    ["http", undefined, "127.0.0.1", 8004],
  ]);
});

Deno.test("compile: kv lease database uses its name, or weka's default path", () => {
  assert.deepEqual(load4({ "lease-database": { type: "kv" } }).lease, {
    type: "kv",
    path: "/var/lib/weka/leases4.kv",
    persist: true,
  });
  assert.equal(load4({ "lease-database": { type: "kv", name: "/srv/l.kv" } }).lease.path, "/srv/l.kv");
});

Deno.test("compile: loggers accept output_options (Kea 2.2) and output-options", () => {
  const c = load4({
    loggers: [
      {
        name: "kea-dhcp4",
        output_options: [{ output: "/var/log/weka.log", maxsize: 1048576, maxver: 4, pattern: "%m\n" }],
        severity: "DEBUG",
        debuglevel: 40,
      },
      { name: "kea-dhcp4.packets", "output-options": [{ output: "syslog", flush: false }], severity: "WARN" },
    ],
  });
  assert.deepEqual(c.loggers, [
    {
      name: "kea-dhcp4",
      severity: "DEBUG",
      debuglevel: 40,
      outputs: [{ output: "/var/log/weka.log", flush: true, maxsize: 1048576, maxver: 4, pattern: "%m\n" }],
    },
    {
      name: "kea-dhcp4.packets",
      severity: "WARN",
      debuglevel: 0,
      outputs: [{ output: "syslog", flush: false, maxsize: 10240000, maxver: 1 }],
    },
  ]);
});

Deno.test("compile: subnets without id get the next free ids, with a warning", () => {
  const r = parseConfigText(
    JSON.stringify({
      Dhcp4: { subnet4: [{ subnet: "10.0.0.0/24" }, { id: 1, subnet: "10.0.1.0/24" }, { subnet: "10.0.2.0/24" }] },
    }),
    "ids.json",
    noIncludes,
    { codec: stubCodec },
  );
  assert.deepEqual(r.dhcp4!.subnets.map((s) => s.id), [2, 1, 3]);
  assert.equal(r.warnings.length, 2);
  assert.match(r.warnings[0].message, /no 'id' given; assigned id 2/);
});

Deno.test("compile: comments, user-context and DhcpDdns are accepted; Control-agent is compiled for weka run", () => {
  const r = parseConfigText(
    `{ "Dhcp4": { "comment": "lab", "user-context": { "a": 1 }, "subnet4": [ { "id": 1, "subnet": "10.0.0.0/8",
       "comment": "x", "pools": [ { "pool": "10.0.0.5-10.0.0.9", "user-context": {} } ] } ] },
       "DhcpDdns": { "ip-address": "127.0.0.1" }, "Control-agent": { "http-port": 8000 } }`,
    "c.json",
    noIncludes,
    { codec: stubCodec },
  );
  assert.deepEqual(r.d2?.raw, { "ip-address": "127.0.0.1" });
  assert.equal(r.d2?.port, 53001);
  assert.equal(r.dhcp4!.subnets.length, 1);
  assert.deepEqual(r.warnings.map((w) => w.path), []);
  assert.equal(r.agent?.listener.port, 8000);
});

Deno.test("the HA hook's parameters are compiled: an empty relationship list is refused in Kea's words", () => {
  assert.throws(
    () =>
      load4({
        "hooks-libraries": [{ library: "/usr/lib/kea/hooks/libdhcp_ha.so", parameters: { "high-availability": [] } }],
      }),
    (e: unknown) =>
      e instanceof ConfigError &&
      /hooks-libraries\[0\]\.parameters\.high-availability: invalid number of configurations in the HA configuration list\. Expected exactly one configuration/
        .test(e.format()),
  );
});
