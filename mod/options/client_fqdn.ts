/**
 * The Client FQDN option (81, RFC 4702 §2): flags, two deprecated RCODE bytes, and a domain name either in DNS wire
 * form (E flag set, §2.3.1) or in the deprecated ASCII form (E clear, §2.3.2). Kea's `Option4ClientFqdn`.
 */
import { DecodeError } from "../wire/errors.ts";
import { encodeName, readName } from "./fqdn_wire.ts";

/** Flag bits of option 81 (RFC 4702 §2.1): S server updates A, O server overrode, E wire encoding, N no updates. */
export interface FqdnFlags {
  s: boolean;
  o: boolean;
  e: boolean;
  n: boolean;
}

/** A decoded option 81. `name` ends with "." when fully qualified; a partial name (e.g. "host") has no dot. */
export interface ClientFqdn {
  flags: FqdnFlags;
  rcode1: number;
  rcode2: number;
  name: string;
  /** true for a partial name (wire: no root label; ASCII: no trailing dot); also true for an empty name */
  partial: boolean;
}

/** The deprecated ASCII name form (E clear), decoded byte for byte as UTF-8; a leading U+FEFF is kept. */
const ASCII_NAME = new TextDecoder("utf-8", { ignoreBOM: true });

const FLAG_S = 0x01, FLAG_O = 0x02, FLAG_E = 0x04, FLAG_N = 0x08;

/**
 * Decodes an option 81 payload (RFC 4702 §2). With E set the name is wire-encoded and may be partial (no root
 * label); with E clear it is ASCII, and a trailing "." marks a full name. Fewer than 3 bytes or a broken wire name
 * throws a {@link DecodeError} with the offset inside the payload. Flag consistency (S with N is invalid, §2.1) is
 * the engine's to check, as Kea's server code does.
 */
export function parseClientFqdn(payload: Uint8Array): ClientFqdn {
  if (payload.length < 3) throw new DecodeError(`client FQDN option is ${payload.length} bytes; at least 3 needed`, 0);
  const f = payload[0];
  const flags = { s: !!(f & FLAG_S), o: !!(f & FLAG_O), e: !!(f & FLAG_E), n: !!(f & FLAG_N) };
  const base = { flags, rcode1: payload[1], rcode2: payload[2] };
  if (payload.length === 3) return { ...base, name: "", partial: true };
  if (flags.e) {
    const n = readName(payload, 3, payload.length, true);
    if (n.next !== payload.length) {
      throw new DecodeError("data after the domain name in the client FQDN option", n.next);
    }
    return { ...base, name: n.name, partial: n.partial };
  }
  let text = ASCII_NAME.decode(payload.subarray(3));
  text = text.replace(/\0+$/, "");
  return { ...base, name: text, partial: !text.endsWith(".") };
}

/**
 * Encodes an option 81 payload (RFC 4702 §2): flags byte, rcode1, rcode2, then the name in wire form when E is set
 * (a name without a trailing "." is written partial, without the root label) or as ASCII when E is clear.
 */
export function encodeClientFqdn(v: { flags: FqdnFlags; rcode1?: number; rcode2?: number; name: string }): Uint8Array {
  const f = (v.flags.s ? FLAG_S : 0) | (v.flags.o ? FLAG_O : 0) | (v.flags.e ? FLAG_E : 0) | (v.flags.n ? FLAG_N : 0);
  const name = v.name === ""
    ? new Uint8Array(0)
    : v.flags.e
    ? encodeName(v.name, !v.name.endsWith("."))
    : new TextEncoder().encode(v.name);
  const out = new Uint8Array(3 + name.length);
  out[0] = f;
  out[1] = v.rcode1 ?? 0;
  out[2] = v.rcode2 ?? 0;
  out.set(name, 3);
  return out;
}
