/**
 * The IPv4 addresses that hold a lease, in ascending order, for `lease4-get-page` and every "all leases by address"
 * walk (Kea's memfile keeps its address index ordered for the same reason: `getLeases4(lower_bound, page_size)`).
 * One bit per address in 256-address blocks (a /24 each), the blocks' numbers in a sorted array: an insert or a
 * delete is O(1) except when a block appears or empties (a binary search and one array splice over the blocks, of
 * which a million leases in a /12 make 4 096), and a walk from any address starts with one binary search. A dense
 * pool costs about a bit per address instead of the eight bytes per lease of a sorted copy of the keys, and nothing
 * is re-sorted when leases come and go (issue 16: paging a million leases). Pure.
 */

/** 256 addresses a block: 8 words of 32 bits. */
const WORDS = 8;

/** Ascending set of u32 addresses (see the file comment). */
export class AddressOrder {
  /** block number (address >>> 8) → bitmap of its 256 addresses */
  private readonly blocks = new Map<number, Uint32Array>();
  /** the block numbers, ascending */
  private readonly keys: number[] = [];
  private count = 0;

  /** Number of addresses held. */
  get size(): number {
    return this.count;
  }

  /** Adds `address` (no effect when present). */
  add(address: number): void {
    const hi = address >>> 8, bit = address & 255;
    let b = this.blocks.get(hi);
    if (!b) {
      b = new Uint32Array(WORDS);
      this.blocks.set(hi, b);
      this.keys.splice(this.lowerBound(hi), 0, hi);
    }
    const w = bit >>> 5, m = 1 << (bit & 31);
    if ((b[w] & m) === 0) {
      b[w] |= m;
      this.count++;
    }
  }

  /** Removes `address` (no effect when absent); an emptied block is dropped. */
  delete(address: number): void {
    const hi = address >>> 8, bit = address & 255;
    const b = this.blocks.get(hi);
    if (!b) return;
    const w = bit >>> 5, m = 1 << (bit & 31);
    if ((b[w] & m) === 0) return;
    b[w] &= ~m;
    this.count--;
    for (let i = 0; i < WORDS; i++) if (b[i] !== 0) return;
    this.blocks.delete(hi);
    this.keys.splice(this.lowerBound(hi), 1);
  }

  /** Whether `address` is held. */
  has(address: number): boolean {
    const b = this.blocks.get(address >>> 8);
    return b !== undefined && (b[(address & 255) >>> 5] & (1 << (address & 31))) !== 0;
  }

  /**
   * The held addresses greater than `after` (-1: all), ascending. Safe while the set changes between steps (a
   * caller that awaits between leases): each block is looked up again by number, so an address added behind the
   * walk is not seen and one deleted ahead of it is skipped.
   */
  *after(after: number): Generator<number> {
    let hi = after < 0 ? -1 : after >>> 8;
    let fromBit = after < 0 ? 0 : (after & 255) + 1;
    if (fromBit > 255) {
      hi++;
      fromBit = 0;
    }
    let k = this.lowerBound(Math.max(hi, 0));
    while (k < this.keys.length) {
      const key = this.keys[k];
      const b = this.blocks.get(key);
      if (b) {
        const start = key === hi ? fromBit : 0;
        for (let bit = start; bit < 256; bit++) {
          const word = b[bit >>> 5];
          if (word === 0) {
            bit |= 31; // skip the rest of an empty word
            continue;
          }
          if ((word & (1 << (bit & 31))) !== 0) yield ((key << 8) | bit) >>> 0;
        }
      }
      // the array may have changed while the caller held the walk: find the next block by number
      k = this.lowerBound(key + 1);
    }
  }

  /** Index of the first block number >= `hi`. */
  private lowerBound(hi: number): number {
    let lo = 0, up = this.keys.length;
    while (lo < up) {
      const mid = (lo + up) >>> 1;
      if (this.keys[mid] < hi) lo = mid + 1;
      else up = mid;
    }
    return lo;
  }
}
