/**
 * The lease population of the scale benchmark (bench/scale.ts) and of its CI-sized regression test
 * (tests/lease/scale_test.ts): `count` leases spread over a pool of `poolSize` addresses from `first` (the holes
 * left free are spread evenly, as on a busy network), `expired` of them expired a while ago (their expiry times
 * spread over the past hour, so reclamation takes them oldest first), the rest valid for hours. Every lease has its
 * own hardware address (02:xx:…, never one perfdhcp uses) and no hostname. Deterministic: the same arguments give
 * the same leases. Written through weka's own store (`KvLeaseStore.apply`, as a server would commit them) or as
 * Kea's kea-leases4.csv (streamed: a million rows is ~90 MB of text).
 */
import { KvLeaseStore } from "../../mod/lease/kv_store.ts";
import { KEA_CSV4_HEADER } from "../../mod/lease/kea_csv.ts";
import { type Lease4, LeaseState } from "../../mod/lease/types.ts";
import { formatIpv4 } from "../../mod/wire/addr.ts";

/** What to generate. */
export interface Population {
  /** first address of the pool (u32) */
  first: number;
  poolSize: number;
  count: number;
  expired: number;
  subnetId: number;
  /** unix seconds the leases are relative to */
  now: number;
  /** valid-lifetime of the leases */
  lifetime: number;
}

/** The leases of `p`, ascending by address. */
export function* population(p: Population): Generator<Lease4> {
  for (let n = 0; n < p.count; n++) {
    const hw = [2, (n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255, 0x5c];
    // `expired` of them evenly among the rest, the k-th one expired (3600·(expired−k)/expired + 60) s ago
    const k = Math.floor(n * p.expired / p.count);
    const isExpired = Math.floor((n + 1) * p.expired / p.count) > k;
    const cltt = isExpired
      ? p.now - p.lifetime - 60 - Math.floor((p.expired - k) * 3600 / p.expired)
      : p.now - (n % 600);
    yield {
      address: (p.first + Math.floor(n * p.poolSize / p.count)) >>> 0,
      hwaddr: hw.map((b) => b.toString(16).padStart(2, "0")).join(":"),
      clientId: "",
      validLifetime: p.lifetime,
      cltt,
      subnetId: p.subnetId,
      fqdnFwd: false,
      fqdnRev: false,
      hostname: "",
      state: LeaseState.DEFAULT,
    };
  }
}

/** Writes the population into a weka KV lease database at `path` (through the store's group commit). */
export async function writeKv(path: string, p: Population, batch = 5000): Promise<void> {
  const store = await KvLeaseStore.open(path);
  try {
    let pending: Promise<void>[] = [];
    let muts: { op: "put"; lease: Lease4 }[] = [];
    for (const lease of population(p)) {
      muts.push({ op: "put", lease });
      if (muts.length >= batch) {
        pending.push(store.apply(muts));
        muts = [];
        if (pending.length >= 4) {
          await Promise.all(pending);
          pending = [];
        }
      }
    }
    if (muts.length) pending.push(store.apply(muts));
    await Promise.all(pending);
  } finally {
    await store.close();
  }
}

/** Writes the population as Kea's kea-leases4.csv at `path`, streamed in chunks. */
export async function writeKeaCsv(path: string, p: Population): Promise<void> {
  const f = await Deno.open(path, { write: true, create: true, truncate: true });
  const enc = new TextEncoder();
  try {
    let chunk = [KEA_CSV4_HEADER];
    const flush = async () => {
      const bytes = enc.encode(chunk.join("\n") + "\n");
      for (let off = 0; off < bytes.length;) off += await f.write(bytes.subarray(off));
      chunk = [];
    };
    for (const l of population(p)) {
      chunk.push(
        `${formatIpv4(l.address)},${l.hwaddr},,${l.validLifetime},${l.cltt + l.validLifetime},${l.subnetId},0,0,,0,,0`,
      );
      if (chunk.length >= 20000) await flush();
    }
    if (chunk.length) await flush();
  } finally {
    f.close();
  }
}
