/**
 * Kea's server-wide keys in the loader (schema_server.ts, compile_server.ts): Kea 2.2's defaults when absent; what
 * `multi-threading` and `dhcp-queue-control` become (the receive round's size) with one INFO notice each; the
 * parked-packet limit, statistics sampling and sanity-check modes compiled; `server-tag` and
 * `reservations-lookup-first` noticed; the DHCPv4-over-DHCPv6 keys accepted at Kea's defaults and refused in one
 * line otherwise; Kea 2.2's deprecated `dhcp-ddns` spellings moved to their global keys with Kea's message.
 */
import assert from "node:assert/strict";
import { ConfigError, formatProblem } from "../../mod/config/errors.ts";
import { parseConfigText } from "../../mod/config/load.ts";
import { QueueStats } from "../../mod/stats/queue_stats.ts";
import { Stats } from "../../mod/stats/stats.ts";

const load = (doc: Record<string, unknown>) => parseConfigText(JSON.stringify(doc), "k.json", () => "");
const SUBNET4 = { id: 1, subnet: "192.0.2.0/24", pools: [{ pool: "192.0.2.10 - 192.0.2.20" }] };

function refused(doc: Record<string, unknown>): string[] {
  try {
    load(doc);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${p.path}: ${p.message}`);
    throw e;
  }
  assert.fail("the configuration was accepted");
}

Deno.test("server keys: Kea 2.2's defaults when absent, and no notice", () => {
  const c = load({ Dhcp4: { subnet4: [SUBNET4] } });
  const t = c.dhcp4!.tuning!;
  assert.deepEqual(
    [t.multiThreading, t.threadPoolSize, t.packetQueueSize, t.queue, t.receiveBatch, t.parkedPacketLimit],
    [false, 0, 64, { enabled: false, type: "kea-ring4", capacity: 64 }, 256, 256],
  );
  assert.deepEqual([t.serverTag, t.statisticSampleCount, t.statisticSampleAge, t.leaseChecks], ["", 20, 0, "warn"]);
  assert.deepEqual(c.notices, []);
});

Deno.test("multi-threading: the packet queue size bounds the receive round; one notice says what weka does", () => {
  const c = load({
    Dhcp4: {
      subnet4: [SUBNET4],
      "multi-threading": { "enable-multi-threading": true, "thread-pool-size": 8, "packet-queue-size": 32 },
      "dhcp-queue-control": { "enable-queue": true, "queue-type": "kea-ring4", capacity: 500 },
    },
  });
  const t = c.dhcp4!.tuning!;
  assert.deepEqual([t.multiThreading, t.threadPoolSize, t.receiveBatch], [true, 8, 32]);
  assert.deepEqual(c.notices.map((n) => n.path), ["Dhcp4.multi-threading", "Dhcp4.dhcp-queue-control"]);
  assert.match(c.notices[0].message, /one thread .* thread-pool-size is not used .* bounds each receive round to 32/);
  assert.match(c.notices[1].message, /not used while multi-threading is enabled/);
  const q = load({
    Dhcp6: { "dhcp-queue-control": { "enable-queue": true, "queue-type": "kea-ring6", capacity: 100 } },
  });
  assert.equal(q.dhcp6!.tuning!.receiveBatch, 100);
  assert.match(formatProblem(q.notices[0]), /^k\.json:1:\d+: Dhcp6\.dhcp-queue-control: weka's receive queue/);
});

Deno.test("dhcp-queue-control: Kea's rules (enable-queue mandatory, a type when on, the universe's ring)", () => {
  assert.deepEqual(refused({ Dhcp4: { "dhcp-queue-control": { capacity: 5 } } }), [
    "Dhcp4.dhcp-queue-control: missing required key 'enable-queue'",
  ]);
  assert.deepEqual(refused({ Dhcp4: { "dhcp-queue-control": { "enable-queue": true } } }), [
    "Dhcp4.dhcp-queue-control: when queue is enabled, queue-type is required",
  ]);
  assert.deepEqual(refused({ Dhcp4: { "dhcp-queue-control": { "enable-queue": true, "queue-type": "kea-ring6" } } }), [
    "Dhcp4.dhcp-queue-control.queue-type: packet queue type 'kea-ring6' is not supported: weka's receive queue is Kea's 'kea-ring4'",
  ]);
  // the queue implementation's own keys are accepted, as Kea's grammar accepts them
  load({ Dhcp4: { "dhcp-queue-control": { "enable-queue": false, "queue-type": "kea-ring4", "my-knob": 1 } } });
});

Deno.test("parked-packet-limit, statistics sampling and sanity checks are compiled; server-tag etc. are noticed", () => {
  const c = load({
    Dhcp4: {
      "parked-packet-limit": 0,
      "statistic-default-sample-count": 0,
      "statistic-default-sample-age": 60,
      "sanity-checks": { "lease-checks": "fix-del", "extended-info-checks": "strict" },
      "server-tag": "edge-1",
      "reservations-lookup-first": true,
    },
  });
  const t = c.dhcp4!.tuning!;
  assert.equal(t.parkedPacketLimit, 65536, "0 is Kea's 'no limit': weka's bound");
  assert.deepEqual([t.statisticSampleCount, t.statisticSampleAge], [0, 60]);
  assert.deepEqual([t.leaseChecks, t.extendedInfoChecks, t.serverTag], ["fix-del", "strict", "edge-1"]);
  assert.deepEqual(c.notices.map((n) => n.path), [
    "Dhcp4.sanity-checks.extended-info-checks",
    "Dhcp4.server-tag",
    "Dhcp4.reservations-lookup-first",
  ]);
});

Deno.test("DHCPv4-over-DHCPv6: Kea's defaults load; 4o6 subnet keys warn they do nothing; a 4o6 port is refused", () => {
  load({ Dhcp4: { "dhcp4o6-port": 0, subnet4: [{ ...SUBNET4, "4o6-interface": "", "4o6-subnet": "" }] } });
  // with dhcp4o6-port 0 no 4o6 query arrives, in Kea as in weka: the subnet selectors are inert, said once each
  const c = load({ Dhcp4: { subnet4: [{ ...SUBNET4, "4o6-interface": "eth1", "4o6-subnet": "2001:db8:1::/64" }] } });
  assert.deepEqual(c.warnings.map((w) => w.path), ["Dhcp4.subnet4[0].4o6-interface", "Dhcp4.subnet4[0].4o6-subnet"]);
  assert.match(c.warnings[1].message, /'4o6-subnet' has no effect: .*'dhcp4o6-port', which is 0/);
  assert.deepEqual(refused({ Dhcp4: { subnet4: [{ ...SUBNET4, "4o6-subnet": "10.0.0.0/8" }] } }), [
    "Dhcp4.subnet4[0].4o6-subnet: '10.0.0.0/8' is not an IPv6 prefix (ADDR/LEN)",
  ]);
  const lines = refused({ Dhcp4: { "dhcp4o6-port": 6767, subnet4: [{ ...SUBNET4, "4o6-interface": "eth1" }] } });
  assert.deepEqual(lines, [
    "Dhcp4.dhcp4o6-port: DHCPv4-over-DHCPv6 (RFC 7341) is not served by weka: remove 'dhcp4o6-port' (or set it to 0, Kea's default)",
  ]);
});

Deno.test("config-control: accepted with one warning naming it; a file without subnets is told nothing is leased", () => {
  const cc = { "config-databases": [{ type: "mysql", name: "kea", host: "db" }], "config-fetch-wait-time": 20 };
  const c = load({ Dhcp4: { "config-control": cc, subnet4: [SUBNET4] } });
  assert.deepEqual(c.warnings.map((w) => w.path), ["Dhcp4.config-control"]);
  assert.match(c.warnings[0].message, /not read by weka: it serves only this file's configuration/);
  assert.doesNotMatch(c.warnings[0].message, /no lease is given/);
  const empty = load({ Dhcp6: { "config-control": cc } });
  assert.match(
    empty.warnings[0].message,
    /this file defines no subnet6, so no lease is given until config-set adds one/,
  );
  // the database map is checked as Kea's grammar checks it; the backend's hook is accepted with a notice
  assert.deepEqual(refused({ Dhcp4: { "config-control": { "config-databases": [{ type: "cql" }] } } }), [
    `Dhcp4.config-control.config-databases[0].type: configuration backend type must be "mysql" or "postgresql"`,
  ]);
  const hook = load({ Dhcp4: { "hooks-libraries": [{ library: "/usr/lib/kea/hooks/libdhcp_mysql_cb.so" }] } });
  assert.match(hook.notices[0].message, /'libdhcp_mysql_cb\.so' \(Kea's MySQL configuration backend\) has nothing/);
});

Deno.test("Kea 3 keys: stash-agent-options and retry-on-startup take their defaults only; ssl-mode is mapped", () => {
  load({ Dhcp4: { "stash-agent-options": false, subnet4: [SUBNET4] } });
  assert.match(refused({ Dhcp4: { "stash-agent-options": true } })[0], /'stash-agent-options: true' is not supported/);
  const db = { type: "postgresql", name: "kea", host: "db" };
  load({ Dhcp4: { "hosts-database": { ...db, "retry-on-startup": false } } });
  assert.match(
    refused({ Dhcp4: { "hosts-database": { ...db, "retry-on-startup": true } } })[0],
    /hosts-database\.retry-on-startup: 'retry-on-startup: true' is not supported by weka yet/,
  );
  // weka's PostgreSQL TLS is verify-full whenever a trust anchor is given; TLS without one is refused
  assert.deepEqual(
    load({ Dhcp4: { "hosts-database": { ...db, "ssl-mode": "verify-full", "trust-anchor": "/ca" } } })
      .notices,
    [],
  );
  const ca = load({ Dhcp4: { "hosts-database": { ...db, "ssl-mode": "verify-ca", "trust-anchor": "/ca" } } });
  assert.match(ca.notices[0].message, /always verifies the server's certificate and its host name/);
  assert.match(
    refused({ Dhcp4: { "hosts-databases": [{ ...db, "ssl-mode": "require" }] } })[0],
    /hosts-databases\[0\]\.ssl-mode: ssl-mode 'require' \(TLS without a trust anchor\) is not supported/,
  );
  assert.match(
    refused({ Dhcp4: { "lease-database": { ...db, "ssl-mode": "disable", "cert-file": "/c", "key-file": "/k" } } })[0],
    /ssl-mode 'disable' beside trust-anchor\/cert-file\/key-file/,
  );
  load({ Dhcp4: { "lease-database": { ...db, "ssl-mode": "disable" } } });
  const my = load({ Dhcp4: { "hosts-database": { ...db, type: "mysql", "ssl-mode": "require" } } });
  assert.match(my.notices[0].message, /Kea's MySQL backend ignores it/);
});

Deno.test("adaptive-lease-time-threshold: no effect without flq (a notice per scope), refused where flq applies", () => {
  const pools = [{ pool: "192.0.2.10 - 192.0.2.20" }];
  const c = load({
    Dhcp4: { "adaptive-lease-time-threshold": 0.8, subnet4: [{ ...SUBNET4, pools, allocator: "random" }] },
  });
  assert.deepEqual(c.notices.map((n) => n.path), ["Dhcp4.adaptive-lease-time-threshold"]);
  assert.match(c.notices[0].message, /no effect: Kea applies adaptive-lease-time-threshold only where the flq/);
  // 1 turns it off (Kea: disabled at 1.0), so flq with 1 loads
  load({ Dhcp4: { "adaptive-lease-time-threshold": 1, subnet4: [{ ...SUBNET4, pools, allocator: "flq" }] } });
  assert.match(
    refused({ Dhcp4: { "adaptive-lease-time-threshold": 0.8, subnet4: [{ ...SUBNET4, pools, allocator: "flq" }] } })[0],
    /^Dhcp4\.subnet4\[0\]: 'adaptive-lease-time-threshold' 0\.8 applies to this subnet, which allocates with flq/,
  );
  assert.match(
    refused({ Dhcp4: { "adaptive-lease-time-threshold": 0 } })[0],
    /must be greater than 0 and at most 1/,
  );
});

Deno.test("dhcp-ddns: Kea 2.2's deprecated spellings move to the global keys, with Kea's message", () => {
  const c = load({
    Dhcp4: {
      "ddns-generated-prefix": "global-wins",
      "dhcp-ddns": {
        "enable-updates": false,
        "qualifying-suffix": "lab.example.",
        "generated-prefix": "ignored",
        "override-client-update": true,
        "replace-client-name": "when-not-present",
      },
      subnet4: [SUBNET4],
    },
  });
  const d = c.dhcp4!.subnets[0].ddns!;
  assert.equal(d.qualifyingSuffix, "lab.example.");
  assert.equal(d.generatedPrefix, "global-wins");
  assert.equal(d.overrideClientUpdate, true);
  assert.equal(d.replaceClientName, "when-not-present");
  assert.deepEqual(c.warnings.map((w) => `${w.path}: ${w.message}`), [
    "Dhcp4.dhcp-ddns.qualifying-suffix: dhcp-ddns:qualifying-suffix is deprecated, moving it to global:ddns-qualifying-suffix",
    "Dhcp4.dhcp-ddns.generated-prefix: dhcp-ddns:generated-prefix is deprecated, using existing global:ddns-generated-prefix",
    "Dhcp4.dhcp-ddns.override-client-update: dhcp-ddns:override-client-update is deprecated, moving it to global:ddns-override-client-update",
    "Dhcp4.dhcp-ddns.replace-client-name: dhcp-ddns:replace-client-name is deprecated, moving it to global:ddns-replace-client-name",
  ]);
});

Deno.test("statistics sampling: by count, by age (with weka's cap), applied to existing statistics", () => {
  let now = 1_700_000_000_000;
  const s = new Stats(() => now, 20, 1000);
  for (let i = 0; i < 30; i++, now += 1000) s.add("pkt4-received");
  assert.equal(s.samples("pkt4-received")["pkt4-received"].length, 20);
  s.setSampleLimits(5, 0);
  assert.equal(s.samples("pkt4-received")["pkt4-received"].length, 5);
  s.setSampleLimits(0, 10);
  for (let i = 0; i < 30; i++, now += 1000) s.add("pkt4-received");
  const kept = s.samples("pkt4-received")["pkt4-received"].length;
  assert.ok(kept >= 10 && kept <= 11, `${kept} samples of the last 10 s`);
});

Deno.test("packet-queue statistics: decaying means of the depth over 10, 100 and 1000 packets", () => {
  const q = new QueueStats();
  for (let i = 0; i < 2000; i++) q.round(5); // depths 4,3,2,1,0: mean 2
  const [a10, a100, a1000] = q.averages();
  assert.ok(Math.abs(a100 - 2) < 0.2 && Math.abs(a1000 - 2) < 0.2, `${a100} ${a1000}`);
  assert.ok(a10 >= 0 && a10 <= 4);
  for (let i = 0; i < 200; i++) q.round(1); // idle: depth 0
  const after = q.averages();
  assert.ok(after[0] < 0.01 && after[1] < after[2], JSON.stringify(after));
});

Deno.test("hooks-libraries: Kea 2.7+'s SQL backend hook libraries load nothing, with one notice each", () => {
  const hooks = [{ library: "/usr/lib/kea/hooks/libdhcp_mysql.so" }, { library: "libdhcp_pgsql.so" }];
  const c4 = load({ Dhcp4: { subnet4: [SUBNET4], "hooks-libraries": hooks } });
  const c6 = load({ Dhcp6: { subnet6: [{ id: 1, subnet: "2001:db8::/64" }], "hooks-libraries": hooks } });
  for (const [c, map] of [[c4, "Dhcp4"], [c6, "Dhcp6"]] as const) {
    assert.deepEqual(c.notices.map((n) => n.path), [0, 1].map((i) => `${map}.hooks-libraries[${i}].library`));
    assert.match(c.notices[0].message, /'libdhcp_mysql\.so' \(Kea 2\.7\+'s MySQL backend\) has nothing to load/);
    assert.match(c.notices[1].message, /weka's PostgreSQL lease and host backends are built in/);
  }
});
