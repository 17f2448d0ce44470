/**
 * The TSIG vocabulary the D2 configuration compiles into and the DNS codec (mod/ddns/dns/tsig.ts) signs with: the
 * HMAC algorithms of RFC 8945 §6 / RFC 4635 as Kea's `tsig-keys[].algorithm` names them, and the compiled key.
 * Pure data: the hash names are node:crypto's, used only by the codec.
 */
import { canonicalName } from "../wire/dns_name.ts";

/** One algorithm: its DNS name (RFC 8945 §6), node:crypto hash name and full MAC length in octets. */
export interface TsigAlgorithm {
  /** the name Kea's config uses: "HMAC-MD5" … "HMAC-SHA512" */
  name: string;
  dnsName: string;
  hash: string;
  size: number;
}

/** Kea 2.2's TSIG algorithms (d2_tsig_key.cc; GSS-TSIG is a premium hook). */
export const TSIG_ALGORITHMS: readonly TsigAlgorithm[] = [
  { name: "HMAC-MD5", dnsName: "hmac-md5.sig-alg.reg.int.", hash: "md5", size: 16 },
  { name: "HMAC-SHA1", dnsName: "hmac-sha1.", hash: "sha1", size: 20 },
  { name: "HMAC-SHA224", dnsName: "hmac-sha224.", hash: "sha224", size: 28 },
  { name: "HMAC-SHA256", dnsName: "hmac-sha256.", hash: "sha256", size: 32 },
  { name: "HMAC-SHA384", dnsName: "hmac-sha384.", hash: "sha384", size: 48 },
  { name: "HMAC-SHA512", dnsName: "hmac-sha512.", hash: "sha512", size: 64 },
];

/**
 * Looks an algorithm up by Kea's config name (case-insensitive, as Kea accepts "hmac-md5") or by its DNS name
 * (RFC 8945 §6 table); undefined when unknown.
 */
export function findTsigAlgorithm(name: string): TsigAlgorithm | undefined {
  const n = name.toLowerCase();
  return TSIG_ALGORITHMS.find((a) => a.name.toLowerCase() === n || a.dnsName === canonicalName(n));
}

/** A key as D2 uses it: `digestBits` 0 means the full MAC (Kea's `digest-bits` default). */
export interface TsigKey {
  /** canonical key name (absolute, lower case), as it goes into the TSIG record */
  name: string;
  algorithm: TsigAlgorithm;
  secret: Uint8Array;
  digestBits: number;
}
