/**
 * Kea's database timeouts as weka applies them (called by sql_store_test.ts, which starts the server): the server
 * is frozen (SIGSTOP: the sockets stay open, nothing answers), and a statement fails as a lost connection once the
 * timeout passes — PostgreSQL's `tcp-user-timeout`, MySQL's `read-timeout` (which libmysqlclient tries 3 times) —
 * instead of hanging; once the server runs again (SIGCONT) the next statement is answered on a new connection.
 */
import assert from "node:assert/strict";
import { openSqlDb } from "../../mod/lease/sql_open.ts";
import { isConnectionLoss } from "../../mod/lease/sql_db.ts";
import type { SqlServer } from "./sql_servers.ts";

/** Sends `signal` to the server and every process it started (PostgreSQL forks a process per connection). */
async function signalAll(s: SqlServer, signal: Deno.Signal): Promise<void> {
  const main = await s.pid();
  const o = await new Deno.Command("ps", { args: ["-o", "pid=", "--ppid", String(main)], stdout: "piped" }).output();
  const kids = new TextDecoder().decode(o.stdout).trim().split(/\s+/).filter(Boolean).map(Number);
  for (const p of [main, ...kids]) {
    try {
      Deno.kill(p, signal);
    } catch { /* gone */ }
  }
  // kill() returns before every thread has stopped: a statement sent at once could still be answered
  if (signal === "SIGSTOP") { for (const p of [main, ...kids]) await stopped(p); }
}

/** Waits (at most 2 s) until every thread of `pid` is stopped (state T in /proc/PID/task/TID/stat). */
async function stopped(pid: number): Promise<void> {
  const state = (tid: string) => {
    try {
      const st = Deno.readTextFileSync(`/proc/${pid}/task/${tid}/stat`);
      return st.slice(st.lastIndexOf(")") + 2, st.lastIndexOf(")") + 3);
    } catch {
      return "T"; // gone
    }
  };
  for (const end = Date.now() + 2000; Date.now() < end;) {
    let tids: string[];
    try {
      tids = [...Deno.readDirSync(`/proc/${pid}/task`)].map((e) => e.name);
    } catch {
      return;
    }
    if (tids.every((t) => "Tt".includes(state(t)))) return;
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Registers the timeout test on the server `db()` starts (once). */
export function runSqlTimeoutTests(type: "postgresql" | "mysql", db: () => Promise<SqlServer>): void {
  const name = type === "postgresql" ? "tcp-user-timeout" : "read-timeout";
  Deno.test(`SqlDb(${type}): no answer within ${name} is a lost connection; the next statement reconnects`, async () => {
    const s = await db();
    const sql = await openSqlDb(s.access(type === "postgresql" ? { tcpUserTimeout: 1 } : { readTimeout: 1 }));
    try {
      assert.equal((await sql.query("SELECT 1 AS one"))[0].one, 1);
      await signalAll(s, "SIGSTOP");
      const started = Date.now();
      try {
        await assert.rejects(sql.query("SELECT 2 AS two"), (e) => isConnectionLoss(e) && /within/.test(String(e)));
      } finally {
        await signalAll(s, "SIGCONT");
      }
      const took = Date.now() - started;
      const want = type === "postgresql" ? 1000 : 3000; // MySQL: 3 tries of read-timeout, as libmysqlclient
      assert.ok(took >= want - 50 && took < want + 2000, `gave up after ${took} ms`);
      assert.equal((await sql.query("SELECT 3 AS three"))[0].three, 3);
    } finally {
      await sql.close().catch(() => {});
    }
  });
}
