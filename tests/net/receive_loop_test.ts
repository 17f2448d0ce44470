/**
 * runReceiveLoop(): the back-off doubles from 100 ms to 5 s between failed rounds and starts again after a round
 * that succeeds; ten failures in a row end the loop with the fatal line and onFatal; a failure while stopping is
 * no failure; the loop's promise never rejects. Fake sleep: no real waiting.
 */
import assert from "node:assert/strict";
import { RECEIVE_BACKOFF, runReceiveLoop } from "../../mod/net/receive_loop.ts";
import { memoryLog } from "../ddns/fixture.ts";

const IDS = { failed: "X_RECEIVE_FAILED", fatal: "X_LOOP_STOPPED" };

/** Runs the loop over scripted rounds (true = success, false = throw) and returns the waits and the outcome. */
async function run(script: boolean[], running = () => script.length > 0) {
  const waits: number[] = [];
  const fatal: string[] = [];
  const log = memoryLog();
  await runReceiveLoop({
    round: () => (script.shift() ? Promise.resolve() : Promise.reject(new Error("boom"))),
    running,
    log,
    ids: IDS,
    onFatal: (r) => void fatal.push(r),
    sleep: (ms) => Promise.resolve(void waits.push(ms)),
  });
  return { waits, fatal, lines: log.lines };
}

Deno.test("receive loop: waits double up to 5 s and start again after a good round", async () => {
  const r = await run([false, false, false, true, false, false, false, false, false, false, false, false, true]);
  assert.deepEqual(r.waits, [100, 200, 400, 100, 200, 400, 800, 1600, 3200, 5000, 5000]);
  assert.deepEqual(r.fatal, []);
  assert.equal(r.lines.length, 11);
  assert.equal(r.lines[0], "ERROR X_RECEIVE_FAILED receive failed (1 in a row), retrying in 100 ms: boom");
});

Deno.test("receive loop: ten failures in a row log the fatal line once, call onFatal and end", async () => {
  const r = await run(Array(RECEIVE_BACKOFF.giveUpAfter + 5).fill(false));
  assert.equal(r.waits.length, RECEIVE_BACKOFF.giveUpAfter - 1);
  assert.deepEqual(r.fatal, ["the receive loop failed 10 times in a row and stops: boom"]);
  assert.equal(r.lines.at(-1), `ERROR X_LOOP_STOPPED ${r.fatal[0]}; the server exits with status 1`);
});

Deno.test("receive loop: a round that fails because the server is stopping ends the loop quietly", async () => {
  let running = true;
  let rounds = 0;
  const log = memoryLog();
  const fatal: string[] = [];
  await runReceiveLoop({
    round: () => {
      rounds++;
      running = false; // stop() closed the transport under the pending receive
      return Promise.reject(new Error("EBADF"));
    },
    running: () => running,
    log,
    ids: IDS,
    onFatal: (r) => void fatal.push(r),
    sleep: () => Promise.reject(new Error("no back-off while stopping")),
  });
  assert.deepEqual([rounds, fatal, log.lines], [1, [], []]);
});
