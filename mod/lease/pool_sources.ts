/**
 * The order in which each of Kea's allocators proposes the addresses of one pool (offsets from the pool's first
 * address), for the search of allocator.ts: Kea's iterative allocator (a cursor, ascending, wrapping; Kea's
 * `PoolAllocator`), its random allocator (a random permutation drawn lazily, without repetition until it is
 * used up: Kea's `IPRangePermutation`), and its free lease queue (Kea's `FreeLeaseQueueAllocator`: the pool's free
 * addresses in a queue, shuffled when it is filled, rotated as they are offered, dropped when found in use, pushed
 * back when freed; so finding a free address takes the same few steps in a nearly full pool as in an empty one).
 * Pure: the random source and the "is this offset free" test are injected.
 */

/** One pool's candidate order, as the search of allocator.ts walks it. */
export interface PoolSource {
  /** starts a walk at `now` (unix seconds); returns how many candidates it proposes at most */
  begin(now: number): number;
  /** the next candidate offset, or undefined when this walk has none left */
  next(): number | undefined;
  /** the candidate just proposed is leased, reserved or excluded */
  unusable(off: number): void;
  /** the candidate is free but was offered to another client (or is held): kept for later */
  passed(off: number): void;
  /** the candidate was given out */
  taken(off: number): void;
  /** an address of the pool became free again (a lease deleted, released or reclaimed) */
  freed(off: number): void;
}

/** Kea's iterative allocator: a cursor per pool; a walk goes once round the pool from it. */
export class IterativeSource implements PoolSource {
  private cursor = 0;
  private at = 0;
  private seen = 0;

  constructor(private readonly size: number) {}

  begin(): number {
    this.at = this.cursor < this.size ? this.cursor : 0;
    this.seen = 0;
    return this.size;
  }

  next(): number | undefined {
    if (this.seen >= this.size) return undefined;
    const off = this.at;
    this.at = off + 1 === this.size ? 0 : off + 1;
    this.seen++;
    return off;
  }

  unusable(): void {}

  passed(): void {}

  /** The cursor moves past the address given (Kea's iterative allocator remembers the last one). */
  taken(off: number): void {
    this.cursor = off + 1 === this.size ? 0 : off + 1;
  }

  freed(): void {}
}

/**
 * Kea's random allocator: a permutation of the pool drawn lazily (Fisher–Yates over a map of the swapped
 * positions), so every address comes once before any comes twice; when it is used up a new one starts. A walk
 * proposes at most the pool's size.
 */
export class RandomSource implements PoolSource {
  private remaining: number;
  private readonly swaps = new Map<number, number>();
  private left = 0;

  constructor(private readonly size: number, private readonly random: () => number) {
    this.remaining = size;
  }

  begin(): number {
    this.left = this.size;
    return this.size;
  }

  next(): number | undefined {
    if (this.left <= 0) return undefined;
    this.left--;
    if (this.remaining === 0) {
      this.swaps.clear();
      this.remaining = this.size;
    }
    const j = Math.min(this.remaining - 1, Math.floor(this.random() * this.remaining));
    const last = this.remaining - 1;
    const value = this.swaps.get(j) ?? j;
    const tail = this.swaps.get(last) ?? last;
    if (j !== last) this.swaps.set(j, tail);
    this.swaps.delete(last);
    this.remaining--;
    return value;
  }

  unusable(): void {}

  passed(): void {}

  taken(): void {}

  freed(): void {}
}

/**
 * Kea's free lease queue for one pool: a ring of the free offsets (each at most once: `queued`), filled on first use
 * from `isFree` in a random order (Kea fills it through a permutation). A walk looks at the queue's entries once:
 * an entry found in use is dropped (its lease was added since), an entry offered to someone or given out moves to
 * the back (Kea's `offerFreeLease` rotates), and `freed` queues an address again. Memory: five bytes per address
 * of the pool.
 */
export class FlqSource implements PoolSource {
  private ring: Uint32Array | undefined;
  private queued: Uint8Array | undefined;
  private head = 0;
  private count = 0;

  constructor(
    private readonly size: number,
    private readonly isFree: (off: number, now: number) => boolean,
    private readonly random: () => number,
  ) {}

  /** How many offsets the queue holds now (0 before its first use). */
  get length(): number {
    return this.count;
  }

  begin(now: number): number {
    if (!this.ring) this.fill(now);
    return this.count;
  }

  next(): number | undefined {
    if (this.count === 0) return undefined;
    const off = this.ring![this.head];
    this.head = this.head + 1 === this.size ? 0 : this.head + 1;
    this.count--;
    this.queued![off] = 0;
    return off;
  }

  /** Dropped: the address is leased (or reserved); `freed` brings it back. */
  unusable(): void {}

  passed(off: number): void {
    this.push(off);
  }

  taken(off: number): void {
    this.push(off);
  }

  freed(off: number): void {
    if (this.ring) this.push(off);
  }

  private push(off: number): void {
    if (this.queued![off]) return;
    const at = this.head + this.count;
    this.ring![at >= this.size ? at - this.size : at] = off;
    this.count++;
    this.queued![off] = 1;
  }

  private fill(now: number): void {
    this.ring = new Uint32Array(this.size);
    this.queued = new Uint8Array(this.size);
    const order = new Uint32Array(this.size);
    for (let i = 0; i < this.size; i++) order[i] = i;
    for (let i = this.size - 1; i > 0; i--) {
      const j = Math.min(i, Math.floor(this.random() * (i + 1)));
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    for (const off of order) if (this.isFree(off, now)) this.push(off);
  }
}
