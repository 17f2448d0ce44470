/**
 * UdpSocket4 on loopback, no root needed: datagrams sent to ourselves arrive with the IP_PKTINFO facts
 * (ifindex of lo, destination 127.0.0.1), batches drain, close() wakes a pending receive, and errors name errno.
 */
import assert from "node:assert/strict";
import { UdpSocket4 } from "../../mod/net/udp4.ts";
import { ifNameToIndex, SysError } from "../../mod/net/libc.ts";
import { parseIpv4 } from "../../mod/wire/addr.ts";

const LOOPBACK = parseIpv4("127.0.0.1")!;

function openPair(): { a: UdpSocket4; b: UdpSocket4; portA: number; portB: number } {
  // ports in a private range; retry a few times in case one is taken
  for (let i = 0; i < 20; i++) {
    const portA = 40000 + Math.floor(Math.random() * 20000);
    const portB = portA + 1;
    try {
      const a = UdpSocket4.open({ port: portA, bindAddr: LOOPBACK, bindToDevice: false, broadcast: true });
      try {
        const b = UdpSocket4.open({ port: portB, bindAddr: LOOPBACK, bindToDevice: false, broadcast: true });
        return { a, b, portA, portB };
      } catch (e) {
        a.close();
        throw e;
      }
    } catch (e) {
      if (!(e instanceof SysError && e.code === 98)) throw e;
    }
  }
  throw new Error("no free loopback port pair");
}

Deno.test("UdpSocket4 receives on loopback with IP_PKTINFO: ifindex of lo, dst 127.0.0.1, source port", async () => {
  const { a, b, portA, portB } = openPair();
  try {
    const payload = new Uint8Array([1, 2, 3, 4, 5, 0xff]);
    assert.equal(a.send(payload, LOOPBACK, portB), 6);
    const got = await b.recvBatch(16, 2000);
    assert.equal(got.length, 1);
    const d = got[0];
    assert.deepEqual([...d.data], [...payload]);
    assert.equal(d.srcAddr, LOOPBACK);
    assert.equal(d.srcPort, portA);
    assert.equal(d.dstAddr, LOOPBACK);
    assert.equal(d.localAddr, LOOPBACK);
    assert.equal(d.ifindex, ifNameToIndex("lo"));
    assert.ok(d.ifindex > 0);
    // the data is a copy: a later receive must not overwrite it
    a.send(new Uint8Array([9, 9, 9, 9, 9, 9]), LOOPBACK, portB);
    const again = await b.recvBatch(16, 2000);
    assert.equal(again.length, 1);
    assert.deepEqual([...d.data], [...payload]);
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("UdpSocket4.recvBatch drains many datagrams in one call and respects max", async () => {
  const { a, b, portB } = openPair();
  try {
    for (let i = 0; i < 50; i++) a.send(new Uint8Array([i]), LOOPBACK, portB);
    const first = await b.recvBatch(20, 2000);
    assert.equal(first.length, 20);
    assert.deepEqual(first.map((d) => d.data[0]), [...Array(20).keys()]);
    const rest = await b.recvBatch(100, 2000);
    assert.equal(rest.length, 30);
    assert.equal(rest[29].data[0], 49);
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("UdpSocket4.send with IP_PKTINFO (ifindex + source) still reaches a loopback peer", async () => {
  const { a, b, portB } = openPair();
  try {
    a.send(new Uint8Array([7]), LOOPBACK, portB, ifNameToIndex("lo"), LOOPBACK);
    const got = await b.recvBatch(4, 2000);
    assert.equal(got.length, 1);
    assert.equal(got[0].data[0], 7);
    assert.equal(got[0].srcAddr, LOOPBACK);
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("UdpSocket4.close() wakes a pending recvBatch, which resolves empty", async () => {
  const { a, b } = openPair();
  a.close();
  const started = Date.now();
  const pending = b.recvBatch(8);
  setTimeout(() => b.close(), 50);
  const got = await pending;
  assert.deepEqual(got, []);
  assert.ok(Date.now() - started < 900, "close must wake the poll, not wait for its timeout");
  assert.ok(b.closed);
  assert.deepEqual(await b.recvBatch(8), []);
});

Deno.test("UdpSocket4.recvBatch with a timeout returns [] when nothing arrives", async () => {
  const { a, b } = openPair();
  try {
    const t0 = Date.now();
    assert.deepEqual(await b.recvBatch(8, 100), []);
    assert.ok(Date.now() - t0 >= 90);
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("UdpSocket4.open to a missing device fails with an error naming the interface and errno", () => {
  const { a, b, portA } = openPair();
  try {
    // binding to a missing interface fails (ENODEV; EPERM without CAP_NET_RAW) and the message says which
    assert.throws(
      () => UdpSocket4.open({ iface: "wkn-nonexist0", port: portA, bindToDevice: true, broadcast: true }),
      (e: unknown) =>
        e instanceof SysError && /SO_BINDTODEVICE interface wkn-nonexist0/.test(e.message) &&
        /ENODEV|EPERM/.test(e.message),
    );
  } finally {
    a.close();
    b.close();
  }
});
