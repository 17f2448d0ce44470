/**
 * DHCPv6 host reservations read from Kea's host database (called by sql_store_test.ts, which starts the server):
 * hosts inserted with plain SQL as Kea's schema has them (what Kea's host_cmds `reservation-add` writes for Dhcp6:
 * a `hosts` row with dhcp6_subnet_id, its `ipv6_reservations` rows — type 0 an address, 2 a prefix — and its
 * `dhcp6_options` rows with scope 3), read through SqlHosts6 as the DHCPv6 engine sees them.
 */
import assert from "node:assert/strict";
import { SqlHosts6 } from "../../mod/lease/host_cache6.ts";
import { openSqlDb } from "../../mod/lease/sql_open.ts";
import { parseIpv6Big } from "../../mod/config/addr6.ts";
import type { SqlServer } from "./sql_servers.ts";

const a6 = (t: string) => parseIpv6Big(t)!;

/** SQL that inserts one DHCPv6 host, its reservations and options, in the database's dialect. */
export function insertHost6Sql(
  type: "postgresql" | "mysql",
  h: {
    idType: number;
    idHex: string;
    subnetId: number | null;
    hostname?: string;
    classes?: string;
    /** [address text, prefix length, type (0 address, 2 prefix)] */
    resv?: [string, number, number][];
    options?: { code: number; formatted?: string; hex?: string; persistent?: boolean; space?: string }[];
  },
): string {
  const bytes = (hex: string) => type === "postgresql" ? `decode('${hex}', 'hex')` : `UNHEX('${hex}')`;
  const hostId = type === "postgresql" ? "currval('hosts_host_id_seq')" : "@h";
  const q = (s: string | undefined) => s === undefined ? "NULL" : `'${s}'`;
  const out = [
    `INSERT INTO hosts (dhcp_identifier, dhcp_identifier_type, dhcp6_subnet_id, hostname, dhcp6_client_classes) ` +
    `VALUES (${bytes(h.idHex)}, ${h.idType}, ${h.subnetId ?? "NULL"}, ${q(h.hostname)}, ${q(h.classes)})`,
  ];
  if (type === "mysql") out.push("SET @h = LAST_INSERT_ID()");
  for (const [addr, len, t] of h.resv ?? []) {
    out.push(
      `INSERT INTO ipv6_reservations (address, prefix_len, type, dhcp6_iaid, host_id) VALUES ` +
        `('${addr}', ${len}, ${t}, NULL, ${hostId})`,
    );
  }
  for (const o of h.options ?? []) {
    out.push(
      `INSERT INTO dhcp6_options (code, value, formatted_value, space, persistent, host_id, scope_id) VALUES ` +
        `(${o.code}, ${bytes(o.hex ?? "")}, ${q(o.formatted ?? "")}, ${q(o.space ?? "dhcp6")}, ` +
        `${o.persistent ? "true" : "false"}, ${hostId}, 3)`,
    );
  }
  return out.join("; ");
}

/** Registers the DHCPv6 host database tests on the server `db()` starts (once). */
export function runSqlHosts6Tests(type: "postgresql" | "mysql", db: () => Promise<SqlServer>): void {
  Deno.test(`SqlHosts6(${type}): hosts inserted as Kea's schema has them are the DHCPv6 engine's reservations`, async () => {
    const s = await db();
    await s.sql("DELETE FROM hosts");
    const duid = "000100012a2b2c2d0a0b0c0d0e0f";
    const duidKey = "duid=00:01:00:01:2a:2b:2c:2d:0a:0b:0c:0d:0e:0f";
    await s.sql(insertHost6Sql(type, {
      idType: 1,
      idHex: duid,
      subnetId: 1,
      hostname: "reserved6",
      classes: "gold, lab",
      resv: [["2001:db8:1::100", 128, 0], ["2001:db8:1::101", 128, 0], ["2001:db8:8:100::", 56, 2]],
      options: [
        { code: 23, formatted: "2001:db8::53, 2001:db8::54" }, // dns-servers, as text
        { code: 24, hex: "076578616d706c6500", persistent: true }, // domain-search, as payload bytes
        { code: 1, formatted: "x", space: "vendor-4491" }, // another space: not served
      ],
    }));
    await s.sql(insertHost6Sql(type, {
      idType: 0,
      idHex: "02000000aa01",
      subnetId: 0,
      resv: [["2001:db8:1::200", 128, 0]],
    })); // global, by hardware address
    await s.sql(
      insertHost6Sql(type, { idType: 3, idHex: "01020304", subnetId: 1, resv: [["2001:db8:1::300", 128, 0]] }),
    );
    await s.sql(insertHost6Sql(type, { idType: 1, idHex: "00030001020000000099", subnetId: null })); // DHCPv4 only
    const warnings: string[] = [];
    const hosts = new SqlHosts6([await openSqlDb(s.access())], (w) => warnings.push(w));
    try {
      await hosts.start(60_000, () => {});
      // the reserved addresses and prefixes are known before any query asks
      assert.equal(hosts.reservedFor(1, a6("2001:db8:1::100"), 128), duidKey);
      assert.equal(hosts.reservedFor(1, a6("2001:db8:8:100::"), 56), duidKey);
      assert.equal(
        hosts.reservedFor(1, a6("2001:db8:8:100::"), 128),
        undefined,
        "a prefix is reserved with its length",
      );
      assert.equal(hosts.reservedFor(0, a6("2001:db8:1::200"), 128), "hw-address=02:00:00:00:aa:01");
      assert.equal(hosts.reservedFor(1, a6("2001:db8:1::200"), 128), undefined, "a global reservation is subnet 0's");
      assert.equal(hosts.reservedFor(1, a6("2001:db8:1::300"), 128), undefined, "client-id is not a DHCPv6 identifier");
      assert.equal(hosts.get(1, duidKey), undefined, "nothing fetched yet");
      await hosts.prefetch({
        ids: [
          { key: duidKey, value: duidKey.slice(5) },
          { key: "hw-address=02:00:00:00:aa:01", value: "02:00:00:00:aa:01" },
          { key: "duid=00:03:00:01:02:00:00:00:00:99", value: "00:03:00:01:02:00:00:00:00:99" },
        ],
        addresses: [],
      });
      const r = hosts.get(1, duidKey)!;
      assert.equal(r.idType, "duid");
      assert.deepEqual(r.addresses.toSorted(), [a6("2001:db8:1::100"), a6("2001:db8:1::101")]);
      assert.deepEqual(r.prefixes, [{ prefix: a6("2001:db8:8:100::"), len: 56 }]);
      assert.equal(r.hostname, "reserved6");
      assert.deepEqual(r.clientClasses, ["gold", "lab"]);
      const dns = [...a6("2001:db8::53").toString(16).padStart(32, "0").match(/../g)!].map((x) => parseInt(x, 16));
      assert.deepEqual([...r.options.get(23)!.data].slice(0, 16), dns);
      assert.equal(r.options.get(23)!.data.length, 32);
      assert.deepEqual([...r.options.get(24)!.data], [7, ...new TextEncoder().encode("example"), 0]);
      assert.equal(r.options.get(24)!.alwaysSend, true, "persistent = always-send");
      assert.equal(r.options.size, 2, "one entry per option although each is read once per reservation");
      assert.ok(warnings.some((w) => /vendor-4491/.test(w)), warnings.join("\n"));
      assert.equal(hosts.get(0, "hw-address=02:00:00:00:aa:01")?.addresses[0], a6("2001:db8:1::200"));
      assert.equal(hosts.get(1, "hw-address=02:00:00:00:aa:01"), undefined);
      assert.equal(hosts.get(1, "duid=00:03:00:01:02:00:00:00:00:99"), undefined, "a host without dhcp6_subnet_id");
      // a host removed from the database is gone at the next fetch; its address is free once asked for
      await s.sql(`DELETE FROM hosts WHERE dhcp_identifier_type = 1 AND dhcp6_subnet_id = 1`);
      await hosts.prefetch({ ids: [{ key: duidKey, value: duidKey.slice(5) }], addresses: [a6("2001:db8:1::100")] });
      assert.equal(hosts.get(1, duidKey), undefined);
      assert.equal(hosts.reservedFor(1, a6("2001:db8:1::100"), 128), undefined);
      // a host added is found by the address it reserves, and by the next refresh
      await s.sql(
        insertHost6Sql(type, {
          idType: 1,
          idHex: "0003000102000000aa77",
          subnetId: 1,
          resv: [["2001:db8:1::77", 128, 0]],
        }),
      );
      await hosts.prefetch({ ids: [], addresses: [a6("2001:db8:1::77")] });
      assert.equal(hosts.reservedFor(1, a6("2001:db8:1::77"), 128), "duid=00:03:00:01:02:00:00:00:aa:77");
      await s.sql(
        insertHost6Sql(type, {
          idType: 1,
          idHex: "0003000102000000aa78",
          subnetId: 1,
          resv: [["2001:db8:1::78", 128, 0]],
        }),
      );
      await hosts.refreshReserved();
      assert.equal(hosts.reservedFor(1, a6("2001:db8:1::78"), 128), "duid=00:03:00:01:02:00:00:00:aa:78");
    } finally {
      await hosts.close();
      await s.sql("DELETE FROM hosts");
    }
  });
}
