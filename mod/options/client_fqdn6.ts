/**
 * The DHCPv6 Client FQDN option (39, RFC 4704 §4): a flags octet (N, O, S) and a domain name in DNS wire form,
 * partial when it lacks the root label (§4.2). Unlike option 81 there are no RCODE octets and no ASCII form. Kea's
 * `Option6ClientFqdn`.
 */
import { DecodeError } from "../wire/errors.ts";
import { encodeName, readName } from "./fqdn_wire.ts";

/** Flag bits of option 39 (RFC 4704 §4.1): S server updates AAAA, O server overrode, N no updates. */
export interface Fqdn6Flags {
  s: boolean;
  o: boolean;
  n: boolean;
}

/** A decoded option 39: `name` ends with "." when fully qualified; a partial name (e.g. "host") has none. */
export interface ClientFqdn6 {
  flags: Fqdn6Flags;
  name: string;
  /** true for a partial name (no root label), and for an empty name */
  partial: boolean;
}

const FLAG_S = 0x01, FLAG_O = 0x02, FLAG_N = 0x04;

/**
 * Decodes an option 39 payload (RFC 4704 §4): at least the flags octet; the rest, when present, is one
 * uncompressed wire name (partial allowed) with nothing after it. Throws a {@link DecodeError} with the offset for an empty payload, a
 * broken name or trailing data; the S+N consistency rule (§4.1) is the engine's to check, as Kea's server does.
 */
export function parseClientFqdn6(payload: Uint8Array): ClientFqdn6 {
  if (payload.length < 1) throw new DecodeError("client FQDN option (39) is empty; the flags octet is missing", 0);
  const f = payload[0];
  const flags = { s: !!(f & FLAG_S), o: !!(f & FLAG_O), n: !!(f & FLAG_N) };
  if (payload.length === 1) return { flags, name: "", partial: true };
  // RFC 4704 §4.2: the name is uncompressed; a pointer (or the reserved 01/10 label types) is refused
  for (let i = 1; i < payload.length && payload[i] !== 0; i += payload[i] + 1) {
    if (payload[i] & 0xc0) throw new DecodeError("a compressed or reserved label in the client FQDN option", i);
  }
  const n = readName(payload, 1, payload.length, true);
  if (n.next !== payload.length) throw new DecodeError("data after the domain name in the client FQDN option", n.next);
  return { flags, name: n.name, partial: n.partial };
}

/**
 * Encodes an option 39 payload: the flags octet, then the name in wire form — partial (no root label) when it does
 * not end with "." — or nothing for an empty name.
 */
export function encodeClientFqdn6(v: { flags: Fqdn6Flags; name: string }): Uint8Array {
  const f = (v.flags.s ? FLAG_S : 0) | (v.flags.o ? FLAG_O : 0) | (v.flags.n ? FLAG_N : 0);
  const name = v.name === "" ? new Uint8Array(0) : encodeName(v.name, !v.name.endsWith("."));
  const out = new Uint8Array(1 + name.length);
  out[0] = f;
  out.set(name, 1);
  return out;
}
