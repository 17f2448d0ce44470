/**
 * Building RFC 2136 UPDATE messages: the prerequisite forms of §2.4 and the update forms of §2.5, each a plain
 * {@link DnsRecord}, plus rdata for the types D2 writes (A, AAAA, PTR, DHCID).
 */
import { formatIpv4, ipv4Bytes, parseIpv4 } from "../../wire/addr.ts";
import { Reader } from "../../wire/bytes.ts";
import { className, Opcode, RRClass, RRType, typeName } from "./constants.ts";
import { formatIpv6, parseIpv6 } from "./ipv6.ts";
import type { DnsMessage, DnsRecord } from "./message.ts";
import { nameToWire, readName } from "./name.ts";

const EMPTY = new Uint8Array(0);

/** Rdata and type for an address: A for IPv4 text, AAAA for IPv6 text (RFC 1035 §3.4.1, RFC 3596 §2.2). */
export function addressRdata(ip: string): { type: number; rdata: Uint8Array } {
  const v4 = parseIpv4(ip);
  if (v4 !== undefined) return { type: RRType.A, rdata: ipv4Bytes(v4) };
  const v6 = parseIpv6(ip);
  if (v6) return { type: RRType.AAAA, rdata: v6 };
  throw new Error(`"${ip}" is neither an IPv4 nor an IPv6 address`);
}

/** PTR rdata: the target name in uncompressed wire form (RFC 1035 §3.3.12). */
export function ptrRdata(target: string): Uint8Array {
  return nameToWire(target);
}

/** RFC 2136 §2.4.5 "Name Is Not In Use": NONE ANY, empty rdata. */
export function nameNotInUse(name: string): DnsRecord {
  return { name, type: RRType.ANY, class: RRClass.NONE, ttl: 0, rdata: EMPTY };
}

/** RFC 2136 §2.4.4 "Name Is In Use": ANY ANY, empty rdata. */
export function nameInUse(name: string): DnsRecord {
  return { name, type: RRType.ANY, class: RRClass.ANY, ttl: 0, rdata: EMPTY };
}

/** RFC 2136 §2.4.1 "RRset Exists (Value Independent)": class ANY, the type, empty rdata. */
export function rrsetExists(name: string, type: number): DnsRecord {
  return { name, type, class: RRClass.ANY, ttl: 0, rdata: EMPTY };
}

/** RFC 2136 §2.4.2 "RRset Exists (Value Dependent)": class IN, TTL 0, the rdata. */
export function rrsetExistsValue(name: string, type: number, rdata: Uint8Array): DnsRecord {
  return { name, type, class: RRClass.IN, ttl: 0, rdata };
}

/** RFC 2136 §2.4.3 "RRset Does Not Exist": class NONE, the type, empty rdata. */
export function rrsetNotExists(name: string, type: number): DnsRecord {
  return { name, type, class: RRClass.NONE, ttl: 0, rdata: EMPTY };
}

/** RFC 2136 §2.5.1 "Add To An RRset": class IN with a TTL. */
export function addRecord(name: string, type: number, ttl: number, rdata: Uint8Array): DnsRecord {
  return { name, type, class: RRClass.IN, ttl, rdata };
}

/** RFC 2136 §2.5.2 "Delete An RRset": class ANY, the type, TTL 0, empty rdata. */
export function deleteRRset(name: string, type: number): DnsRecord {
  return { name, type, class: RRClass.ANY, ttl: 0, rdata: EMPTY };
}

/** RFC 2136 §2.5.3 "Delete All RRsets From A Name": class ANY, type ANY. */
export function deleteName(name: string): DnsRecord {
  return { name, type: RRType.ANY, class: RRClass.ANY, ttl: 0, rdata: EMPTY };
}

/** RFC 2136 §2.5.4 "Delete An RR From An RRset": class NONE, TTL 0, the rdata. */
export function deleteRecord(name: string, type: number, rdata: Uint8Array): DnsRecord {
  return { name, type, class: RRClass.NONE, ttl: 0, rdata };
}

/** An UPDATE request (RFC 2136 §2): zone section SOA/IN, prerequisites in answer, updates in authority. */
export function updateMessage(id: number, zone: string, prereqs: DnsRecord[], updates: DnsRecord[]): DnsMessage {
  return {
    id,
    qr: false,
    opcode: Opcode.UPDATE,
    flags: 0,
    rcode: 0,
    question: [{ name: zone, type: RRType.SOA, class: RRClass.IN }],
    answer: prereqs,
    authority: updates,
    additional: [],
  };
}

/** Presentation text of one record as dig/nsupdate print it ("h.lab.test. 0 NONE ANY"), for logs and tests. */
export function recordText(r: DnsRecord): string {
  let data = "";
  if (r.rdata.length) {
    if (r.type === RRType.A && r.rdata.length === 4) data = formatIpv4(new DataView(r.rdata.buffer).getUint32(0));
    else if (r.type === RRType.AAAA && r.rdata.length === 16) data = formatIpv6(r.rdata);
    else if (r.type === RRType.PTR || r.type === RRType.CNAME || r.type === RRType.NS) {
      data = readName(new Reader(r.rdata));
    } else if (r.type === RRType.DHCID) data = btoa(String.fromCharCode(...r.rdata));
    else data = `\\# ${r.rdata.length} ${[...r.rdata].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
  }
  return `${r.name} ${r.ttl} ${className(r.class)} ${typeName(r.type)}${data ? " " + data : ""}`;
}
