/**
 * No silent death of the DHCPv6 receive loop (issue 9 item 8), failures injected into the real server edge: a
 * receive that throws is logged (DHCP6_PACKET_RECEIVE_FAIL, escaped) and retried after a back-off, and the next
 * query is answered; a transport that never recovers ends the loop with DHCP6_RECEIVE_LOOP_STOPPED and onFatal;
 * a query whose handling throws (here the lease store, synchronously) costs that query one escaped line, no stack
 * trace, and the next query of the batch is answered.
 */
import assert from "node:assert/strict";
import { Dhcp6Server, type Server6Deps } from "../../mod/dhcp6/server6.ts";
import { decode6, encode6 } from "../../mod/packet6/codec.ts";
import { MsgType6 } from "../../mod/packet6/packet.ts";
import { KvLease6Store } from "../../mod/lease/kv_store6.ts";
import type { Lease6Store } from "../../mod/lease/types6.ts";
import { IterativeAllocator6 } from "../../mod/dhcp6/engine/allocator6.ts";
import { Stats } from "../../mod/stats/stats.ts";
import type { Datagram6, Transport6 } from "../../mod/net/udp6.ts";
import { parseIpv6 } from "../../mod/wire/ipv6.ts";
import { memoryLog } from "../ddns/fixture.ts";
import { hex, inner, load6, RELAYED_SOLICIT } from "./fixtures6.ts";

const SERVER_DUID = hex("0002000009bf0102");
const FAST = { firstMs: 1, maxMs: 4, giveUpAfter: 4 };

/** Answers recvBatch from `script` (a batch or an Error to throw), then waits until closed; records sends. */
class ScriptedTransport6 implements Transport6 {
  sent: Uint8Array[] = [];
  receives = 0;
  #closed = Promise.withResolvers<Datagram6[]>();
  constructor(readonly script: (Datagram6[] | Error)[]) {}
  recvBatch(): Promise<Datagram6[]> {
    this.receives++;
    const next = this.script.shift();
    if (next instanceof Error) return Promise.reject(next);
    return next ? Promise.resolve(next) : this.#closed.promise;
  }
  send(_a: Datagram6, data: Uint8Array): void {
    this.sent.push(data.slice());
  }
  endpoints(): string[] {
    return [];
  }
  close(): void {
    this.#closed.resolve([]);
  }
}

/** The fixture's relayed SOLICIT from the relay 2001:db8:1::1, with transaction id `tid`. */
function solicit(tid: number): Datagram6 {
  const q = decode6(RELAYED_SOLICIT);
  inner(q).transactionId = tid;
  delete inner(q).layout;
  return {
    data: encode6(q),
    iface: "",
    srcAddr: parseIpv6("2001:db8:1::1")!,
    srcPort: 547,
    dstAddr: parseIpv6("2001:db8:1::2")!,
    ifindex: 1,
    via: 0,
  };
}

async function bed(transport: ScriptedTransport6, over: Partial<Server6Deps> = {}) {
  const kv = await KvLease6Store.open(":memory:");
  const log = memoryLog();
  const stats = new Stats();
  const server = new Dhcp6Server({
    config: load6(),
    transport,
    store: kv,
    allocator: new IterativeAllocator6(),
    stats,
    log,
    serverDuid: SERVER_DUID,
    ifaceAddrs: new Map(),
    receiveBackOff: FAST,
    ...over,
  });
  server.start();
  await new Promise((r) => setTimeout(r, 60));
  const close = async () => {
    await server.stop();
    await kv.close();
  };
  return { kv, log, stats, server, close };
}

const tidOf = (d: Uint8Array) => inner(decode6(d)).transactionId;

Deno.test("dhcp6 loop: a receive that throws is logged with its id and retried; the next SOLICIT is answered", async () => {
  const t = new ScriptedTransport6([new Error("socket [ff02::1:2%eth0]:547\nclosed"), [solicit(0x111)]]);
  const b = await bed(t);
  try {
    assert.deepEqual(t.sent.map(tidOf), [0x111]);
    assert.deepEqual(b.log.lines.filter((l) => l.startsWith("ERROR")), [
      String
        .raw`ERROR DHCP6_PACKET_RECEIVE_FAIL receive failed (1 in a row), retrying in 1 ms: socket [ff02::1:2%eth0]:547\x0aclosed`,
    ]);
  } finally {
    await b.close();
  }
});

Deno.test("dhcp6 loop: a transport that never recovers ends the loop: STOPPED line and onFatal", async () => {
  const t = new ScriptedTransport6(Array.from({ length: 20 }, () => new Error("EBADF")));
  const fatal: string[] = [];
  const b = await bed(t, { onFatal: (r) => void fatal.push(r) });
  try {
    assert.equal(t.receives, 4);
    assert.deepEqual(fatal, ["the receive loop failed 4 times in a row and stops: EBADF"]);
    assert.equal(b.log.lines.filter((l) => l.startsWith("ERROR DHCP6_RECEIVE_LOOP_STOPPED ")).length, 1);
  } finally {
    await b.close();
  }
});

Deno.test("dhcp6 loop: a query whose handling throws costs one escaped line; the batch goes on", async () => {
  const t = new ScriptedTransport6([[solicit(0x222), solicit(0x333)]]);
  const kv = await KvLease6Store.open(":memory:");
  let calls = 0;
  const store: Lease6Store = Object.create(kv);
  // an ADVERTISE commits nothing: make the first query's lease lookup throw instead, synchronously
  store.byIa = (...args: Parameters<Lease6Store["byIa"]>) => {
    if (calls++ === 0) throw new RangeError("index\u202ebroken");
    return kv.byIa(...args);
  };
  const b = await bed(t, { store });
  try {
    assert.deepEqual(t.sent.map(tidOf), [0x333]);
    const errors = b.log.lines.filter((l) => l.startsWith("ERROR"));
    assert.equal(errors.length, 1, b.log.lines.join("\n"));
    assert.match(
      errors[0],
      /^ERROR DHCP6_PACKET_PROCESS_EXCEPTION duid=\[[0-9a-f:]+\], tid=0x222: exception processing a packet, dropped: RangeError: index\\u\{202e\}broken$/,
    );
    assert.equal(b.stats.get("pkt6-processing-failed"), 1);
    assert.equal(b.stats.get("pkt6-advertise-sent"), 1);
    assert.equal(inner(decode6(t.sent[0])).msgType, MsgType6.ADVERTISE);
  } finally {
    await b.close();
    await kv.close();
  }
});
