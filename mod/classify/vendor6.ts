/**
 * The DHCPv6 vendor options as Kea's expression tokens read them: Vendor Class (16, RFC 8415 §21.16:
 * enterprise-number, then opaque tuples each with a 2-byte length) and Vendor-specific Information (17,
 * RFC 8415 §21.17: enterprise-number, then sub-options with 2-byte code and 2-byte length). Kea's TokenVendor
 * and TokenVendorClass look at the first such option of the query only (`Pkt::getOption`).
 */
import type { VendorKind } from "./expr/ast.ts";

/** A decoded vendor option: its enterprise number and, for 16 the data tuples, for 17 the sub-options. */
export interface VendorOption6 {
  enterprise: number;
  /** option 16: the data of each tuple, in order */
  tuples: Uint8Array[];
  /** option 17: the sub-options, in order */
  subs: { code: number; data: Uint8Array }[];
}

const be16 = (d: Uint8Array, i: number) => (d[i] << 8) | d[i + 1];

/**
 * Decodes the payload of option 16 (`vendor-class`) or 17 (`vendor`) as RFC 8415 §21.16/§21.17 lay it out.
 * A payload shorter than the 4-byte enterprise number is not a vendor option (undefined); a truncated tuple or
 * sub-option at the end is ignored, keeping the complete ones before it.
 */
export function decodeVendor6(kind: VendorKind, data: Uint8Array | undefined): VendorOption6 | undefined {
  if (!data || data.length < 4) return undefined;
  const enterprise = ((data[0] << 24) | (data[1] << 16) | (data[2] << 8) | data[3]) >>> 0;
  const out: VendorOption6 = { enterprise, tuples: [], subs: [] };
  let i = 4;
  if (kind === "vendor-class") {
    while (i + 2 <= data.length) {
      const len = be16(data, i);
      if (i + 2 + len > data.length) break;
      out.tuples.push(data.subarray(i + 2, i + 2 + len));
      i += 2 + len;
    }
  } else {
    while (i + 4 <= data.length) {
      const code = be16(data, i), len = be16(data, i + 2);
      if (i + 4 + len > data.length) break;
      out.subs.push({ code, data: data.subarray(i + 4, i + 4 + len) });
      i += 4 + len;
    }
  }
  return out;
}

/**
 * Kea's enterprise test in TokenVendor / TokenVendorClass: `[*]` (and `[0]`, which Kea also reads as "any")
 * accepts every enterprise number, otherwise the option's number must be the one written.
 */
export function vendorMatches(v: VendorOption6 | undefined, enterprise: number | "*"): v is VendorOption6 {
  return v !== undefined && (enterprise === "*" || enterprise === 0 || v.enterprise === enterprise);
}
