/**
 * The DHCPv6 server edge (mod/dhcp6/server6.ts) over a fake transport and the real KV lease6 store in memory: decode
 * failures are counted, never thrown; replies wait for the durable commit; a failed commit sends nothing; the
 * relay gets a RELAY-REPL at port 547 through the socket the query came in on; dhcp-disable drops queries.
 */
import assert from "node:assert/strict";
import { Dhcp6Server } from "../../mod/dhcp6/server6.ts";
import { decode6, encode6 } from "../../mod/packet6/codec.ts";
import { getOption6, MsgType6, Opt6 } from "../../mod/packet6/packet.ts";
import { KvLease6Store } from "../../mod/lease/kv_store6.ts";
import type { Lease6Mutation, Lease6Store } from "../../mod/lease/types6.ts";
import { IterativeAllocator6 } from "../../mod/dhcp6/engine/allocator6.ts";
import { Stats } from "../../mod/stats/stats.ts";
import { nullLog } from "../../mod/log/logger.ts";
import type { Datagram6 } from "../../mod/net/udp6.ts";
import { parseIpv6 } from "../../mod/wire/ipv6.ts";
import { FakeTransport6, hex, inner, load6, RELAYED_SOLICIT } from "./fixtures6.ts";

const SERVER_DUID = hex("0002000009bf0102");
const RELAY = parseIpv6("2001:db8:1::1")!;

/** A store whose commits resolve (or fail) only when the test says so. */
function gated(inner: Lease6Store) {
  const gates: { resolve: () => void; reject: (e: Error) => void }[] = [];
  const store: Lease6Store = Object.create(inner);
  store.apply = (ms: readonly Lease6Mutation[]) => {
    const d = Promise.withResolvers<void>();
    inner.apply(ms).then(() => gates.push({ resolve: () => d.resolve(), reject: (e) => d.reject(e) }));
    return d.promise;
  };
  return { store, gates };
}

async function bed(storeWrap?: (s: Lease6Store) => Lease6Store) {
  const kv = await KvLease6Store.open(":memory:");
  const transport = new FakeTransport6();
  const stats = new Stats();
  const store = storeWrap ? storeWrap(kv) : kv;
  const server = new Dhcp6Server({
    config: load6(),
    transport,
    store,
    allocator: new IterativeAllocator6(),
    stats,
    log: nullLog,
    serverDuid: SERVER_DUID,
    ifaceAddrs: new Map(),
    clock: () => 1_800_000_000_000,
  });
  const dgram6 = (data: Uint8Array): Datagram6 => ({
    data,
    iface: "",
    srcAddr: RELAY,
    srcPort: 547,
    dstAddr: parseIpv6("2001:db8:1::2")!,
    ifindex: 2,
    via: 3,
  });
  return { kv, transport, stats, server, dgram6 };
}

/** A REQUEST for `address`, relayed like RELAYED_SOLICIT (built from the decoded fixture). */
function relayedRequest(address: Uint8Array): Uint8Array {
  const q = decode6(RELAYED_SOLICIT);
  assert.equal(q.kind, "relay");
  const m = inner(q);
  m.msgType = MsgType6.REQUEST;
  m.options.push({ code: Opt6.SERVERID, data: SERVER_DUID });
  m.ias[0].addresses.push({ address, preferred: 0, valid: 0, options: [] });
  delete m.layout;
  delete m.ias[0].layout;
  return encode6(q);
}

Deno.test("server6: a relayed SOLICIT is answered with an ADVERTISE in a RELAY-REPL to the relay's port 547", async () => {
  const { kv, transport, stats, server, dgram6 } = await bed();
  try {
    server.process(dgram6(RELAYED_SOLICIT), 1_800_000_000);
    assert.equal(transport.sent.length, 1);
    const s = transport.sent[0];
    assert.deepEqual([...s.addr], [...RELAY]);
    assert.equal(s.port, 547);
    assert.equal(s.via, 3, "the reply leaves through the socket the query came in on");
    const r = decode6(s.data);
    assert.equal(r.kind, "relay");
    assert.equal(r.msgType, MsgType6.RELAY_REPL);
    const m = inner(r);
    assert.equal(m.msgType, MsgType6.ADVERTISE);
    assert.equal(m.transactionId, 0xabcdef);
    assert.deepEqual(getOption6(m.options, Opt6.SERVERID), SERVER_DUID);
    assert.equal(m.ias[0].addresses.length, 1);
    assert.equal(stats.get("pkt6-received"), 1);
    assert.equal(stats.get("pkt6-solicit-received"), 1);
    assert.equal(stats.get("pkt6-advertise-sent"), 1);
    assert.equal(stats.get("pkt6-sent"), 1);
    assert.equal(kv.size(), 0, "an ADVERTISE commits no lease");
  } finally {
    await kv.close();
  }
});

Deno.test("server6: undecodable datagrams are counted as parse failures and dropped, never thrown", async () => {
  const { kv, transport, stats, server, dgram6 } = await bed();
  try {
    for (const bad of [new Uint8Array(0), hex("0c00"), RELAYED_SOLICIT.slice(0, 40), hex("01abcdef00010010aabb")]) {
      server.process(dgram6(bad), 1_800_000_000);
    }
    assert.equal(transport.sent.length, 0);
    assert.equal(stats.get("pkt6-received"), 4);
    assert.equal(stats.get("pkt6-parse-failed"), 4);
    assert.equal(stats.get("pkt6-receive-drop"), 4);
  } finally {
    await kv.close();
  }
});

/**
 * A relayed SOLICIT, then the REQUEST for the address ADVERTISEd, then 20 ms for the commit to reach the store;
 * returns the address offered.
 */
async function solicitThenRequest(
  b: Pick<Awaited<ReturnType<typeof bed>>, "transport" | "server" | "dgram6">,
): Promise<Uint8Array> {
  b.server.process(b.dgram6(RELAYED_SOLICIT), 1_800_000_000);
  const offered = inner(decode6(b.transport.sent[0].data)).ias[0].addresses[0].address;
  b.server.process(b.dgram6(relayedRequest(offered)), 1_800_000_000);
  await new Promise((r) => setTimeout(r, 20));
  return offered;
}

Deno.test("server6: the REPLY to a REQUEST is sent only once its lease is durable", async () => {
  let g!: ReturnType<typeof gated>;
  const { kv, transport, stats, server, dgram6 } = await bed((s) => (g = gated(s)).store);
  try {
    const offered = await solicitThenRequest({ transport, server, dgram6 });
    assert.equal(g.gates.length, 1, "the commit was handed to the store");
    assert.equal(transport.sent.length, 1, "no REPLY before the commit is durable");
    assert.equal(stats.get("pkt6-reply-sent"), 0);
    g.gates[0].resolve();
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(transport.sent.length, 2);
    const reply = inner(decode6(transport.sent[1].data));
    assert.equal(reply.msgType, MsgType6.REPLY);
    assert.deepEqual(reply.ias[0].addresses[0].address, offered);
    assert.equal(stats.get("pkt6-reply-sent"), 1);
    assert.equal(stats.get("pkt6-request-received"), 1);
    assert.equal(kv.size(), 1);
    await server.stop();
  } finally {
    await kv.close();
  }
});

Deno.test("server6: a failed commit sends nothing and counts pkt6-processing-failed", async () => {
  let g!: ReturnType<typeof gated>;
  const { kv, transport, stats, server, dgram6 } = await bed((s) => (g = gated(s)).store);
  try {
    await solicitThenRequest({ transport, server, dgram6 });
    g.gates[0].reject(new Error("disk full"));
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(transport.sent.length, 1, "only the ADVERTISE went out");
    assert.equal(stats.get("pkt6-processing-failed"), 1);
    assert.equal(stats.get("pkt6-reply-sent"), 0);
  } finally {
    await kv.close();
  }
});

Deno.test("server6: while disabled (dhcp-disable) queries are dropped", async () => {
  const { kv, transport, stats, server, dgram6 } = await bed();
  try {
    server.setEnabled(false);
    server.process(dgram6(RELAYED_SOLICIT), 1_800_000_000);
    assert.equal(transport.sent.length, 0);
    assert.equal(stats.get("pkt6-receive-drop"), 1);
    server.setEnabled(true);
    server.process(dgram6(RELAYED_SOLICIT), 1_800_000_000);
    assert.equal(transport.sent.length, 1);
  } finally {
    await kv.close();
  }
});
