/**
 * `deno run -A bench/server6_bench.ts [CLIENTS]`: the DHCPv6 server's per-exchange cost without a network —
 * SOLICIT then REQUEST for CLIENTS direct clients (distinct DUIDs, IA_NA) pushed through Dhcp6Server.process()
 * in batches of 256 (as the receive loop hands them over) with a transport that only counts replies, leases
 * committed to a real Deno KV file. Prints SOLICIT-ADVERTISE-REQUEST-REPLY exchanges per second of one core.
 */
import { parseConfigText } from "../mod/config/load.ts";
import { KvLease6Store } from "../mod/lease/kv_store6.ts";
import { IterativeAllocator6 } from "../mod/dhcp6/engine/allocator6.ts";
import { Stats } from "../mod/stats/stats.ts";
import { nullLog } from "../mod/log/logger.ts";
import { Dhcp6Server } from "../mod/dhcp6/server6.ts";
import type { Datagram6, Transport6 } from "../mod/net/udp6.ts";
import { decode6, encode6 } from "../mod/packet6/codec.ts";
import { getOption6, type Message6, MsgType6, Opt6 } from "../mod/packet6/packet.ts";
import { parseIpv6 } from "../mod/wire/ipv6.ts";

const N = Number(Deno.args[0] ?? 30000);
const dir = await Deno.makeTempDir();
const config = parseConfigText(
  JSON.stringify({
    Dhcp6: {
      "lease-database": { type: "kv", name: `${dir}/l.kv` },
      "preferred-lifetime": 3000,
      "valid-lifetime": 4000,
      subnet6: [{
        id: 1,
        subnet: "2001:db8:a::/64",
        interface: "eth0",
        pools: [{ pool: "2001:db8:a::1:0 - 2001:db8:a::ff:ffff" }],
        "option-data": [{ name: "dns-servers", data: "2001:db8:a::53" }],
      }],
    },
  }),
  "bench.json",
  () => "",
).dhcp6!;
const store = await KvLease6Store.open(`${dir}/l.kv`);
const replies: Uint8Array[] = [];
const transport: Transport6 = {
  recvBatch: () => new Promise<Datagram6[]>(() => {}),
  send: (_a, data) => void replies.push(data.slice()),
  endpoints: () => [],
  close: () => {},
};
const serverDuid = Uint8Array.of(0, 1, 0, 1, 1, 2, 3, 4, 2, 0, 0, 0, 0, 1);
const server = new Dhcp6Server({
  config,
  transport,
  store,
  allocator: new IterativeAllocator6(),
  stats: new Stats(),
  log: nullLog,
  serverDuid,
  ifaceAddrs: new Map(),
});
const src = parseIpv6("fe80::1")!, dst = parseIpv6("ff02::1:2")!;
const dg = (data: Uint8Array): Datagram6 => ({
  data,
  iface: "eth0",
  ifindex: 2,
  srcAddr: src,
  srcPort: 546,
  dstAddr: dst,
  via: 0,
});
const query = (type: number, i: number, address?: Uint8Array): Uint8Array => {
  const duid = Uint8Array.of(0, 1, 0, 1, 0x2a, 0, 0, 0, 2, 0, (i >> 16) & 255, (i >> 8) & 255, i & 255, 1);
  const m: Message6 = {
    kind: "message",
    msgType: type,
    transactionId: i & 0xffffff,
    options: [
      { code: Opt6.CLIENTID, data: duid },
      ...(type === MsgType6.REQUEST ? [{ code: Opt6.SERVERID, data: serverDuid }] : []),
      { code: Opt6.ELAPSED_TIME, data: new Uint8Array(2) },
      { code: Opt6.ORO, data: Uint8Array.of(0, 23) },
    ],
    ias: [{
      kind: "na",
      iaid: 1,
      t1: 0,
      t2: 0,
      addresses: address ? [{ address, preferred: 0, valid: 0, options: [] }] : [],
      prefixes: [],
      options: [],
    }],
  };
  return encode6(m);
};
const solicits = Array.from({ length: N }, (_, i) => query(MsgType6.SOLICIT, i));

const run = async (batch: Uint8Array[]) => {
  const now = Math.floor(Date.now() / 1000);
  for (let i = 0; i < batch.length; i += 256) {
    for (const q of batch.slice(i, i + 256)) server.process(dg(q), now);
    while (server.inFlight() > 0) await new Promise((r) => setTimeout(r, 0));
  }
};
const t0 = performance.now();
await run(solicits);
const adverts = replies.splice(0);
const requests = adverts.map((a, i) => {
  const m = decode6(a) as Message6;
  return query(MsgType6.REQUEST, i, m.ias[0].addresses[0].address);
});
const t1 = performance.now();
await run(requests);
await store.flush();
const t2 = performance.now();
const ok = replies.filter((r) => {
  const m = decode6(r) as Message6;
  return m.msgType === MsgType6.REPLY && m.ias[0].addresses[0]?.valid > 0 && getOption6(m.options, Opt6.SERVERID);
}).length;
console.log(
  `${N} SOLICIT in ${(t1 - t0).toFixed(0)} ms (${((t1 - t0) * 1000 / N).toFixed(1)} µs each), ` +
    `${N} REQUEST in ${(t2 - t1).toFixed(0)} ms (${((t2 - t1) * 1000 / N).toFixed(1)} µs each, commits included); ` +
    `${ok} REPLY with an address; ${(N / ((t2 - t0) / 1000)).toFixed(0)} SARR/s of one core`,
);
(globalThis as { gc?: () => void }).gc?.();
console.log(`heap ${(Deno.memoryUsage().heapUsed / 1e6).toFixed(1)} MB for ${store.size()} leases`);
await store.close();
await Deno.remove(dir, { recursive: true });
