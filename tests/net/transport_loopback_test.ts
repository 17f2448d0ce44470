/**
 * LoopbackTransport: queries arrive with their source and the label interface; every kind of reply (unicast,
 * broadcast, link) lands on 127.0.0.1 and never leaves loopback.
 */
import assert from "node:assert/strict";
import { LoopbackTransport } from "../../mod/net/transport.ts";
import { UdpSocket4 } from "../../mod/net/udp4.ts";
import { SysError } from "../../mod/net/libc.ts";
import { parseIpv4 } from "../../mod/wire/addr.ts";

const LO = parseIpv4("127.0.0.1")!;
const ETH0 = {
  name: "eth0",
  index: 2,
  mac: new Uint8Array([2, 0, 0, 0, 0, 1]),
  addr: parseIpv4("198.18.0.1")!,
  addrs: [{ addr: parseIpv4("198.18.0.1")!, len: 16 }],
};

function setup(): { t: LoopbackTransport; client: UdpSocket4; port: number; clientPort: number } {
  for (let i = 0; i < 20; i++) {
    const port = 40000 + Math.floor(Math.random() * 20000), clientPort = port + 1;
    try {
      const t = LoopbackTransport.open({ port, clientPort, served: ETH0 });
      try {
        const client = UdpSocket4.open({ port: clientPort, bindAddr: LO, bindToDevice: false, broadcast: true });
        return { t, client, port, clientPort };
      } catch (e) {
        t.close();
        throw e;
      }
    } catch (e) {
      if (!(e instanceof SysError && e.code === 98)) throw e;
    }
  }
  throw new Error("no free loopback ports");
}

Deno.test("LoopbackTransport receives queries labelled with the simulated served interface and the client's source", async () => {
  const { t, client, port, clientPort } = setup();
  try {
    client.send(new Uint8Array([1, 2, 3]), LO, port);
    client.send(new Uint8Array([4]), LO, port);
    const got = await t.recvBatch(10, 2000);
    assert.equal(got.length, 2);
    assert.equal(got[0].iface, "eth0");
    assert.equal(got[0].srcAddr, LO);
    assert.equal(got[0].srcPort, clientPort);
    assert.equal(got[0].dstAddr, LO);
    assert.deepEqual([...got[1].data], [4]);
    assert.equal(t.served(got[0].ifindex), ETH0, "the simulated interface answers for loopback arrivals");
  } finally {
    t.close();
    client.close();
  }
});

Deno.test("LoopbackTransport keeps every reply on loopback: broadcast, link and off-loopback unicast", async () => {
  const { t, client, port } = setup();
  try {
    t.sendBroadcast(2, new Uint8Array([0xb]));
    t.sendLink(2, new Uint8Array([2, 0, 0, 0, 0, 1]), parseIpv4("198.18.0.77")!, new Uint8Array([0x1]));
    t.sendUnicast(new Uint8Array([0xa]), parseIpv4("198.18.0.254")!, 67); // a giaddr: redirected to the client port
    const got = await client.recvBatch(10, 2000);
    assert.deepEqual(got.map((d) => d.data[0]), [0xb, 0x1, 0xa]);
    for (const d of got) assert.equal(d.srcPort, port);
    // a unicast to a 127/8 address keeps its port
    const other = UdpSocket4.open({ port: port + 2, bindAddr: LO, bindToDevice: false, broadcast: true });
    try {
      t.sendUnicast(new Uint8Array([0xc]), LO, port + 2);
      const o = await other.recvBatch(4, 2000);
      assert.deepEqual(o.map((d) => d.data[0]), [0xc]);
    } finally {
      other.close();
    }
  } finally {
    t.close();
    client.close();
  }
});

Deno.test("LoopbackTransport refuses a bind address outside 127/8, and close() ends a pending receive", async () => {
  assert.throws(
    () => LoopbackTransport.open({ port: 6767, clientPort: 6868, bindAddr: parseIpv4("198.18.0.1") }),
    /only to 127\.0\.0\.0\/8/,
  );
  const { t, client } = setup();
  client.close();
  const pending = t.recvBatch(4);
  setTimeout(() => t.close(), 20);
  assert.deepEqual(await pending, []);
});
