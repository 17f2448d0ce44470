/**
 * KvLease6Store on a real KV file: put / replace / delete, the address, IA and DUID indexes, reopen, sharing one
 * file with the IPv4 store, group commit, durability before acknowledgement, failed commits, refusals.
 */
import assert from "node:assert/strict";
import { KvLeaseStore } from "../../mod/lease/kv_store.ts";
import { decodeBlock6, encodeBlock6, KvLease6Store } from "../../mod/lease/kv_store6.ts";
import { blockKey6 } from "../../mod/lease/kv_keys.ts";
import { LeaseState } from "../../mod/lease/types.ts";
import { type Lease6, Lease6Type } from "../../mod/lease/types6.ts";
import { mkLease } from "./store_contract.ts";
import { BASE, DUID_A, DUID_B, na, PD, pd } from "./lease6_fixtures.ts";
import { runStore6Contract } from "./store6_contract.ts";

async function withFile(fn: (path: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "weka-lease6-" });
  try {
    await fn(`${dir}/leases.kv`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const addrs = (l: Lease6[]) => l.map((x) => x.address);

Deno.test("put, replace and delete through the address, IA and DUID indexes", async () => {
  const s = await KvLease6Store.open(":memory:");
  try {
    await s.apply([{ op: "put", lease: na(1) }, { op: "put", lease: na(2) }, { op: "put", lease: pd(1) }]);
    await s.apply([{ op: "put", lease: na(3, { duid: DUID_B, iaid: 9, subnetId: 2 }) }]);
    assert.equal(s.size(), 4);
    assert.deepEqual(s.byAddress(BASE + 2n), na(2));
    assert.deepEqual(addrs(s.byIa(DUID_A, 1, Lease6Type.NA, 1)), [BASE + 1n, BASE + 2n]);
    assert.deepEqual(addrs(s.byIa(DUID_A, 2, Lease6Type.PD, 1)), [PD + (1n << 72n)]);
    assert.deepEqual(s.byIa(DUID_A, 2, Lease6Type.NA, 1), [], "the type is part of the IA key");
    assert.deepEqual(s.byIa(DUID_A, 1, Lease6Type.NA, 2), [], "so is the subnet");
    assert.deepEqual(addrs(s.byDuid(DUID_A)), [BASE + 1n, BASE + 2n, PD + (1n << 72n)]);
    // replacing an address re-indexes it: na(2) moves from DUID_A to DUID_B
    await s.apply([{ op: "put", lease: na(2, { duid: DUID_B, iaid: 9, subnetId: 2, hostname: "b" }) }]);
    assert.deepEqual(addrs(s.byIa(DUID_A, 1, Lease6Type.NA, 1)), [BASE + 1n]);
    assert.deepEqual(addrs(s.byIa(DUID_B, 9, Lease6Type.NA, 2)), [BASE + 2n, BASE + 3n]);
    assert.equal(s.size(), 4);
    await s.apply([{ op: "del", address: BASE + 1n }, { op: "del", address: BASE + 99n }]);
    assert.equal(s.byAddress(BASE + 1n), undefined);
    assert.deepEqual(s.byIa(DUID_A, 1, Lease6Type.NA, 1), []);
    assert.deepEqual(addrs([...s.all()]), [BASE + 2n, BASE + 3n, PD + (1n << 72n)], "all() ascends by address");
  } finally {
    await s.close();
  }
});

Deno.test("reopening the file restores every lease and index, every field included", async () => {
  await withFile(async (path) => {
    const s = await KvLease6Store.open(path);
    const leases = [
      na(1, { hostname: "host1.example.org", fqdnFwd: true, fqdnRev: true, poolId: 3 }),
      na(17, { state: LeaseState.DECLINED, hwaddr: "", userContext: { note: "declined", n: [1, 2] } }),
      na(18, { state: LeaseState.EXPIRED_RECLAIMED, validLifetime: 0xffffffff }),
      pd(1),
      pd(200, { duid: DUID_B, state: LeaseState.RELEASED }),
      na(0, { address: (1n << 128n) - 1n, hostname: "ħöst" }), // ffff:…:ffff, non-Latin-1 text
    ];
    await s.apply(leases.map((lease) => ({ op: "put", lease })));
    await s.apply([{ op: "del", address: BASE + 18n }]);
    const before = [...s.all()];
    await s.close();
    const logs: string[] = [];
    const again = await KvLease6Store.open(path, { log: (id, text) => logs.push(`${id} ${text}`) });
    try {
      assert.deepEqual([...again.all()], before);
      assert.equal(again.size(), 5);
      assert.deepEqual(again.byAddress(BASE + 17n)?.userContext, { note: "declined", n: [1, 2] });
      assert.deepEqual(addrs(again.byDuid(DUID_B)), [PD + (200n << 72n)]);
      assert.deepEqual(addrs(again.byIa(DUID_A, 1, Lease6Type.NA, 1)), [BASE + 1n, BASE + 17n, (1n << 128n) - 1n]);
      assert.ok(logs.some((l) => l.startsWith("DHCPSRV_KV_LEASES_LOADED loaded 5 IPv6 lease(s)")), logs.join("\n"));
    } finally {
      await again.close();
    }
  });
});

Deno.test("one KV file holds IPv4 and IPv6 leases without their keys colliding", async () => {
  await withFile(async (path) => {
    const v4 = await KvLeaseStore.open(path);
    await v4.apply([{ op: "put", lease: mkLease(5) }]);
    await v4.close();
    const v6 = await KvLease6Store.open(path);
    await v6.apply([{ op: "put", lease: na(5) }, { op: "put", lease: na(0, { address: 5n }) }]);
    await v6.close();
    const v4b = await KvLeaseStore.open(path), v6b = await KvLease6Store.open(path);
    try {
      assert.equal(v4b.size(), 1);
      assert.deepEqual(v4b.byAddress(mkLease(5).address), mkLease(5));
      assert.equal(v6b.size(), 2);
      assert.equal(v6b.byAddress(5n)?.duid, DUID_A);
    } finally {
      await v4b.close();
      await v6b.close();
    }
  });
});

/** Wraps a KV handle: each commit first awaits `ctl.gate`, and throws while `ctl.fail` is set. */
function controlledKv(kv: Deno.Kv, ctl: { gate: Promise<void>; fail: boolean }): Deno.Kv {
  const atomic = () => {
    const op = kv.atomic();
    const commit = op.commit.bind(op);
    op.commit = async () => {
      await ctl.gate;
      if (ctl.fail) throw new Error("disk full (simulated)");
      return await commit();
    };
    return op;
  };
  return new Proxy(kv, {
    get: (t, p) =>
      p === "atomic"
        ? atomic
        : (typeof Reflect.get(t, p) === "function" ? Reflect.get(t, p).bind(t) : Reflect.get(t, p)),
  });
}

Deno.test("concurrent applies are grouped into few commits, and each resolves only once durable", async () => {
  await withFile(async (path) => {
    let open!: () => void;
    const ctl = { gate: new Promise<void>((r) => open = r), fail: false };
    const s = await KvLease6Store.fromKv(controlledKv(await Deno.openKv(path), ctl));
    const reader = await Deno.openKv(path);
    try {
      let resolved = 0;
      const ps = [];
      for (let i = 0; i < 600; i++) ps.push(s.apply([{ op: "put", lease: na(i * 16) }]).then(() => resolved++));
      assert.equal(s.byAddress(BASE + 16n * 599n)?.address, BASE + 16n * 599n, "memory sees it at once");
      await new Promise((r) => setTimeout(r, 30));
      assert.equal(resolved, 0, "nothing resolved while the commit is held");
      assert.equal((await reader.get(blockKey6(BASE))).value, null, "nothing on disk yet");
      open();
      await Promise.all(ps);
      assert.ok(s.commits <= 4, `600 applies took ${s.commits} commits`);
      assert.ok(s.groups <= 2, `600 applies took ${s.groups} groups`);
      const stored = (await reader.get(blockKey6(BASE + 16n * 599n))).value;
      assert.equal(decodeBlock6((BASE >> 4n) + 599n, stored, () => {})[0].address, BASE + 16n * 599n);
    } finally {
      reader.close();
      await s.close();
    }
  });
});

Deno.test("a failed commit rejects every waiter of its group and logs; later groups succeed", async () => {
  const ctl = { gate: Promise.resolve(), fail: true };
  const logs: string[] = [];
  const s = await KvLease6Store.fromKv(controlledKv(await Deno.openKv(":memory:"), ctl), {
    log: (id) => logs.push(id),
  });
  try {
    const a = s.apply([{ op: "put", lease: na(1) }]);
    const b = s.apply([{ op: "put", lease: pd(1) }]);
    await assert.rejects(a, /disk full/);
    await assert.rejects(b, /disk full/);
    assert.ok(logs.includes("DHCPSRV_KV_COMMIT_FAILED"));
    ctl.fail = false;
    await s.apply([{ op: "put", lease: na(2) }]);
  } finally {
    await s.close();
  }
});

Deno.test("refusals: an oversized user-context, an address past 128 bits, a closed store; nothing changes", async () => {
  const s = await KvLease6Store.open(":memory:");
  await assert.rejects(
    s.apply([{ op: "put", lease: na(1) }, { op: "put", lease: na(2, { userContext: { x: "y".repeat(3000) } }) }]),
    /2001:db8:1::2: its user-context is larger/,
  );
  await assert.rejects(s.apply([{ op: "put", lease: na(0, { address: 1n << 128n }) }]), /not a 128-bit value/);
  assert.equal(s.size(), 0, "a refused batch changes nothing, not even its valid leases");
  await s.close();
  await assert.rejects(s.apply([{ op: "put", lease: na(3) }]), /closed/);
});

Deno.test("stored blocks that cannot be decoded are skipped with a log line naming them", async () => {
  await withFile(async (path) => {
    const kv = await Deno.openKv(path);
    await kv.set(blockKey6(BASE), ["not", "a", "block"]);
    const good = na(0x21), broken = encodeBlock6([na(0x22)]);
    broken[12] = 9; // no such lease state
    await kv.set(blockKey6(BASE + 0x20n), [...broken, ...encodeBlock6([good])]);
    await kv.set(["lease6", "oops"], []);
    kv.close();
    const logs: string[] = [];
    const s = await KvLease6Store.open(path, { log: (id, text) => logs.push(`${id} ${text}`) });
    try {
      assert.equal(s.size(), 1);
      assert.deepEqual(s.byAddress(good.address), good);
      const skipped = logs.filter((l) => l.startsWith("DHCPSRV_KV_LEASE_SKIPPED"));
      assert.equal(skipped.length, 3, skipped.join("\n"));
      assert.ok(skipped.some((l) => l.includes("2001:db8:1::/124")));
      assert.ok(skipped.some((l) => l.includes("2001:db8:1::22")));
    } finally {
      await s.close();
    }
  });
});

runStore6Contract("KvLease6Store", async () => {
  const dir = await Deno.makeTempDir({ prefix: "weka-lease6-contract-" });
  const path = `${dir}/leases.kv`;
  let current = await KvLease6Store.open(path);
  return {
    store: current,
    reopen: async () => {
      await current.close();
      return current = await KvLease6Store.open(path);
    },
    cleanup: async () => {
      await current.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
});
