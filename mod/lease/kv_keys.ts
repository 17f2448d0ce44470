/**
 * The Deno KV key layout of the lease store, in one place (docs/ARCHITECTURE.md "The lease store").
 *
 *   ["meta", "lease4"]        → { version: 1 }                 layout version, written when the file is created
 *   ["lease4", blockId]       → flat array of lease fields      the leases of addresses blockId*16 … blockId*16+15
 *   ["meta", "lease6"]        → { version: 1 }                 the same for the DHCPv6 leases
 *   ["lease6", blockId: bigint] → flat array of Lease6 fields   addresses/prefixes blockId*16 … blockId*16+15
 *                                                              (kv_store6.ts encodes the values)
 * The two families never share a key, so one KV file may hold the leases of both servers.
 *
 * Leases are stored in blocks of 16 consecutive addresses, not one entry per lease: Deno KV's `list` costs about
 * 5 µs per entry here, so one entry per lease could not load 1 000 000 leases in under 5 s (measured: ~0.9 s per
 * 200 000 entries for the listing alone), while 16 per entry lists 200 000 leases in ~0.2 s. The store holds the
 * whole working set in memory, so writing a block never needs a read: the group commit re-serializes each block it
 * touched from memory. The cost is write amplification on scattered changes (a block is ≤ 16 leases, ~1–2 KiB).
 * Within a value, each present lease takes FIELDS entries: [offset, hwaddr, clientId, validLifetime, cltt,
 * subnetId, flags (bit0 fqdnFwd, bit1 fqdnRev), hostname, state, userContext | null, poolId | null]. A block with
 * no lease is deleted. A user-context is limited to 2048 characters of JSON so that 16 leases always fit in one
 * 64 KiB KV value.
 */
import { formatIpv4 } from "../wire/addr.ts";
import { type Lease4, LeaseState } from "./types.ts";

/** The layout version this code reads and writes. */
export const LAYOUT_VERSION = 1;
/** Key of the layout-version record. */
export const META_KEY: Deno.KvKey = ["meta", "lease4"];
/** Prefix of every IPv4 lease block key. */
export const LEASE4_PREFIX: Deno.KvKey = ["lease4"];
/** Key of the DHCPv6 layout-version record. */
export const META6_KEY: Deno.KvKey = ["meta", "lease6"];
/** Prefix of every DHCPv6 lease block key. */
export const LEASE6_PREFIX: Deno.KvKey = ["lease6"];

/** Consecutive addresses per stored block. */
export const LEASES_PER_BLOCK = 16;
/** Values per lease inside a block. */
export const FIELDS = 11;
/** Largest user-context (characters of JSON) a lease may carry. */
export const MAX_USER_CONTEXT = 2048;

/** The block an address is stored in. */
export function blockOf(address: number): number {
  return Math.floor(address / LEASES_PER_BLOCK);
}

/** The key of a block: ["lease4", blockId]. Number key parts ascend, so `list` returns blocks by address. */
export function blockKey(blockId: number): Deno.KvKey {
  return ["lease4", blockId];
}

/** The key of a DHCPv6 block: ["lease6", address >> 4]. Bigint key parts ascend too. */
export function blockKey6(address: bigint): Deno.KvKey {
  return ["lease6", address >> 4n];
}

/**
 * Approximate serialized size of one lease inside a block, used to keep each atomic commit under Deno KV's
 * 800 KiB total-mutation limit. It over-estimates on purpose (two bytes per hostname character, JSON size for
 * the user context).
 */
export function estimateLeaseBytes(lease: Lease4): number {
  let n = 64 + lease.hwaddr.length + lease.clientId.length + 2 * lease.hostname.length;
  if (lease.userContext) n += 2 * JSON.stringify(lease.userContext).length;
  return n;
}

/**
 * Checks that a lease can be stored (its user-context fits the per-lease budget). Throws a message naming the
 * address, so the operator knows which lease was refused; the store calls it before changing anything.
 */
export function checkStorable(lease: Lease4): void {
  if (lease.userContext && JSON.stringify(lease.userContext).length > MAX_USER_CONTEXT) {
    throw new Error(
      `Cannot store the lease for ${formatIpv4(lease.address)}: its user-context is larger than ` +
        `${MAX_USER_CONTEXT} characters of JSON`,
    );
  }
}

/** Encodes the leases of one block (each with an address inside the block) as the stored flat array. */
export function encodeBlock(leases: readonly Lease4[]): unknown[] {
  const out: unknown[] = [];
  for (const l of leases) {
    out.push(
      l.address % LEASES_PER_BLOCK,
      l.hwaddr,
      l.clientId,
      l.validLifetime,
      l.cltt,
      l.subnetId,
      (l.fqdnFwd ? 1 : 0) | (l.fqdnRev ? 2 : 0),
      l.hostname,
      l.state,
      l.userContext ?? null,
      l.poolId ?? null,
    );
  }
  return out;
}

/**
 * Decodes a stored block back into leases. A lease whose fields are malformed is reported through `bad` (with its
 * address) and skipped, as Kea's memfile loader skips a bad row; a value that is not a block at all throws.
 */
export function decodeBlock(blockId: number, v: unknown, bad: (message: string) => void): Lease4[] {
  if (!Array.isArray(v) || v.length % FIELDS !== 0) {
    throw new Error(`block ${blockId} (${formatIpv4(blockId * LEASES_PER_BLOCK)}/28): value is not a lease block`);
  }
  const out: Lease4[] = [];
  for (let i = 0; i < v.length; i += FIELDS) {
    const off = v[i], hw = v[i + 1], cid = v[i + 2], valid = v[i + 3], cltt = v[i + 4], subnetId = v[i + 5];
    const flags = v[i + 6], hostname = v[i + 7], state = v[i + 8], ctx = v[i + 9], poolId = v[i + 10];
    const address = blockId * LEASES_PER_BLOCK + (typeof off === "number" ? off : 0);
    if (
      typeof off !== "number" || off < 0 || off >= LEASES_PER_BLOCK || typeof hw !== "string" ||
      typeof cid !== "string" || typeof valid !== "number" || typeof cltt !== "number" ||
      typeof subnetId !== "number" || typeof flags !== "number" || typeof hostname !== "string" ||
      typeof state !== "number" || state < LeaseState.DEFAULT || state > LeaseState.RELEASED
    ) {
      bad(`lease ${formatIpv4(address)}: a field of the stored value has the wrong type`);
      continue;
    }
    const lease: Lease4 = {
      address,
      hwaddr: hw,
      clientId: cid,
      validLifetime: valid,
      cltt,
      subnetId,
      fqdnFwd: (flags & 1) !== 0,
      fqdnRev: (flags & 2) !== 0,
      hostname,
      state: state as LeaseState,
    };
    if (ctx !== null && typeof ctx === "object") lease.userContext = ctx as Record<string, unknown>;
    if (typeof poolId === "number") lease.poolId = poolId;
    out.push(lease);
  }
  return out;
}
