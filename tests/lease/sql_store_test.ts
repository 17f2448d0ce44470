/**
 * SqlLeaseStore and SqlLease6Store on private PostgreSQL and MariaDB servers with Kea 2.2's schema (kea-admin
 * db-init): the store contracts every lease store passes, rows as Kea stores them, the database deciding between two
 * stores that share it (conflicts), and the schema check. The DHCPv6 half is in sql_store6_tests.ts and the host
 * databases in sql_hosts_tests.ts and sql_hosts6_tests.ts (one server of each kind serves them all).
 */
import assert from "node:assert/strict";
import { SqlLeaseStore } from "../../mod/lease/sql_store.ts";
import { openSqlDb, schemaProblem } from "../../mod/lease/sql_open.ts";
import { LeaseConflictError } from "../../mod/lease/sql_commit.ts";
import { ip, mkLease, runStoreContract } from "./store_contract.ts";
import { type SqlServer, sqlSkipReason, startSqlServer } from "./sql_servers.ts";
import { runSql6Tests } from "./sql_store6_tests.ts";
import { runSqlHostsTests } from "./sql_hosts_tests.ts";
import { runSqlHosts6Tests } from "./sql_hosts6_tests.ts";
import { runSqlTimeoutTests } from "./sql_timeouts_tests.ts";

for (const type of ["postgresql", "mysql"] as const) {
  const why = sqlSkipReason(type);
  if (why) {
    Deno.test({ name: `SqlLeaseStore(${type})`, ignore: true, fn: () => {} });
    console.log(`skipping the ${type} store tests: ${why}`);
    continue;
  }
  let server: Promise<SqlServer> | undefined;
  const db = () => (server ??= startSqlServer(type));
  const fresh = async () => {
    const s = await db();
    await s.sql("DELETE FROM lease4");
    return s;
  };

  runStoreContract(`SqlLeaseStore(${type})`, async () => {
    const s = await fresh();
    let current = await SqlLeaseStore.open(await openSqlDb(s.access()));
    return {
      store: current,
      noPoolId: true,
      reopen: async () => {
        await current.close();
        current = await SqlLeaseStore.open(await openSqlDb(s.access()));
        return current;
      },
      cleanup: () => current.close(),
    };
  });

  Deno.test(`SqlLeaseStore(${type}): rows are Kea's (address u32, raw bytes, expire = cltt + lifetime)`, async () => {
    const s = await fresh();
    const store = await SqlLeaseStore.open(await openSqlDb(s.access()));
    try {
      await store.apply([{
        op: "put",
        lease: mkLease(40, { cltt: 1_700_000_000, validLifetime: 600, hostname: "Ünï" }),
      }]);
      await store.apply([{ op: "put", lease: mkLease(41, { clientId: "", hwaddr: "" }) }]);
      const hex = type === "postgresql"
        ? "encode(hwaddr,'hex'), encode(client_id,'hex')"
        : "HEX(hwaddr), HEX(client_id)";
      const epoch = type === "postgresql" ? "extract(epoch from expire)::bigint" : "UNIX_TIMESTAMP(expire)";
      const out = await s.sql(
        `SELECT address, ${hex}, valid_lifetime, ${epoch}, subnet_id, state FROM lease4 ORDER BY address`,
      );
      const rows = out.trim().split("\n").map((l) => l.split("\t"));
      assert.deepEqual(
        rows[0],
        [String(ip(40)), "aabbccddee28", "01aabbccddee28", "600", "1700000600", "1", "0"].map((v) =>
          type === "mysql" ? v.toUpperCase() : v
        ),
      );
      // PostgreSQL: Kea stores an absent identifier as empty bytes; MySQL as NULL
      assert.deepEqual(rows[1].slice(1, 3), type === "postgresql" ? ["", ""] : ["NULL", "NULL"]);
      const again = await SqlLeaseStore.open(await openSqlDb(s.access()));
      assert.equal(again.byAddress(ip(40))?.hostname, "Ünï", "the hostname's bytes survive");
      await again.close();
    } finally {
      await store.close();
    }
  });

  Deno.test(`SqlLeaseStore(${type}): two stores on one database — the database decides, the loser re-reads`, async () => {
    const s = await fresh();
    const a = await SqlLeaseStore.open(await openSqlDb(s.access()));
    const b = await SqlLeaseStore.open(await openSqlDb(s.access()));
    try {
      // both think 192.0.2.50 is free and give it to different clients
      const pa = a.apply([{ op: "put", lease: mkLease(50, { hwaddr: "02:00:00:00:00:0a" }) }]);
      const pb = b.apply([{ op: "put", lease: mkLease(50, { hwaddr: "02:00:00:00:00:0b" }) }]);
      const [ra, rb] = await Promise.allSettled([pa, pb]);
      const wins = [ra, rb].filter((r) => r.status === "fulfilled").length;
      assert.equal(wins, 1, "exactly one server gets the address");
      const loser = ra.status === "rejected" ? a : b;
      const lost = (ra.status === "rejected" ? ra : rb) as PromiseRejectedResult;
      assert.ok(lost.reason instanceof LeaseConflictError, String(lost.reason));
      const winnerHw = ra.status === "fulfilled" ? "02:00:00:00:00:0a" : "02:00:00:00:00:0b";
      assert.equal(loser.byAddress(ip(50))?.hwaddr, winnerHw, "the loser's cache now holds the winner's row");
      // a renewal based on a stale pre-image loses too; based on the fresh one it wins
      const winner = loser === a ? b : a;
      const renewed = { ...winner.byAddress(ip(50))!, cltt: 1_700_000_100 };
      await winner.apply([{ op: "put", lease: renewed }]);
      await assert.rejects(
        loser.apply([{ op: "put", lease: { ...loser.byAddress(ip(50))!, hostname: "stale" } }]),
        LeaseConflictError,
      );
      assert.equal(loser.byAddress(ip(50))?.cltt, 1_700_000_100);
      // a conflict sets aside only its own caller: the rest of the group commits
      await winner.apply([{ op: "put", lease: { ...renewed, cltt: 1_700_000_200 } }]); // the loser's cache is stale
      const ok = loser.apply([{ op: "put", lease: mkLease(51) }]);
      const bad = loser.apply([{ op: "del", address: ip(50) }]);
      const [rOk, rBad] = await Promise.allSettled([ok, bad]);
      assert.equal(rOk.status, "fulfilled", rOk.status === "rejected" ? String(rOk.reason) : "");
      assert.ok(rBad.status === "rejected" && rBad.reason instanceof LeaseConflictError);
      assert.equal(loser.byAddress(ip(50))?.cltt, 1_700_000_200, "re-read after the conflict");
      const count = await s.sql("SELECT count(*) FROM lease4");
      assert.equal(count.trim(), "2");
      // prefetch: a row another server wrote is seen before the engine runs
      await winner.apply([{ op: "put", lease: mkLease(52, { hwaddr: "02:00:00:00:00:52" }) }]);
      assert.equal(loser.byHwAddr("02:00:00:00:00:52", 1), undefined);
      await loser.prefetch({ addresses: [], hwaddrs: ["02:00:00:00:00:52"], clientIds: [] });
      assert.equal(loser.byHwAddr("02:00:00:00:00:52", 1)?.address, ip(52));
    } finally {
      await a.close();
      await b.close();
    }
  });

  Deno.test(`SqlLeaseStore(${type}): a schema other than Kea 2.2's is refused, naming kea-admin`, async () => {
    const s = await db();
    const acc = s.access();
    assert.equal(schemaProblem(acc, type === "postgresql" ? [13, 0] : [14, 0]), undefined);
    assert.match(schemaProblem(acc, [12, 0])!, /kea-admin db-upgrade/);
    assert.match(schemaProblem(acc, undefined)!, /kea-admin db-init/);
    assert.match(schemaProblem(acc, [99, 0])!, /newer than Kea 2.2/);
    await assert.rejects(openSqlDb({ ...acc, name: "nosuchdb" }));
  });

  runSql6Tests(type, db);
  runSqlHostsTests(type, db);
  runSqlHosts6Tests(type, db);
  runSqlTimeoutTests(type, db);

  Deno.test({
    name: `SqlLeaseStore(${type}): stop the private server`,
    fn: async () => {
      if (server) await (await server).stop();
    },
  });
}
