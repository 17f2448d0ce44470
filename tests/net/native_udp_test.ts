/**
 * Deno's own UDP socket seen through libc (mod/net/native_udp.ts), on loopback: its descriptor is found by port,
 * its receive buffer can be raised, and a borrowed UdpSocket4 sends on it and drains what is queued behind the
 * datagram Deno's receive returned, without confusing Deno's reactor (its next receive still wakes for the next
 * datagram) and without closing Deno's descriptor. Needs deno.json's "unstable": ["net"] (Deno.listenDatagram).
 */
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { borrowNativeUdp4, listenNative, setReceiveBuffer, udpSocketFds } from "../../mod/net/native_udp.ts";
import type { Datagram4 } from "../../mod/net/udp4.ts";

const LOOPBACK = 0x7f000001;

/** Sends and waits for the send to complete (node:dgram in Deno sends datagrams queued together in reverse order). */
function sendNow(peer: dgram.Socket, text: string, port: number): Promise<void> {
  return new Promise((r) => peer.send(text, port, "127.0.0.1", () => r()));
}

Deno.test("native UDP: the descriptor is found by port, the receive buffer raised, drains behind Deno's receive", async () => {
  const conn = listenNative("127.0.0.1", 0);
  assert.ok(conn, "deno.json enables Deno.listenDatagram (unstable net)");
  const port = conn.addr.port;
  const peer = dgram.createSocket("udp4");
  await new Promise<void>((r) => peer.bind(0, "127.0.0.1", () => r()));
  const got: string[] = [];
  peer.on("message", (m: Uint8Array) => got.push(new TextDecoder().decode(m)));
  try {
    const fds = udpSocketFds(port);
    assert.equal(fds.length, 1, "exactly one descriptor of this process is bound to the port");
    assert.deepEqual(udpSocketFds(port, true), [], "nothing on the IPv6 table for an IPv4 socket");
    const granted = setReceiveBuffer(fds[0], 4 << 20);
    assert.ok(granted !== undefined && granted >= 4 << 20, `receive buffer ${granted} after asking for 4 MiB`);

    const raw = borrowNativeUdp4(port);
    assert.ok(raw, "the socket can be borrowed");
    // five datagrams queue up; Deno's receive returns the first, the borrowed socket drains the other four
    for (let i = 0; i < 5; i++) await sendNow(peer, `d${i}`, port); // on loopback: queued once sent
    const buf = new Uint8Array(2048);
    const [first] = await conn.receive(buf);
    assert.equal(new TextDecoder().decode(first), "d0");
    const rest: Datagram4[] = [];
    assert.equal(raw.drainInto(rest, 16), 4);
    assert.deepEqual(rest.map((d) => new TextDecoder().decode(d.data)), ["d1", "d2", "d3", "d4"]);
    assert.equal(rest[0].srcPort, peer.address().port);
    assert.equal(raw.drainInto(rest, 16), 0, "the queue is empty");
    // the reactor, which did not see the queue emptied, still wakes for the next datagram
    const next = conn.receive(buf);
    setTimeout(() => sendNow(peer, "later", port), 20);
    const [later] = await next;
    assert.equal(new TextDecoder().decode(later), "later");
    // sends go out synchronously from the same port
    raw.send(new TextEncoder().encode("from-raw"), LOOPBACK, peer.address().port);
    for (let i = 0; i < 100 && !got.length; i++) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(got, ["from-raw"]);
    // closing the borrowed socket leaves Deno's descriptor open
    raw.close();
    assert.deepEqual(udpSocketFds(port), fds);
    const again = conn.receive(buf);
    await sendNow(peer, "still", port);
    assert.equal(new TextDecoder().decode((await again)[0]), "still");
  } finally {
    conn.close();
    await new Promise<void>((r) => peer.close(() => r()));
  }
  assert.deepEqual(udpSocketFds(port), [], "closed by its owner");
});

Deno.test("native UDP: no socket on a port means nothing to borrow", () => {
  // port 9 (discard) is not bound by this process
  assert.deepEqual(udpSocketFds(9), []);
  assert.equal(borrowNativeUdp4(9), undefined);
});
