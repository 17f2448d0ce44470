/**
 * DNS numeric constants used by the D2 role: RR types and classes (RFC 1035 §3.2, RFC 2136 §2.4, RFC 4701, RFC 8945),
 * opcodes and response codes (RFC 1035 §4.1.1, RFC 2136 §2.2, RFC 8945 §3).
 */

/** RR types this codec knows by name (every other type is carried as opaque rdata). */
export const RRType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  TXT: 16,
  AAAA: 28,
  OPT: 41,
  DHCID: 49,
  TSIG: 250,
  ANY: 255,
} as const;

/** RR classes; NONE and ANY carry the RFC 2136 §2.4/§2.5 prerequisite and delete meanings. */
export const RRClass = {
  IN: 1,
  NONE: 254,
  ANY: 255,
} as const;

/** Header opcodes (RFC 1035 §4.1.1, RFC 2136 §1). */
export const Opcode = {
  QUERY: 0,
  UPDATE: 5,
} as const;

/** Response codes: header RCODE (RFC 1035, RFC 2136 §2.2) and the TSIG error field (RFC 8945 §3). */
export const Rcode = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  YXDOMAIN: 6,
  YXRRSET: 7,
  NXRRSET: 8,
  NOTAUTH: 9,
  NOTZONE: 10,
  BADSIG: 16,
  BADKEY: 17,
  BADTIME: 18,
  BADTRUNC: 22,
} as const;

const TYPE_NAMES = new Map<number, string>(Object.entries(RRType).map(([k, v]) => [v, k]));
const CLASS_NAMES = new Map<number, string>(Object.entries(RRClass).map(([k, v]) => [v, k]));
const RCODE_NAMES = new Map<number, string>(Object.entries(Rcode).map(([k, v]) => [v, k]));

/** Mnemonic for an RR type ("A", "DHCID"), or RFC 3597's generic "TYPEnn" form. */
export function typeName(t: number): string {
  return TYPE_NAMES.get(t) ?? `TYPE${t}`;
}

/** Mnemonic for an RR class ("IN", "NONE", "ANY"), or RFC 3597's generic "CLASSnn" form. */
export function className(c: number): string {
  return CLASS_NAMES.get(c) ?? `CLASS${c}`;
}

/** Mnemonic for a response code ("NXDOMAIN", "BADSIG"), or "RCODEnn" for an unassigned one. */
export function rcodeName(r: number): string {
  return RCODE_NAMES.get(r) ?? `RCODE${r}`;
}
