/**
 * KvLeaseStore: the store contract on a real KV file and on ":memory:", plus group commit, durability before
 * acknowledgement, failed commits, chunking and close.
 */
import assert from "node:assert/strict";
import { KvLeaseStore } from "../../mod/lease/kv_store.ts";
import { blockKey, blockOf, decodeBlock } from "../../mod/lease/kv_keys.ts";
import type { LeaseStore } from "../../mod/lease/types.ts";
import { ip, mkLease, runStoreContract } from "./store_contract.ts";

/** Reads the stored lease of `address` through another KV handle (undefined when the file lacks it). */
async function stored(kv: Deno.Kv, address: number) {
  const e = await kv.get(blockKey(blockOf(address)));
  if (e.value === null) return undefined;
  return decodeBlock(blockOf(address), e.value, () => {}).find((l) => l.address === address);
}

runStoreContract("KvLeaseStore(file)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "weka-lease-" });
  const path = `${dir}/leases.kv`;
  let current: LeaseStore = await KvLeaseStore.open(path);
  return {
    store: current,
    reopen: async () => {
      await current.close();
      current = await KvLeaseStore.open(path);
      return current;
    },
    cleanup: async () => {
      await current.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
});

runStoreContract("KvLeaseStore(:memory:)", async () => {
  const store = await KvLeaseStore.open(":memory:");
  return { store, cleanup: () => store.close() };
});

async function tempPath(): Promise<{ path: string; done: () => Promise<void> }> {
  const dir = await Deno.makeTempDir({ prefix: "weka-lease-" });
  return { path: `${dir}/leases.kv`, done: () => Deno.remove(dir, { recursive: true }) };
}

/** Wraps a KV handle so that every atomic commit first waits for `gate()` and may be made to fail. */
function gatedKv(kv: Deno.Kv, ctl: { gate: () => Promise<void>; fail?: boolean }): Deno.Kv {
  return new Proxy(kv, {
    get(target, prop) {
      if (prop === "atomic") {
        return () => {
          const op = target.atomic();
          const wrapper = {
            set: (k: Deno.KvKey, v: unknown) => (op.set(k, v), wrapper),
            delete: (k: Deno.KvKey) => (op.delete(k), wrapper),
            commit: async () => {
              await ctl.gate();
              if (ctl.fail) throw new Error("disk full (simulated)");
              return await op.commit();
            },
          };
          return wrapper;
        };
      }
      const v = Reflect.get(target, prop);
      return typeof v === "function" ? v.bind(target) : v;
    },
  }) as Deno.Kv;
}

Deno.test("group commit: 2000 concurrent applies take far fewer commits, each durable when it resolves", async () => {
  const { path, done } = await tempPath();
  const store = await KvLeaseStore.open(path);
  const reader = await Deno.openKv(path); // a second handle on the same file, for reading only
  try {
    const n = 2000;
    let checked = 0;
    const ps: Promise<void>[] = [];
    for (let i = 0; i < n; i++) {
      // one lease per 16-address block, so that every lease is its own KV mutation
      const lease = mkLease(0, {
        address: 0x0a000000 + 16 * i,
        hwaddr: `02:00:00:00:${(i >> 8).toString(16)}:${i & 255}`,
      });
      ps.push(
        store.apply([{ op: "put", lease }]).then(async () => {
          if (i % 250 === 0) { // spot-check durability at resolve time via the fresh handle
            const got = await stored(reader, lease.address);
            assert.deepEqual(got, lease, `lease ${i} not readable from the file when its apply resolved`);
            checked++;
          }
        }),
      );
    }
    await Promise.all(ps);
    assert.equal(checked, 8);
    assert.ok(store.commits < n / 10, `expected far fewer commits than ${n} applies, got ${store.commits}`);
    assert.ok(store.commits >= 2, "a group of 2000 needs at least two atomics (1000 mutations max)");
  } finally {
    reader.close();
    await store.close();
    await done();
  }
});

Deno.test("no acknowledgement before the commit returns", async () => {
  const { path, done } = await tempPath();
  const raw = await Deno.openKv(path);
  let open!: () => void;
  const gateP = new Promise<void>((r) => open = r);
  const store = await KvLeaseStore.fromKv(gatedKv(raw, { gate: () => gateP }));
  const reader = await Deno.openKv(path);
  try {
    let resolved = false;
    const p = store.apply([{ op: "put", lease: mkLease(40) }]).then(() => resolved = true);
    assert.equal(store.byAddress(ip(40))?.hostname, "host-40", "memory is updated at once");
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(resolved, false, "apply resolved while its commit was still held");
    assert.equal(await stored(reader, ip(40)), undefined, "nothing on disk yet");
    // a second apply while the first commit is in flight joins the NEXT group
    const p2 = store.apply([{ op: "put", lease: mkLease(41) }]);
    open();
    await p;
    await p2;
    assert.equal(resolved, true);
    assert.equal((await stored(reader, ip(41)))?.hostname, "host-41");
    assert.equal(store.groups, 2);
  } finally {
    reader.close();
    await store.close();
    await done();
  }
});

Deno.test("a failed commit rejects the promises of its group and logs, never resolves them", async () => {
  const logs: string[] = [];
  const ctl = { gate: () => Promise.resolve(), fail: true };
  const store = await KvLeaseStore.fromKv(gatedKv(await Deno.openKv(":memory:"), ctl), {
    log: (id) => logs.push(id),
  });
  try {
    const a = store.apply([{ op: "put", lease: mkLease(50) }]);
    const b = store.apply([{ op: "put", lease: mkLease(51) }]);
    await assert.rejects(a, /disk full/);
    await assert.rejects(b, /disk full/);
    assert.ok(logs.includes("DHCPSRV_KV_COMMIT_FAILED"));
    ctl.fail = false; // the store keeps working for later groups
    await store.apply([{ op: "put", lease: mkLease(52) }]);
  } finally {
    await store.close();
  }
});

Deno.test("a group larger than one atomic is split into chunks, all persisted; later mutations supersede", async () => {
  const { path, done } = await tempPath();
  const store = await KvLeaseStore.open(path);
  try {
    const muts = [];
    for (let i = 0; i < 2500; i++) {
      muts.push({ op: "put" as const, lease: mkLease(0, { address: 0x0a000000 + 16 * i, hostname: "x".repeat(200) }) });
    }
    muts.push({ op: "del" as const, address: 0x0a000000 + 16 * 7 });
    await store.apply(muts);
    assert.ok(store.commits >= 3, `2500 mutations need at least 3 atomics, got ${store.commits}`);
    await store.close();
    const again = await KvLeaseStore.open(path);
    assert.equal(again.size(), 2499);
    assert.equal(again.byAddress(0x0a000000 + 16 * 7), undefined);
    assert.equal(again.byAddress(0x0a000000 + 16 * 8)?.hostname.length, 200);
    await again.close();
  } finally {
    await store.close();
    await done();
  }
});

Deno.test("close flushes queued mutations; apply after close rejects", async () => {
  const { path, done } = await tempPath();
  const store = await KvLeaseStore.open(path);
  const p = store.apply([{ op: "put", lease: mkLease(60) }]);
  await store.close();
  await p;
  await assert.rejects(store.apply([{ op: "put", lease: mkLease(61) }]), /closed/);
  const again = await KvLeaseStore.open(path);
  assert.equal(again.size(), 1);
  await again.close();
  await done();
});

Deno.test("undecodable stored blocks and leases are skipped with a log line naming them", async () => {
  const { path, done } = await tempPath();
  const kv = await Deno.openKv(path);
  await kv.set(blockKey(blockOf(ip(70))), ["not", "a", "lease"]);
  const good = mkLease(90);
  const broken = [...[6, "aa:bb", "", 3600, 0, 1, 0, "h", 0, null, null]]; // offset 6 → 192.0.2.86, hwaddr ok
  broken[8] = 7; // state 7 does not exist
  await kv.set(blockKey(blockOf(ip(90))), [
    ...broken,
    90 % 16,
    good.hwaddr,
    good.clientId,
    3600,
    good.cltt,
    1,
    0,
    good.hostname,
    0,
    null,
    null,
  ]);
  kv.close();
  const logs: string[] = [];
  const store = await KvLeaseStore.open(path, { log: (id, text) => logs.push(`${id} ${text}`) });
  assert.equal(store.size(), 1, "the good lease of a block with one bad lease is kept");
  assert.deepEqual(store.byAddress(ip(90)), good);
  assert.ok(logs.some((l) => l.startsWith("DHCPSRV_KV_LEASE_SKIPPED") && l.includes("192.0.2.64/28")), logs.join());
  assert.ok(logs.some((l) => l.startsWith("DHCPSRV_KV_LEASE_SKIPPED") && l.includes("192.0.2.86")), logs.join());
  await store.close();
  await done();
});
