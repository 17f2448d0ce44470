/**
 * DHCPv6 HA (mod/ha/family6.ts and the shared HA service): the load-balancing scope is the RFC 3074 hash of the
 * client's DUID (through relay layers); a client is unacked by its Elapsed Time; one query's changes become ONE
 * lease6-bulk-apply with `expire`, `origin` and the deleted leases whole; against a weka partner over real HTTP
 * (the lease6 commands behind its control listener) the HA service's replicate lands the leases and the deletions,
 * lease6-bulk-apply answers as Kea's lease_cmds does (failed-deleted-leases, result 3, nothing applied on a
 * malformed lease), a conflict in failed-leases rejects the update, and syncFromPartner pages with lease6-get-page.
 */
import assert from "node:assert/strict";
import { parseConfigText } from "../../mod/config/load.ts";
import type { Dhcp6Config } from "../../mod/config/model6.ts";
import { CommandRegistry } from "../../mod/control/registry.ts";
import { registerLease6Commands } from "../../mod/control/lease6_cmds.ts";
import { registerGeneralCommands } from "../../mod/control/general_cmds.ts";
import { HttpControlListener } from "../../mod/control/http_listener.ts";
import { KvLease6Store } from "../../mod/lease/kv_store6.ts";
import { type Lease6, Lease6Type } from "../../mod/lease/types6.ts";
import { LeaseState } from "../../mod/lease/types.ts";
import { Stats } from "../../mod/stats/stats.ts";
import { HA_FAMILY6, SYNC6 } from "../../mod/ha/family6.ts";
import { QueryFilter } from "../../mod/ha/query_filter.ts";
import { pearsonHash } from "../../mod/ha/query_filter.ts";
import { PeerClient } from "../../mod/ha/peer_client.ts";
import { sendUpdates, UpdateRejected } from "../../mod/ha/service_updates.ts";
import { syncFromPartner } from "../../mod/ha/sync.ts";
import { decode6 } from "../../mod/packet6/codec.ts";
import type { Packet6 } from "../../mod/packet6/packet.ts";
import { haConfig } from "./service_helpers.ts";
import { testContext } from "../control/helpers.ts";
import { RELAYED_SOLICIT } from "../dhcp6/fixtures6.ts";
import { parseHex } from "../../mod/wire/addr.ts";

const NOW = 1_800_000_000;
const DUID = "00:01:00:01:2a:00:00:01:52:54:00:aa:bb:cc"; // the client of RELAYED_SOLICIT

const config6 = (): Dhcp6Config =>
  parseConfigText(
    JSON.stringify({
      Dhcp6: {
        "lease-database": { type: "kv", name: ":memory:" },
        subnet6: [{
          id: 1,
          subnet: "2001:db8:1::/64",
          pools: [{ pool: "2001:db8:1::100 - 2001:db8:1::1ff" }],
          "pd-pools": [{ prefix: "2001:db8:8000::", "prefix-len": 48, "delegated-len": 56 }],
        }],
      },
    }),
    "t.json",
    () => "",
  ).dhcp6!;

function lease6(address: bigint, cltt = NOW, extra: Partial<Lease6> = {}): Lease6 {
  return {
    address,
    prefixLen: 128,
    type: Lease6Type.NA,
    duid: DUID,
    iaid: 1,
    preferredLifetime: 3000,
    validLifetime: 4000,
    cltt,
    subnetId: 1,
    fqdnFwd: false,
    fqdnRev: false,
    hostname: "",
    hwaddr: "",
    state: LeaseState.DEFAULT,
    ...extra,
  };
}
const A = (n: number) => 0x20010db8000100000000000000000000n + BigInt(n);

Deno.test("ha6: load-balancing hashes the DUID of the client's message (RFC 3074), through relay layers", () => {
  const q = decode6(RELAYED_SOLICIT) as Packet6;
  assert.deepEqual(HA_FAMILY6.lbKey(q), parseHex(DUID));
  const cfg = haConfig("http://127.0.0.1:1/", "load-balancing");
  const filter = new QueryFilter<Packet6>(cfg, HA_FAMILY6.lbKey);
  const bucket = pearsonHash(parseHex(DUID)!) % 2;
  assert.equal(filter.scopeOf(q), bucket === 0 ? "server1" : "server2");
  assert.equal(HA_FAMILY6.clientKey(q), DUID);
  // the fixture's Elapsed Time is 0: not unacked; 1.5 s (150 hundredths) is, against a max-ack-delay of 1 s
  assert.equal(HA_FAMILY6.unacked(q, 1000), false);
  const late = decode6(RELAYED_SOLICIT.map((b, i) => i === 65 ? 150 : b)) as Packet6;
  assert.equal(HA_FAMILY6.unacked(late, 1000), true);
  assert.equal(HA_FAMILY6.unacked(late, 2000), false);
});

Deno.test("ha6: one query's changes are one lease6-bulk-apply: leases with expire, deleted leases whole, origin", () => {
  const kept = lease6(A(0x100)), gone = lease6(A(0x101), NOW - 100);
  const [c, ...rest] = HA_FAMILY6.updates(
    [{ op: "put", lease: kept }, { op: "del", address: gone.address }],
    (m) => m.op === "del" && m.address === gone.address ? gone : undefined,
  );
  assert.equal(rest.length, 0);
  assert.equal(c.command, "lease6-bulk-apply");
  const args = c.args as {
    leases: Record<string, unknown>[];
    "deleted-leases": Record<string, unknown>[];
    origin: string;
  };
  assert.equal(args.origin, "ha-partner");
  assert.deepEqual(args.leases.map((l) => [l["ip-address"], l.expire, l.cltt, l.duid, l.type]), [
    ["2001:db8:1::100", NOW + 4000, undefined, DUID, "IA_NA"],
  ]);
  assert.deepEqual(args["deleted-leases"].map((l) => [l["ip-address"], l.expire, l.iaid]), [
    ["2001:db8:1::101", NOW - 100 + 4000, 1],
  ]);
  assert.deepEqual(HA_FAMILY6.updates([], () => undefined), []);
});

/** A weka DHCPv6 partner (lease6 commands + general commands) on 127.0.0.1, and a PeerClient for it. */
async function partner6(leases: Lease6[]) {
  const store = await KvLease6Store.open(":memory:");
  await store.apply(leases.map((lease) => ({ op: "put" as const, lease })));
  const stats = new Stats();
  const config = config6();
  const reg = new CommandRegistry("dhcp6");
  const ctx = await testContext();
  registerGeneralCommands(reg, ctx);
  registerLease6Commands(reg, {
    stats,
    store,
    config: () => config,
    now: () => NOW * 1000,
    writeTextFile: () => Promise.resolve(),
    fs: { realPath: (p) => Promise.resolve(p), isSymlink: () => Promise.resolve(false) },
    liveFiles: () => [],
  });
  const sent: { command: string; service?: string[]; arguments?: Record<string, unknown> }[] = [];
  const http = await HttpControlListener.open({ hostname: "127.0.0.1", port: 0 }, (text) => {
    sent.push(JSON.parse(text));
    return reg.dispatch(text);
  });
  const client = new PeerClient(
    { name: "server2", url: http.url, role: "standby", autoFailover: true },
    { service: "dhcp6" },
  );
  return {
    store,
    stats,
    sent,
    client,
    close: async () => (client.close(), await http.close(), await store.close(), await ctx.store.close()),
  };
}

Deno.test("ha6: lease6-bulk-apply to a weka partner stores the leases and deletes the deleted ones, as Kea answers", async () => {
  const old = lease6(A(0x110), NOW - 500);
  const p = await partner6([old]);
  try {
    const fresh = lease6(A(0x111));
    const cmds = HA_FAMILY6.updates([{ op: "put", lease: fresh }, { op: "del", address: old.address }], () => old);
    await sendUpdates(p.client, cmds);
    assert.deepEqual(p.sent.map((s) => [s.command, s.service]), [["lease6-bulk-apply", ["dhcp6"]]]);
    assert.equal(p.store.byAddress(old.address), undefined, "deleted");
    assert.deepEqual(p.store.byAddress(fresh.address), fresh, "stored as sent, cltt from expire");
    assert.equal(p.stats.get("subnet[1].assigned-nas"), 0, "one lease out, one in");
    // the same deletion again: nothing applied, failed-deleted-leases, result 3 (Kea's EMPTY): still done for HA
    const again = await p.client.send("lease6-bulk-apply", { "deleted-leases": [{ "ip-address": "2001:db8:1::110" }] });
    assert.equal(again.result, 3);
    assert.equal(again.text, "Bulk apply of 0 IPv6 leases completed.");
    assert.deepEqual(again.arguments, {
      "failed-deleted-leases": [{
        "ip-address": "2001:db8:1::110",
        type: "IA_NA",
        result: 3,
        "error-message": "lease not found",
      }],
    });
    await sendUpdates(p.client, HA_FAMILY6.updates([{ op: "del", address: old.address }], () => old));
    // a malformed lease refuses the whole command: nothing is applied
    const bad = await p.client.send("lease6-bulk-apply", {
      leases: [{ ...HA_FAMILY6.updates([{ op: "put", lease: lease6(A(0x112)) }], () => undefined)[0].args }, {
        "ip-address": "not-an-address",
      }],
    });
    assert.equal(bad.result, 1);
    assert.equal(p.store.byAddress(A(0x112)), undefined);
  } finally {
    await p.close();
  }
});

Deno.test("ha6: a conflict in failed-leases rejects the update (max-rejected-lease-updates); others only warn", async () => {
  const answer = (result: number) => ({
    send: () =>
      Promise.resolve({
        result: 0,
        arguments: {
          "failed-leases": [{ "ip-address": "2001:db8:1::1", type: "IA_NA", result, "error-message": "x" }],
        },
      }),
  });
  const cmds = HA_FAMILY6.updates([{ op: "put", lease: lease6(A(1)) }], () => undefined);
  const warned: string[] = [];
  await sendUpdates(answer(1), cmds, (f) => warned.push(...f.map((x) => x.text)));
  assert.equal(warned.length, 1);
  assert.match(warned[0], /the update of IA_NA 2001:db8:1::1/);
  const e = await sendUpdates(answer(4), cmds).catch((x) => x);
  assert.ok(e instanceof UpdateRejected && e.conflict, String(e));
});

Deno.test("ha6: syncFromPartner pages the partner's leases with lease6-get-page and merges them by cltt", async () => {
  const p = await partner6([
    lease6(A(0x120), NOW - 10),
    lease6(A(0x121), NOW - 10),
    lease6(0x20010db8800001000000000000000000n, NOW - 10, { type: Lease6Type.PD, prefixLen: 56, iaid: 2 }),
  ]);
  const local = await KvLease6Store.open(":memory:");
  try {
    await local.apply([{ op: "put", lease: lease6(A(0x121), NOW) }]); // newer here: kept
    const r = await syncFromPartner(p.client, local, { pageLimit: 2, originId: 2001, maxPeriodSec: 60 }, SYNC6);
    assert.deepEqual(r, { fetched: 3, applied: 2, pages: 2 });
    assert.deepEqual(p.sent.filter((s) => s.command === "lease6-get-page").map((s) => s.arguments), [
      { from: "start", limit: 2 },
      { from: "2001:db8:1::121", limit: 2 },
    ]);
    assert.equal(local.byAddress(A(0x120))?.cltt, NOW - 10);
    assert.equal(local.byAddress(A(0x121))?.cltt, NOW, "the local lease was newer");
    assert.equal(local.byAddress(0x20010db8800001000000000000000000n)?.prefixLen, 56);
    assert.ok(p.sent.every((s) => s.service?.[0] === "dhcp6"));
  } finally {
    await local.close();
    await p.close();
  }
});
