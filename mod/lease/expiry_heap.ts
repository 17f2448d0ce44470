/**
 * A binary min-heap of (expire, address) pairs with lazy deletion, the expiry structure behind
 * `LeaseStore.expired` and `LeaseStore.reclaimedOlderThan` (Kea's memfile keeps an expiration index for the same
 * queries, memfile_lease_mgr.cc `getExpiredLeases4` / `deleteExpiredReclaimedLeases4`).
 *
 * The heap remembers, per address, the expire time it currently stands for (`current`). Updating an address pushes
 * a new pair only when the time changes; old pairs become stale and are dropped when they reach the top. A deleted
 * address keeps its key in `current`, marked `GONE`, instead of leaving the Map: a V8 Map reclaims deleted entries
 * only by rehashing the whole table, which at a million leases held every packet back 100–200 ms each time
 * reclamation had deleted enough of them (bench:scale). The keys are bounded by the addresses ever tracked; `forget`
 * removes one for good (for a caller whose keys are not bounded so, like the DHCPv6 index's slots). Pure.
 */

/** The value of an address no longer tracked (expire times are never negative). */
const GONE = -1;

/** Min-heap over (expire, address), ties broken by address so results are deterministic. */
export class ExpiryHeap {
  private exp: number[] = [];
  private addr: number[] = [];
  /** address → the expire time this heap holds for it */
  private readonly current = new Map<number, number>();
  /** number of addresses tracked (keys of `current` not GONE) */
  private live = 0;

  /** number of live addresses tracked */
  get size(): number {
    return this.live;
  }

  /** heap length including stale pairs (for compaction decisions and tests) */
  get rawLength(): number {
    return this.exp.length;
  }

  /** Tracks `address` with expiry `expire` (replacing any earlier time for it). */
  set(address: number, expire: number): void {
    const was = this.current.get(address);
    if (was === expire) return;
    if (was === undefined || was === GONE) this.live++;
    this.current.set(address, expire);
    this.push(expire, address);
    // clients renewing at half their lifetime keep about one stale pair per address until its time passes (upTo
    // drops it then): 3× leaves that steady state alone and compacts only when renewals pile up far faster
    if (this.exp.length > 3 * this.live + 1024) this.compact();
  }

  /** Stops tracking `address` (its pairs become stale). */
  delete(address: number): void {
    const was = this.current.get(address);
    if (was === undefined || was === GONE) return;
    this.current.set(address, GONE);
    this.live--;
  }

  /** Stops tracking `address` and drops its key from the Map (see the file comment for why `delete` keeps it). */
  forget(address: number): void {
    const was = this.current.get(address);
    if (was === undefined) return;
    if (was !== GONE) this.live--;
    this.current.delete(address);
  }

  /**
   * Addresses whose expire <= `until`, earliest first, at most `limit`. The heap is left holding the same live
   * entries (popped live entries are pushed back); stale pairs met on the way are discarded.
   */
  upTo(until: number, limit: number): number[] {
    const out: number[] = [];
    const keep: [number, number][] = [];
    const seen = new Set<number>();
    while (out.length < limit && this.exp.length > 0 && this.exp[0] <= until) {
      const e = this.exp[0], a = this.addr[0];
      this.pop();
      if (this.current.get(a) !== e || seen.has(a)) continue; // stale, or a duplicate pair of a re-set time
      seen.add(a);
      out.push(a);
      keep.push([e, a]);
    }
    for (const [e, a] of keep) this.push(e, a);
    return out;
  }

  /**
   * Rebuilds the heap from its live pairs only, one per address, in place and in linear time (a filter, then Floyd's
   * bottom-up heap construction): sorting a million pairs instead held every packet back ~1 s (bench:scale).
   */
  compact(): void {
    const { exp, addr, current } = this;
    let w = 0;
    for (let r = 0; r < exp.length; r++) {
      const e = exp[r], a = addr[r];
      if (current.get(a) !== e) continue; // stale, or a duplicate already kept (marked below)
      current.set(a, -2 - e); // kept: a duplicate of this pair further on no longer matches
      exp[w] = e;
      addr[w++] = a;
    }
    exp.length = addr.length = w;
    for (let i = 0; i < w; i++) current.set(addr[i], exp[i]); // unmark: a value change, no Map entry comes or goes
    for (let i = (w >> 1) - 1; i >= 0; i--) this.down(i);
  }

  private less(i: number, j: number): boolean {
    return this.exp[i] < this.exp[j] || (this.exp[i] === this.exp[j] && this.addr[i] < this.addr[j]);
  }

  private swap(i: number, j: number): void {
    const e = this.exp[i], a = this.addr[i];
    this.exp[i] = this.exp[j];
    this.addr[i] = this.addr[j];
    this.exp[j] = e;
    this.addr[j] = a;
  }

  private push(expire: number, address: number): void {
    this.exp.push(expire);
    this.addr.push(address);
    let i = this.exp.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  private pop(): void {
    const last = this.exp.length - 1;
    this.swap(0, last);
    this.exp.pop();
    this.addr.pop();
    this.down(0);
  }

  /** Moves the pair at `i` down to its place below. */
  private down(i: number): void {
    const n = this.exp.length;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < n && this.less(l, m)) m = l;
      if (r < n && this.less(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
  }
}
