/**
 * SqlLease6Store on one private database server (called by sql_store_test.ts, which starts it): the DHCPv6 store
 * contract, rows as Kea 2.2 stores them in `lease6`, and the database deciding between two stores that share it.
 */
import assert from "node:assert/strict";
import { SqlLease6Store } from "../../mod/lease/sql_store6.ts";
import { openSqlDb } from "../../mod/lease/sql_open.ts";
import { LeaseConflictError } from "../../mod/lease/sql_commit.ts";
import { runStore6Contract } from "./store6_contract.ts";
import type { SqlServer } from "./sql_servers.ts";
import { BASE, DUID_A, DUID_B, na, pd } from "./lease6_fixtures.ts";

/** Registers the DHCPv6 SQL store tests on the server `db()` starts (once). */
export function runSql6Tests(type: "postgresql" | "mysql", db: () => Promise<SqlServer>): void {
  const fresh = async () => {
    const s = await db();
    await s.sql("DELETE FROM lease6");
    return s;
  };
  const open = async (s: SqlServer) => await SqlLease6Store.open(await openSqlDb(s.access()));

  runStore6Contract(`SqlLease6Store(${type})`, async () => {
    const s = await fresh();
    let current = await open(s);
    return {
      store: current,
      noPoolId: true,
      reopen: async () => {
        await current.close();
        return current = await open(s);
      },
      cleanup: () => current.close(),
    };
  });

  Deno.test(`SqlLease6Store(${type}): rows are Kea's (address text, raw DUID, signed IAID on PostgreSQL)`, async () => {
    const s = await fresh();
    const store = await open(s);
    try {
      await store.apply([
        { op: "put", lease: na(0x40, { iaid: 0xfffffffe, cltt: 1_700_000_000, validLifetime: 600 }) },
        { op: "put", lease: pd(3, { hwaddr: "" }) },
      ]);
      const hex = type === "postgresql" ? "encode(duid,'hex'), encode(hwaddr,'hex')" : "HEX(duid), HEX(hwaddr)";
      const epoch = type === "postgresql" ? "extract(epoch from expire)::bigint" : "UNIX_TIMESTAMP(expire)";
      const out = await s.sql(
        `SELECT address, ${hex}, valid_lifetime, ${epoch}, subnet_id, pref_lifetime, lease_type, iaid, prefix_len, ` +
          `state, hwtype, hwaddr_source, hwtype IS NULL, hwaddr_source IS NULL FROM lease6 ORDER BY lease_type`,
      );
      const rows = out.trim().split("\n").map((l) => l.split("\t"));
      const up = (v: string) => type === "mysql" ? v.toUpperCase() : v;
      assert.deepEqual(rows[0], [
        "2001:db8:1::40",
        up(DUID_A.replaceAll(":", "")),
        up("020000660001"),
        "600",
        "1700000600",
        "1",
        "3000",
        "0",
        type === "postgresql" ? "-2" : "4294967294", // Kea's PostgreSQL backend keeps the IAID as a signed INT
        "128",
        "0",
        "1",
        "0",
        type === "postgresql" ? "f" : "0",
        type === "postgresql" ? "f" : "0",
      ]);
      assert.deepEqual(rows[1].slice(0, 1), ["2001:db8:8000:300::"]);
      // no hardware address, as kea-dhcp6 2.2 writes it: empty bytes with type and source 0 (PostgreSQL), or
      // NULL for all three (MySQL)
      assert.deepEqual(rows[1].slice(2, 3), [type === "postgresql" ? "" : "NULL"]);
      assert.deepEqual(rows[1].slice(11), type === "postgresql" ? ["0", "0", "f", "f"] : ["NULL", "NULL", "1", "1"]);
    } finally {
      await store.close();
    }
  });

  Deno.test(`SqlLease6Store(${type}): two stores on one database — the database decides, the loser re-reads`, async () => {
    const s = await fresh();
    const a = await open(s), b = await open(s);
    try {
      const [ra, rb] = await Promise.allSettled([
        a.apply([{ op: "put", lease: na(0x50, { duid: DUID_A }) }]),
        b.apply([{ op: "put", lease: na(0x50, { duid: DUID_B }) }]),
      ]);
      assert.equal([ra, rb].filter((r) => r.status === "fulfilled").length, 1, "exactly one server gets it");
      const loser = ra.status === "rejected" ? a : b, winner = loser === a ? b : a;
      const lost = (ra.status === "rejected" ? ra : rb) as PromiseRejectedResult;
      assert.ok(lost.reason instanceof LeaseConflictError, String(lost.reason));
      assert.equal(loser.byAddress(BASE + 0x50n)?.duid, winner.byAddress(BASE + 0x50n)?.duid, "the loser re-read");
      // a renewal on a stale pre-image loses; the rest of its group commits
      await winner.apply([{ op: "put", lease: { ...winner.byAddress(BASE + 0x50n)!, cltt: 1_800_000_100 } }]);
      const [ok, bad] = await Promise.allSettled([
        loser.apply([{ op: "put", lease: na(0x51) }]),
        loser.apply([{ op: "put", lease: { ...loser.byAddress(BASE + 0x50n)!, hostname: "stale" } }]),
      ]);
      assert.equal(ok.status, "fulfilled", ok.status === "rejected" ? String(ok.reason) : "");
      assert.ok(bad.status === "rejected" && bad.reason instanceof LeaseConflictError);
      assert.equal(loser.byAddress(BASE + 0x50n)?.cltt, 1_800_000_100);
      // prefetch: a row another server wrote is seen by the next query (by DUID, by address)
      await winner.apply([{ op: "put", lease: na(0x52, { duid: "00:03:00:01:02:00:00:00:00:52" }) }]);
      assert.deepEqual(loser.byDuid("00:03:00:01:02:00:00:00:00:52"), []);
      await loser.prefetch({ addresses: [], duids: ["00:03:00:01:02:00:00:00:00:52"] });
      assert.equal(loser.byDuid("00:03:00:01:02:00:00:00:00:52")[0]?.address, BASE + 0x52n);
      await winner.apply([{ op: "del", address: BASE + 0x52n }]);
      await loser.prefetch({ addresses: [BASE + 0x52n], duids: [] });
      assert.equal(loser.byAddress(BASE + 0x52n), undefined, "a row gone from the table leaves the cache");
    } finally {
      await a.close();
      await b.close();
    }
  });
}
