/**
 * Host reservations read from Kea's host database (called by sql_store_test.ts, which starts the server): hosts
 * inserted with plain SQL as Kea's schema has them (what Kea's host_cmds `reservation-add` writes: a `hosts` row,
 * its `dhcp4_options` rows with scope 3), read through SqlHosts4 as the DHCPv4 engine sees them.
 */
import assert from "node:assert/strict";
import { SqlHosts4 } from "../../mod/lease/host_cache4.ts";
import { openSqlDb } from "../../mod/lease/sql_open.ts";
import type { SqlServer } from "./sql_servers.ts";

/** 198.18.7.x as u32 */
const ip = (x: number) => (0xc6120700 + x) >>> 0;

/** SQL that inserts one host and its options, in the database's dialect (see the file comment). */
export function insertHostSql(
  type: "postgresql" | "mysql",
  h: {
    idType: number;
    idHex: string;
    subnetId: number;
    address?: number;
    hostname?: string;
    bootFile?: string;
    options?: { code: number; formatted?: string; hex?: string; persistent?: boolean; space?: string }[];
  },
): string {
  const bytes = (hex: string) => type === "postgresql" ? `decode('${hex}', 'hex')` : `UNHEX('${hex}')`;
  const hostId = type === "postgresql" ? "currval('hosts_host_id_seq')" : "@h";
  const q = (s: string | undefined) => s === undefined ? "NULL" : `'${s}'`;
  const out = [
    `INSERT INTO hosts (dhcp_identifier, dhcp_identifier_type, dhcp4_subnet_id, ipv4_address, hostname, ` +
    `dhcp4_boot_file_name) VALUES (${bytes(h.idHex)}, ${h.idType}, ${h.subnetId}, ${h.address ?? 0}, ` +
    `${q(h.hostname)}, ${q(h.bootFile)})`,
  ];
  if (type === "mysql") out.push("SET @h = LAST_INSERT_ID()");
  for (const o of h.options ?? []) {
    out.push(
      `INSERT INTO dhcp4_options (code, value, formatted_value, space, persistent, host_id, scope_id) VALUES ` +
        `(${o.code}, ${bytes(o.hex ?? "")}, ${q(o.formatted ?? "")}, ${q(o.space ?? "dhcp4")}, ` +
        `${o.persistent ? "true" : "false"}, ${hostId}, 3)`,
    );
  }
  return out.join("; ");
}

/** Registers the host database tests on the server `db()` starts (once). */
export function runSqlHostsTests(type: "postgresql" | "mysql", db: () => Promise<SqlServer>): void {
  Deno.test(`SqlHosts4(${type}): hosts inserted as Kea's schema has them are the engine's reservations`, async () => {
    const s = await db();
    await s.sql("DELETE FROM hosts");
    await s.sql(insertHostSql(type, {
      idType: 0,
      idHex: "0a0b0c0d0e0f",
      subnetId: 1,
      address: ip(200),
      hostname: "reserved-host",
      bootFile: "pxe.0",
      options: [
        { code: 15, formatted: "reserved.example" }, // domain-name, as text
        { code: 6, hex: "c6120035c6120036", persistent: true }, // domain-name-servers, as payload bytes
        { code: 1, formatted: "x", space: "vendor-encapsulated-options-space" }, // another space: not served
      ],
    }));
    await s.sql(insertHostSql(type, { idType: 3, idHex: "01020304", subnetId: 0, address: ip(201) })); // global
    await s.sql(insertHostSql(type, { idType: 2, idHex: "657468302f31", subnetId: 1, address: ip(202) }));
    await s.sql(insertHostSql(type, { idType: 4, idHex: "73306d65", subnetId: 1, hostname: "by-flex-id" }));
    const warnings: string[] = [];
    const hosts = new SqlHosts4([await openSqlDb(s.access())], (w) => warnings.push(w));
    try {
      await hosts.start(60_000, () => {});
      // the reserved addresses are known before any query asks
      assert.deepEqual(hosts.reservedFor(1, ip(200)), ["0a:0b:0c:0d:0e:0f"]);
      assert.deepEqual(hosts.reservedFor(0, ip(201)), ["client-id=01:02:03:04"]);
      assert.equal(hosts.reservedFor(1, ip(201)), undefined, "a global reservation is subnet 0's");
      assert.equal(hosts.get(1, "0a:0b:0c:0d:0e:0f"), undefined, "nothing fetched yet");
      await hosts.prefetch({
        ids: [
          { key: "0a:0b:0c:0d:0e:0f", value: "0a:0b:0c:0d:0e:0f" },
          { key: "client-id=01:02:03:04", value: "01:02:03:04" },
          { key: "circuit-id=65:74:68:30:2f:31", value: "65:74:68:30:2f:31" },
          { key: "flex-id=73:30:6d:65", value: "73:30:6d:65" },
          { key: "02:00:00:00:00:99", value: "02:00:00:00:00:99" },
        ],
        addresses: [],
      });
      const r = hosts.get(1, "0a:0b:0c:0d:0e:0f")!;
      assert.equal(r.ipAddress, ip(200));
      assert.equal(r.hwaddr, "0a:0b:0c:0d:0e:0f");
      assert.equal(r.hostname, "reserved-host");
      assert.equal(r.bootFileName, "pxe.0");
      assert.deepEqual([...r.options.get(15)!.data], [...new TextEncoder().encode("reserved.example")]);
      assert.deepEqual([...r.options.get(6)!.data], [198, 18, 0, 53, 198, 18, 0, 54]);
      assert.equal(r.options.get(6)!.alwaysSend, true, "persistent = always-send");
      assert.equal(r.options.size, 2);
      assert.ok(warnings.some((w) => /vendor-encapsulated-options-space/.test(w)), warnings.join("\n"));
      assert.equal(hosts.get(1, "client-id=01:02:03:04"), undefined);
      assert.equal(hosts.get(0, "client-id=01:02:03:04")?.ipAddress, ip(201));
      assert.equal(hosts.get(1, "circuit-id=65:74:68:30:2f:31")?.ipAddress, ip(202));
      assert.equal(hosts.get(1, "flex-id=73:30:6d:65")?.hostname, "by-flex-id");
      assert.equal(hosts.get(1, "02:00:00:00:00:99"), undefined);
      // a host removed from the database is gone at the next fetch; its address is free once asked for
      await s.sql("DELETE FROM hosts WHERE dhcp_identifier_type = 0");
      await hosts.prefetch({ ids: [{ key: "0a:0b:0c:0d:0e:0f", value: "0a:0b:0c:0d:0e:0f" }], addresses: [ip(200)] });
      assert.equal(hosts.get(1, "0a:0b:0c:0d:0e:0f"), undefined);
      assert.equal(hosts.reservedFor(1, ip(200)), undefined);
      // a host added is found by the address it reserves, and by the next refresh
      await s.sql(insertHostSql(type, { idType: 0, idHex: "020000000077", subnetId: 1, address: ip(203) }));
      await hosts.prefetch({ ids: [], addresses: [ip(203)] });
      assert.deepEqual(hosts.reservedFor(1, ip(203)), ["02:00:00:00:00:77"]);
      await s.sql(insertHostSql(type, { idType: 0, idHex: "020000000078", subnetId: 1, address: ip(204) }));
      await hosts.refreshReserved();
      assert.deepEqual(hosts.reservedFor(1, ip(204)), ["02:00:00:00:00:78"]);
    } finally {
      await hosts.close();
    }
  });
}
