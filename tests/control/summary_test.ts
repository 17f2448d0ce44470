/**
 * The status summary (mod/control/page/summary.js) that the status page and `weka status` share: pool use from
 * Kea's per-subnet statistics summed per shared network, HA views from status-get's `high-availability`, packet
 * rates from a counter's samples, the search command for a text; and the bounded ring of recent warnings
 * (mod/log/recent.ts) that status-get's `recent-warnings` shows.
 */
import assert from "node:assert/strict";
import { formatSummary, rateSeries, searchCommand, statTime, summarize } from "../../mod/control/page/summary.js";
import { forgetRecent, RECENT_MAX, recentLines, recentSink } from "../../mod/log/recent.ts";
import type { LogRecord } from "@logtape/logtape";

const stat = (v: number, t = "2026-12-06 10:00:00.000000000") => [[v, t]];

Deno.test("summary: pools per subnet and shared network, HA with the partner's last heartbeat, counters", () => {
  const s = summarize({
    config: {
      Dhcp4: {
        subnet4: [{ id: 1, subnet: "198.18.0.0/16" }],
        "shared-networks": [{
          name: "lan",
          subnet4: [{ id: 2, subnet: "10.0.0.0/24" }, { id: 3, subnet: "10.0.1.0/24" }],
        }],
      },
    },
    stats: {
      "subnet[1].total-addresses": stat(100),
      "subnet[1].assigned-addresses": stat(25),
      "subnet[2].total-addresses": stat(50),
      "subnet[2].assigned-addresses": stat(50),
      "subnet[3].total-addresses": stat(50),
      "subnet[3].assigned-addresses": stat(10),
      "subnet[3].declined-addresses": stat(2),
      "pkt4-received": [[30, "2026-12-06 10:00:20.000"], [10, "2026-12-06 10:00:10.000"], [
        0,
        "2026-12-06 10:00:00.000",
      ]],
      "pkt4-ack-sent": stat(9),
      "ncr-sent": stat(4),
      "ncr-queue-full": stat(0),
    },
    status: {
      pid: 42,
      uptime: 3700,
      reload: 60,
      sockets: { status: "ready" },
      "dhcp-state": { "globally-disabled": false },
      "high-availability": [{
        "ha-mode": "hot-standby",
        "ha-servers": {
          local: { "server-name": "server1", role: "primary", state: "partner-down" },
          remote: {
            "server-name": "server2",
            role: "standby",
            "last-state": "hot-standby",
            age: 7,
            "in-touch": true,
            "communication-interrupted": true,
            "unacked-clients": 0,
          },
        },
      }],
      "recent-warnings": [{ time: "t", level: "WARN", logger: "kea-dhcp4", id: "HA_X", text: "partner gone" }],
    },
  });
  assert.equal(s.family, 4);
  assert.deepEqual(s.subnets.map((p) => [p.id, p.prefix, p.network, p.assigned, p.total]), [
    [1, "198.18.0.0/16", "", 25, 100],
    [2, "10.0.0.0/24", "lan", 50, 50],
    [3, "10.0.1.0/24", "lan", 10, 50],
  ]);
  assert.deepEqual(s.networks, [{ name: "lan", total: 100, assigned: 60, declined: 2, subnets: [2, 3] }]);
  assert.equal(s.leases, 87);
  assert.equal(s.ha[0].local.state, "partner-down");
  assert.equal(s.ha[0].remote?.age, 7);
  assert.deepEqual(s.ddns, { "ncr-queue-full": 0, "ncr-sent": 4 });
  assert.deepEqual(s.rates.map((r) => r.perSecond), [1, 2]);
  const text = formatSummary(s, "/run/weka/ctrl");
  assert.match(text, /pid 42, up 1h 1m/);
  assert.match(text, /subnet 2 +10\.0\.0\.0\/24 +\[#{20}\] 50 \/ 50 \(100 %\)\s+\[lan\]/);
  assert.match(text, /network lan: \[#{12}\.{8}\] 60 \/ 100 \(60 %\)/);
  assert.match(text, /this server server1 \(primary\) is partner-down/);
  assert.match(
    text,
    /partner server2 \(standby\): last state hot-standby, last heard 7s ago, communication interrupted/,
  );
  assert.match(text, /WARN HA_X partner gone/);
});

Deno.test("summary: DHCPv6 documents count NAs; statistic times parse; rates skip non-increasing time", () => {
  const s = summarize({
    config: { Dhcp6: { subnet6: [{ id: 5, subnet: "2001:db8:a::/64" }] } },
    stats: { "subnet[5].total-nas": stat(1000), "subnet[5].assigned-nas": stat(3) },
    status: {},
  });
  assert.equal(s.family, 6);
  assert.deepEqual([s.subnets[0].assigned, s.subnets[0].total], [3, 1000]);
  assert.equal(statTime("2026-12-06 10:00:00.250000000"), Date.UTC(2026, 11, 6, 10, 0, 0, 250));
  assert.ok(Number.isNaN(statTime("yesterday")));
  assert.deepEqual(rateSeries([[5, "2026-12-06 10:00:00.000"], [1, "2026-12-06 10:00:00.000"]]), []);
  assert.deepEqual(rateSeries("junk"), []);
});

Deno.test("summary: a search text becomes the lease command that finds it on the server", () => {
  assert.deepEqual(searchCommand("198.18.1.5", 4), ["lease4-get", { "ip-address": "198.18.1.5" }]);
  assert.deepEqual(searchCommand("02-00-00-AA-BB-01", 4), ["lease4-get-by-hw-address", {
    "hw-address": "02:00:00:aa:bb:01",
  }]);
  assert.deepEqual(searchCommand("01:02:00:00:aa:bb:01", 4), ["lease4-get-by-client-id", {
    "client-id": "01:02:00:00:aa:bb:01",
  }]);
  assert.deepEqual(searchCommand("printer", 4), ["lease4-get-by-hostname", { hostname: "printer" }]);
  assert.deepEqual(searchCommand("2001:db8:a::100", 6), ["lease6-get", { "ip-address": "2001:db8:a::100" }]);
});

Deno.test("recent warnings: warnings and errors only, id split from the text, bounded ring, long text cut", () => {
  forgetRecent();
  const sink = recentSink(() => "T");
  const rec = (level: LogRecord["level"], msg: string) =>
    ({
      level,
      message: [msg],
      category: ["kea-dhcp4", "ha"],
      timestamp: 0,
      rawMessage: msg,
      properties: {},
    }) as LogRecord;
  sink(rec("info", "DHCP4_LEASE_ALLOC fine"));
  sink(rec("warning", "HA_COMMUNICATION_INTERRUPTED partner silent"));
  sink(rec("error", "DHCP4_OPEN_SOCKET_FAIL " + "x".repeat(1000)));
  const l = recentLines();
  assert.equal(l.length, 2);
  assert.deepEqual(l[0], {
    time: "T",
    level: "WARN",
    logger: "kea-dhcp4.ha",
    id: "HA_COMMUNICATION_INTERRUPTED",
    text: "partner silent",
  });
  assert.equal(l[1].level, "ERROR");
  assert.ok(l[1].text.length <= 401);
  for (let i = 0; i < RECENT_MAX + 30; i++) sink(rec("warning", `W${i} flood`));
  const after = recentLines();
  assert.equal(after.length, RECENT_MAX);
  assert.equal(after.at(-1)!.id, `W${RECENT_MAX + 29}`);
  forgetRecent();
});
