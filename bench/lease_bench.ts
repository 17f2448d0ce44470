/**
 * Lease store throughput and start-up (DESIGN.md "The lease store"): run with
 *   deno run -A bench/lease_bench.ts [concurrent=20000] [sequential=3000] [load=200000]
 * 1. grouped: `concurrent` callers each `apply([put])` at once (what a busy server does) → leases/s, commits
 *    and `workers` callers (200) that each await one apply before the next, scattered addresses (every lease in its
 *    own 16-address block: the worst case for block writes) → leases/s, commits
 * 2. one commit per lease: `sequential` applies, each awaited before the next → leases/s
 * 3. start-up: `load` leases written, the store closed and reopened → load time, extrapolated to 1 000 000
 * Everything goes to a temporary KV file that is removed at the end.
 */
import { KvLeaseStore } from "../mod/lease/kv_store.ts";
import { type Lease4, LeaseState } from "../mod/lease/types.ts";

const [concurrent = 20000, sequential = 3000, load = 200000] = Deno.args.map(Number);

function lease(i: number, now: number): Lease4 {
  const hw = [2, (i >>> 24) & 255, (i >>> 16) & 255, (i >>> 8) & 255, i & 255, 1];
  return {
    address: (0x0a000000 + i) >>> 0,
    hwaddr: hw.map((b) => b.toString(16).padStart(2, "0")).join(":"),
    clientId: "",
    validLifetime: 3600,
    cltt: now,
    subnetId: 1,
    fqdnFwd: false,
    fqdnRev: false,
    hostname: `host-${i}`,
    state: LeaseState.DEFAULT,
  };
}

async function run(): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "weka-lease-bench-" });
  const now = Math.floor(Date.now() / 1000);
  try {
    // 1. grouped
    let store = await KvLeaseStore.open(`${dir}/grouped.kv`);
    let t0 = performance.now();
    await Promise.all(Array.from({ length: concurrent }, (_, i) => store.apply([{ op: "put", lease: lease(i, now) }])));
    let s = (performance.now() - t0) / 1000;
    console.log(
      `grouped:   ${concurrent} concurrent apply([put]) in ${s.toFixed(2)} s = ${
        Math.round(concurrent / s)
      } leases/s ` +
        `(${store.commits} commits in ${store.groups} groups)`,
    );
    await store.close();

    store = await KvLeaseStore.open(`${dir}/workers.kv`);
    const workers = 200;
    let next = 0;
    t0 = performance.now();
    await Promise.all(Array.from({ length: workers }, async () => {
      while (next < concurrent) {
        const i = next++;
        await store.apply([{ op: "put", lease: { ...lease(i, now), address: (0x0a000000 + i * 16) >>> 0 } }]);
      }
    }));
    s = (performance.now() - t0) / 1000;
    console.log(
      `workers:   ${workers} callers, ${concurrent} scattered apply([put]) in ${s.toFixed(2)} s = ` +
        `${Math.round(concurrent / s)} leases/s (${store.commits} commits in ${store.groups} groups)`,
    );
    await store.close();

    // 2. one commit per lease
    store = await KvLeaseStore.open(`${dir}/sequential.kv`);
    t0 = performance.now();
    for (let i = 0; i < sequential; i++) await store.apply([{ op: "put", lease: lease(i, now) }]);
    s = (performance.now() - t0) / 1000;
    console.log(
      `one-by-one: ${sequential} sequential apply([put]) in ${s.toFixed(2)} s = ${
        Math.round(sequential / s)
      } leases/s ` +
        `(${store.commits} commits)`,
    );
    await store.close();

    // 3. start-up
    store = await KvLeaseStore.open(`${dir}/load.kv`);
    t0 = performance.now();
    const ps: Promise<void>[] = [];
    for (let i = 0; i < load; i += 1000) {
      ps.push(store.apply(Array.from({ length: Math.min(1000, load - i) }, (_, j) => ({
        op: "put" as const,
        lease: lease(i + j, now),
      }))));
    }
    await Promise.all(ps);
    s = (performance.now() - t0) / 1000;
    console.log(`bulk write: ${load} leases in ${s.toFixed(2)} s = ${Math.round(load / s)} leases/s`);
    await store.close();
    const rssBefore = Deno.memoryUsage().rss;
    t0 = performance.now();
    store = await KvLeaseStore.open(`${dir}/load.kv`);
    s = (performance.now() - t0) / 1000;
    const rss = Deno.memoryUsage().rss;
    console.log(
      `start-up:  ${store.size()} leases loaded in ${s.toFixed(2)} s (${Math.round(store.size() / s)} leases/s; ` +
        `1 000 000 ≈ ${(s * 1e6 / store.size()).toFixed(1)} s); RSS ${Math.round(rssBefore / 2 ** 20)} → ` +
        `${Math.round(rss / 2 ** 20)} MiB`,
    );
    await store.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

await run();
