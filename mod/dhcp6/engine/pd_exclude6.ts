/**
 * The Prefix Exclude option (RFC 6603, option 67) of a delegated prefix: a pd-pool with `excluded-prefix` /
 * `excluded-prefix-len` marks, inside every prefix it delegates, one sub-prefix the client must not use (the
 * link between the delegating router and the requesting router). Kea adds it inside the IAPREFIX when the
 * client lists option 67 in its Option Request option.
 */
import type { PdPool6 } from "../../config/model6.ts";
import type { RawOption6 } from "../../packet6/packet.ts";

/** Option code of OPTION_PD_EXCLUDE (RFC 6603 §4.2). */
export const OPT_PD_EXCLUDE = 67;

/**
 * The option 67 of `pool`'s delegated prefixes, or undefined when the pool excludes nothing (or the lengths do
 * not nest). Payload (RFC 6603 §4.2): the excluded prefix length, then the bits of the excluded prefix that follow
 * the delegated length ("IPv6 subnet ID"), left-aligned and padded with zeros to whole bytes. The payload is the
 * same for every prefix of the pool, as the subnet ID is relative to the delegated prefix.
 */
export function pdExclude6(pool: PdPool6): RawOption6 | undefined {
  const ex = pool.excludedPrefix, len = pool.excludedPrefixLen;
  return ex === undefined || len === undefined ? undefined : prefixExclude6(pool.delegatedLen, ex, len);
}

/**
 * Option 67 for a prefix of length `delegatedLen` that excludes `ex`/`len` (a pd-pool's `excluded-prefix`, or a
 * reservation's `excluded-prefixes` entry, Kea ≥ 2.7.3); undefined when the lengths do not nest.
 */
export function prefixExclude6(delegatedLen: number, ex: bigint, len: number): RawOption6 | undefined {
  if (len <= delegatedLen || len > 128) return undefined;
  const bits = len - delegatedLen;
  const bytes = Math.ceil(bits / 8);
  // The subnet-ID bits, shifted so that they start at the most significant bit of the first byte.
  const id = (ex >> BigInt(128 - len)) & ((1n << BigInt(bits)) - 1n);
  let v = id << BigInt(bytes * 8 - bits);
  const data = new Uint8Array(1 + bytes);
  data[0] = len;
  for (let i = bytes; i >= 1; i--) {
    data[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return { code: OPT_PD_EXCLUDE, data };
}
