/**
 * One DHCPv6 query being handled, and the small builders every handler shares: Kea's statistic names (global
 * and `subnet[ID].…`), drops, 128-bit address conversions and the status-code option (RFC 8415 §21.13).
 */
import type { Message6, RawOption6, Relay6 } from "../../packet6/packet.ts";
import type { Subnet6 } from "../../config/model6.ts";
import type { Reservation6 } from "../../config/model6.ts";
import { formatIpv6Big } from "../../config/addr6.ts";
import type { Engine6Context, LogEntry6, Outcome6, StatDelta6 } from "./types.ts";
import type { Client6 } from "./client6.ts";
import type { Fqdn6 } from "./fqdn6.ts";

/** One query in flight: the unwrapped message, its relay chain, who sent it, its subnet and classes. */
export interface Exchange6 {
  ctx: Engine6Context;
  /** the client message inside every relay layer */
  msg: Message6;
  /** RELAY-FORW layers, outermost (closest to the server) first; empty for a direct query */
  relays: Relay6[];
  client: Client6;
  /** the selected subnet (undefined when none fits) */
  subnet?: Subnet6;
  /** the host reservation of the client (subnet's, else global), when any */
  host?: { key: string; res: Reservation6 };
  /** client classes (undefined when the configuration has none) */
  classes?: Set<string>;
  /** the name rules' decision (option 39, fqdn6.ts) for a SOLICIT, REQUEST, RENEW or REBIND; absent = no name */
  fqdn?: Fqdn6;
}

export type Drop6 = Extract<Outcome6, { kind: "drop" }>;

const SUBNET_STATS = new Map<string, string>();

/** Kea's per-subnet statistic name `subnet[ID].NAME` (StatsMgr::generateName), memoised. */
export function subnetStat6(subnetId: number, name: string): string {
  const k = `${subnetId}\u0000${name}`;
  let s = SUBNET_STATS.get(k);
  if (s === undefined) SUBNET_STATS.set(k, s = `subnet[${subnetId}].${name}`);
  return s;
}

/** The global and the per-subnet form of a statistic, both changed by `delta` (Kea keeps both). */
export function bothStats6(name: string, subnetId: number, delta: number): StatDelta6[] {
  return [[name, delta], [subnetStat6(subnetId, name), delta]];
}

/**
 * A dropped query (Kea counts every discarded packet in `pkt6-receive-drop`; a query that cannot be parsed or
 * breaks RFC 8415 §16's option rules is also an RFC violation, `pkt6-rfc-violation`, when `violation` is set).
 */
export function drop6(reason: string, log: LogEntry6[], violation = false): Drop6 {
  const stats: StatDelta6[] = [["pkt6-receive-drop", 1]];
  if (violation) stats.push(["pkt6-rfc-violation", 1]);
  return { kind: "drop", reason, stats, log };
}

/** A 16-byte IPv6 address as a 128-bit integer. */
export function bytesToBig(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = 0; i < 16; i++) v = (v << 8n) | BigInt(b[i] ?? 0);
  return v;
}

/** A 128-bit integer as 16 bytes, network order. */
export function bigToBytes(v: bigint): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 15; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** An address or prefix for log lines: `2001:db8::1` or `2001:db8:1::/56`. */
export function fmt6(address: bigint, prefixLen = 128): string {
  return prefixLen === 128 ? formatIpv6Big(address) : `${formatIpv6Big(address)}/${prefixLen}`;
}

/** A Status Code option (RFC 8415 §21.13): 2-byte code, then a UTF-8 message. */
export function statusOption(code: number, message: string): RawOption6 {
  const text = new TextEncoder().encode(message);
  const data = new Uint8Array(2 + text.length);
  data[0] = code >> 8;
  data[1] = code & 0xff;
  data.set(text, 2);
  return { code: 13, data };
}

/** True when `address` lies in the subnet's prefix (Kea `Subnet::inRange`). */
export function inSubnet(subnet: Subnet6, address: bigint): boolean {
  return (address >> BigInt(128 - subnet.len)) === (subnet.network >> BigInt(128 - subnet.len));
}

/** The ORO's codes (RFC 8415 §21.7: a list of 16-bit option codes). */
export function requestedCodes6(oro: Uint8Array | undefined): number[] {
  const out: number[] = [];
  if (!oro) return out;
  for (let i = 0; i + 1 < oro.length; i += 2) out.push((oro[i] << 8) | oro[i + 1]);
  return out;
}
