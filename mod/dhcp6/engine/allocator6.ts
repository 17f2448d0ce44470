/**
 * Kea's iterative allocator for DHCPv6 (`PoolAllocator`, the default `allocator` and `pd-allocator`):
 * each pool keeps a cursor; a request walks forward from the address (or delegated prefix) after the last one
 * handed out, wrapping at the end of the pool, and takes the first candidate the engine says is free.
 */
import type { PdPool6, Pool6, Subnet6 } from "../../config/model6.ts";
import type { FreeAddress6Finder } from "./types.ts";

/** How many candidates one request examines at most (a /64 pool is never walked to its end). */
export const MAX_SCAN6 = 65536;

/**
 * An iterative FreeAddress6Finder working off the engine's `isFree` verdict (the lease view, reservations and
 * this exchange's own grants). Its cursors live in memory, keyed by the compiled pool, so a reload starts over
 * at the beginning of each pool, as Kea's does.
 */
export class IterativeAllocator6 implements FreeAddress6Finder {
  #cursor = new WeakMap<Pool6 | PdPool6, bigint>();

  /**
   * The next free address of `subnet.pools[poolIndex]` after the pool's cursor (Kea's
   * `PoolAllocator::pickAddress`), or undefined when MAX_SCAN6 candidates (or the whole pool) are taken.
   */
  findAddress(subnet: Subnet6, poolIndex: number, isFree: (address: bigint) => boolean): bigint | undefined {
    const pool = subnet.pools[poolIndex];
    if (!pool) return undefined;
    return this.#walk(pool, pool.start, 1n, pool.end - pool.start + 1n, isFree);
  }

  /**
   * The next free `/delegatedLen` prefix of `subnet.pdPools[poolIndex]` (Kea's `pickPrefix`): candidates step
   * by 2^(128 − delegated-len) from the pool prefix.
   */
  findPrefix(subnet: Subnet6, poolIndex: number, isFree: (prefix: bigint) => boolean): bigint | undefined {
    const pool = subnet.pdPools[poolIndex];
    if (!pool || pool.delegatedLen < pool.prefixLen) return undefined;
    const step = 1n << BigInt(128 - pool.delegatedLen);
    const count = 1n << BigInt(pool.delegatedLen - pool.prefixLen);
    return this.#walk(pool, pool.prefix, step, count, isFree);
  }

  #walk(
    pool: Pool6 | PdPool6,
    first: bigint,
    step: bigint,
    count: bigint,
    isFree: (a: bigint) => boolean,
  ): bigint | undefined {
    if (count <= 0n) return undefined;
    const last = this.#cursor.get(pool);
    let i = last === undefined ? 0n : ((last - first) / step + 1n) % count;
    const tries = count < BigInt(MAX_SCAN6) ? count : BigInt(MAX_SCAN6);
    for (let n = 0n; n < tries; n++) {
      const candidate = first + i * step;
      if (isFree(candidate)) {
        this.#cursor.set(pool, candidate);
        return candidate;
      }
      i = (i + 1n) % count;
    }
    return undefined;
  }
}
