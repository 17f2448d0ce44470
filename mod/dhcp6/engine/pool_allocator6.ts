/**
 * Kea's DHCPv6 allocators behind the engine's FreeAddress6Finder (Kea: `allocator` for addresses, `pd-allocator`
 * for delegated prefixes, per global / shared network / subnet): `iterative` (allocator6.ts, Kea's default),
 * `random` (a random permutation of the pool drawn lazily, without repetition until it is used up; Kea's
 * `RandomAllocator` over `IPRangePermutation`), and, for prefixes only, `flq` (Kea's free lease queue: the pool's
 * free prefixes in a queue kept up to date by the store's mutations, so a nearly full pool costs what an empty one
 * costs; Kea refuses flq for address pools, and so does the schema). Pure: the random source is injected.
 */
import type { PdPool6, Pool6, Subnet6 } from "../../config/model6.ts";
import { WEKA_BOUNDS } from "../../config/defaults.ts";
import type { Lease6Mutation } from "../../lease/types6.ts";
import { LeaseState } from "../../lease/types.ts";
import { FlqSource } from "../../lease/pool_sources.ts";
import { IterativeAllocator6, MAX_SCAN6 } from "./allocator6.ts";
import type { FreeAddress6Finder } from "./types.ts";

/** The most positions a random permutation remembers before it starts over (bounds memory in a /64 pool). */
export const MAX_PERMUTATION6 = 1 << 20;

/** The most delegated prefixes a pd-pool may have for flq (the queue holds every one: 5 bytes each). */
export const MAX_FLQ_PREFIXES = WEKA_BOUNDS.flqPrefixes;

/** A lazily drawn random permutation of 0 … size−1 (bigint positions, for pools of any size). */
class Permutation6 {
  private remaining: bigint;
  private readonly swaps = new Map<bigint, bigint>();

  constructor(private readonly size: bigint, private readonly random: () => number) {
    this.remaining = size;
  }

  /** The next position; a used-up (or too large to remember) permutation starts over. */
  next(): bigint {
    if (this.remaining === 0n || this.swaps.size >= MAX_PERMUTATION6) {
      this.swaps.clear();
      this.remaining = this.size;
    }
    const j = this.draw(this.remaining);
    const last = this.remaining - 1n;
    const value = this.swaps.get(j) ?? j;
    const tail = this.swaps.get(last) ?? last;
    if (j !== last) this.swaps.set(j, tail);
    this.swaps.delete(last);
    this.remaining--;
    return value;
  }

  /** A uniform draw below `n` (64 random bits reduced modulo n: the bias is below 2^-64·n). */
  private draw(n: bigint): bigint {
    const bits = (BigInt(Math.floor(this.random() * 0x100000000)) << 32n) |
      BigInt(Math.floor(this.random() * 0x100000000));
    const r = n <= 0x10000000000000n ? BigInt(Math.floor(this.random() * Number(n))) : bits % n;
    return r < n ? r : n - 1n;
  }
}

/** The per-subnet allocator choice of Dhcp6, with each pool's state. */
export class PoolAllocator6 implements FreeAddress6Finder {
  private readonly iterative = new IterativeAllocator6();
  private readonly perms = new WeakMap<Pool6 | PdPool6, Permutation6>();
  private readonly queues = new Map<PdPool6, FlqSource>();

  /** `random` draws the permutations and shuffles the queues (Math.random by default). */
  constructor(private readonly random: () => number = Math.random) {}

  /** The next free address of `subnet.pools[poolIndex]` in the order of the subnet's `allocator`. */
  findAddress(subnet: Subnet6, poolIndex: number, isFree: (address: bigint) => boolean): bigint | undefined {
    if (subnet.allocator !== "random") return this.iterative.findAddress(subnet, poolIndex, isFree);
    const pool = subnet.pools[poolIndex];
    if (!pool || pool.end < pool.start) return undefined;
    return this.randomWalk(pool, pool.end - pool.start + 1n, (i) => pool.start + i, isFree);
  }

  /** The next free delegated prefix of `subnet.pdPools[poolIndex]` in the order of the subnet's `pd-allocator`. */
  findPrefix(subnet: Subnet6, poolIndex: number, isFree: (prefix: bigint) => boolean): bigint | undefined {
    const pool = subnet.pdPools[poolIndex];
    if (subnet.pdAllocator === "iterative" || !pool || pool.delegatedLen < pool.prefixLen) {
      return this.iterative.findPrefix(subnet, poolIndex, isFree);
    }
    const step = 1n << BigInt(128 - pool.delegatedLen);
    const count = 1n << BigInt(pool.delegatedLen - pool.prefixLen);
    const at = (i: bigint) => pool.prefix + i * step;
    if (subnet.pdAllocator === "random") return this.randomWalk(pool, count, at, isFree);
    return this.queueWalk(pool, Number(count), at, isFree);
  }

  /**
   * The store's mutations as they are applied (Kea's FLQ lease-manager callbacks): a delegated prefix whose lease is
   * deleted, released or reclaimed is queued again; a prefix leased meanwhile is dropped when the queue meets it.
   */
  observe(mutations: readonly Lease6Mutation[]): void {
    if (this.queues.size === 0) return;
    for (const m of mutations) {
      if (m.op === "put" && m.lease.state !== LeaseState.RELEASED && m.lease.state !== LeaseState.EXPIRED_RECLAIMED) {
        continue;
      }
      const prefix = m.op === "put" ? m.lease.address : m.address;
      for (const [pool, q] of this.queues) {
        const step = 1n << BigInt(128 - pool.delegatedLen);
        const i = (prefix - pool.prefix) / step;
        if (
          prefix >= pool.prefix && i < (1n << BigInt(pool.delegatedLen - pool.prefixLen)) &&
          i * step === prefix - pool.prefix
        ) {
          q.freed(Number(i));
        }
      }
    }
  }

  /** Forgets every pool's state (a reload compiled new pools; queues are filled again on first use). */
  reset(): void {
    this.queues.clear();
  }

  /** At most MAX_SCAN6 draws from the pool's permutation; the first free candidate wins. */
  private randomWalk(
    pool: Pool6 | PdPool6,
    count: bigint,
    at: (i: bigint) => bigint,
    isFree: (a: bigint) => boolean,
  ): bigint | undefined {
    let perm = this.perms.get(pool);
    if (!perm) this.perms.set(pool, perm = new Permutation6(count, this.random));
    const tries = count < BigInt(MAX_SCAN6) ? Number(count) : MAX_SCAN6;
    for (let n = 0; n < tries; n++) {
      const candidate = at(perm.next());
      if (isFree(candidate)) return candidate;
    }
    return undefined;
  }

  /** The pool's free-prefix queue (filled on first use): each entry looked at once, a free one rotated to the back. */
  private queueWalk(
    pool: PdPool6,
    count: number,
    at: (i: bigint) => bigint,
    isFree: (a: bigint) => boolean,
  ): bigint | undefined {
    let q = this.queues.get(pool);
    if (!q) {
      q = new FlqSource(Math.min(count, MAX_FLQ_PREFIXES), (off) => isFree(at(BigInt(off))), this.random);
      this.queues.set(pool, q);
    }
    const left = q.begin(0);
    for (let n = 0; n < left; n++) {
      const off = q.next();
      if (off === undefined) break;
      const candidate = at(BigInt(off));
      if (isFree(candidate)) {
        q.taken(off);
        return candidate;
      }
      q.unusable();
    }
    return undefined;
  }
}
