/**
 * The durable DHCPv6 lease store on Deno KV: the design of the IPv4 store (kv_store.ts; docs/ARCHITECTURE.md "The lease
 * store"), sharing its group-commit engine `KvGroupCommit`: the working set lives in a `Lease6Index`, `apply`
 * changes memory at once and resolves only when a KV commit holding its mutations has returned, and commits are
 * grouped and paced. Leases are stored in blocks of 16 consecutive addresses under ["lease6", address >> 4]
 * (kv_keys.ts), so one KV file may also hold the IPv4 leases; a delegated prefix is keyed by its first address.
 *
 * Within a block value each lease takes FIELDS6 entries: [offset, type, prefixLen, duid, iaid, preferredLifetime,
 * validLifetime, cltt, subnetId, flags (bit0 fqdnFwd, bit1 fqdnRev), hostname, hwaddr, state, userContext | null,
 * poolId | null].
 */
import { checkLayout, type KvBlock, KvGroupCommit, type KvStoreOptions, openKvStore } from "./kv_store.ts";
import { blockKey6, LEASE6_PREFIX, LEASES_PER_BLOCK, MAX_USER_CONTEXT, META6_KEY } from "./kv_keys.ts";
import { Lease6Index } from "./memory_index6.ts";
import { LeaseState } from "./types.ts";
import type { Lease6, Lease6Mutation, Lease6Store, Lease6Type } from "./types6.ts";
import { formatIpv6 } from "../wire/ipv6.ts";

/** The DHCPv6 layout version this code reads and writes. */
export const LAYOUT6_VERSION = 1;
/** Values per lease inside a block. */
export const FIELDS6 = 15;
/** Largest stored size of one lease (estimate): 16 of them must fit one 64 KiB KV value. */
export const MAX_LEASE6_BYTES = 3900;
const BLOCK = BigInt(LEASES_PER_BLOCK);

/** An IPv6 address held as a 128-bit integer, as text (RFC 5952). */
export function formatAddress6(a: bigint): string {
  const b = new Uint8Array(16);
  for (let i = 15, v = a; i >= 0; i--, v >>= 8n) b[i] = Number(v & 0xffn);
  return formatIpv6(b);
}

/** Over-estimated stored size of one lease (two bytes per hostname / user-context character). */
export function estimateLease6Bytes(l: Lease6): number {
  let n = 96 + l.duid.length + l.hwaddr.length + 2 * l.hostname.length;
  if (l.userContext) n += 2 * JSON.stringify(l.userContext).length;
  return n;
}

/**
 * Refuses a lease that cannot be stored (user-context over MAX_USER_CONTEXT characters of JSON, or identifiers so
 * long that 16 leases would not fit a KV value, or an address outside 128 bits), naming the address so the operator knows which lease it was.
 */
export function checkStorable6(l: Lease6): void {
  if (typeof l.address !== "bigint" || l.address < 0n || l.address >= 1n << 128n) {
    throw new Error(`Cannot store a DHCPv6 lease whose address ${String(l.address)} is not a 128-bit value`);
  }
  // the address is formatted only for an error: this runs for every lease of every commit
  const what = () => `Cannot store the lease for ${formatAddress6(l.address)}`;
  if (l.userContext && JSON.stringify(l.userContext).length > MAX_USER_CONTEXT) {
    throw new Error(`${what()}: its user-context is larger than ${MAX_USER_CONTEXT} characters of JSON`);
  }
  if (estimateLease6Bytes(l) > MAX_LEASE6_BYTES) {
    throw new Error(`${what()}: its DUID, hostname, hardware address and user-context together are too long`);
  }
}

/** Encodes the leases of one block as the stored flat array (see the file comment). */
export function encodeBlock6(leases: readonly Lease6[]): unknown[] {
  const out: unknown[] = [];
  for (const l of leases) {
    out.push(
      Number(l.address % BLOCK),
      l.type,
      l.prefixLen,
      l.duid,
      l.iaid,
      l.preferredLifetime,
      l.validLifetime,
      l.cltt,
      l.subnetId,
      (l.fqdnFwd ? 1 : 0) | (l.fqdnRev ? 2 : 0),
      l.hostname,
      l.hwaddr,
      l.state,
      l.userContext ?? null,
      l.poolId ?? null,
    );
  }
  return out;
}

const isNum = (v: unknown): v is number => typeof v === "number";
const isStr = (v: unknown): v is string => typeof v === "string";

/**
 * Decodes a stored block back into leases. A lease with a malformed field is reported through `bad` with its
 * address and skipped (as Kea's memfile loader skips a bad row); a value that is not a block at all throws.
 */
export function decodeBlock6(block: bigint, v: unknown, bad: (message: string) => void): Lease6[] {
  if (!Array.isArray(v) || v.length % FIELDS6 !== 0) {
    throw new Error(`block ${formatAddress6(block * BLOCK)}/124: value is not a lease block`);
  }
  const out: Lease6[] = [];
  for (let i = 0; i < v.length; i += FIELDS6) {
    const [off, type, plen, duid, iaid, pref, valid, cltt, subnetId, flags, host, hw, state, ctx, poolId] = v.slice(
      i,
      i + FIELDS6,
    );
    const address = block * BLOCK + BigInt(isNum(off) && off >= 0 && off < LEASES_PER_BLOCK ? off : 0);
    if (
      !isNum(off) || off < 0 || off >= LEASES_PER_BLOCK || (type !== 0 && type !== 1 && type !== 2) ||
      !isNum(plen) || plen < 0 || plen > 128 || !isStr(duid) || !isNum(iaid) || !isNum(pref) || !isNum(valid) ||
      !isNum(cltt) || !isNum(subnetId) || !isNum(flags) || !isStr(host) || !isStr(hw) || !isNum(state) ||
      state < LeaseState.DEFAULT || state > LeaseState.RELEASED
    ) {
      bad(`lease ${formatAddress6(address)}: a field of the stored value has the wrong type`);
      continue;
    }
    const lease: Lease6 = {
      address,
      prefixLen: plen,
      type: type as Lease6Type,
      duid,
      iaid,
      preferredLifetime: pref,
      validLifetime: valid,
      cltt,
      subnetId,
      fqdnFwd: (flags & 1) !== 0,
      fqdnRev: (flags & 2) !== 0,
      hostname: host,
      hwaddr: hw,
      state: state as LeaseState,
    };
    if (ctx !== null && typeof ctx === "object") lease.userContext = ctx as Record<string, unknown>;
    if (isNum(poolId)) lease.poolId = poolId;
    out.push(lease);
  }
  return out;
}

/** `Lease6Store` on Deno KV: memory indexes + group-committed durable copy. */
export class KvLease6Store extends KvGroupCommit<bigint> implements Lease6Store {
  private readonly index = new Lease6Index();
  private readonly watchers: ((mutations: readonly Lease6Mutation[]) => void)[] = [];

  /** Registers a watcher of every applied batch of mutations (Lease6Store.subscribe). */
  subscribe(fn: (mutations: readonly Lease6Mutation[]) => void): void {
    this.watchers.push(fn);
  }

  private constructor(kv: Deno.Kv, opts: KvStoreOptions) {
    super(kv, opts);
  }

  /** The lease of an address or delegated prefix, from memory (includes changes whose commit is in flight). */
  byAddress(address: bigint): Lease6 | undefined {
    return this.index.byAddress(address);
  }

  /** The leases of a client's IA (DUID + IAID + type) in a subnet, from memory, ascending by address. */
  byIa(duid: string, iaid: number, type: Lease6Type, subnetId: number): Lease6[] {
    return this.index.byIa(duid, iaid, type, subnetId);
  }

  /** Every lease of a DUID, from memory, ascending by address. */
  byDuid(duid: string): Lease6[] {
    return this.index.byDuid(duid);
  }

  /** DEFAULT/DECLINED leases expired at `now`, oldest first, at most `limit` (Kea `getExpiredLeases6`). */
  expired(now: number, limit: number): Lease6[] {
    return this.index.expired(now, limit);
  }

  /** Released/expired-reclaimed leases whose expiry + holdSeconds <= now, oldest first, at most `limit`. */
  reclaimedOlderThan(now: number, holdSeconds: number, limit: number): Lease6[] {
    return this.index.reclaimedOlderThan(now, holdSeconds, limit);
  }

  /** Every lease, ascending by address. */
  all(): Iterable<Lease6> {
    return this.index.all();
  }

  /** Number of leases held. */
  size(): number {
    return this.index.size();
  }

  /**
   * Opens (creating if needed) the KV database at `path` (a file path or ":memory:") and loads every DHCPv6 lease
   * into memory (Kea's memfile likewise reads the whole lease file at start-up). Undecodable entries are logged
   * (`DHCPSRV_KV_LEASE_SKIPPED`) and skipped; a file with another DHCPv6 layout version is refused.
   */
  static open(path: string, opts: KvStoreOptions = {}): Promise<KvLease6Store> {
    return openKvStore(path, (kv) => KvLease6Store.fromKv(kv, opts, path));
  }

  /** Builds a store over an already open KV handle (used by `open`, and by tests that wrap the handle). */
  static async fromKv(kv: Deno.Kv, opts: KvStoreOptions = {}, path = "(kv)"): Promise<KvLease6Store> {
    await checkLayout(kv, META6_KEY, LAYOUT6_VERSION, path);
    const store = new KvLease6Store(kv, opts);
    await store.load(LEASE6_PREFIX, "IPv6", path, (key, value, bad) => {
      const block = key[1];
      if (typeof block !== "bigint" || key.length !== 2) throw new Error(`bad key ${JSON.stringify(key.map(String))}`);
      for (const l of decodeBlock6(block, value, bad)) store.index.put(l);
    });
    return store;
  }

  /**
   * Applies mutations to memory now and resolves once they are durable in KV (group commit, kv_store.ts). Rejects,
   * changing nothing, when a lease cannot be stored or the store is closed; rejects if the commit fails.
   */
  apply(mutations: readonly Lease6Mutation[]): Promise<void> {
    return this.schedule(() => {
      for (const m of mutations) if (m.op === "put") checkStorable6(m.lease); // refuse before touching memory
      this.index.apply(mutations);
      for (const w of this.watchers) w(mutations);
      return mutations.map((m) => (m.op === "put" ? m.lease.address : m.address) / BLOCK);
    });
  }

  /** The stored form of block `id` (addresses id*16 … id*16+15), from memory. */
  protected serializeBlock(id: bigint): KvBlock {
    const leases: Lease6[] = [];
    let bytes = 48;
    for (let a = id * BLOCK, end = a + BLOCK; a < end; a++) {
      const l = this.index.byAddress(a);
      if (l) {
        leases.push(l);
        bytes += estimateLease6Bytes(l);
      }
    }
    return { key: blockKey6(id * BLOCK), value: leases.length ? encodeBlock6(leases) : null, bytes };
  }
}
