/**
 * An immutable map from strings to values with structural sharing (a hash array mapped trie, Bagwell 2001), for the
 * tables the pure HA machine keeps about clients (Kea's `CommunicationState4` connecting clients and rejected lease
 * updates). `set` and `delete` return a new map and leave the old one intact, copying only the path from the root to
 * the changed entry: at most 7 nodes of at most 32 slots, so a step of the machine costs the same with 10 or 100 000
 * clients, where copying a `Map` costs O(n) per packet (issue 9: quadratic work during an HA outage). Pure.
 */

interface Entry<V> {
  readonly kind: "entry";
  readonly hash: number;
  readonly key: string;
  readonly value: V;
}

/** Keys whose 32-bit hashes are equal, past the last level of the trie. */
interface Collision<V> {
  readonly kind: "collision";
  readonly hash: number;
  readonly entries: readonly Entry<V>[];
}

/** A bitmap-indexed node: bit i of `bitmap` says whether slot i (5 hash bits) is present in `slots`. */
interface Branch<V> {
  readonly kind: "branch";
  readonly bitmap: number;
  readonly slots: readonly Node<V>[];
}

type Node<V> = Entry<V> | Collision<V> | Branch<V>;

const BITS = 5;
const MASK = (1 << BITS) - 1;
const EMPTY: Branch<never> = { kind: "branch", bitmap: 0, slots: [] };

/** FNV-1a over the UTF-16 code units of `key`, as an unsigned 32-bit number (the trie's hash; exported for tests). */
export function hashOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

function withSlot<V>(slots: readonly Node<V>[], i: number, n: Node<V>): Node<V>[] {
  const out = slots.slice();
  out[i] = n;
  return out;
}

/** Two entries that differ at or below `shift`: a chain of branches down to where their hash bits part. */
function pair<V>(a: Entry<V>, b: Entry<V>, shift: number): Node<V> {
  if (shift >= 32) return { kind: "collision", hash: a.hash, entries: [a, b] };
  const ia = (a.hash >>> shift) & MASK, ib = (b.hash >>> shift) & MASK;
  if (ia === ib) return { kind: "branch", bitmap: 1 << ia, slots: [pair(a, b, shift + BITS)] };
  return { kind: "branch", bitmap: (1 << ia) | (1 << ib), slots: ia < ib ? [a, b] : [b, a] };
}

/** The node with `e` put in; `added` tells whether the key was new. */
function put<V>(n: Node<V>, e: Entry<V>, shift: number, added: { v: boolean }): Node<V> {
  if (n.kind === "entry") {
    if (n.key === e.key) return n.value === e.value ? n : e;
    added.v = true;
    return pair(n, e, shift);
  }
  if (n.kind === "collision") {
    const i = n.entries.findIndex((x) => x.key === e.key);
    if (i < 0) added.v = true;
    const entries = i < 0 ? [...n.entries, e] : n.entries.map((x, j) => j === i ? e : x);
    return { kind: "collision", hash: n.hash, entries };
  }
  const bit = 1 << ((e.hash >>> shift) & MASK);
  const i = popcount(n.bitmap & (bit - 1));
  if (!(n.bitmap & bit)) {
    added.v = true;
    const slots = n.slots.slice();
    slots.splice(i, 0, e);
    return { kind: "branch", bitmap: n.bitmap | bit, slots };
  }
  const child = put(n.slots[i], e, shift + BITS, added);
  return child === n.slots[i] ? n : { kind: "branch", bitmap: n.bitmap, slots: withSlot(n.slots, i, child) };
}

/** The node without `key` (undefined when nothing is left), or the same node when the key is absent. */
function remove<V>(n: Node<V>, hash: number, key: string, shift: number): Node<V> | undefined {
  if (n.kind === "entry") return n.key === key ? undefined : n;
  if (n.kind === "collision") {
    const entries = n.entries.filter((x) => x.key !== key);
    if (entries.length === n.entries.length) return n;
    return entries.length === 1 ? entries[0] : { kind: "collision", hash: n.hash, entries };
  }
  const bit = 1 << ((hash >>> shift) & MASK);
  if (!(n.bitmap & bit)) return n;
  const i = popcount(n.bitmap & (bit - 1));
  const child = remove(n.slots[i], hash, key, shift + BITS);
  if (child === n.slots[i]) return n;
  if (child) return { kind: "branch", bitmap: n.bitmap, slots: withSlot(n.slots, i, child) };
  if (n.bitmap === bit) return undefined;
  const slots = n.slots.slice();
  slots.splice(i, 1);
  // a branch left with one entry collapses into it (its parent holds the entry directly)
  if (slots.length === 1 && slots[0].kind === "entry" && shift > 0) return slots[0];
  return { kind: "branch", bitmap: n.bitmap & ~bit, slots };
}

/**
 * An immutable string-keyed map. Every operation is O(log32 n) (at most 7 levels): `get`, `has`, `set`, `delete`
 * and `size` (kept, not counted). Updates return a new map sharing all untouched nodes with the old one.
 */
export class PersistentMap<V> {
  private constructor(private readonly root: Branch<V>, readonly size: number) {}

  /** The empty map. */
  static empty<V>(): PersistentMap<V> {
    return new PersistentMap<V>(EMPTY as Branch<V>, 0);
  }

  /** The value stored under `key`, or undefined. */
  get(key: string): V | undefined {
    return this.find(key)?.value;
  }

  /** Whether `key` is present. */
  has(key: string): boolean {
    return this.find(key) !== undefined;
  }

  private find(key: string): Entry<V> | undefined {
    const hash = hashOf(key);
    let n: Node<V> = this.root;
    for (let shift = 0;; shift += BITS) {
      if (n.kind === "entry") return n.key === key ? n : undefined;
      if (n.kind === "collision") return n.entries.find((x) => x.key === key);
      const bit = 1 << ((hash >>> shift) & MASK);
      if (!(n.bitmap & bit)) return undefined;
      n = n.slots[popcount(n.bitmap & (bit - 1))];
    }
  }

  /** A map with `key` set to `value` (this map when it already holds exactly that). */
  set(key: string, value: V): PersistentMap<V> {
    const added = { v: false };
    const root = put(this.root, { kind: "entry", hash: hashOf(key), key, value }, 0, added) as Branch<V>;
    return root === this.root ? this : new PersistentMap(root, this.size + (added.v ? 1 : 0));
  }

  /** A map without `key` (this map when the key is absent). */
  delete(key: string): PersistentMap<V> {
    const root = remove(this.root, hashOf(key), key, 0) as Branch<V> | undefined;
    if (root === this.root) return this;
    return new PersistentMap(root ?? EMPTY as Branch<V>, this.size - 1);
  }

  /** Every key and value, in no particular order (O(n); reports and tests, never the packet path). */
  *entries(): Generator<[string, V]> {
    const stack: Node<V>[] = [this.root];
    while (stack.length) {
      const n = stack.pop()!;
      if (n.kind === "entry") yield [n.key, n.value];
      else if (n.kind === "collision") { for (const e of n.entries) yield [e.key, e.value]; }
      else stack.push(...n.slots);
    }
  }
}
