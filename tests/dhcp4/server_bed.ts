/**
 * A DHCPv4 server edge for tests without sockets: the real Dhcp4Server over the real KV lease store in memory, the
 * real offer table and allocator, a transport that records what is sent (and whose receive side a test scripts),
 * and a Log that keeps its lines. Tests only.
 */
import { type Datagram, Dhcp4Server, type ServerDeps, type ServerTransport } from "../../mod/dhcp4/server.ts";
import { KvLeaseStore } from "../../mod/lease/kv_store.ts";
import { OfferTable } from "../../mod/lease/offers.ts";
import { PoolAllocator } from "../../mod/lease/allocator.ts";
import { Stats } from "../../mod/stats/stats.ts";
import type { Dhcp4Config } from "../../mod/config/model.ts";
import type { NameChangeRequest } from "../../mod/ddns/ncr/ncr.ts";
import { memoryLog } from "../ddns/fixture.ts";

/** What the recording transport saw: each send's kind, a copy of its bytes and its destination. */
export interface Sent {
  kind: "unicast" | "broadcast" | "link";
  data: Uint8Array;
  addr?: number;
}

/**
 * A transport whose `recvBatch` answers from `script` (a batch, or an Error to throw) and then waits until
 * closed; every send is recorded.
 */
export class ScriptedTransport implements ServerTransport {
  readonly sent: Sent[] = [];
  receives = 0;
  #closed = Promise.withResolvers<Datagram[]>();
  constructor(readonly script: (Datagram[] | Error)[] = []) {}
  recvBatch(): Promise<Datagram[]> {
    this.receives++;
    const next = this.script.shift();
    if (next instanceof Error) return Promise.reject(next);
    if (next) return Promise.resolve(next);
    return this.#closed.promise;
  }
  sendUnicast(data: Uint8Array, addr: number): void {
    this.sent.push({ kind: "unicast", data: data.slice(), addr });
  }
  sendBroadcast(_ifindex: number, data: Uint8Array): void {
    this.sent.push({ kind: "broadcast", data: data.slice() });
  }
  sendLink(_ifindex: number, _mac: Uint8Array, yiaddr: number, data: Uint8Array): void {
    this.sent.push({ kind: "link", data: data.slice(), addr: yiaddr });
  }
  close(): void {
    this.#closed.resolve([]);
  }
}

/** The server address every bed's interface has (192.0.2.1 on eth0). */
export const SERVER_ADDR = 0xc0000201;

/** A datagram as the FFI transport delivers it: from a client without an address, broadcast, on eth0. */
export function fromClient(data: Uint8Array): Datagram {
  return { data, iface: "eth0", ifindex: 2, localAddr: SERVER_ADDR, srcAddr: 0, srcPort: 68, dstAddr: 0xffffffff };
}

/** A server bed: `config` served on eth0 (192.0.2.1); `over` replaces any dependency. */
export async function serverBed(config: Dhcp4Config, over: Partial<ServerDeps> = {}) {
  const store = await KvLeaseStore.open(":memory:");
  const offers = new OfferTable();
  const transport = (over.transport as ScriptedTransport | undefined) ?? new ScriptedTransport();
  const log = memoryLog();
  const stats = new Stats();
  const ncrs: NameChangeRequest[] = [];
  const server = new Dhcp4Server({
    config,
    transport,
    store,
    offers,
    allocator: new PoolAllocator(store, offers),
    stats,
    log,
    ifaceAddrs: new Map([["eth0", [SERVER_ADDR]]]),
    onNcrs: (n) => void ncrs.push(...n),
    ...over,
  });
  const close = async () => {
    await server.stop();
    await store.close();
  };
  return { server, store, transport, log, stats, ncrs, close };
}
