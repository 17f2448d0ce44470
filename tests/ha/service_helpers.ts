/**
 * Helpers of the HA service tests (tests/ha/service_test.ts): fake time (clock + timers that wait for the service's
 * work), a fake partner (weka's registry with general and lease commands behind weka's HTTP listener on 127.0.0.1,
 * scripted ha-heartbeat answers, a down switch answering HTTP 500, a gate holding lease4-update answers), the HA
 * configuration of a test pair, a service rig and query packets. Tests only.
 */
import assert from "node:assert/strict";
import { answer, ok } from "../../mod/control/answer.ts";
import type { Timers } from "../../mod/clock/timers.ts";
import { DhcpState } from "../../mod/control/dhcp_state.ts";
import { registerGeneralCommands } from "../../mod/control/general_cmds.ts";
import { HttpControlListener } from "../../mod/control/http_listener.ts";
import { registerLeaseCommands } from "../../mod/control/lease_cmds.ts";
import { CommandRegistry } from "../../mod/control/registry.ts";
import { MsgType, Opt, type Packet4 } from "../../mod/packet4/packet.ts";
import { HaService, type HaServiceDeps } from "../../mod/ha/service.ts";
import type { HaConfig, HaState } from "../../mod/config/model_ha.ts";
import { KvLeaseStore } from "../../mod/lease/kv_store.ts";
import type { Lease4 } from "../../mod/lease/types.ts";
import { nullLog } from "../../mod/log/logger.ts";
import { Stats } from "../../mod/stats/stats.ts";
import { parseHex } from "../../mod/wire/addr.ts";
import { type TestContext, testContext } from "../control/helpers.ts";
import { doc, load, peer, rel } from "./config_helpers.ts";
import { lease4, query4 } from "./builders.ts";

/** The fake clock's start (ms since the epoch). */
export const T0 = 1_700_000_000_000;

/** Fake clock and timers: `advance` runs due timers in order and waits for the service's work after each. */
export class FakeTime implements Timers {
  now = T0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  private next = 1;
  svc?: HaService;
  setTimeout(fn: () => void, ms: number): unknown {
    this.timers.set(this.next, { at: this.now + ms, fn });
    return this.next++;
  }
  clearTimeout(id: unknown): void {
    this.timers.delete(id as number);
  }
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    while (true) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.now = Math.max(this.now, due[1].at);
      due[1].fn();
      await this.svc?.settled();
    }
    this.now = end;
  }
}

/** A default-state lease of subnet 1 with a 600 s lifetime. */
export const lease = (ip: string, hw: string, cltt = T0 / 1000): Lease4 => lease4(ip, hw, cltt);

/** The fake partner: what it answers to ha-heartbeat, whether it is down, and every command it received. */
export interface Partner {
  ctx: TestContext;
  url: string;
  state: HaState;
  down: boolean;
  /** when set, lease4-update answers wait for it */
  gate?: Promise<void>;
  /** when set, ha-heartbeat answers wait for it (a partner that stopped answering) */
  heartbeatGate?: Promise<void>;
  /** when set, ha-maintenance-notify answers wait for it (a partner slow to answer) */
  notifyGate?: Promise<void>;
  /** result lease4-update answers (default: what the real command answers) */
  updateResult?: number;
  received: { command: string; arguments?: Record<string, unknown> }[];
  close(): Promise<void>;
}

/** Starts a fake partner holding `leases`, answering ha-heartbeat with `state` (waiting at first). */
export async function partner(leases: Lease4[] = []): Promise<Partner> {
  const ctx = await testContext();
  await ctx.store.apply(leases.map((l) => ({ op: "put" as const, lease: l })));
  const reg = new CommandRegistry();
  registerGeneralCommands(reg, ctx);
  registerLeaseCommands(reg, ctx);
  const p = { ctx, state: "waiting", down: false, received: [] } as unknown as Partner;
  reg.register("ha-heartbeat", () =>
    ok("HA peer status returned.", {
      state: p.state,
      "date-time": new Date(fake.now).toUTCString(),
      scopes: [],
      "unsent-update-count": 0,
    }));
  reg.register(
    "ha-sync-complete-notify",
    () => ok("Server successfully notified about the synchronization completion."),
  );
  reg.register("ha-reset", () => ok("HA state machine reset."));
  reg.register(
    "ha-maintenance-notify",
    (args) => ok(args?.cancel ? "Server maintenance canceled." : "Server is in-maintenance state."),
  );
  const http = await HttpControlListener.open({ hostname: "127.0.0.1", port: 0 }, async (text) => {
    if (p.down) throw new Error("partner is down");
    const req = JSON.parse(text);
    p.received.push(req);
    if (req.command === "ha-heartbeat" && p.heartbeatGate) await p.heartbeatGate;
    if (req.command === "ha-maintenance-notify" && p.notifyGate) await p.notifyGate;
    if (req.command === "lease4-update") {
      if (p.gate) await p.gate;
      if (p.updateResult !== undefined) return answer(p.updateResult, "lease update refused by the test");
    }
    return reg.dispatch(text);
  });
  p.url = http.url;
  p.close = async () => (await http.close(), await ctx.store.close());
  return p;
}

/** The fake time of the current rig (replaced by each `rig()`). */
export let fake: FakeTime;

/** A compiled relationship server1 (primary) + server2 (standby/secondary), `me` being this server; the other at `partnerUrl`. */
export function haConfig(partnerUrl: string, mode = "hot-standby", more = "", me = "server1"): HaConfig {
  const role2 = mode === "hot-standby" ? "standby" : "secondary";
  const peers = `${peer("server1", me === "server1" ? "http://127.0.0.1:1/" : partnerUrl, "primary")}, ` +
    peer("server2", me === "server2" ? "http://127.0.0.1:1/" : partnerUrl, role2);
  const text = doc(
    rel(`, "heartbeat-delay": 1000, "max-response-delay": 3000, "max-ack-delay": 1000${more}`, peers, mode, me),
  );
  const loaded = load(text);
  assert.ok(loaded.dhcp4?.ha, "the test config compiles to an HA relationship");
  return loaded.dhcp4.ha;
}

/** A service under test with its store, statistics and dhcp-disable state. */
export interface Rig {
  svc: HaService;
  store: KvLeaseStore;
  stats: Stats;
  dhcp: DhcpState;
  close(): Promise<void>;
}

/**
 * Builds an HA service on fresh fake time over an in-memory KV store (not started). `over` may replace some of its
 * dependencies (a capturing log, a failing clock or store: tests/ha/service_failures_test.ts).
 */
export async function rig(
  cfg: HaConfig,
  peerTimeoutMs = 2000,
  over: (time: FakeTime, store: KvLeaseStore) => Partial<HaServiceDeps> = () => ({}),
): Promise<Rig> {
  fake = new FakeTime();
  const store = await KvLeaseStore.open(":memory:");
  const stats = new Stats(() => fake.now);
  const dhcp = new DhcpState(() => {}, fake);
  const svc = new HaService({
    config: cfg,
    store,
    dhcpState: dhcp,
    stats,
    log: nullLog,
    clock: () => fake.now,
    timers: fake,
    peerTimeoutMs,
    ...over(fake, store),
  });
  fake.svc = svc;
  return { svc, store, stats, dhcp, close: async () => (await svc.stop(), await store.close()) };
}

/** A DHCPv4 query of `type` from `mac` (no client-id). */
export function pkt(mac: string, type: number = MsgType.REQUEST, secs = 0): Packet4 {
  return query4(parseHex(mac)!, new Map([[Opt.MESSAGE_TYPE, Uint8Array.of(type)]]), secs);
}

/** Brings a primary to the normal state: partner waiting → syncing → ready, then partner ready → `normal`. */
export async function toNormal(r: Rig, p: Partner, normal: HaState = "hot-standby"): Promise<void> {
  p.state = "waiting";
  r.svc.start();
  await fake.advance(0);
  assert.equal(r.svc.state, "ready");
  p.state = "ready";
  await fake.advance(1000);
  assert.equal(r.svc.state, normal);
}

/** How withPair builds its pair: the rig's config from the partner's url, the partner's leases, the peer timeout. */
export interface PairSetup {
  config?: (partnerUrl: string) => HaConfig;
  leases?: Lease4[];
  peerTimeoutMs?: number;
}

/**
 * Runs `body` against a rig whose partner holds `setup.leases`, the rig configured by `setup.config(partner url)`
 * (default: the hot-standby pair of haConfig); closes the rig then the partner however `body` ends.
 */
export async function withPair(body: (r: Rig, p: Partner) => Promise<void>, setup: PairSetup = {}): Promise<void> {
  const p = await partner(setup.leases);
  const r = await rig(setup.config ? setup.config(p.url) : haConfig(p.url), setup.peerTimeoutMs);
  try {
    await body(r, p);
  } finally {
    await r.close();
    await p.close();
  }
}
