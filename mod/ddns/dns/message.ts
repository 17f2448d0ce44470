/**
 * DNS message codec (RFC 1035 §4.1) with the RFC 2136 §2 reading of the sections for UPDATE: zone = question,
 * prerequisites = answer, updates = authority. Pure: bytes in, bytes out. Rdata is kept as uncompressed bytes; on
 * reading, names inside PTR/NS/CNAME/SOA rdata are decompressed so that each record stands alone.
 */
import { Reader, Writer } from "../../wire/bytes.ts";
import { DecodeError } from "../../wire/errors.ts";
import { RRType } from "./constants.ts";
import { nameToWire, readName, writeName } from "./name.ts";

/** One question (for UPDATE: the zone section, RFC 2136 §2.3). */
export interface DnsQuestion {
  name: string;
  type: number;
  class: number;
}

/** One resource record; `rdata` may be empty (RFC 2136 §2.4/§2.5 prerequisites and deletes). */
export interface DnsRecord {
  name: string;
  type: number;
  class: number;
  ttl: number;
  rdata: Uint8Array;
}

/** Header flag bits other than QR, opcode and RCODE (RFC 1035 §4.1.1, RFC 4035 §3.2 for AD/CD). */
export const Flag = { AA: 0x0400, TC: 0x0200, RD: 0x0100, RA: 0x0080, Z: 0x0040, AD: 0x0020, CD: 0x0010 } as const;

/** A whole message. `flags` holds the bits of {@link Flag}. */
export interface DnsMessage {
  id: number;
  qr: boolean;
  opcode: number;
  flags: number;
  rcode: number;
  question: DnsQuestion[];
  answer: DnsRecord[];
  authority: DnsRecord[];
  additional: DnsRecord[];
}

/** A decoded message plus where its TSIG record starts (needed to verify the MAC over the original bytes). */
export interface DecodedMessage extends DnsMessage {
  /** byte offset of the TSIG RR when it is the last additional record (RFC 8945 §5.1), else undefined */
  tsigOffset?: number;
}

/** RR types whose rdata is one domain name that RFC 3597 §4 allows to be compressed. */
const NAME_RDATA = new Set<number>([RRType.NS, RRType.CNAME, RRType.PTR]);

function readRecord(r: Reader): DnsRecord {
  const name = readName(r);
  r.need(10, "resource record header");
  const type = r.u16(), klass = r.u16(), ttl = r.u32(), len = r.u16();
  const start = r.pos;
  r.need(len, "rdata");
  let rdata: Uint8Array;
  if (len > 0 && NAME_RDATA.has(type)) {
    const sub = new Reader(r.buf, start, start + len);
    rdata = nameToWire(readName(sub));
    if (sub.pos !== start + len) throw new DecodeError("trailing bytes after name rdata", sub.pos);
  } else if (len > 0 && type === RRType.SOA) {
    const sub = new Reader(r.buf, start, start + len);
    const mname = nameToWire(readName(sub)), rname = nameToWire(readName(sub));
    const rest = sub.bytes(20, "SOA counters");
    rdata = new Uint8Array([...mname, ...rname, ...rest]);
  } else {
    rdata = r.buf.slice(start, start + len);
  }
  r.pos = start + len;
  return { name, type, class: klass, ttl, rdata };
}

/**
 * Decodes a DNS message (RFC 1035 §4.1). Throws a {@link DecodeError} with the offset for truncated or malformed
 * input; trailing bytes after the last record are an error too, since a TSIG MAC would not cover them.
 */
export function decodeMessage(bytes: Uint8Array): DecodedMessage {
  const r = new Reader(bytes);
  r.need(12, "DNS header");
  const id = r.u16(), word = r.u16();
  const counts = [r.u16(), r.u16(), r.u16(), r.u16()];
  const question: DnsQuestion[] = [];
  for (let i = 0; i < counts[0]; i++) {
    const name = readName(r);
    r.need(4, "question");
    question.push({ name, type: r.u16(), class: r.u16() });
  }
  const sections: DnsRecord[][] = [[], [], []];
  let tsigOffset: number | undefined;
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < counts[s + 1]; i++) {
      const at = r.pos;
      const rec = readRecord(r);
      if (rec.type === RRType.TSIG) {
        if (s !== 2 || i !== counts[3] - 1) throw new DecodeError("TSIG record is not the last additional record", at);
        tsigOffset = at;
      }
      sections[s].push(rec);
    }
  }
  if (r.remaining) throw new DecodeError(`${r.remaining} trailing bytes after the last record`, r.pos);
  return {
    id,
    qr: (word & 0x8000) !== 0,
    opcode: (word >>> 11) & 0xf,
    flags: word & 0x07f0,
    rcode: word & 0xf,
    question,
    answer: sections[0],
    authority: sections[1],
    additional: sections[2],
    tsigOffset,
  };
}

function writeRecord(w: Writer, rec: DnsRecord, table?: Map<string, number>): void {
  writeName(w, rec.name, table);
  w.u16(rec.type).u16(rec.class).u32(rec.ttl);
  const lenAt = w.pos;
  w.u16(0);
  if (rec.rdata.length > 0 && NAME_RDATA.has(rec.type) && table) {
    writeName(w, readName(new Reader(rec.rdata)), table);
  } else {
    w.bytes(rec.rdata);
  }
  const len = w.pos - lenAt - 2;
  w.buf[lenAt] = len >>> 8;
  w.buf[lenAt + 1] = len & 0xff;
}

/**
 * Encodes a message (RFC 1035 §4.1). With `compress` (the default, as BIND's nsupdate and Kea's D2 write) owner
 * names and PTR/NS/CNAME targets are compressed (RFC 1035 §4.1.4); a TSIG record is always written uncompressed
 * (RFC 8945 §4.2), so sign the encoded bytes with `signMessage` rather than adding TSIG here.
 */
export function encodeMessage(m: DnsMessage, compress = true): Uint8Array {
  const w = new Writer(512);
  const table = compress ? new Map<string, number>() : undefined;
  const word = (m.qr ? 0x8000 : 0) | ((m.opcode & 0xf) << 11) | (m.flags & 0x07f0) | (m.rcode & 0xf);
  w.u16(m.id).u16(word).u16(m.question.length).u16(m.answer.length).u16(m.authority.length);
  w.u16(m.additional.length);
  for (const q of m.question) {
    writeName(w, q.name, table);
    w.u16(q.type).u16(q.class);
  }
  for (const sec of [m.answer, m.authority, m.additional]) {
    for (const rec of sec) writeRecord(w, rec, rec.type === RRType.TSIG ? undefined : table);
  }
  return w.finish();
}
