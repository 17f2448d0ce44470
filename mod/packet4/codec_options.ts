/**
 * The option areas of a DHCPv4 message: reading TLVs out of the `options` field and, when option 52 says so, out of
 * `file` and `sname` (RFC 2132 §9.3), merging repeated codes (RFC 3396 §5); and laying options out again, split into
 * 255-byte instances and spilled into `file`/`sname` when the client's size limit demands it. Pure.
 */
import { DecodeError } from "../wire/errors.ts";

const PAD = 0;
const END = 255;
const OVERLOAD = 52;

/** Options read so far: code → payload, instances of one code already concatenated, in order of first appearance. */
export type RawOptions = Map<number, Uint8Array>;

/**
 * Reads the TLV options in `buf[start, end)` into `into` (RFC 2132 §2: PAD is skipped, END stops the area).
 * Payloads are views into `buf`, not copies (the hot path decodes without allocating a buffer per option). A code
 * already in `into` gets the new instance appended (RFC 3396 §5: instances concatenate in order of appearance,
 * options field first, then file, then sname), except option 52 (overload), of which only the first instance
 * counts. A code byte with no room for its length byte, or a length that runs past the area, throws a
 * {@link DecodeError} naming the option and its offset. Kea 2.2 (`LibDHCP::unpackOptions4`) throws in the first
 * case but silently drops a truncated last option in the second; `lenient` reproduces that and keeps the options
 * read before it. Returns true when an END option was seen.
 */
export function readOptionArea(
  buf: Uint8Array,
  start: number,
  end: number,
  into: RawOptions,
  lenient = false,
): boolean {
  let i = start;
  while (i < end) {
    const code = buf[i];
    if (code === PAD) {
      i++;
      continue;
    }
    if (code === END) return true;
    if (i + 1 >= end) throw new DecodeError(`truncated option ${code}: no length byte`, i);
    const len = buf[i + 1];
    if (i + 2 + len > end) {
      if (lenient) return false;
      throw new DecodeError(
        `truncated option ${code}: length ${len} runs past the end by ${i + 2 + len - end} bytes`,
        i,
      );
    }
    const payload = buf.subarray(i + 2, i + 2 + len);
    const prev = into.get(code);
    if (prev === undefined) into.set(code, payload);
    else if (code !== OVERLOAD) into.set(code, concat(prev, payload));
    i += 2 + len;
  }
  return false;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/**
 * The wire length of one option: its payload in instances of at most 255 bytes, each with a code and a length
 * byte (RFC 3396 §6); an empty payload is one zero-length option (2 bytes).
 */
export function optionWireLength(payload: Uint8Array): number {
  const n = payload.length;
  return n === 0 ? 2 : n + 2 * Math.ceil(n / 255);
}

/**
 * Writes one option at `off` in `out` as {@link fragments} lays it out (255-byte instances, RFC 3396 §6) without
 * building the fragments; returns the offset after it. `out` must have {@link optionWireLength} bytes free.
 */
export function writeOption(out: Uint8Array, off: number, code: number, payload: Uint8Array): number {
  let p = 0;
  do {
    const n = Math.min(255, payload.length - p);
    out[off] = code;
    out[off + 1] = n;
    if (n <= 16) { for (let k = 0; k < n; k++) out[off + 2 + k] = payload[p + k]; }
    else out.set(n === payload.length ? payload : payload.subarray(p, p + n), off + 2);
    off += n + 2;
    p += n;
  } while (p < payload.length);
  return off;
}

/**
 * Turns options into TLV fragments of at most 255 payload bytes each (RFC 3396 §6: a longer option is sent as
 * several consecutive instances of the same code). An empty payload stays one zero-length option.
 */
export function fragments(code: number, payload: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let off = 0;
  do {
    const n = Math.min(255, payload.length - off);
    const f = new Uint8Array(n + 2);
    f[0] = code;
    f[1] = n;
    f.set(payload.subarray(off, off + n), 2);
    out.push(f);
    off += n;
  } while (off < payload.length);
  return out;
}

/** Where the laid-out fragments go: the options field, and (if overloaded) the file and sname fields. */
export interface Layout {
  main: Uint8Array[];
  file: Uint8Array[];
  sname: Uint8Array[];
  /** option 52 value: 0 none, 1 file, 2 sname, 3 both (RFC 2132 §9.3) */
  overload: number;
}

/**
 * Spreads `frags` (already in wire order) over the options field (room `mainRoom` bytes, END excluded) and, in
 * order, the free `file` (128 bytes) and `sname` (64 bytes) fields, each closed by END. Fragments are not reordered
 * and not cut, so that a client without RFC 3396 support still reads every option whole. Returns undefined when
 * they do not fit; `mainRoom` must already leave 3 bytes for option 52 when an overload may be needed.
 */
export function spread(
  frags: Uint8Array[],
  mainRoom: number,
  fileFree: boolean,
  snameFree: boolean,
): Layout | undefined {
  const areas: { list: Uint8Array[]; room: number; bit: number }[] = [{ list: [], room: mainRoom, bit: 0 }];
  if (fileFree) areas.push({ list: [], room: 127, bit: 1 });
  if (snameFree) areas.push({ list: [], room: 63, bit: 2 });
  let a = 0;
  let overload = 0;
  for (const f of frags) {
    while (a < areas.length && f.length > areas[a].room) a++;
    if (a >= areas.length) return undefined;
    areas[a].list.push(f);
    areas[a].room -= f.length;
    overload |= areas[a].bit;
  }
  const file = areas.find((x) => x.bit === 1)?.list ?? [];
  const sname = areas.find((x) => x.bit === 2)?.list ?? [];
  return { main: areas[0].list, file, sname, overload };
}
