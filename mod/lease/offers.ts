/**
 * Pending DHCPOFFERs, in memory only. Kea stores nothing at OFFER (unless `offer-lifetime` is set) and relies on its
 * allocator to give a repeated DISCOVER the same address; weka remembers each offer for a short time instead, so a
 * retransmitted DISCOVER gets the same address and two clients are never offered the same one (RFC 2131 §4.3.1:
 * the server "need not reserve the offered network address, although the protocol will work more efficiently if
 * the server avoids allocating the offered network address to another client").
 *
 * The default hold is 60 s: a client in SELECTING retransmits its REQUEST with the RFC 2131 §4.1 back-off
 * (4, 8, 16, 32 s…) and gives up and rediscovers after about a minute, so an offer older than that is dead.
 * Pure: time comes in as arguments (`remember`, `sweep`), and lookups use the latest time seen.
 */
import type { OfferView } from "../dhcp4/engine/types.ts";

interface Offer {
  key: string;
  subnetId: number;
  address: number;
  expires: number;
}

/** Default offer hold time in seconds (see the file comment). */
export const DEFAULT_OFFER_TTL = 60;

/** The table of pending offers; implements the engine's `OfferView`. */
export class OfferTable implements OfferView {
  /** clientKey → subnetId → offer */
  private readonly byKey = new Map<string, Map<number, Offer>>();
  private readonly byAddr = new Map<number, Offer>();
  /** offers in the order they were made (expiry order, since the TTL is fixed); stale entries skipped lazily */
  private queue: Offer[] = [];
  private head = 0;
  private now = 0;

  constructor(readonly ttlSeconds: number = DEFAULT_OFFER_TTL) {}

  /** The address pending for this client key in this subnet, if its offer has not expired. */
  offered(clientKey: string, subnetId: number): number | undefined {
    const o = this.byKey.get(clientKey)?.get(subnetId);
    return o && o.expires > this.now ? o.address : undefined;
  }

  /** True when a pending, unexpired offer promises this address to some client. */
  isOffered(address: number): boolean {
    const o = this.byAddr.get(address);
    return o !== undefined && o.expires > this.now;
  }

  /**
   * Records that `address` was offered to `clientKey` in `subnetId` at `now` (unix seconds). Replaces this client's
   * earlier offer in the subnet, and any other client's offer of the same address.
   */
  remember(clientKey: string, subnetId: number, address: number, now: number): void {
    this.advance(now);
    const prev = this.byKey.get(clientKey)?.get(subnetId);
    if (prev) this.drop(prev);
    const other = this.byAddr.get(address);
    if (other) this.drop(other);
    const o: Offer = { key: clientKey, subnetId, address, expires: now + this.ttlSeconds };
    let m = this.byKey.get(clientKey);
    if (!m) this.byKey.set(clientKey, m = new Map());
    m.set(subnetId, o);
    this.byAddr.set(address, o);
    this.queue.push(o);
  }

  /** Forgets every offer of a client key (on REQUEST, RELEASE or DECLINE: `Outcome.forgetOffer`). */
  forget(clientKey: string): void {
    const m = this.byKey.get(clientKey);
    if (!m) return;
    for (const o of [...m.values()]) this.drop(o);
  }

  /** Drops offers that expired by `now`; cheap enough to call on every packet (amortized O(1)). */
  sweep(now: number): void {
    this.advance(now);
    while (this.head < this.queue.length && this.queue[this.head].expires <= now) {
      const o = this.queue[this.head++];
      if (this.byAddr.get(o.address) === o) this.drop(o);
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  /** Number of offers held (expired ones count until swept). */
  get size(): number {
    return this.byAddr.size;
  }

  private advance(now: number): void {
    if (now > this.now) this.now = now;
  }

  private drop(o: Offer): void {
    if (this.byAddr.get(o.address) === o) this.byAddr.delete(o.address);
    const m = this.byKey.get(o.key);
    if (m && m.get(o.subnetId) === o) {
      m.delete(o.subnetId);
      if (m.size === 0) this.byKey.delete(o.key);
    }
  }
}
