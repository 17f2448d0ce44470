/**
 * weka's DHCPv6 server edge as a scenario target (scenarios6.ts's Under6): a fake transport, the real KV lease6
 * store in memory, the DDNS sender with a sink that records each NCR's JSON, a clock the scenarios set, and the
 * reclaimer's plan for "wait" steps. Tests only.
 */
import { Dhcp6Server } from "../../../mod/dhcp6/server6.ts";
import { KvLease6Store } from "../../../mod/lease/kv_store6.ts";
import { IterativeAllocator6 } from "../../../mod/dhcp6/engine/allocator6.ts";
import { Stats } from "../../../mod/stats/stats.ts";
import { type Log, nullLog } from "../../../mod/log/logger.ts";
import { parseConfigText } from "../../../mod/config/load.ts";
import type { Datagram6, Transport6 } from "../../../mod/net/udp6.ts";
import { parseIpv6 } from "../../../mod/wire/ipv6.ts";
import { ncrToJson } from "../../../mod/ddns/ncr/ncr.ts";
import { startDdnsSender6 } from "../../../mod/dhcp6/ddns6.ts";
import { planReclaim6 } from "../../../mod/lease/reclaim6.ts";
import { runScenarios6, type Step6, type StepRecord, type Under6 } from "./scenarios6.ts";

class Loop implements Transport6 {
  replies: Uint8Array[] = [];
  recvBatch(): Promise<Datagram6[]> {
    return new Promise(() => {});
  }
  send(_a: Datagram6, data: Uint8Array): void {
    this.replies.push(data.slice());
  }
  endpoints(): string[] {
    return [];
  }
  close(): void {}
}

/** Options of {@link runOnWeka6}. */
export interface WekaRun6 {
  /** the Dhcp6 map (without lease-database) */
  dhcp6: Record<string, unknown>;
  serverDuid: Uint8Array;
  /** the unix second of each step (a capture's), else a clock from 1 800 000 000 */
  times?: number[];
  steps?: Step6[];
  log?: Log;
  stats?: Stats;
}

/** Runs the scenarios against weka's server edge; see the module comment. */
export async function runOnWeka6(o: WekaRun6): Promise<StepRecord[]> {
  const loaded = parseConfigText(
    JSON.stringify({ Dhcp6: { ...o.dhcp6, "lease-database": { type: "memfile", name: "/nonexistent/l.csv" } } }),
    "kea6.json",
    () => {
      throw new Error("no includes");
    },
  );
  const config = loaded.dhcp6!;
  const store = await KvLease6Store.open(":memory:");
  const transport = new Loop();
  const sent: string[] = [];
  const log = o.log ?? nullLog;
  const sender = startDdnsSender6(config, { stats: new Stats(), log, sink: (n) => void sent.push(ncrToJson(n)) });
  let clockMs = 1_800_000_000_000;
  const server = new Dhcp6Server({
    config,
    transport,
    store,
    allocator: new IterativeAllocator6(),
    stats: o.stats ?? new Stats(),
    log,
    serverDuid: o.serverDuid,
    ifaceAddrs: new Map(),
    clock: () => clockMs,
    onNcrs: (n) => sender?.submit(n),
  });
  const settle = async () => {
    for (let i = 0; i < 50 && (server.inFlight() > 0 || (sender?.queue.size ?? 0) > 0); i++) {
      await new Promise((r) => setTimeout(r, 1));
    }
    await new Promise((r) => setTimeout(r, 1));
  };
  let step = 0;
  const under: Under6 = {
    async ask(q) {
      const before = transport.replies.length;
      server.process({
        data: q,
        iface: "eth0",
        ifindex: 2,
        srcAddr: parseIpv6("fe80::1")!,
        srcPort: 546,
        dstAddr: parseIpv6("ff02::1:2")!,
        via: 0,
      }, Math.floor(clockMs / 1000));
      await settle();
      return transport.replies[before];
    },
    async ncrs() {
      await settle();
      return sent.splice(0);
    },
    async wait(ms) {
      clockMs += ms;
      const plan = planReclaim6(store, Math.floor(clockMs / 1000), config.expired);
      await store.apply(plan.mutations);
      sender?.reclaimed(plan.events);
    },
    now() {
      const t = o.times?.[step++];
      if (t !== undefined) clockMs = t * 1000;
      return Math.floor(clockMs / 1000);
    },
  };
  try {
    return await runScenarios6(under, o.steps);
  } finally {
    await sender?.close(100);
    await store.close();
  }
}
