/**
 * Recent DHCPOFFERs, in memory only, as a hint to the allocator. Kea 2.2 stores nothing at OFFER: another client may
 * be given the same address, and a REQUEST for an address that was only offered is granted (RFC 2131 §4.3.1: the
 * server "need not reserve the offered network address"). weka follows that (so a DISCOVER flood cannot empty a
 * pool) and keeps each offer for a short time to do better where that costs nobody anything: a retransmitted
 * DISCOVER gets the same address while it is free, and the allocator prefers addresses nobody was offered recently.
 *
 * With Kea 2.6's opt-in `offer-lifetime` an offer does hold its address against other clients for that many seconds
 * (`holdUntil`; Kea persists a lease at OFFER, weka keeps the hold here). Such holds are bounded like every entry.
 *
 * Bounded: at most `capacity` offers (one per client key and subnet); a new offer beyond it evicts the oldest, which
 * `remember` returns so the edge counts it. Offers also sit in a queue in the order they were made, with replaced
 * ones skipped lazily and the queue compacted when they pile up, so eviction, expiry (`sweep`) and every lookup are
 * O(1) amortised (a JS Map's "first entry" is not: it walks the holes deletions leave). Pure: time comes in as
 * arguments.
 */

/** One offer as the table keeps it (read-only to the engine). */
export interface OfferRecord {
  /** client key ("hw:<hex>" or "cid:<hex>", engine/client.ts) */
  readonly key: string;
  readonly subnetId: number;
  readonly address: number;
  /** unix seconds the offer was made */
  readonly at: number;
  /** unix seconds the table forgets it */
  readonly expires: number;
  /** unix seconds until which the address is held for this client (`offer-lifetime`); 0 = not held (Kea 2.2) */
  readonly holdUntil: number;
}

/** What the pure engine and the allocator read of the offers made lately. */
export interface OfferView {
  /** the address recently offered to this client key in this subnet (a hint for its next DISCOVER), if any */
  offered(clientKey: string, subnetId: number): number | undefined;
  /** the unexpired offer of this address, if any (whether it holds the address: `holdUntil`) */
  offerOf(address: number): OfferRecord | undefined;
}

/**
 * How long an offer is remembered as a hint, in seconds: a client in SELECTING retransmits its REQUEST with the
 * RFC 2131 §4.1 back-off (4, 8, 16, 32 s…) and rediscovers after about a minute, so an older offer is dead.
 */
export const DEFAULT_OFFER_TTL = 60;

/**
 * Default bound of the table. At 1 000 DORA/s with a second between DISCOVER and REQUEST about 1 000 offers are in
 * flight; 16 384 leaves room for 16 times that before a live client's hint is evicted, and an eviction costs only
 * the hint (the client's REQUEST is still granted). A full table takes about 7 MiB of heap (measured with a
 * million distinct offers), whatever a flood sends.
 */
export const DEFAULT_OFFER_CAPACITY = 16384;

interface Offer {
  key: string;
  subnetId: number;
  address: number;
  at: number;
  expires: number;
  holdUntil: number;
  /** dropped (replaced, forgotten, expired or evicted): its queue slot is skipped */
  dead: boolean;
}

/** The bounded table of recent offers; implements `OfferView`. */
export class OfferTable implements OfferView {
  /** clientKey → subnetId → offer */
  private readonly byKey = new Map<string, Map<number, Offer>>();
  private readonly byAddr = new Map<number, Offer>();
  /** every offer in the order made, oldest at `head`; dead ones are skipped */
  private queue: Offer[] = [];
  private head = 0;
  private now = 0;
  /** offers evicted to keep the bound, since the table was made */
  evictions = 0;

  constructor(readonly ttlSeconds: number = DEFAULT_OFFER_TTL, readonly capacity: number = DEFAULT_OFFER_CAPACITY) {
    if (!(capacity >= 1)) throw new RangeError(`offer table capacity must be at least 1, not ${capacity}`);
  }

  /** The address pending for this client key in this subnet, if its offer has not expired. */
  offered(clientKey: string, subnetId: number): number | undefined {
    const o = this.byKey.get(clientKey)?.get(subnetId);
    return o && o.expires > this.now ? o.address : undefined;
  }

  /** The unexpired offer of `address`, if any. */
  offerOf(address: number): OfferRecord | undefined {
    const o = this.byAddr.get(address);
    return o && o.expires > this.now ? o : undefined;
  }

  /**
   * Records that `address` was offered to `clientKey` in `subnetId` at `now` (unix seconds), held for `holdSeconds`
   * (`offer-lifetime`; 0 = a hint only). Replaces this client's earlier offer in the subnet and any other client's
   * offer of the same address. When the table is full, the oldest offer is evicted and returned (else undefined).
   */
  remember(
    clientKey: string,
    subnetId: number,
    address: number,
    now: number,
    holdSeconds = 0,
  ): OfferRecord | undefined {
    this.advance(now);
    const prev = this.byKey.get(clientKey)?.get(subnetId);
    if (prev) this.drop(prev);
    const other = this.byAddr.get(address);
    if (other) this.drop(other);
    let evicted: Offer | undefined;
    while (this.byAddr.size >= this.capacity && this.head < this.queue.length) {
      const oldest = this.queue[this.head++];
      if (oldest.dead) continue;
      this.drop(oldest);
      this.evictions++;
      evicted = oldest;
    }
    const holdUntil = holdSeconds > 0 ? now + holdSeconds : 0;
    const expires = Math.max(now + this.ttlSeconds, holdUntil);
    const o: Offer = { key: clientKey, subnetId, address, at: now, expires, holdUntil, dead: false };
    let m = this.byKey.get(clientKey);
    if (!m) this.byKey.set(clientKey, m = new Map());
    m.set(subnetId, o);
    this.byAddr.set(address, o);
    this.queue.push(o);
    this.compact();
    return evicted;
  }

  /** Forgets every offer of a client key (on REQUEST, RELEASE or DECLINE: `Outcome.forgetOffer`). */
  forget(clientKey: string): void {
    const m = this.byKey.get(clientKey);
    if (!m) return;
    for (const o of [...m.values()]) this.drop(o);
  }

  /**
   * Drops the offers that expired by `now`, oldest first, stopping at the first live one; cheap enough to call on
   * every packet (each offer is dropped once). An offer held longer than the hint TTL (`offer-lifetime` above 60 s)
   * may keep younger expired ones behind it a while; lookups ignore those, and the bound holds regardless.
   */
  sweep(now: number): void {
    this.advance(now);
    while (this.head < this.queue.length) {
      const o = this.queue[this.head];
      if (!o.dead) {
        if (o.expires > now) break;
        this.drop(o);
      }
      this.head++;
    }
    this.compact();
  }

  /** Number of offers held (expired ones count until swept); never above `capacity`. */
  get size(): number {
    return this.byAddr.size;
  }

  /** Length of the internal queue, dead slots included: what the table's memory grows with (bounded by compact). */
  get queuedSlots(): number {
    return this.queue.length;
  }

  private advance(now: number): void {
    if (now > this.now) this.now = now;
  }

  /**
   * Keeps the queue's memory bounded: slots before `head` are cut once they are half of it, and dead slots (offers
   * replaced by a retransmission) are filtered out once they outnumber the bound; each costs O(length) after at
   * least `capacity` pushes, so O(1) amortised.
   */
  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.queue.length - this.head > 2 * this.capacity + 1024) {
      this.queue = this.queue.slice(this.head).filter((o) => !o.dead);
      this.head = 0;
    }
  }

  private drop(o: Offer): void {
    o.dead = true;
    if (this.byAddr.get(o.address) === o) this.byAddr.delete(o.address);
    const m = this.byKey.get(o.key);
    if (m && m.get(o.subnetId) === o) {
      m.delete(o.subnetId);
      if (m.size === 0) this.byKey.delete(o.key);
    }
  }
}
