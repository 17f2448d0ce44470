/**
 * Commands scripts use that weka answered "not supported" before, with Kea 2.2's texts and codes: the statistic
 * sample limits (statistic-sample-count-set[-all], statistic-sample-age-set[-all]), libdhcp_stat_cmds.so's
 * stat-lease4-get (counts from the lease store; subnet-id, subnet-range, no match → 3), lease4-resend-ddns (DDNS
 * off → 1, no lease → 3, no name → 1, no DNS direction → 1, else an NCR), server-tag-get and libreload.
 */
import assert from "node:assert/strict";
import { buildRegistry } from "../../mod/control/channel.ts";
import type { Lease4 } from "../../mod/lease/types.ts";
import { testContext, testDoc } from "./helpers.ts";

async function setup(extra: Record<string, unknown> = {}, resend?: (l: Lease4) => void) {
  const ctx = await testContext(testDoc({
    "hooks-libraries": [{ library: "libdhcp_lease_cmds.so" }, { library: "/usr/lib/kea/hooks/libdhcp_stat_cmds.so" }],
    ...extra,
  }));
  if (resend) ctx.resendDdns = resend;
  const reg = buildRegistry(ctx);
  return { ctx, reg, [Symbol.asyncDispose]: () => ctx.store.close() };
}

const add = (ip: string, mac: string, extra: Record<string, unknown> = {}) => ({
  command: "lease4-add",
  arguments: { "ip-address": ip, "hw-address": mac, ...extra },
});

Deno.test("statistic sample limits: per statistic and for all, by count or by age, as Kea keeps them", async () => {
  await using s = await setup();
  for (let i = 0; i < 30; i++) {
    s.ctx.clock.ms += 2000;
    s.ctx.stats.add("pkt4-received");
  }
  const samples = async () =>
    (await s.reg.dispatch({ command: "statistic-get", arguments: { name: "pkt4-received" } }))
      .arguments as Record<string, unknown[]>;
  assert.equal((await samples())["pkt4-received"].length, 20); // Kea's default count
  const c = await s.reg.dispatch({
    command: "statistic-sample-count-set",
    arguments: { name: "pkt4-received", "max-samples": 5 },
  });
  assert.deepEqual(c, { result: 0, text: "Statistic 'pkt4-received' count limit is set." });
  assert.equal((await samples())["pkt4-received"].length, 5);
  const a = await s.reg.dispatch({
    command: "statistic-sample-age-set",
    arguments: { name: "pkt4-received", duration: 6 },
  });
  assert.deepEqual(a, { result: 0, text: "Statistic 'pkt4-received' duration limit is set." });
  s.ctx.clock.ms += 2000;
  s.ctx.stats.add("pkt4-received");
  assert.equal((await samples())["pkt4-received"].length, 4); // the samples of the last 6 s: now, -2, -4, -6
  assert.deepEqual(
    await s.reg.dispatch({ command: "statistic-sample-count-set-all", arguments: { "max-samples": 2 } }),
    { result: 0, text: "All statistics count limit are set." },
  );
  assert.equal((await samples())["pkt4-received"].length, 2);
  assert.deepEqual(await s.reg.dispatch({ command: "statistic-sample-age-set-all", arguments: { duration: 60 } }), {
    result: 0,
    text: "All statistics duration limit are set.",
  });
  const none = await s.reg.dispatch({
    command: "statistic-sample-count-set",
    arguments: { name: "x", "max-samples": 1 },
  });
  assert.deepEqual([none.result, none.text], [1, "No 'x' statistic found"]);
  assert.equal((await s.reg.dispatch({ command: "statistic-sample-count-set-all", arguments: {} })).result, 1);
});

Deno.test("stat-lease4-get counts the leases of the store per subnet, as libdhcp_stat_cmds.so", async () => {
  await using s = await setup();
  s.ctx.stats.set("subnet[1].total-addresses", 200);
  assert.equal((await s.reg.dispatch(add("198.18.1.150", "02:00:00:00:00:01"))).result, 0);
  assert.equal((await s.reg.dispatch(add("198.18.1.151", "02:00:00:00:00:02", { state: 1 }))).result, 0);
  const all = await s.reg.dispatch({ command: "stat-lease4-get" });
  assert.equal(all.text, "stat-lease4-get[all subnets]: 2 rows found");
  const set = (all.arguments as { "result-set": { columns: string[]; rows: number[][] } })["result-set"];
  assert.deepEqual(set.columns, [
    "subnet-id",
    "total-addresses",
    "cumulative-assigned-addresses",
    "assigned-addresses",
    "declined-addresses",
  ]);
  assert.deepEqual(set.rows, [[1, 200, 0, 1, 1], [2, 0, 0, 0, 0]]);
  const one = await s.reg.dispatch({ command: "stat-lease4-get", arguments: { "subnet-id": 1 } });
  assert.equal(one.text, "stat-lease4-get[subnet-id=1]: 1 rows found");
  const range = await s.reg.dispatch({
    command: "stat-lease4-get",
    arguments: { "subnet-range": { "first-subnet-id": 1, "last-subnet-id": 5 } },
  });
  assert.equal(range.text, "stat-lease4-get[subnets 1 through 5]: 2 rows found");
  assert.deepEqual(await s.reg.dispatch({ command: "stat-lease4-get", arguments: { "subnet-id": 9 } }), {
    result: 3,
    text: "stat-lease4-get[subnet-id=9]: no matching data, subnet-id: 9 does not exist",
    arguments: {},
  });
});

Deno.test("lease4-resend-ddns: 1 with DDNS off, 3 without the lease, 1 without a name, else one NCR", async () => {
  {
    await using off = await setup();
    assert.deepEqual(
      await off.reg.dispatch({ command: "lease4-resend-ddns", arguments: { "ip-address": "198.18.1.150" } }),
      { result: 1, text: "DDNS updating is not enabled" },
    );
  }
  const sent: Lease4[] = [];
  await using s = await setup({}, (l) => sent.push(l));
  const resend = (ip: string) => s.reg.dispatch({ command: "lease4-resend-ddns", arguments: { "ip-address": ip } });
  assert.deepEqual(await resend("198.18.1.150"), { result: 3, text: "No lease found for: 198.18.1.150" });
  await s.reg.dispatch(add("198.18.1.150", "02:00:00:00:00:01"));
  assert.deepEqual(await resend("198.18.1.150"), {
    result: 1,
    text: "Lease for: 198.18.1.150, has no hostname, nothing to update",
  });
  await s.reg.dispatch(add("198.18.1.152", "02:00:00:00:00:03", { hostname: "quiet.example." }));
  assert.deepEqual(await resend("198.18.1.152"), {
    result: 1,
    text: "Neither forward nor reverse updates enabled for lease for: 198.18.1.152",
  });
  await s.reg.dispatch(add("198.18.1.151", "02:00:00:00:00:02", { hostname: "pc.example.", "fqdn-fwd": true }));
  assert.deepEqual(await resend("198.18.1.151"), {
    result: 0,
    text: "NCR generated for: 198.18.1.151, hostname: pc.example.",
  });
  assert.deepEqual(sent.map((l) => l.hostname), ["pc.example."]);
});

Deno.test('server-tag-get answers the configured tag ("" by default); libreload is Kea\'s no-op', async () => {
  await using s = await setup();
  assert.deepEqual(await s.reg.dispatch({ command: "server-tag-get" }), {
    result: 0,
    arguments: { "server-tag": "" },
  });
  assert.deepEqual(await s.reg.dispatch({ command: "libreload" }), {
    result: 0,
    text: "Hooks libraries successfully reloaded.",
  });
});
