/**
 * The listeners' shared guards (mod/control/conn_guard.ts) with injected failures: the accept loop logs and
 * survives descriptor exhaustion (closing idle connections, pausing) and any other accept error (backing off), and
 * only a close ends it; the connection table evicts the oldest idle connection at its limit, never a busy one, and
 * refuses when all are busy; the rate-limited log counts what it leaves out; the limit follows `ulimit -n`.
 */
import assert from "node:assert/strict";
import { acceptLoop, connectionLimit, ConnTable, RateLimitedLog, type Tracked } from "../../mod/control/conn_guard.ts";

/** A listener whose accept() follows a script: throw an error, hand out a connection, or wait to be closed. */
function scriptedListener(script: (Error | "conn")[]): { listener: Deno.Listener; close(): void } {
  let closed = () => {};
  const listener = {
    accept(): Promise<Deno.Conn> {
      const next = script.shift();
      if (next === undefined) {
        return new Promise((_, reject) => closed = () => reject(new Deno.errors.BadResource("closed")));
      }
      if (next === "conn") return Promise.resolve({ close() {} } as unknown as Deno.Conn);
      return Promise.reject(next);
    },
  } as unknown as Deno.Listener;
  return { listener, close: () => closed() };
}

Deno.test("acceptLoop: EMFILE and other accept errors are logged and survived; only close ends the loop", async () => {
  const emfile = Object.assign(new Error("Too many open files (os error 24)"), { code: "EMFILE" });
  const { listener, close } = scriptedListener([emfile, "conn", new Error("weird failure"), "conn", emfile]);
  const lines: string[] = [];
  const table = new ConnTable(4);
  const idle: Tracked = { busy: false, evict: () => lines.push("evicted idle") };
  const busy: Tracked = { busy: true, evict: () => lines.push("evicted busy!") };
  table.add(busy);
  table.add(idle);
  let served = 0, isClosed = false;
  const loop = acceptLoop(listener, {
    name: "test listener",
    table,
    serve: () => served++,
    closed: () => isClosed,
    log: new RateLimitedLog((level, id, text) => lines.push(`${level} ${id} ${text}`), 0),
    exhaustedPauseMs: 10,
  });
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(served, 2);
  assert.ok(lines.some((l) => /^warn LISTENER_DESCRIPTORS_EXHAUSTED test listener: out of file descriptors/.test(l)));
  assert.ok(lines.some((l) => /^error LISTENER_ACCEPT_FAILED test listener: accept failed: weird failure/.test(l)));
  assert.ok(lines.includes("evicted idle"));
  assert.ok(!lines.includes("evicted busy!"));
  isClosed = true;
  close();
  assert.equal(await loop, undefined); // resolves, never rejects
});

Deno.test("ConnTable: evicts the oldest idle at the limit, refuses when all are busy", () => {
  const t = new ConnTable(2);
  const log: string[] = [];
  const mk = (name: string, busy = false): Tracked => ({ busy, evict: () => log.push(name) });
  const a = mk("a"), b = mk("b", true), c = mk("c");
  assert.ok(t.add(a) && t.add(b));
  assert.ok(t.add(c)); // a (oldest idle) makes room
  assert.deepEqual(log, ["a"]);
  c.busy = true;
  assert.equal(t.add(mk("d")), false); // b and c are busy
  assert.deepEqual([t.size, t.evicted, t.refused], [2, 1, 1]);
  t.closeAll();
  assert.deepEqual(log, ["a", "b", "c"]);
});

Deno.test("RateLimitedLog says each id once a period and counts the rest; connectionLimit follows ulimit -n", () => {
  const out: string[] = [];
  const l = new RateLimitedLog((_lv, id, text) => out.push(`${id} ${text}`), 1000);
  l.say("warn", "X", "one", 0);
  l.say("warn", "X", "two", 10);
  l.say("warn", "Y", "other", 20);
  l.say("warn", "X", "three", 2000);
  assert.deepEqual(out, ["X one", "Y other", "X three (1 more since the last report)"]);
  assert.equal(connectionLimit(undefined), 256);
  assert.equal(connectionLimit(1 << 20), 256);
  assert.equal(connectionLimit(256), 16);
  assert.equal(connectionLimit(64), 8);
});
