/**
 * What the compiler needs from the options module (mod/options): find a definition by name or code in a space,
 * and encode Kea's option `data` text into a wire payload. The compiler receives it as an argument, so the
 * config code does not depend on how the options module is laid out, and tests can pass a small stand-in.
 */

import { parseHex } from "../wire/addr.ts";

/** The part of an option definition the compiler reads. */
export interface OptionDefLike {
  code: number;
  name: string;
  space?: string;
  /** the option space whose options this option carries as sub-options, when any */
  encapsulate?: string;
}

/** The options module's services, as the compiler uses them. */
export interface OptionCodec4 {
  /** The definition named `nameOrCode` in `space` (default "dhcp4"), or undefined when there is none. */
  findOption4(nameOrCode: string | number, space?: string): OptionDefLike | undefined;
  /** Encodes `data` per the definition (CSV text when csvFormat, else hex); throws with an operator message. */
  encodeOptionData(def: OptionDefLike, data: string, csvFormat: boolean): Uint8Array;
}

/**
 * Encodes the data of an option that has no definition: Kea accepts such an option only with `csv-format`
 * false and the data as hex ("0a0b0c", "0a:0b:0c", "0x0a0b0c"), and sends the bytes as they are.
 */
export function encodeUndefinedOption(code: number, data: string, csvFormat: boolean): Uint8Array {
  if (csvFormat) {
    throw new Error(`option code ${code} has no definition: give its data as hex with "csv-format": false`);
  }
  const bytes = parseHex(data);
  if (!bytes) throw new Error(`'${data}' is not hex data`);
  return bytes;
}
