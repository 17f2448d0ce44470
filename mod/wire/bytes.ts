import { DecodeError } from "./errors.ts";

/**
 * A bounds-checked big-endian reader over a byte array (network byte order, RFC 1700). Every read past the end
 * throws a {@link DecodeError} carrying the offset, so codecs never index out of range silently.
 */
export class Reader {
  pos: number;
  readonly end: number;
  constructor(readonly buf: Uint8Array, start = 0, end = buf.length) {
    this.pos = start;
    this.end = end;
  }
  get remaining(): number {
    return this.end - this.pos;
  }
  need(n: number, what = "field"): void {
    if (this.pos + n > this.end) {
      throw new DecodeError(`truncated ${what}: need ${n} bytes, have ${this.remaining}`, this.pos);
    }
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }
  u16(): number {
    this.need(2);
    const v = (this.buf[this.pos] << 8) | this.buf[this.pos + 1];
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const b = this.buf, p = this.pos;
    this.pos += 4;
    return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
  }
  bytes(n: number, what = "field"): Uint8Array {
    this.need(n, what);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
}

/**
 * A growable big-endian writer. `finish()` returns a copy trimmed to the written length.
 */
export class Writer {
  buf: Uint8Array;
  pos = 0;
  constructor(initial = 576) {
    this.buf = new Uint8Array(initial);
  }
  private grow(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }
  u8(v: number): this {
    this.grow(1);
    this.buf[this.pos++] = v & 0xff;
    return this;
  }
  u16(v: number): this {
    this.grow(2);
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
    return this;
  }
  u32(v: number): this {
    this.grow(4);
    this.buf[this.pos++] = (v >>> 24) & 0xff;
    this.buf[this.pos++] = (v >>> 16) & 0xff;
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
    return this;
  }
  bytes(v: Uint8Array): this {
    this.grow(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
    return this;
  }
  zeros(n: number): this {
    this.grow(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
    return this;
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

/** Joins byte arrays into one new array, in order. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
