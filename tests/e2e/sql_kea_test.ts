/**
 * End to end, issue 15 "Show" 1: weka and Kea 2.2 share one Kea SQL lease database (PostgreSQL, then MariaDB), in
 * the project's namespace lab (prefix `wkq<letter>`). The database runs privately in the lab's `dns` host
 * (198.18.0.53, own data directory and port, Kea schema by `kea-admin db-init`). weka dhcp4 on srv1 serves dhclient
 * on LAN A; kea-dhcp4 2.2 (libdhcp_lease_cmds.so) on srv2, on the same database, finds that lease with `lease4-get`
 * field for field and grants a second client; weka restarted finds Kea's lease with its own `lease4-get`. Then a
 * host inserted with SQL into Kea's `hosts` / `dhcp4_options` tables: weka (hosts-database) gives dhclient the
 * reserved address and option, and kea-dhcp4 2.2 with the same hosts-database gives it the same.
 * Needs root, iproute2, dhclient, kea-dhcp4 + lease_cmds hook, postgresql, mariadb-server, kea-admin; else skipped.
 */
import assert from "node:assert/strict";
import {
  controlCommand,
  HOOKS,
  labSkipReason,
  labTest,
  outputTail,
  setMac,
  startWeka,
  until,
  writeConfig,
} from "./weka_proc.ts";
import type { LabProcess } from "./lab.ts";
import { type SqlServer, sqlSkipReason, startSqlServer } from "../lease/sql_servers.ts";
import { insertHostSql } from "../lease/sql_hosts_tests.ts";

const KEA4 = "/usr/sbin/kea-dhcp4";
const tag = Deno.env.get("WEKA_LAB_TAG") ?? "";

function dhcp4(sock: string, db: SqlServer, iface: string, withHook: boolean, hosts = false): Record<string, unknown> {
  return {
    Dhcp4: {
      "interfaces-config": { interfaces: [iface] },
      "lease-database": db.keaMap({ "max-reconnect-tries": 5, "reconnect-wait-time": 1000 }),
      ...(hosts ? { "hosts-database": db.keaMap() } : {}),
      "control-socket": { "socket-type": "unix", "socket-name": sock },
      ...(withHook ? { "hooks-libraries": [{ library: `${HOOKS}/libdhcp_lease_cmds.so` }] } : {}),
      "valid-lifetime": 600,
      subnet4: [{
        id: 1,
        subnet: "198.18.0.0/16",
        pools: [{ pool: "198.18.7.10 - 198.18.7.60" }],
        "option-data": [{ name: "routers", data: "198.18.0.1" }],
      }],
      loggers: [{ name: "kea-dhcp4", output_options: [{ output: "stdout" }], severity: "INFO" }],
    },
  };
}

for (const type of ["postgresql", "mysql"] as const) {
  const why = sqlSkipReason(type) ??
    labSkipReason(
      [KEA4, `${HOOKS}/libdhcp_lease_cmds.so`, "/usr/sbin/dhclient"],
      "apt-get install kea-dhcp4-server isc-dhcp-client",
    );
  labTest(
    `e2e (${type}): weka and kea-dhcp4 2.2 share one lease database — each finds the other's lease`,
    why,
    `wkq${tag}${type[0]}-`,
    "weka-sqlkea-",
    async (t, lab, dir) => {
      const db = await startSqlServer(type, { netns: lab.ns("dns"), listen: "198.18.0.53" });
      let weka: LabProcess | undefined, kea: LabProcess | undefined;
      const wsock = `${dir}/weka.sock`, ksock = `${dir}/kea.sock`;
      const wcfg = await writeConfig(dir, dhcp4(wsock, db, "eth0", true));
      const kcfg = await writeConfig(dir, dhcp4(ksock, db, "eth0", true), "kea.json");
      const env = { KEA_PIDFILE_DIR: dir, KEA_LOCKFILE_DIR: dir };
      const dhc = ["-pf", `${dir}/dhclient.pid`, "-lf", `${dir}/dhclient.leases`, "eth0"];
      try {
        let first = "";
        const mac1 = await lab.mac("cli1", "eth0");
        await t.step("weka dhcp4 on the database serves dhclient; the row is in the table", async () => {
          weka = await startWeka(lab, "srv1", wcfg);
          const r = await lab.run("cli1", ["timeout", "30", "dhclient", "-4", "-v", "-1", ...dhc]);
          const m = /bound to (\d+\.\d+\.\d+\.\d+)/.exec(r.stdout + r.stderr);
          assert.ok(m, `dhclient got no lease:\n${r.stderr}\n${outputTail(weka)}`);
          first = m[1];
          const rows = await db.sql(`SELECT address FROM lease4`);
          assert.ok(rows.trim().split("\n").length >= 1, "a row was committed");
          await lab.run("cli1", ["dhclient", "-4", "-x", ...dhc]);
        });
        await t.step(
          "kea-dhcp4 2.2 on the same database finds weka's lease with lease4-get, field for field",
          async () => {
            await weka!.stop();
            const check = await lab.run("srv2", [KEA4, "-t", kcfg], { env });
            assert.equal(check.code, 0, `kea-dhcp4 -t refused the configuration:\n${check.stdout}${check.stderr}`);
            kea = lab.spawn("srv2", [KEA4, "-c", kcfg], { env });
            const a = await until(async () => {
              const x = await controlCommand(ksock, "lease4-get", { "ip-address": first }).catch(() => undefined);
              return x?.result === 0 ? x : undefined;
            }, 20_000);
            const l = a!.arguments as Record<string, unknown>;
            assert.equal(l["hw-address"], mac1);
            assert.equal(l["subnet-id"], 1);
            assert.equal(l["valid-lft"], 600);
            assert.equal(l.state, 0);
            assert.ok(Math.abs(Number(l.cltt) - Date.now() / 1000) < 120, `cltt ${l.cltt} is now`);
          },
        );
        let second = "";
        await t.step("Kea grants a second client from the same database (not weka's address)", async () => {
          await setMac(lab, "cli1", "eth0", "02:00:00:00:15:02");
          const r = await lab.run("cli1", ["timeout", "30", "dhclient", "-4", "-v", "-1", ...dhc]);
          const m = /bound to (\d+\.\d+\.\d+\.\d+)/.exec(r.stdout + r.stderr);
          assert.ok(m, `dhclient got no lease from Kea:\n${r.stderr}\n${outputTail(kea)}`);
          second = m[1];
          assert.notEqual(second, first, "Kea did not hand out weka's address");
          await lab.run("cli1", ["dhclient", "-4", "-x", ...dhc]);
          await kea!.stop();
        });
        await t.step("weka restarted sees Kea's lease (lease4-get from its own control socket)", async () => {
          weka = await startWeka(lab, "srv1", wcfg);
          const a = await controlCommand(wsock, "lease4-get", { "ip-address": second });
          assert.equal(a.result, 0, a.text);
          const l = a.arguments as Record<string, unknown>;
          assert.equal(l["hw-address"], "02:00:00:00:15:02");
          assert.equal(l["valid-lft"], 600);
          const all = await controlCommand(wsock, "lease4-get-all");
          assert.equal((all.arguments?.leases as unknown[]).length, 2, "both leases, from the database");
          await weka!.stop();
        });
        // a host inserted with SQL as Kea's schema has it (what host_cmds' reservation-add writes)
        const HOST_MAC = "02:00:00:00:15:03";
        await db.sql(insertHostSql(type, {
          idType: 0,
          idHex: HOST_MAC.replaceAll(":", ""),
          subnetId: 1,
          address: 0xc61207c8, // 198.18.7.200, outside the pool
          hostname: "reserved-host",
          options: [{ code: 15, formatted: "reserved.example" }],
        }));
        const hcfg = (name: string, sock: string) => writeConfig(dir, dhcp4(sock, db, "eth0", true, true), name);
        const reserved = async (who: string, proc: () => LabProcess | undefined) => {
          await setMac(lab, "cli1", "eth0", HOST_MAC);
          // no INIT-REBOOT for another MAC's address, which a non-authoritative server leaves unanswered
          await Deno.remove(`${dir}/dhclient.leases`).catch(() => {});
          const r = await lab.run("cli1", ["timeout", "30", "dhclient", "-4", "-v", "-1", ...dhc]);
          const m = /bound to (\d+\.\d+\.\d+\.\d+)/.exec(r.stdout + r.stderr);
          assert.ok(m, `dhclient got no lease from ${who}:\n${r.stderr}\n${outputTail(proc())}`);
          assert.equal(m[1], "198.18.7.200", `${who} gave the reserved address`);
          const leases = await Deno.readTextFile(`${dir}/dhclient.leases`);
          assert.match(leases, /option domain-name "reserved\.example";/, `${who} sent the reserved option`);
          await lab.run("cli1", ["dhclient", "-4", "-r", ...dhc]);
        };
        await t.step("hosts-database: weka gives dhclient the reserved address and the reserved option", async () => {
          weka = await startWeka(lab, "srv1", await hcfg("weka-hosts.json", wsock));
          await reserved("weka", () => weka);
          await weka!.stop();
        });
        await t.step("kea-dhcp4 2.2 with the same hosts-database gives the same client the same address", async () => {
          const kh = await hcfg("kea-hosts.json", ksock);
          const check = await lab.run("srv2", [KEA4, "-t", kh], { env });
          assert.equal(check.code, 0, `kea-dhcp4 -t refused the configuration:\n${check.stdout}${check.stderr}`);
          kea = lab.spawn("srv2", [KEA4, "-c", kh], { env });
          await until(
            () => controlCommand(ksock, "version-get").then((x) => x.result === 0).catch(() => false),
            20_000,
          );
          await reserved("Kea", () => kea);
          await kea!.stop();
        });
      } finally {
        await weka?.stop().catch(() => {});
        await kea?.stop().catch(() => {});
        await db.stop();
      }
    },
  );
}
