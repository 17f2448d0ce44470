/**
 * Tests of syncFromPartner against a weka partner over real HTTP on 127.0.0.1 (weka's own control registry with
 * the lease and general commands behind its HTTP listener): the command sequence Kea's sync sends, paging, the
 * merge rules, the dhcp-enable fallback and the failure path.
 */
import assert from "node:assert/strict";
import { type Answer, answer } from "../../mod/control/answer.ts";
import { registerGeneralCommands } from "../../mod/control/general_cmds.ts";
import { HttpControlListener } from "../../mod/control/http_listener.ts";
import { registerLeaseCommands } from "../../mod/control/lease_cmds.ts";
import { CommandRegistry } from "../../mod/control/registry.ts";
import { type HaControl, registerHaCommands } from "../../mod/ha/commands.ts";
import { PeerClient } from "../../mod/ha/peer_client.ts";
import { syncFromPartner } from "../../mod/ha/sync.ts";
import type { Lease4 } from "../../mod/lease/types.ts";
import { KvLeaseStore } from "../../mod/lease/kv_store.ts";
import { type TestContext, testContext } from "../control/helpers.ts";
import { lease4 } from "./builders.ts";
import { parseIpv4 } from "../../mod/wire/addr.ts";

const lease = (ip: string, cltt: number, hw = "aa:bb:cc:00:00:01"): Lease4 => lease4(ip, hw, cltt);

interface Partner {
  ctx: TestContext;
  reg: CommandRegistry;
  sent: { command: string; arguments?: Record<string, unknown> }[];
  client: PeerClient;
  close(): Promise<void>;
}

/** A weka partner with `leases`, listening on 127.0.0.1; `sent` records every command it receives. */
async function partner(leases: Lease4[]): Promise<Partner> {
  const ctx = await testContext();
  await ctx.store.apply(leases.map((l) => ({ op: "put" as const, lease: l })));
  const reg = new CommandRegistry();
  registerGeneralCommands(reg, ctx);
  registerLeaseCommands(reg, ctx);
  const sent: Partner["sent"] = [];
  const http = await HttpControlListener.open({ hostname: "127.0.0.1", port: 0 }, (text) => {
    sent.push(JSON.parse(text));
    return reg.dispatch(text);
  });
  const client = new PeerClient({ name: "server2", url: http.url, role: "standby", autoFailover: true });
  return { ctx, reg, sent, client, close: async () => (await http.close(), await ctx.store.close()) };
}

Deno.test("sync pages through the partner, merges by cltt, keeps local-only leases, falls back to dhcp-enable", async () => {
  const p = await partner([
    lease("198.18.1.100", 1000),
    lease("198.18.1.101", 1000, "aa:bb:cc:00:00:02"),
    lease("198.18.1.102", 3000, "aa:bb:cc:00:00:03"),
    lease("198.18.1.103", 1000),
    lease("198.18.1.104", 1000),
  ]);
  const local = await KvLeaseStore.open(":memory:");
  try {
    await local.apply([
      { op: "put", lease: lease("198.18.1.101", 2000, "aa:bb:cc:00:00:99") }, // newer here: kept
      { op: "put", lease: lease("198.18.1.102", 2000, "aa:bb:cc:00:00:98") }, // older here: replaced
      { op: "put", lease: lease("198.18.1.150", 2000) }, // only here: kept
    ]);
    const log: string[] = [];
    const r = await syncFromPartner(p.client, local, {
      pageLimit: 2,
      originId: 2001,
      maxPeriodSec: 60,
      log: (id, text) => log.push(`${id}: ${text}`),
    });
    assert.deepEqual(r, { fetched: 5, applied: 4, pages: 3 });
    assert.deepEqual(p.sent.map((s) => [s.command, s.arguments]), [
      ["dhcp-disable", { "origin-id": 2001, origin: "ha-partner", "max-period": 60 }],
      ["lease4-get-page", { from: "start", limit: 2 }],
      ["lease4-get-page", { from: "198.18.1.101", limit: 2 }],
      ["lease4-get-page", { from: "198.18.1.103", limit: 2 }],
      ["ha-sync-complete-notify", { "server-name": "server2", "origin-id": 2001, origin: "ha-partner" }],
      ["dhcp-enable", { "origin-id": 2001, origin: "ha-partner" }],
    ]);
    assert.ok(p.ctx.dhcpState.enabled(), "the partner serves again");
    assert.deepEqual(p.ctx.enabledFlips, [false, true]);
    assert.equal(local.byAddress(parseIpv4("198.18.1.101")!)!.hwaddr, "aa:bb:cc:00:00:99");
    assert.equal(local.byAddress(parseIpv4("198.18.1.102")!)!.hwaddr, "aa:bb:cc:00:00:03");
    assert.equal(local.byAddress(parseIpv4("198.18.1.102")!)!.cltt, 3000);
    assert.ok(local.byAddress(parseIpv4("198.18.1.150")!));
    assert.equal(local.size(), 6);
    assert.ok(log.some((l) => l.includes("does not know ha-sync-complete-notify")));
  } finally {
    await local.close();
    await p.close();
  }
});

Deno.test("sync of an empty partner (result 3 page) notifies with ha-sync-complete-notify when supported", async () => {
  const p = await partner([]);
  const completed: number[] = [];
  const ha = {
    serverNames: () => ["server1", "server2"],
    syncComplete: (id: number) => {
      completed.push(id);
      p.ctx.dhcpState.enable({ kind: "remote", id });
      return "Server successfully notified about the synchronization completion.";
    },
  } as unknown as HaControl;
  registerHaCommands(p.reg, ha);
  const local = await KvLeaseStore.open(":memory:");
  try {
    const r = await syncFromPartner(p.client, local, { pageLimit: 10, originId: 2005, maxPeriodSec: 0 });
    assert.deepEqual(r, { fetched: 0, applied: 0, pages: 1 });
    assert.deepEqual(p.sent.map((s) => s.command), ["dhcp-disable", "lease4-get-page", "ha-sync-complete-notify"]);
    assert.ok(!("max-period" in p.sent[0].arguments!), "max-period 0 is left out, as Kea leaves it out");
    assert.deepEqual(completed, [2005]);
    assert.ok(p.ctx.dhcpState.enabled());
  } finally {
    await local.close();
    await p.close();
  }
});

Deno.test("sync failure mid-way sends dhcp-enable, keeps the pages already applied, and throws naming the step", async () => {
  const p = await partner([lease("198.18.1.100", 1000), lease("198.18.1.101", 1000), lease("198.18.1.102", 1000)]);
  // the first page comes from the real lease4-get-page, the second fails
  const real = new CommandRegistry();
  registerLeaseCommands(real, p.ctx);
  let pages = 0;
  p.reg.register(
    "lease4-get-page",
    (args): Promise<Answer> =>
      pages++ === 0
        ? real.dispatch({ command: "lease4-get-page", arguments: args })
        : Promise.resolve(answer(1, "lease database busy")),
  );
  const local = await KvLeaseStore.open(":memory:");
  try {
    const err = await syncFromPartner(p.client, local, { pageLimit: 2, originId: 2001, maxPeriodSec: 60 })
      .catch((e) => e);
    assert.ok(err instanceof Error);
    assert.match(
      err.message,
      /HA peer 'server2' refused lease4-get-page from 198\.18\.1\.101 \(result 1\): lease database busy/,
    );
    assert.deepEqual(p.sent.map((s) => s.command), [
      "dhcp-disable",
      "lease4-get-page",
      "lease4-get-page",
      "dhcp-enable",
    ]);
    assert.ok(p.ctx.dhcpState.enabled(), "the partner was re-enabled");
    assert.equal(local.size(), 2, "the first page was applied");
  } finally {
    await local.close();
    await p.close();
  }
});

Deno.test("sync: an unreachable partner throws a PeerError and still tries dhcp-enable", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  const client = new PeerClient({
    name: "server2",
    url: `http://127.0.0.1:${port}/`,
    role: "standby",
    autoFailover: true,
  });
  const local = await KvLeaseStore.open(":memory:");
  const log: string[] = [];
  try {
    const err = await syncFromPartner(client, local, {
      pageLimit: 2,
      originId: 2001,
      maxPeriodSec: 60,
      log: (id, text) => log.push(`${id}: ${text}`),
    })
      .catch((e) => e);
    assert.match(err.message, /'dhcp-disable': communication failed/);
    assert.ok(log.some((x) => x.startsWith("HA_DHCP_ENABLE_FAILED")));
  } finally {
    await local.close();
  }
});

Deno.test("sync: a partner whose pages do not go up (the same page again and again) is cut off", async () => {
  const p = await partner([lease("198.18.1.100", 1000), lease("198.18.1.101", 1000)]);
  const real = new CommandRegistry();
  registerLeaseCommands(real, p.ctx);
  let pages = 0;
  // a hostile or broken partner: answers every lease4-get-page with the first page, whatever `from` says
  p.reg.register("lease4-get-page", (): Promise<Answer> => {
    pages++;
    return real.dispatch({ command: "lease4-get-page", arguments: { from: "start", limit: 2 } });
  });
  const local = await KvLeaseStore.open(":memory:");
  try {
    const err = await syncFromPartner(p.client, local, { pageLimit: 2, originId: 2001, maxPeriodSec: 60 })
      .catch((e) => e);
    assert.ok(err instanceof Error);
    assert.match(err.message, /sent lease 198\.18\.1\.100 after 198\.18\.1\.101 .*pages must go up/);
    assert.equal(pages, 2);
    assert.equal(p.sent.at(-1)?.command, "dhcp-enable");
  } finally {
    await local.close();
    await p.close();
  }
});
