/**
 * End to end, issue 15 "Show" 2 and 3, on a private PostgreSQL in the lab's `dns` host (198.18.0.53):
 *
 * - two weka dhcp4 servers (srv1, srv2) on one lease database, perfdhcp against both at once through different
 *   relays (giaddr 198.18.0.100 → srv1, 198.18.0.254 → srv2), both allocating from one pool: every DHCPACK on the
 *   wire (tcpdump in both servers) is compared with the table — no address ACKed to two clients, every ACKed lease
 *   present with its client. CI runs `WEKA_SQL_LEASES` (default 3 000) leases; `deno task bench:sql-shared` runs
 *   the 100 000 of the issue (`WEKA_SQL_RATE`: DORA/s per server, default from the count, at most 1 000;
 *   `WEKA_SQL_SECS`: how long perfdhcp runs, default one exchange per client).
 * - the database SIGKILLed under 500 DORA/s and restarted: no ACK without a committed row (capture vs table), and
 *   the server recovers per `on-fail` stop-retry-exit (service off while the database is gone, back after).
 */
import assert from "node:assert/strict";
import { labSkipReason, labTest, outputTail, startWeka, until, writeConfig } from "./weka_proc.ts";
import type { Lab, LabProcess } from "./lab.ts";
import { perfdhcp } from "./perfdhcp.ts";
import { type AckSeen, acksIn } from "./pcap4.ts";
import { type SqlServer, sqlSkipReason, startSqlServer } from "../lease/sql_servers.ts";

const tag = Deno.env.get("WEKA_LAB_TAG") ?? "";
const LEASES = Number(Deno.env.get("WEKA_SQL_LEASES") ?? 3000);

function config(db: SqlServer, extra: Record<string, unknown> = {}, severity = "WARN"): Record<string, unknown> {
  return {
    Dhcp4: {
      "interfaces-config": { interfaces: ["eth0"], "dhcp-socket-type": "udp" },
      "lease-database": db.keaMap({ "max-reconnect-tries": 60, "reconnect-wait-time": 500, ...extra }),
      "valid-lifetime": 3600,
      // a /15 (198.18.0.0/15, RFC 2544's benchmarking range, which holds the lab's /16): 126 970 pool addresses, room
      // for the 100 000 leases of bench:sql-shared
      subnet4: [{ id: 1, subnet: "198.18.0.0/15", pools: [{ pool: "198.18.16.0 - 198.19.255.250" }] }],
      loggers: [{ name: "kea-dhcp4", output_options: [{ output: "stdout" }], severity }],
    },
  };
}

/** Starts tcpdump on `host`'s eth0 for the server's replies; returns a stop that yields the ACKs seen. */
async function capture(lab: Lab, host: string, dir: string): Promise<() => Promise<AckSeen[]>> {
  const file = `${dir}/${host}.pcap`;
  const p = lab.spawn(host, ["tcpdump", "-i", "eth0", "-U", "-n", "-s", "600", "-w", file, "udp", "src", "port", "67"]);
  await until(() => Promise.resolve(/listening on/.test(p.output) || undefined), 10_000, 100);
  return async () => {
    await new Promise((r) => setTimeout(r, 500));
    await p.stop("SIGINT");
    return acksIn(await Deno.readFile(file));
  };
}

/** address → hwaddr of every lease row. */
async function table(db: SqlServer): Promise<Map<string, string>> {
  const out = await db.sql(
    "SELECT address, encode(hwaddr, 'hex') FROM lease4 WHERE state = 0",
  );
  const m = new Map<string, string>();
  for (const line of out.trim().split("\n").filter(Boolean)) {
    const [a, hw] = line.split("\t");
    const n = Number(a);
    m.set([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join("."), hw.replace(/(..)(?!$)/g, "$1:"));
  }
  return m;
}

/** Every ACKed address went to one client, and the table holds each ACKed lease with that client. */
function checkAcks(acks: AckSeen[], rows: Map<string, string>): { acked: number; clients: number } {
  const byAddr = new Map<string, Set<string>>();
  for (const a of acks) {
    const s = byAddr.get(a.address) ?? new Set();
    s.add(a.mac);
    byAddr.set(a.address, s);
  }
  const twice = [...byAddr].filter(([, s]) => s.size > 1);
  assert.deepEqual(
    twice.slice(0, 5).map(([a, s]) => `${a}: ${[...s]}`),
    [],
    `${twice.length} address(es) ACKed to two clients`,
  );
  const missing = acks.filter((a) => rows.get(a.address) !== a.mac);
  assert.deepEqual(
    missing.slice(0, 5).map((a) => `${a.address} → ${a.mac} (table: ${rows.get(a.address) ?? "none"})`),
    [],
    `${missing.length} ACK(s) without their committed row`,
  );
  return { acked: byAddr.size, clients: new Set(acks.map((a) => a.mac)).size };
}

const why = sqlSkipReason("postgresql") ??
  labSkipReason(["/usr/bin/tcpdump", "/usr/sbin/perfdhcp"], "apt-get install tcpdump kea-admin");

labTest(
  `e2e (postgresql): two weka servers on one database under perfdhcp through two relays — ${LEASES} leases, none held twice`,
  why,
  `wkq${tag}s-`,
  "weka-sqlshared-",
  async (_t, lab, dir) => {
    const db = await startSqlServer("postgresql", { netns: lab.ns("dns"), listen: "198.18.0.53" });
    let a: LabProcess | undefined, b: LabProcess | undefined;
    try {
      const cfg = await writeConfig(dir, config(db));
      a = await startWeka(lab, "srv1", cfg);
      b = await startWeka(lab, "srv2", cfg);
      const stops = [await capture(lab, "srv1", dir), await capture(lab, "srv2", dir)];
      const each = Math.ceil(LEASES / 2);
      const rate = Number(Deno.env.get("WEKA_SQL_RATE")) || Math.min(1000, Math.max(200, Math.ceil(each / 10)));
      // perfdhcp draws each exchange's client at random among `each`: WEKA_SQL_SECS runs longer, so that nearly all
      // of them get a lease (three exchanges per client reach about 95 %)
      const secs = Number(Deno.env.get("WEKA_SQL_SECS")) || Math.ceil(each / rate);
      const [ra, rb] = await Promise.all([
        perfdhcp(lab, rate, secs, { server: "198.18.0.1", host: "cli", clients: each, mac: "00:0c:01:00:00:01" }),
        perfdhcp(lab, rate, secs, { server: "198.18.0.2", host: "relay", clients: each, mac: "00:0c:02:00:00:01" }),
      ]);
      const acks = (await Promise.all(stops.map((s) => s()))).flat();
      const rows = await table(db);
      const r = checkAcks(acks, rows);
      console.log(
        `two servers: ${acks.length} ACKs (${r.acked} addresses, ${r.clients} clients), ${rows.size} rows; ` +
          `perfdhcp ${ra.rate.toFixed(0)}/s + ${rb.rate.toFixed(0)}/s, drops ${ra.raDrop}% / ${rb.raDrop}%`,
      );
      assert.ok(
        r.acked >= LEASES * 0.5,
        `only ${r.acked} of ${LEASES} leases were ACKed:\n${outputTail(a)}\n${outputTail(b)}`,
      );
    } finally {
      await a?.stop().catch(() => {});
      await b?.stop().catch(() => {});
      await db.stop();
    }
  },
);

labTest(
  "e2e (postgresql): the database SIGKILLed under 500 DORA/s and restarted — no ACK without a committed row, recovery per on-fail",
  why,
  `wkq${tag}k-`,
  "weka-sqlkill-",
  async (_t, lab, dir) => {
    const db = await startSqlServer("postgresql", { netns: lab.ns("dns"), listen: "198.18.0.53" });
    let w: LabProcess | undefined;
    try {
      const cfg = await writeConfig(dir, config(db, { "on-fail": "stop-retry-exit" }, "INFO"));
      w = await startWeka(lab, "srv1", cfg);
      const stop = await capture(lab, "srv1", dir);
      const load = perfdhcp(lab, 500, 10, { server: "198.18.0.1", host: "cli", clients: 5000 });
      await new Promise((r) => setTimeout(r, 3000));
      await db.kill();
      await new Promise((r) => setTimeout(r, 2000));
      await db.restart();
      const res = await load;
      const acks = await stop();
      const r = checkAcks(acks, await table(db));
      await until(() => Promise.resolve(/DHCP4_DB_RECONNECT_SUCCEEDED/.test(w!.output) || undefined), 20_000);
      assert.match(w.output, /DHCP4_DB_RECONNECT_LOST_CONNECTION/);
      assert.match(
        w.output,
        /DHCP4_SERVICE_DISABLED/,
        "stop-retry-exit turns the service off while the database is gone",
      );
      assert.ok(!w.exited, `the server recovered instead of exiting:\n${outputTail(w, 40)}`);
      const after = await perfdhcp(lab, 50, 2, {
        server: "198.18.0.1",
        host: "cli",
        clients: 100,
        mac: "00:0c:09:00:00:01",
      });
      assert.ok(after.received > 0, "served again after the recovery");
      console.log(
        `database kill: ${acks.length} ACKs (${r.acked} addresses) all committed; perfdhcp ${res.rate.toFixed(0)}/s ` +
          `with ${res.raDrop}% REQUEST drops while the database was down; served again after recovery`,
      );
    } finally {
      await w?.stop().catch(() => {});
      await db.stop();
    }
  },
);
