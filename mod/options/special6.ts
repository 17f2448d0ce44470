/**
 * The DHCPv6 options whose payload Kea checks beyond their definition's generic types (Kea builds them with
 * dedicated classes in `OptionDefinition::factorySpecialFormatOption`): vendor-class (16, `OptionVendorClass`)
 * and vendor-opts (17, `OptionVendor`). Everything else in the "dhcp6" space follows the generic per-type codecs.
 */
import { toColonHex } from "../wire/addr.ts";
import { DecodeError } from "../wire/errors.ts";
import type { OptionDef } from "./types.ts";

/** True when `def` is one of the "dhcp6" options handled here. */
export function isSpecial6(def: OptionDef): boolean {
  return def.space === "dhcp6" && (def.code === 16 || def.code === 17);
}

/**
 * Checks a vendor-class (16) or vendor-opts (17) payload and returns its csv text, or throws a {@link DecodeError}.
 * vendor-class (RFC 8415 §21.16): a 4-byte enterprise number, then vendor-class-data, a run of opaque tuples each
 * with a 2-byte length (Kea refuses "4491, 0a0b": "the tuple length is 2571"); the text is "enterprise, hex".
 * vendor-opts (RFC 8415 §21.17): a 4-byte enterprise number, then sub-options each with a 2-byte code and a 2-byte
 * length; the text is the enterprise number alone, as csv-format data gives only that (sub-options come from
 * the option-data of space "vendor-<enterprise>").
 */
export function formatSpecial6(def: OptionDef, b: Uint8Array): string {
  if (b.length < 4) throw new DecodeError(`${b.length} bytes is too short for the 4-byte enterprise number`, 0);
  const enterprise = String(((b[0] << 24) >>> 0) + (b[1] << 16) + (b[2] << 8) + b[3]);
  let off = 4;
  if (def.code === 16) {
    while (off < b.length) {
      if (off + 2 > b.length) throw new DecodeError("vendor-class data ends inside a tuple's 2-byte length", off);
      const n = (b[off] << 8) | b[off + 1];
      if (off + 2 + n > b.length) {
        throw new DecodeError(
          `vendor-class data must be tuples with a 2-byte length: the tuple at byte ${off} claims ${n} bytes ` +
            `but ${b.length - off - 2} remain (write each class as its length in hex, then the text in hex)`,
          off,
        );
      }
      off += 2 + n;
    }
    return b.length > 4 ? `${enterprise}, ${toColonHex(b.subarray(4))}` : enterprise;
  }
  while (off < b.length) {
    if (off + 4 > b.length) throw new DecodeError("vendor-opts data ends inside a sub-option header", off);
    const n = (b[off + 2] << 8) | b[off + 3];
    if (off + 4 + n > b.length) {
      throw new DecodeError(`vendor-opts sub-option at byte ${off} claims ${n} bytes, past the end`, off);
    }
    off += 4 + n;
  }
  return enterprise;
}
