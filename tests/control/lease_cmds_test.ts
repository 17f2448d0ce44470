/**
 * Lease commands (libdhcp_lease_cmds.so): success, not found (3), bad arguments (1 with text), conflict (4), and
 * durability — what a command answered 0 for is in the KV file when it is reopened.
 */
import assert from "node:assert/strict";
import { buildRegistry, leaseCommandsEnabled } from "../../mod/control/channel.ts";
import { KvLeaseStore } from "../../mod/lease/kv_store.ts";
import { parseIpv4 } from "../../mod/wire/addr.ts";
import { compileDoc, testContext, testDoc } from "./helpers.ts";

const A = { "ip-address": "198.18.1.150", "hw-address": "AA:BB:CC:DD:EE:01", hostname: "Alpha.example.com." };

async function setup(leasePath = ":memory:") {
  const ctx = await testContext(testDoc({}, leasePath), leasePath);
  return { ctx, reg: buildRegistry(ctx), [Symbol.asyncDispose]: () => ctx.store.close() };
}

Deno.test("lease commands are on with libdhcp_lease_cmds.so or weka's kv backend, off for a bare memfile", () => {
  assert.equal(leaseCommandsEnabled(compileDoc(testDoc())), true);
  const memfile = testDoc({ "lease-database": { type: "memfile", name: "/tmp/x.csv" } });
  assert.equal(leaseCommandsEnabled(compileDoc(memfile)), false);
  (memfile.Dhcp4 as Record<string, unknown>)["hooks-libraries"] = [{ library: "/usr/lib/libdhcp_lease_cmds.so" }];
  assert.equal(leaseCommandsEnabled(compileDoc(memfile)), true);
});

Deno.test("lease4-add: added (subnet auto-selected), 1 on an existing address (as Kea 2.2), bad args 1", async () => {
  await using s = await setup();
  const add = await s.reg.dispatch({ command: "lease4-add", arguments: A });
  assert.deepEqual(add, { result: 0, text: "Lease for address 198.18.1.150, subnet-id 1 added." });
  const l = s.ctx.store.byAddress(parseIpv4("198.18.1.150")!)!;
  assert.equal(l.hwaddr, "aa:bb:cc:dd:ee:01");
  assert.equal(l.hostname, "alpha.example.com.");
  assert.equal(l.validLifetime, 600);
  assert.equal(s.ctx.stats.get("subnet[1].assigned-addresses"), 1);
  const again = await s.reg.dispatch({ command: "lease4-add", arguments: { ...A, "hw-address": "02:00:00:00:00:09" } });
  assert.deepEqual([again.result, again.text], [1, "IPv4 lease already exists."]); // Kea 2.2's answer
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ "hw-address": "aa:bb:cc:dd:ee:02" }, /missing mandatory 'ip-address'/],
    [{ "ip-address": "198.18.1.151" }, /missing mandatory 'hw-address'/],
    [{ ...A, "ip-address": "198.18.1.999" }, /'ip-address' is not a valid IPv4 address/],
    [{ ...A, "ip-address": "10.0.0.1" }, /failed to find a subnet for address: 10.0.0.1/],
    [{ ...A, "ip-address": "198.18.1.152", "subnet-id": 2 }, /does not belong to subnet 198.19.0.0\/16/],
    [{ ...A, "ip-address": "198.18.1.152", "subnet-id": 9 }, /no IPv4 subnet with subnet-id=9/],
    [{ ...A, "ip-address": "198.18.1.152", "valid-lft": -5 }, /'valid-lft' must be an integer/],
    [{ ...A, "ip-address": "198.18.1.152", "hw-address": "zz" }, /'hw-address' must be 1..20 hexadecimal bytes/],
    [{ ...A, "ip-address": "198.18.1.152", state: 7 }, /'state' must be 0 \(default\)/],
  ];
  for (const [args, re] of cases) {
    const r = await s.reg.dispatch({ command: "lease4-add", arguments: args });
    assert.equal(r.result, 1, JSON.stringify(args));
    assert.match(r.text!, re);
  }
  assert.equal(s.ctx.store.size(), 1); // nothing half-applied
});

Deno.test("lease4-add with expire sets cltt = expire - valid-lft; a declined lease needs no hw-address", async () => {
  await using s = await setup();
  const r = await s.reg.dispatch({
    command: "lease4-add",
    arguments: { "ip-address": "198.19.1.100", "hw-address": "02:00:00:00:00:01", "valid-lft": 100, expire: 5000 },
  });
  assert.equal(r.result, 0);
  const l = s.ctx.store.byAddress(parseIpv4("198.19.1.100")!)!;
  assert.equal(l.cltt, 4900);
  assert.equal(l.subnetId, 2);
  const d = await s.reg.dispatch({ command: "lease4-add", arguments: { "ip-address": "198.19.1.101", state: 1 } });
  assert.equal(d.result, 0);
});

Deno.test("lease4-get by address and by identifier; 3 when absent; 1 on a bad identifier-type", async () => {
  await using s = await setup();
  await s.reg.dispatch({ command: "lease4-add", arguments: { ...A, "client-id": "01:aa:bb:cc:dd:ee:01" } });
  const got = await s.reg.dispatch({ command: "lease4-get", arguments: { "ip-address": "198.18.1.150" } });
  assert.equal(got.result, 0);
  assert.equal(got.text, "IPv4 lease found.");
  const lease = got.arguments as Record<string, unknown>;
  assert.equal(lease["hw-address"], "aa:bb:cc:dd:ee:01");
  assert.equal(lease["client-id"], "01:aa:bb:cc:dd:ee:01");
  assert.equal(lease["subnet-id"], 1);
  assert.equal(lease["valid-lft"], 600);
  assert.equal(typeof lease.cltt, "number");
  const byHw = await s.reg.dispatch({
    command: "lease4-get",
    arguments: { "identifier-type": "hw-address", identifier: "aa:bb:cc:dd:ee:01", "subnet-id": 1 },
  });
  assert.equal((byHw.arguments as Record<string, unknown>)["ip-address"], "198.18.1.150");
  const byCid = await s.reg.dispatch({
    command: "lease4-get",
    arguments: { "identifier-type": "client-id", identifier: "01:aa:bb:cc:dd:ee:01", "subnet-id": 1 },
  });
  assert.equal(byCid.result, 0);
  assert.deepEqual(await s.reg.dispatch({ command: "lease4-get", arguments: { "ip-address": "198.18.1.151" } }), {
    result: 3,
    text: "Lease not found.",
  });
  const bad = await s.reg.dispatch({
    command: "lease4-get",
    arguments: { "identifier-type": "duid", identifier: "01", "subnet-id": 1 },
  });
  assert.equal(bad.result, 1);
  assert.match(bad.text!, /'identifier-type' must be "hw-address" or "client-id"/);
  const noSubnet = await s.reg.dispatch({
    command: "lease4-get",
    arguments: { "identifier-type": "hw-address", identifier: "aa:bb:cc:dd:ee:01" },
  });
  assert.match(noSubnet.text!, /missing mandatory 'subnet-id'/);
});

async function addMany(reg: ReturnType<typeof buildRegistry>, n: number, base = "198.18.1.") {
  for (let i = 0; i < n; i++) {
    const hex = (100 + i).toString(16).padStart(2, "0");
    const r = await reg.dispatch({
      command: "lease4-add",
      arguments: { "ip-address": `${base}${100 + i}`, "hw-address": `02:00:00:00:00:${hex}`, hostname: `h${i}` },
    });
    assert.equal(r.result, 0);
  }
}

Deno.test("lease4-get-all (with subnets), get-page paging, get-by-hw-address/client-id/hostname", async () => {
  await using s = await setup();
  assert.deepEqual(await s.reg.dispatch({ command: "lease4-get-all" }), {
    result: 3,
    text: "0 IPv4 lease(s) found.",
    arguments: { leases: [] },
  });
  await addMany(s.reg, 5);
  await addMany(s.reg, 2, "198.19.1.");
  const all = await s.reg.dispatch({ command: "lease4-get-all" });
  assert.equal(all.text, "7 IPv4 lease(s) found.");
  const sub2 = await s.reg.dispatch({ command: "lease4-get-all", arguments: { subnets: [2] } });
  assert.equal((sub2.arguments as { leases: unknown[] }).leases.length, 2);
  assert.equal((await s.reg.dispatch({ command: "lease4-get-all", arguments: { subnets: 2 } })).result, 1);
  // paging: 3 + 3 + 1, then empty (3)
  const seen: string[] = [];
  let from = "start", pages = 0;
  while (true) {
    const p = await s.reg.dispatch({ command: "lease4-get-page", arguments: { from, limit: 3 } });
    const { leases, count } = p.arguments as { leases: { "ip-address": string }[]; count: number };
    if (p.result === 3) {
      assert.equal(count, 0);
      break;
    }
    pages++;
    seen.push(...leases.map((l) => l["ip-address"]));
    from = leases[leases.length - 1]["ip-address"];
  }
  assert.equal(pages, 3);
  assert.equal(seen.length, 7);
  assert.deepEqual(seen, [...seen].sort((a, b) => parseIpv4(a)! - parseIpv4(b)!));
  const badFrom = await s.reg.dispatch({ command: "lease4-get-page", arguments: { from: "end", limit: 3 } });
  assert.match(badFrom.text!, /neither 'start' keyword nor a valid IPv4 address/);
  assert.equal(
    (await s.reg.dispatch({ command: "lease4-get-page", arguments: { from: "start", limit: 0 } })).result,
    1,
  );
  const hw = await s.reg.dispatch({
    command: "lease4-get-by-hw-address",
    arguments: { "hw-address": "02:00:00:00:00:64" },
  });
  assert.equal((hw.arguments as { leases: unknown[] }).leases.length, 2); // same MAC in both subnets
  const none = await s.reg.dispatch({ command: "lease4-get-by-client-id", arguments: { "client-id": "01:02" } });
  assert.equal(none.result, 3);
  const host = await s.reg.dispatch({ command: "lease4-get-by-hostname", arguments: { hostname: "H3" } });
  assert.equal((host.arguments as { leases: unknown[] }).leases.length, 1);
  assert.equal((await s.reg.dispatch({ command: "lease4-get-by-hostname", arguments: {} })).result, 1);
});

Deno.test("lease4-update: 1 when missing (as Kea 2.2), force-create adds, replaces every field", async () => {
  await using s = await setup();
  const miss = await s.reg.dispatch({ command: "lease4-update", arguments: A });
  assert.equal(miss.result, 1); // Kea 2.2's code and text
  assert.match(miss.text!, /either because the lease has been deleted or it has changed in the database/);
  const forced = await s.reg.dispatch({ command: "lease4-update", arguments: { ...A, "force-create": true } });
  assert.deepEqual(forced, { result: 0, text: "IPv4 lease added." });
  const upd = await s.reg.dispatch({
    command: "lease4-update",
    arguments: { "ip-address": A["ip-address"], "hw-address": "02:00:00:00:00:99", "valid-lft": 1200 },
  });
  assert.deepEqual(upd, { result: 0, text: "IPv4 lease updated." });
  const l = s.ctx.store.byAddress(parseIpv4(A["ip-address"])!)!;
  assert.equal(l.hwaddr, "02:00:00:00:00:99");
  assert.equal(l.hostname, ""); // missing fields are cleared
  assert.equal(l.validLifetime, 1200);
  assert.equal((await s.reg.dispatch({ command: "lease4-update", arguments: { "force-create": "yes" } })).result, 1);
});

Deno.test("lease4-del (by address, by identifier), lease4-wipe (one subnet, all)", async () => {
  await using s = await setup();
  await addMany(s.reg, 3);
  await addMany(s.reg, 2, "198.19.1.");
  assert.deepEqual(await s.reg.dispatch({ command: "lease4-del", arguments: { "ip-address": "198.18.1.100" } }), {
    result: 0,
    text: "IPv4 lease deleted.",
  });
  assert.equal(
    (await s.reg.dispatch({ command: "lease4-del", arguments: { "ip-address": "198.18.1.100" } })).result,
    3,
  );
  const byId = await s.reg.dispatch({
    command: "lease4-del",
    arguments: { "identifier-type": "hw-address", identifier: "02:00:00:00:00:65", "subnet-id": 1 },
  });
  assert.equal(byId.result, 0);
  assert.equal(s.ctx.stats.get("subnet[1].assigned-addresses"), 1);
  assert.equal((await s.reg.dispatch({ command: "lease4-del", arguments: {} })).result, 1);
  const w2 = await s.reg.dispatch({ command: "lease4-wipe", arguments: { "subnet-id": 2 } });
  assert.deepEqual(w2, { result: 0, text: "Deleted 2 IPv4 lease(s) from subnet(s) 2" });
  assert.equal((await s.reg.dispatch({ command: "lease4-wipe", arguments: { "subnet-id": 2 } })).result, 3);
  assert.deepEqual(await s.reg.dispatch({ command: "lease4-wipe", arguments: { "subnet-id": 77 } }), {
    result: 3,
    text: "Deleted 0 IPv4 lease(s) from subnet(s) 77",
  });
  const all = await s.reg.dispatch({ command: "lease4-wipe" });
  assert.equal(all.text, "Deleted 1 IPv4 lease(s) from subnet(s) 1 2");
  assert.equal(s.ctx.store.size(), 0);
});

Deno.test("lease4-write dumps Kea CSV into the lease directory only", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wkc-" });
  try {
    await using s = await setup(`${dir}/leases.kv`);
    await addMany(s.reg, 2);
    const w = await s.reg.dispatch({ command: "lease4-write", arguments: { filename: "dump.csv" } });
    assert.equal(w.result, 0);
    const csv = s.ctx.written.get(`${dir}/dump.csv`)!;
    assert.match(csv, /^address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state/);
    assert.equal(csv.trim().split("\n").length, 3);
    const evil = await s.reg.dispatch({ command: "lease4-write", arguments: { filename: "/etc/cron.d/x" } });
    assert.equal(evil.result, 1);
    assert.equal((await s.reg.dispatch({ command: "lease4-write" })).result, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("every success is durable: reopening the KV file shows exactly what was answered 0", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wkc-" });
  const path = `${dir}/leases.kv`;
  try {
    {
      await using s = await setup(path);
      await addMany(s.reg, 20);
      await s.reg.dispatch({ command: "lease4-del", arguments: { "ip-address": "198.18.1.105" } });
      await s.reg.dispatch({ command: "lease4-update", arguments: { ...A, "ip-address": "198.18.1.110" } });
      // no flush, no close before this point's answers: the answers themselves waited for the commits
      const kv2 = await KvLeaseStore.open(path);
      assert.equal(kv2.size(), 19);
      assert.equal(kv2.byAddress(parseIpv4("198.18.1.105")!), undefined);
      assert.equal(kv2.byAddress(parseIpv4("198.18.1.110")!)!.hwaddr, "aa:bb:cc:dd:ee:01");
      await kv2.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
