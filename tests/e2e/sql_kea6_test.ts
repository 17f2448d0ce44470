/**
 * End to end, issue 15 "Show" 1 for DHCPv6: weka and Kea 2.2 share one Kea SQL lease database (PostgreSQL, then
 * MariaDB) in the project's namespace lab (prefix `wk6q<letter>`). The database runs privately in the lab's `dns`
 * host. weka dhcp6 on srv1 serves `dhclient -6` on LAN A; kea-dhcp6 2.2 (libdhcp_lease_cmds.so) on srv2, on the
 * same database, finds that lease with `lease6-get` field for field and grants a second client (`dhcpcd -6`); weka
 * restarted finds Kea's lease with its own `lease6-get`. Then DHCPv6 host reservations from the database: a host
 * inserted with SQL into Kea's `hosts` / `ipv6_reservations` / `dhcp6_options` (the DUID-LL of cli1, an address
 * inside the pool, dns-servers): weka dhcp6 (hosts-database) keeps the address from another client and gives it,
 * with the option, to `dhclient -6 -D LL`; kea-dhcp6 2.2 with the same hosts-database gives the same. Needs root,
 * iproute2, dhclient, dhcpcd, kea-dhcp6 with the lease_cmds hook, postgresql, mariadb-server, kea-admin; else
 * skipped.
 */
import assert from "node:assert/strict";
import { controlCommand, HOOKS, labSkipReason, labTest, MAIN, outputTail, until, writeConfig } from "./weka_proc.ts";
import type { Lab, LabProcess } from "./lab.ts";
import { type SqlServer, sqlSkipReason, startSqlServer } from "../lease/sql_servers.ts";
import { insertHost6Sql } from "../lease/sql_hosts6_tests.ts";

const KEA6 = "/usr/sbin/kea-dhcp6";

function dhcp6(sock: string, db: SqlServer, dataDir: string, kea: boolean, hosts = false): Record<string, unknown> {
  return {
    Dhcp6: {
      "interfaces-config": { interfaces: ["eth0"] },
      "lease-database": db.keaMap({ "max-reconnect-tries": 5, "reconnect-wait-time": 1000 }),
      ...(hosts ? { "hosts-database": db.keaMap() } : {}),
      "control-socket": { "socket-type": "unix", "socket-name": sock },
      "hooks-libraries": [{ library: `${HOOKS}/libdhcp_lease_cmds.so` }],
      "data-directory": dataDir,
      ...(kea ? { "server-id": { type: "LLT", persist: false } } : {}),
      "preferred-lifetime": 300,
      "valid-lifetime": 600,
      subnet6: [{
        id: 1,
        subnet: "2001:db8:a::/64",
        interface: "eth0",
        pools: [{ pool: "2001:db8:a::1000 - 2001:db8:a::1fff" }],
      }],
      loggers: [{ name: "kea-dhcp6", "output_options": [{ output: "stdout" }], severity: "INFO" }],
    },
  };
}

/** Waits until `host`'s eth0 has a usable (not tentative) link-local address. */
async function linkLocalReady(lab: Lab, host: string): Promise<void> {
  const ok = await until(async () => {
    const out = await lab.check(host, ["ip", "-6", "-o", "addr", "show", "dev", "eth0", "scope", "link"]);
    return /fe80::/.test(out) && !/tentative/.test(out);
  }, 15_000);
  assert.ok(ok, `${host}: eth0 has no usable link-local address`);
}

/** The global addresses of cli1's eth0 from `pool` (2001:db8:a::1xxx). */
async function poolAddresses(lab: Lab): Promise<string[]> {
  const out = await lab.check("cli1", ["ip", "-6", "-o", "addr", "show", "dev", "eth0", "scope", "global"]);
  return [...out.matchAll(/inet6 (2001:db8:a::1[0-9a-f]{3})\//g)].map((m) => m[1]);
}

for (const type of ["postgresql", "mysql"] as const) {
  const why = sqlSkipReason(type) ??
    labSkipReason(
      [KEA6, `${HOOKS}/libdhcp_lease_cmds.so`, "/usr/sbin/dhclient", "/usr/sbin/dhcpcd"],
      "apt-get install kea-dhcp6-server isc-dhcp-client dhcpcd-base",
    );
  labTest(
    `e2e (${type}): weka dhcp6 and kea-dhcp6 2.2 share one lease database — each finds the other's lease`,
    why,
    `wk6q${type[0]}-`,
    "weka-sqlkea6-",
    async (t, lab, dir) => {
      const db = await startSqlServer(type, { netns: lab.ns("dns"), listen: "198.18.0.53" });
      let weka: LabProcess | undefined, kea: LabProcess | undefined;
      const wsock = `${dir}/weka6.sock`, ksock = `${dir}/kea6.sock`;
      await Deno.mkdir(`${dir}/weka`);
      await Deno.mkdir(`${dir}/kea`);
      const wcfg = await writeConfig(dir, dhcp6(wsock, db, `${dir}/weka`, false), "weka6.json");
      const kcfg = await writeConfig(dir, dhcp6(ksock, db, `${dir}/kea`, true), "kea6.json");
      const env = { KEA_PIDFILE_DIR: dir, KEA_LOCKFILE_DIR: dir };
      const dhc = ["-pf", `${dir}/dhc6.pid`, "-lf", `${dir}/dhc6.leases`, "eth0"];
      const startWeka6 = async () => {
        const p = lab.spawn("srv1", ["deno", "run", "-A", MAIN, "dhcp6", "-c", wcfg]);
        await p.waitFor(/DHCP6_STARTED/, 30_000);
        return p;
      };
      try {
        await Promise.all([linkLocalReady(lab, "srv1"), linkLocalReady(lab, "srv2"), linkLocalReady(lab, "cli1")]);
        let first = "", duid = "";
        await t.step("weka dhcp6 on the database serves dhclient -6; the row is in lease6", async () => {
          weka = await startWeka6();
          const r = await lab.run("cli1", ["timeout", "30", "dhclient", "-6", "-1", "-v", ...dhc]);
          assert.equal(r.code, 0, `${r.stdout}${r.stderr}\n${outputTail(weka)}`);
          [first] = await poolAddresses(lab);
          assert.ok(first, `no pool address on cli1:\n${r.stderr}`);
          const rows = await db.sql(`SELECT address FROM lease6`);
          assert.deepEqual(rows.trim().split("\n"), [first], "one committed row, the address dhclient got");
          const l = await controlCommand(wsock, "lease6-get", { "ip-address": first });
          duid = String((l.arguments as Record<string, unknown>).duid);
          await lab.run("cli1", ["dhclient", "-6", "-x", ...dhc]);
          await lab.run("cli1", ["ip", "-6", "addr", "flush", "dev", "eth0", "scope", "global"]);
          await weka.stop();
        });
        await t.step(
          "kea-dhcp6 2.2 on the same database finds weka's lease with lease6-get, field for field",
          async () => {
            const check = await lab.run("srv2", [KEA6, "-t", kcfg], { env });
            assert.equal(check.code, 0, `kea-dhcp6 -t refused the configuration:\n${check.stdout}${check.stderr}`);
            kea = lab.spawn("srv2", [KEA6, "-c", kcfg], { env });
            const a = await until(async () => {
              const x = await controlCommand(ksock, "lease6-get", { "ip-address": first }).catch(() => undefined);
              return x?.result === 0 ? x : undefined;
            }, 20_000);
            assert.ok(a, `Kea did not find ${first}:\n${outputTail(kea)}`);
            const l = a.arguments as Record<string, unknown>;
            assert.equal(l.duid, duid);
            assert.equal(l.type, "IA_NA");
            assert.equal(l["subnet-id"], 1);
            assert.equal(l["valid-lft"], 600);
            assert.equal(l["preferred-lft"], 300);
            assert.equal(l.state, 0);
            assert.ok(Math.abs(Number(l.cltt) - Date.now() / 1000) < 120, `cltt ${l.cltt} is now`);
          },
        );
        let second = "", keaLease: Record<string, unknown> = {};
        await t.step("Kea grants a second client (dhcpcd -6) from the same database, not weka's address", async () => {
          const conf = `${dir}/dhcpcd6.conf`;
          // no router advertisements in the lab: DHCPv6 straight away, one IA_NA (as tests/e2e/dhcp6_test.ts)
          await Deno.writeTextFile(conf, "noipv6rs\nipv6only\nia_na 1\nnohook resolv.conf\n");
          // a private /var/lib/dhcpcd (its DUID and the lease it would CONFIRM) in this command's mount namespace
          // (ip netns exec made one): a fresh client, whatever other tests left there
          const r = await lab.run("cli1", [
            "sh",
            "-c",
            `mount -t tmpfs tmpfs /var/lib/dhcpcd && exec timeout 40 dhcpcd -6 -1 -w -f ${conf} -t 30 eth0`,
          ]);
          second = (await poolAddresses(lab))[0] ?? "";
          assert.ok(second, `dhcpcd got no address from Kea:\n${r.stdout}${r.stderr}\n${outputTail(kea)}`);
          assert.notEqual(second, first, "Kea did not hand out weka's address");
          const k = await controlCommand(ksock, "lease6-get", { "ip-address": second });
          assert.equal(k.result, 0, `Kea's own lease: ${k.text}\n${r.stdout}${r.stderr}`);
          keaLease = k.arguments as Record<string, unknown>;
          await kea!.stop();
          await lab.run("cli1", ["ip", "-6", "addr", "flush", "dev", "eth0", "scope", "global"]);
        });
        await t.step("weka restarted sees Kea's lease (lease6-get from its own control socket)", async () => {
          weka = await startWeka6();
          const a = await controlCommand(wsock, "lease6-get", { "ip-address": second });
          assert.equal(a.result, 0, a.text);
          const l = a.arguments as Record<string, unknown>;
          for (const f of ["duid", "iaid", "type", "subnet-id", "valid-lft", "preferred-lft", "cltt", "state"]) {
            assert.deepEqual(l[f], keaLease[f], `${f} as Kea wrote it`);
          }
          const all = await controlCommand(wsock, "lease6-get-all");
          assert.equal((all.arguments?.leases as unknown[]).length, 2, "both leases, from the database");
          await weka.stop();
        });
        // host reservations from the database: cli1's DUID-LL reserves the pool's first address and dns-servers
        const reserved = "2001:db8:a::1000";
        const mac = (await lab.check("cli1", ["cat", "/sys/class/net/eth0/address"])).trim();
        const duidLl = `00030001${mac.replaceAll(":", "")}`;
        const hostsCfg = async (name: string, sock: string, kea: boolean) =>
          await writeConfig(dir, dhcp6(sock, db, `${dir}/${kea ? "kea" : "weka"}`, kea, true), name);
        /** dhclient -6 with a fresh lease file (a new DUID: LLT by default, `-D LL` the reserved one) */
        const dhclient6 = async (name: string, duidType: "LLT" | "LL") => {
          const lf = `${dir}/${name}.leases`;
          const args = ["-pf", `${dir}/${name}.pid`, "-lf", lf, "-D", duidType, "eth0"];
          const r = await lab.run("cli1", ["timeout", "30", "dhclient", "-6", "-1", "-v", ...args]);
          const got = (await poolAddresses(lab))[0] ?? "";
          const leases = await Deno.readTextFile(lf).catch(() => "");
          await lab.run("cli1", ["dhclient", "-6", "-x", ...args]);
          await lab.run("cli1", ["ip", "-6", "addr", "flush", "dev", "eth0", "scope", "global"]);
          return { got, leases, out: `${r.stdout}${r.stderr}` };
        };
        await t.step(
          "hosts-database: weka dhcp6 keeps the reserved address from another client, gives it with its option to the host",
          async () => {
            await db.sql("DELETE FROM lease6");
            await db.sql(insertHost6Sql(type, {
              idType: 1,
              idHex: duidLl,
              subnetId: 1,
              hostname: "reserved6",
              resv: [[reserved, 128, 0]],
              options: [{ code: 23, formatted: "2001:db8::99", persistent: true }],
            }));
            const p = lab.spawn("srv1", [
              "deno",
              "run",
              "-A",
              MAIN,
              "dhcp6",
              "-c",
              await hostsCfg("weka-hosts6.json", wsock, false),
            ]);
            weka = p;
            await p.waitFor(/DHCP6_STARTED/, 30_000);
            const other = await dhclient6("other6", "LLT");
            assert.ok(other.got, `the other client got no address:\n${other.out}\n${outputTail(p)}`);
            assert.notEqual(other.got, reserved, "the address the database reserves went to another client");
            const host = await dhclient6("host6", "LL");
            assert.equal(host.got, reserved, `the reserved address:\n${host.out}\n${outputTail(p)}`);
            assert.match(host.leases, /option dhcp6\.name-servers 2001:db8::99;/, host.leases);
            const rows = await db.sql(`SELECT address FROM lease6 WHERE address = '${reserved}'`);
            assert.equal(rows.trim(), reserved, "the reserved lease is committed in lease6");
            await p.stop();
          },
        );
        await t.step("kea-dhcp6 2.2 with the same hosts-database gives the host the same address", async () => {
          await db.sql("DELETE FROM lease6");
          const kh = await hostsCfg("kea-hosts6.json", ksock, true);
          const check = await lab.run("srv2", [KEA6, "-t", kh], { env });
          assert.equal(check.code, 0, `kea-dhcp6 -t refused the configuration:\n${check.stdout}${check.stderr}`);
          kea = lab.spawn("srv2", [KEA6, "-c", kh], { env });
          await kea.waitFor(/DHCP6_STARTED|DHCPSRV_CFGMGR_ADD_IFACE|DHCP6_CONFIG_COMPLETE/, 20_000);
          const host = await dhclient6("kea-host6", "LL");
          assert.equal(host.got, reserved, `Kea's answer:\n${host.out}\n${outputTail(kea)}`);
          assert.match(host.leases, /option dhcp6\.name-servers 2001:db8::99;/, host.leases);
          await kea.stop();
        });
      } finally {
        await weka?.stop().catch(() => {});
        await kea?.stop().catch(() => {});
        await db.stop();
      }
    },
  );
}
