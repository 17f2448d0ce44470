/**
 * lease6 commands (libdhcp_lease_cmds.so for kea-dhcp6): success, not found (3), bad arguments (1), conflict (4),
 * Kea's lease6 JSON, gauges, and durability — what a command answered 0 for is in the KV file when it is reopened.
 */
import assert from "node:assert/strict";
import { parseConfigText } from "../../mod/config/load.ts";
import type { Dhcp6Config } from "../../mod/config/model6.ts";
import { CommandRegistry } from "../../mod/control/registry.ts";
import { registerLease6Commands } from "../../mod/control/lease6_cmds.ts";
import { buildRegistry6, type Control6Context, lease6CommandsEnabled } from "../../mod/dhcp6/control6.ts";
import { KvLease6Store } from "../../mod/lease/kv_store6.ts";
import type { Lease6Store } from "../../mod/lease/types6.ts";
import { Stats } from "../../mod/stats/stats.ts";
import { kvFiles } from "../../mod/control/safe_write.ts";
import { KEA_CSV6_HEADER } from "../../mod/lease/kea_csv6.ts";
import { resolve } from "node:path";

const NOW = 1_800_000_000;
const DUID = "00:01:00:01:32:9c:a8:8d:02:00:00:66:00:01";

function doc(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Dhcp6: {
      "interfaces-config": { interfaces: ["lo"] },
      "lease-database": { type: "kv", name: ":memory:" },
      "preferred-lifetime": 3000,
      "valid-lifetime": 4000,
      subnet6: [
        {
          id: 1,
          subnet: "2001:db8:1::/64",
          pools: [{ pool: "2001:db8:1::100-2001:db8:1::1ff" }],
          "pd-pools": [{ prefix: "2001:db8:8000::", "prefix-len": 48, "delegated-len": 56 }],
        },
        { id: 2, subnet: "2001:db8:2::/64", pools: [{ pool: "2001:db8:2::100-2001:db8:2::1ff" }] },
      ],
      ...extra,
    },
  };
}

const compile = (d: Record<string, unknown>): Dhcp6Config =>
  parseConfigText(JSON.stringify(d), "t.json", () => "").dhcp6!;

async function setup(path = ":memory:", wrap?: (s: Lease6Store) => Lease6Store) {
  const kv = await KvLease6Store.open(path);
  const store = wrap ? wrap(kv) : kv;
  const stats = new Stats();
  const config = compile(doc());
  const reg = new CommandRegistry("dhcp6");
  const written = new Map<string, string>();
  registerLease6Commands(reg, {
    stats,
    store,
    config: () => config,
    now: () => NOW * 1000,
    writeTextFile: (p, t) => Promise.resolve(void written.set(p, t)),
    fs: { realPath: (p) => Promise.resolve(resolve(p)), isSymlink: () => Promise.resolve(false) },
    liveFiles: () => kvFiles("/var/lib/weka/leases6.kv"),
  });
  return { kv, stats, reg, written, [Symbol.asyncDispose]: () => kv.close() };
}

const NA = {
  "ip-address": "2001:db8:1::150",
  duid: DUID,
  iaid: 7,
  hostname: "Host.Example.",
  "hw-address": "02:00:00:66:00:01",
};
const PDL = {
  "ip-address": "2001:db8:8000:100::",
  type: "IA_PD",
  "prefix-len": 56,
  duid: DUID,
  iaid: 8,
  "subnet-id": 1,
};

Deno.test("lease6 commands are on with libdhcp_lease_cmds.so or the kv backend, off for a bare memfile", () => {
  assert.equal(lease6CommandsEnabled(compile(doc())), true);
  const memfile = doc({ "lease-database": { type: "memfile", name: "/tmp/x6.csv" } });
  assert.equal(lease6CommandsEnabled(compile(memfile)), false);
  (memfile.Dhcp6 as Record<string, unknown>)["hooks-libraries"] = [{ library: "/usr/lib/libdhcp_lease_cmds.so" }];
  assert.equal(lease6CommandsEnabled(compile(memfile)), true);
});

Deno.test("lease6-add: NA (subnet auto-selected) and PD added, Kea's JSON, gauges; 1 when it exists (as Kea 2.2); bad args 1", async () => {
  await using s = await setup();
  assert.deepEqual(await s.reg.dispatch({ command: "lease6-add", arguments: NA }), {
    result: 0,
    text: "Lease for address 2001:db8:1::150, subnet-id 1 added.",
  });
  assert.deepEqual(await s.reg.dispatch({ command: "lease6-add", arguments: PDL }), {
    result: 0,
    text: "Lease for prefix 2001:db8:8000:100::/56, subnet-id 1 added.",
  });
  assert.equal(s.stats.get("assigned-nas"), 1);
  assert.equal(s.stats.get("subnet[1].assigned-nas"), 1);
  assert.equal(s.stats.get("subnet[1].assigned-pds"), 1);
  const got = await s.reg.dispatch({ command: "lease6-get", arguments: { "ip-address": "2001:db8:1::150" } });
  assert.deepEqual(got, {
    result: 0,
    text: "IPv6 lease found.",
    arguments: {
      "ip-address": "2001:db8:1::150",
      type: "IA_NA",
      iaid: 7,
      duid: DUID,
      "subnet-id": 1,
      cltt: NOW,
      "preferred-lft": 3000,
      "valid-lft": 4000,
      "fqdn-fwd": false,
      "fqdn-rev": false,
      hostname: "host.example.",
      "hw-address": "02:00:00:66:00:01",
      state: 0,
    },
  });
  const again = await s.reg.dispatch({ command: "lease6-add", arguments: { ...NA, iaid: 9 } });
  assert.deepEqual([again.result, again.text], [1, "IPv6 lease already exists."]); // Kea 2.2's answer
  for (
    const [args, re] of [
      [{ ...NA, duid: undefined }, /missing mandatory 'duid'/],
      [{ ...NA, "ip-address": "2001:db8:9::1" }, /failed to find a subnet/],
      [{ ...NA, "subnet-id": 2 }, /does not belong to subnet 2001:db8:2::\/64/],
      [{ ...NA, "subnet-id": 99 }, /no IPv6 subnet with subnet-id=99/],
      [{ ...PDL, "prefix-len": undefined }, /'prefix-len'/],
      [{ ...NA, type: "IA_XX" }, /'type' must be/],
      [{ ...NA, "ip-address": "10.0.0.1" }, /not a valid IPv6 address/],
    ] as const
  ) {
    const r = await s.reg.dispatch({ command: "lease6-add", arguments: args });
    assert.equal(r.result, 1, JSON.stringify(args));
    assert.match(r.text!, re);
  }
});

Deno.test("lease6-get: by duid+iaid+subnet-id+type, PD shape with prefix-len; 3 not found; 1 bad args", async () => {
  await using s = await setup();
  await s.reg.dispatch({ command: "lease6-add", arguments: PDL });
  const byId = await s.reg.dispatch({
    command: "lease6-get",
    arguments: { "identifier-type": "duid", identifier: DUID.toUpperCase(), iaid: 8, "subnet-id": 1, type: "IA_PD" },
  });
  assert.equal(byId.result, 0);
  const l = byId.arguments as Record<string, unknown>;
  assert.equal(l["ip-address"], "2001:db8:8000:100::");
  assert.equal(l.type, "IA_PD");
  assert.equal(l["prefix-len"], 56);
  assert.equal("hw-address" in l, false, "no hw-address when unknown");
  const wrongType = await s.reg.dispatch({ command: "lease6-get", arguments: { "ip-address": "2001:db8:8000:100::" } });
  assert.deepEqual(wrongType, { result: 3, text: "Lease not found." }, "type defaults to IA_NA");
  assert.equal(
    (await s.reg.dispatch({
      command: "lease6-get",
      arguments: { "identifier-type": "hw-address", identifier: "02:00", iaid: 1, "subnet-id": 1 },
    })).result,
    1,
  );
  assert.equal(
    (await s.reg.dispatch({
      command: "lease6-get",
      arguments: { "identifier-type": "duid", identifier: DUID, "subnet-id": 1 },
    })).result,
    1,
  );
  assert.equal((await s.reg.dispatch({ command: "lease6-get" })).result, 1);
});

Deno.test("lease6-get-all and lease6-get-page: ascending by address, subnets filter, count, 3 when empty", async () => {
  await using s = await setup();
  assert.deepEqual(await s.reg.dispatch({ command: "lease6-get-all" }), {
    result: 3,
    text: "0 IPv6 lease(s) found.",
    arguments: { leases: [] },
  });
  for (const ip of ["2001:db8:1::103", "2001:db8:2::101", "2001:db8:1::101", "2001:db8:1::102"]) {
    const r = await s.reg.dispatch({ command: "lease6-add", arguments: { "ip-address": ip, duid: DUID, iaid: 1 } });
    assert.equal(r.result, 0, r.text);
  }
  const all = await s.reg.dispatch({ command: "lease6-get-all" });
  assert.equal(all.text, "4 IPv6 lease(s) found.");
  const sub2 = await s.reg.dispatch({ command: "lease6-get-all", arguments: { subnets: [2] } });
  assert.deepEqual((sub2.arguments as { leases: { "ip-address": string }[] }).leases.map((l) => l["ip-address"]), [
    "2001:db8:2::101",
  ]);
  assert.equal((await s.reg.dispatch({ command: "lease6-get-all", arguments: { subnets: 2 } })).result, 1);
  const p1 = await s.reg.dispatch({ command: "lease6-get-page", arguments: { from: "start", limit: 3 } });
  const ips = (a: unknown) => (a as { leases: { "ip-address": string }[] }).leases.map((l) => l["ip-address"]);
  assert.deepEqual(ips(p1.arguments), ["2001:db8:1::101", "2001:db8:1::102", "2001:db8:1::103"]);
  assert.equal((p1.arguments as { count: number }).count, 3);
  const p2 = await s.reg.dispatch({ command: "lease6-get-page", arguments: { from: "2001:db8:1::103", limit: 3 } });
  assert.deepEqual(ips(p2.arguments), ["2001:db8:2::101"]);
  const p3 = await s.reg.dispatch({ command: "lease6-get-page", arguments: { from: "2001:db8:2::101", limit: 3 } });
  assert.equal(p3.result, 3);
  assert.equal((await s.reg.dispatch({ command: "lease6-get-page", arguments: { from: "x", limit: 3 } })).result, 1);
  assert.equal(
    (await s.reg.dispatch({ command: "lease6-get-page", arguments: { from: "start", limit: 0 } })).result,
    1,
  );
  assert.equal((await s.reg.dispatch({ command: "lease6-get-page", arguments: { from: "start" } })).result, 1);
});

Deno.test("lease6-update: updated, 1 without the lease, force-create adds, declined moves gauges, 1 bad args", async () => {
  await using s = await setup();
  assert.equal((await s.reg.dispatch({ command: "lease6-update", arguments: NA })).result, 1); // as Kea 2.2
  assert.deepEqual(await s.reg.dispatch({ command: "lease6-update", arguments: { ...NA, "force-create": true } }), {
    result: 0,
    text: "IPv6 lease added.",
  });
  assert.equal(s.stats.get("assigned-nas"), 1);
  const upd = await s.reg.dispatch({ command: "lease6-update", arguments: { ...NA, state: 1, "valid-lft": 100 } });
  assert.deepEqual(upd, { result: 0, text: "IPv6 lease updated." });
  assert.equal(s.kv.byAddress(0x20010db8000100000000000000000150n)?.validLifetime, 100);
  assert.equal(s.stats.get("declined-addresses"), 1);
  assert.equal(s.stats.get("subnet[1].declined-addresses"), 1);
  assert.equal(s.stats.get("assigned-nas"), 1, "a declined address stays counted as assigned, as Kea counts it");
  assert.equal((await s.reg.dispatch({ command: "lease6-update", arguments: { ...NA, iaid: -1 } })).result, 1);
});

Deno.test("lease6-del (by address or by DUID) and lease6-wipe: 0, 3, 1 (an unknown subnet 3, as Kea 2.2); gauges drop", async () => {
  await using s = await setup();
  await s.reg.dispatch({ command: "lease6-add", arguments: NA });
  await s.reg.dispatch({ command: "lease6-add", arguments: PDL });
  await s.reg.dispatch({ command: "lease6-add", arguments: { "ip-address": "2001:db8:2::101", duid: DUID, iaid: 1 } });
  assert.deepEqual(await s.reg.dispatch({ command: "lease6-del", arguments: { "ip-address": "2001:db8:1::150" } }), {
    result: 0,
    text: "IPv6 lease deleted.",
  });
  assert.deepEqual(await s.reg.dispatch({ command: "lease6-del", arguments: { "ip-address": "2001:db8:1::150" } }), {
    result: 3,
    text: "IPv6 lease not found.",
  });
  const byDuid = await s.reg.dispatch({
    command: "lease6-del",
    arguments: { "identifier-type": "duid", identifier: DUID, iaid: 8, "subnet-id": 1, type: "IA_PD" },
  });
  assert.equal(byDuid.result, 0);
  assert.equal(s.stats.get("assigned-pds"), 0);
  assert.equal((await s.reg.dispatch({ command: "lease6-del", arguments: { "ip-address": "nope" } })).result, 1);
  assert.equal((await s.reg.dispatch({ command: "lease6-wipe", arguments: { "subnet-id": 99 } })).result, 3);
  assert.deepEqual(await s.reg.dispatch({ command: "lease6-wipe", arguments: { "subnet-id": 1 } }), {
    result: 3,
    text: "Deleted 0 IPv6 lease(s) from subnet(s) 1",
  });
  assert.deepEqual(await s.reg.dispatch({ command: "lease6-wipe" }), {
    result: 0,
    text: "Deleted 1 IPv6 lease(s) from subnet(s) 1 2",
  });
  assert.equal(s.kv.size(), 0);
  assert.equal(s.stats.get("assigned-nas"), 0);
  assert.equal(s.stats.get("subnet[2].assigned-nas"), 0);
});

Deno.test("lease6 commands: an answered change is in the KV file after reopen; a failed commit answers 1", async () => {
  const path = await Deno.makeTempFile({ suffix: ".kv" });
  try {
    {
      await using s = await setup(path);
      assert.equal((await s.reg.dispatch({ command: "lease6-add", arguments: NA })).result, 0);
      assert.equal((await s.reg.dispatch({ command: "lease6-add", arguments: PDL })).result, 0);
      assert.equal(
        (await s.reg.dispatch({ command: "lease6-del", arguments: { "ip-address": "2001:db8:1::150" } })).result,
        0,
      );
    }
    const kv = await KvLease6Store.open(path);
    assert.equal(kv.size(), 1);
    assert.equal(kv.byAddress(0x20010db8800001000000000000000000n)?.prefixLen, 56);
    await kv.close();
    await using f = await setup(":memory:", (inner) => {
      const st: Lease6Store = Object.create(inner);
      st.apply = () => Promise.reject(new Error("disk full"));
      return st;
    });
    const r = await f.reg.dispatch({ command: "lease6-add", arguments: NA });
    assert.equal(r.result, 1);
    assert.match(r.text!, /could not be saved to the lease database: disk full/);
    assert.equal(f.stats.get("assigned-nas"), 0, "no gauge moves for a change that is not durable");
  } finally {
    await Deno.remove(path).catch(() => {});
  }
});

Deno.test("buildRegistry6: all lease6 commands with the kv backend; a bare memfile keeps a read-only lease6-get-all", async () => {
  await using s = await setup();
  await s.reg.dispatch({ command: "lease6-add", arguments: NA });
  const names = (cfg: Dhcp6Config) => {
    const ctx = { stats: s.stats, store: s.kv, config: () => cfg, now: () => NOW * 1000 } as unknown as Control6Context;
    return buildRegistry6(ctx);
  };
  const kv = names(compile(doc()));
  for (
    const c of [
      "lease6-add",
      "lease6-del",
      "lease6-get",
      "lease6-get-all",
      "lease6-get-page",
      "lease6-update",
      "lease6-wipe",
    ]
  ) {
    assert.ok(kv.has(c), `${c} is registered`);
  }
  const memfile = names(compile(doc({ "lease-database": { type: "memfile", name: "/tmp/x6.csv" } })));
  assert.equal(memfile.has("lease6-add"), false);
  assert.equal((await memfile.dispatch({ command: "lease6-add", arguments: NA })).result, 2, "unsupported");
  const all = await memfile.dispatch({ command: "lease6-get-all" });
  assert.equal(all.text, "1 IPv6 lease(s) found.");
  assert.equal((all.arguments as { leases: Record<string, unknown>[] }).leases[0].duid, DUID);
});

Deno.test("lease6-write dumps Kea's kea-leases6.csv beside the lease database; the live database is refused", async () => {
  await using s = await setup();
  assert.equal((await s.reg.dispatch({ command: "lease6-add", arguments: NA })).result, 0);
  assert.equal((await s.reg.dispatch({ command: "lease6-add", arguments: PDL })).result, 0);
  // the lease database of doc() is ":memory:", whose directory is the working directory
  const w = await s.reg.dispatch({ command: "lease6-write", arguments: { filename: "dump6.csv" } });
  assert.equal(w.result, 0, w.text);
  const [path, text] = [...s.written][0];
  assert.equal(path, resolve("dump6.csv"));
  const rows = text.trim().split("\n");
  assert.equal(rows[0], KEA_CSV6_HEADER);
  assert.equal(rows.length, 3);
  // address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,iaid,prefix_len,fqdn_fwd,fqdn_rev,hostname,...
  const na = rows.find((r) => r.startsWith("2001:db8:1::150,"))!.split(",");
  assert.deepEqual(na.slice(1, 12), [
    DUID,
    "4000",
    String(NOW + 4000),
    "1",
    "3000",
    "0",
    "7",
    "128",
    "0",
    "0",
    "host.example.",
  ]);
  assert.ok(rows.some((r) => /^2001:db8:8000:100::,.*,2,\d+,56,/.test(r)), rows.join("\n"));
  const evil = await s.reg.dispatch({ command: "lease6-write", arguments: { filename: "/etc/passwd" } });
  assert.equal(evil.result, 1);
  assert.match(evil.text!, /not allowed to write into \/etc\/passwd: the file must be in/);
  assert.equal((await s.reg.dispatch({ command: "lease6-write" })).result, 1);
});
