/**
 * The DHCPv6 FFI sockets on loopback (no root): UdpSocket6 reports IPV6_PKTINFO (arrival ifindex of lo, the
 * destination ::1) and the source; one recvmmsg drains a burst in order, each payload kept; sendmmsg sends a queued
 * burst in one flush; the loopback transport answers the sender's port; PollGroup lets two transports share one
 * wait, and leaving it ends a pending receive.
 */
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { Buffer } from "node:buffer";
import { BATCH, type Datagram6, UdpSocket6 } from "../../mod/net/udp6_socket.ts";
import { Ffi6Transport } from "../../mod/net/udp6.ts";
import { PollGroup } from "../../mod/net/poll_group.ts";
import { ifNameToIndex } from "../../mod/net/libc.ts";
import { formatIpv6, parseIpv6 } from "../../mod/wire/ipv6.ts";

const LO6 = parseIpv6("::1")!;

function openOn(): { s: UdpSocket6; port: number } {
  for (let i = 0; i < 20; i++) {
    const port = 30000 + Math.floor(Math.random() * 30000);
    try {
      return { s: UdpSocket6.open({ port, bindAddr: LO6 }), port };
    } catch (e) {
      if (!/EADDRINUSE/.test((e as Error).message)) throw e;
    }
  }
  throw new Error("no free port on ::1");
}

async function drained(s: UdpSocket6, want: number, ms = 2000): Promise<Datagram6[]> {
  const out: Datagram6[] = [];
  const end = Date.now() + ms;
  while (out.length < want && Date.now() < end) {
    s.drainInto(out, 1000, 7);
    if (out.length < want) await new Promise((r) => setTimeout(r, 5));
  }
  return out;
}

Deno.test("UdpSocket6 receives with IPV6_PKTINFO: ifindex of lo, destination ::1, source and port", async () => {
  const a = openOn(), b = openOn();
  try {
    b.s.queue(Uint8Array.of(1, 2, 3), LO6, a.port, 0);
    assert.deepEqual(b.s.flush(), []);
    const [d] = await drained(a.s, 1);
    assert.ok(d, "one datagram");
    assert.deepEqual([...d.data], [1, 2, 3]);
    assert.equal(d.ifindex, ifNameToIndex("lo"));
    assert.equal(formatIpv6(d.dstAddr), "::1");
    assert.equal(formatIpv6(d.srcAddr), "::1");
    assert.equal(d.srcPort, b.port);
    assert.equal(d.via, 7);
  } finally {
    a.s.close();
    b.s.close();
  }
});

Deno.test("UdpSocket6: a burst of 3×BATCH+5 is queued, flushed with sendmmsg and drained in order, each payload kept", async () => {
  const a = openOn(), b = openOn();
  try {
    const n = 3 * BATCH + 5;
    for (let i = 0; i < n; i++) b.s.queue(Uint8Array.of(i & 0xff, i >> 8, 0xaa), LO6, a.port, 0, LO6);
    assert.equal(b.s.queued, n - 3 * BATCH, "full batches went out as the queue filled");
    assert.deepEqual(b.s.flush(), []);
    assert.equal(b.s.queued, 0);
    const got = await drained(a.s, n);
    assert.equal(got.length, n);
    got.forEach((d, i) => assert.deepEqual([...d.data], [i & 0xff, i >> 8, 0xaa], `datagram ${i}`));
    // max is honoured: nothing more is queued, and a drain limited to 0 adds nothing
    assert.equal(a.s.drainInto([], 0, 0), 0);
  } finally {
    a.s.close();
    b.s.close();
  }
});

Deno.test("UdpSocket6: a datagram larger than a receive slot is dropped and counted; a send to a closed socket throws", async () => {
  const a = openOn(), b = openOn();
  try {
    b.s.queue(new Uint8Array(4096), LO6, a.port, 0); // fits a send slot, and a receive slot exactly
    b.s.flush();
    assert.equal((await drained(a.s, 1)).length, 1);
    // a 5 000-byte datagram from another sender: dropped (MSG_TRUNC) and counted, the next one still arrives
    const big = dgram.createSocket("udp6");
    await new Promise<void>((r) => big.send(Buffer.alloc(5000), a.port, "::1", () => r()));
    await new Promise<void>((r) => big.send(Buffer.from([5]), a.port, "::1", () => r()));
    big.close();
    const after = await drained(a.s, 1);
    assert.deepEqual(after.map((d) => [...d.data]), [[5]]);
    assert.equal(a.s.truncated, 1);
    assert.throws(() => b.s.queue(new Uint8Array(5000), LO6, a.port, 0), /too large/);
    b.s.close();
    assert.throws(() => b.s.queue(Uint8Array.of(1), LO6, a.port, 0), /closed/);
  } finally {
    a.s.close();
    b.s.close();
  }
});

Deno.test("UdpSocket6.open names the device and errno when the interface does not exist", () => {
  assert.throws(
    () => UdpSocket6.open({ port: 40547, iface: "nosuch0", ifindex: 999 }),
    (e: Error) => /nosuch0/.test(e.message) && /(ENODEV|EPERM)/.test(e.message),
  );
});

Deno.test("Ffi6Transport loopback: replies go back to the sender's port on ::1, whatever the engine chose", async () => {
  const port = 30000 + Math.floor(Math.random() * 30000);
  const t = Ffi6Transport.openLoopback(port, "eth9");
  const c = openOn();
  try {
    c.s.queue(Uint8Array.of(9, 9), LO6, port, 0);
    c.s.flush();
    const [q] = await t.recvBatch(8);
    assert.equal(q.iface, "eth9");
    assert.equal(q.srcPort, c.port);
    t.send(q, Uint8Array.of(7), parseIpv6("2001:db8::99")!, 547);
    t.send(q, Uint8Array.of(8), parseIpv6("fe80::1")!, 546);
    const back = await drained(c.s, 2);
    assert.deepEqual(back.map((d) => d.data[0]), [7, 8], "both replies flushed to the sender");
    assert.deepEqual(t.endpoints(), [`[::1]:${port}`]);
  } finally {
    t.close();
    c.s.close();
  }
});

Deno.test("PollGroup: two transports share one wait; each gets its own datagrams; leaving ends a pending receive", async () => {
  const group = new PollGroup();
  const p1 = 30000 + Math.floor(Math.random() * 15000), p2 = p1 + 15000;
  const t1 = Ffi6Transport.openLoopback(p1, "a", undefined, group);
  const t2 = Ffi6Transport.openLoopback(p2, "b", undefined, group);
  const c = openOn();
  try {
    assert.equal(group.size, 2, "both sockets in the one poll set");
    const r1 = t1.recvBatch(8), r2 = t2.recvBatch(8);
    c.s.queue(Uint8Array.of(1), LO6, p1, 0);
    c.s.queue(Uint8Array.of(2), LO6, p2, 0);
    c.s.flush();
    const [g1, g2] = await Promise.all([r1, r2]);
    assert.deepEqual(g1.map((d) => [d.iface, d.data[0]]), [["a", 1]]);
    assert.deepEqual(g2.map((d) => [d.iface, d.data[0]]), [["b", 2]]);
    const pending = t2.recvBatch(8);
    await new Promise((r) => setTimeout(r, 20));
    const t0 = performance.now();
    t2.close();
    assert.deepEqual(await pending, []);
    assert.ok(performance.now() - t0 < 1500, "close() woke the shared wait");
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(group.size, 1, "the closed transport left the poll set");
    // the other transport still receives
    const r3 = t1.recvBatch(8);
    c.s.queue(Uint8Array.of(3), LO6, p1, 0);
    c.s.flush();
    assert.deepEqual((await r3).map((d) => d.data[0]), [3]);
  } finally {
    t1.close();
    t2.close();
    c.s.close();
  }
});

Deno.test("UdpSocket6.sendInBackground: one batch off the main thread, the rest on it meanwhile; nothing lost, a close waits", async () => {
  const a = openOn(), b = openOn();
  try {
    const errors: string[] = [];
    const n = 3 * BATCH + 7;
    for (let i = 0; i < n; i++) b.s.queue(Uint8Array.of(i & 0xff, i >> 8), LO6, a.port, 0);
    b.s.sendInBackground((e) => errors.push(...e));
    assert.equal(b.s.queued, 0, "the first batch went to the background, the rest out synchronously");
    for (let i = 0; i < 5; i++) b.s.queue(Uint8Array.of(0xee, i), LO6, a.port, 0);
    assert.deepEqual(b.s.flush(), [], "a synchronous flush works while the background batch is out");
    b.s.close(); // the descriptor is closed once the background batch has returned
    const got = await drained(a.s, n + 5);
    assert.equal(got.length, n + 5);
    const key = (d: Datagram6) => `${d.data[0]},${d.data[1]}`;
    const want = [
      ...Array.from({ length: n }, (_, i) => `${i & 0xff},${i >> 8}`),
      ...[0, 1, 2, 3, 4].map((i) => `238,${i}`),
    ];
    assert.deepEqual(got.map(key).sort(), want.sort());
    assert.deepEqual(errors, []);
  } finally {
    a.s.close();
    b.s.close();
  }
});
