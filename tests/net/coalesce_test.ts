/**
 * The receive path under load: Poller.sleep (the coalescing pause, ended early by close) and FfiTransport's
 * interrupt coalescing on loopback. FfiTransport binds its socket to a device (SO_BINDTODEVICE), which needs root;
 * those tests are skipped otherwise. Datagrams are 6-byte payloads sent to 127.0.0.1 on a random port.
 */
import assert from "node:assert/strict";
import { Poller } from "../../mod/net/poller.ts";
import { COALESCE_US, FfiTransport } from "../../mod/net/transport_ffi.ts";
import { BatchReceiver, HOT_BATCH } from "../../mod/net/batch_receiver.ts";
import type { PollGroup, PollMember } from "../../mod/net/poll_group.ts";
import { UdpSocket4 } from "../../mod/net/udp4.ts";
import { ifNameToIndex } from "../../mod/net/libc.ts";
import { parseIpv4 } from "../../mod/wire/addr.ts";

const LOOPBACK = parseIpv4("127.0.0.1")!;
const notRoot = Deno.uid() !== 0;

Deno.test("Poller.sleep waits about the time asked, and close() ends it at once", async () => {
  const poller = new Poller([]);
  let t0 = performance.now();
  await poller.sleep(20_000);
  const slept = performance.now() - t0;
  assert.ok(slept >= 19 && slept < 500, `slept ${slept.toFixed(1)} ms for 20 ms`);
  const long = poller.sleep(10_000_000); // 10 s
  await new Promise((r) => setTimeout(r, 10));
  t0 = performance.now();
  poller.close();
  await long;
  assert.ok(performance.now() - t0 < 1000, "close() woke the sleep");
});

function openTransport(): { t: FfiTransport; port: number } {
  for (let i = 0; i < 20; i++) {
    const port = 40000 + Math.floor(Math.random() * 20000);
    try {
      const t = FfiTransport.open({
        interfaces: [{ name: "lo", index: ifNameToIndex("lo"), mac: new Uint8Array(6), addr: LOOPBACK, addrs: [] }],
        port,
        raw: false,
      });
      return { t, port };
    } catch (e) {
      if (!/EADDRINUSE/.test((e as Error).message)) throw e;
    }
  }
  throw new Error("no free loopback port");
}

Deno.test({
  name: "FfiTransport coalesces: once traffic flows, datagrams sent meanwhile come back as one batch",
  ignore: notRoot,
  fn: async () => {
    assert.equal(COALESCE_US, 300);
    assert.equal(HOT_BATCH, 2);
    const { t, port } = openTransport();
    const tx = UdpSocket4.open({ port: port + 1, bindAddr: LOOPBACK, bindToDevice: false, broadcast: true });
    try {
      // two datagrams queued before the call: they arrived faster than the loop woke (HOT_BATCH), traffic flows
      tx.send(Uint8Array.of(1, 0, 0, 0, 0, 0), LOOPBACK, port);
      tx.send(Uint8Array.of(1, 1, 0, 0, 0, 0), LOOPBACK, port);
      await new Promise((r) => setTimeout(r, 20));
      const first = await t.recvBatch(64, 2000);
      assert.equal(first.length, HOT_BATCH);
      assert.deepEqual([...first[0].data], [1, 0, 0, 0, 0, 0]);
      assert.equal(first[0].iface, "lo");
      // the next call finds nothing and sleeps COALESCE_US; what is sent meanwhile arrives as one batch
      const t1 = performance.now();
      const next = t.recvBatch(64, 2000);
      for (let n = 2; n <= 6; n++) tx.send(Uint8Array.of(n, 0, 0, 0, 0, 0), LOOPBACK, port);
      const batch = await next;
      const took = performance.now() - t1;
      assert.deepEqual(batch.map((d) => d.data[0]), [2, 3, 4, 5, 6]);
      // a readiness wait would have returned as soon as the first datagram landed; the coalescing sleep does not
      assert.ok(
        took >= (COALESCE_US / 1000) * 0.9,
        `returned after ${took.toFixed(3)} ms, before the coalescing sleep`,
      );
      // each datagram keeps its own bytes (the receive arena is never overwritten)
      tx.send(Uint8Array.of(9, 9, 9, 9, 9, 9), LOOPBACK, port);
      const last = await t.recvBatch(64, 2000);
      assert.equal(last.length, 1); // one datagram: light load again, the next call waits for readiness
      assert.deepEqual([...batch[0].data], [2, 0, 0, 0, 0, 0]);
      // silence: the coalescing drain finds nothing, the transport falls back to waiting, and a timeout returns []
      const t0 = performance.now();
      assert.deepEqual(await t.recvBatch(64, 50), []);
      assert.ok(performance.now() - t0 >= 45);
    } finally {
      tx.close();
      t.close();
    }
  },
});

Deno.test({
  name: "FfiTransport.close() ends a pending receive, also during a coalescing sleep",
  ignore: notRoot,
  fn: async () => {
    const { t, port } = openTransport();
    const tx = UdpSocket4.open({ port: port + 1, bindAddr: LOOPBACK, bindToDevice: false, broadcast: true });
    try {
      tx.send(Uint8Array.of(1, 2, 3, 4, 5, 6), LOOPBACK, port);
      tx.send(Uint8Array.of(1, 2, 3, 4, 5, 7), LOOPBACK, port);
      await new Promise((r) => setTimeout(r, 20));
      assert.equal((await t.recvBatch(8, 2000)).length, 2);
      const pending = t.recvBatch(8); // hot: sleeps, drains nothing, then waits with no deadline
      await new Promise((r) => setTimeout(r, 5));
      const t0 = performance.now();
      t.close();
      assert.deepEqual(await pending, []);
      assert.ok(performance.now() - t0 < 1500);
    } finally {
      tx.close();
      t.close();
    }
  },
});

/** A poll group whose member records whether the receiver slept (coalescing) or waited for readiness. */
function fakeGroup(calls: string[]): PollGroup {
  const member: PollMember = {
    wait: () => (calls.push("wait"), Promise.resolve()),
    sleep: () => (calls.push("sleep"), Promise.resolve()),
    leave: () => Promise.resolve(),
    left: false,
  };
  return { join: () => member } as unknown as PollGroup;
}

Deno.test("BatchReceiver coalesces only when traffic outpaces the wake-ups: light load goes straight to readiness", async () => {
  const calls: string[] = [];
  const queue: number[][] = []; // what each drain finds, in order
  let now = 0;
  const rx = new BatchReceiver<number>(fakeGroup(calls), [3], (out, max) => {
    for (const d of queue.shift() ?? []) if (out.length < max) out.push(d);
  }, () => now);
  // light load: one datagram per wake-up, 0.5 ms apart (1 000 DORA/s); the receiver waits for readiness each time
  queue.push([], [1], [], [2], [], [3]);
  for (const d of [1, 2, 3]) {
    now += 0.5;
    assert.deepEqual(await rx.recvBatch(8), [d]);
  }
  assert.deepEqual(calls, ["wait", "wait", "wait"]);
  // single datagrams 0.1 ms apart: faster than one per coalescing sleep, so the next empty drain sleeps
  calls.length = 0;
  now += 0.1;
  queue.push([], [4], []);
  assert.deepEqual(await rx.recvBatch(8), [4]);
  queue.push([5, 6]);
  assert.deepEqual(await rx.recvBatch(8), [5, 6]);
  assert.deepEqual(calls, ["wait", "sleep"]);
  now += 10;
  // a drain that found two: traffic outpaces the wake-ups, so the next empty drain is followed by a coalescing sleep
  calls.length = 0;
  queue.push([3, 4], [], [5, 6, 7]);
  assert.deepEqual(await rx.recvBatch(8), [3, 4]);
  assert.deepEqual(await rx.recvBatch(8), [5, 6, 7]);
  assert.deepEqual(calls, ["sleep"]);
  // the sleep gathered nothing: the link went quiet, back to readiness waits
  calls.length = 0;
  queue.push([], [], [], [8]);
  assert.deepEqual(await rx.recvBatch(8), [8]);
  assert.deepEqual(calls, ["sleep", "wait"]);
  rx.close(() => {});
});
