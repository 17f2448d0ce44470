/**
 * Incremental MD5 (RFC 1321), SHA-1, SHA-224 and SHA-256 (FIPS 180-4) in plain TypeScript, for TSIG's HMACs
 * (RFC 2104, RFC 4635). D2 signs and checks two small messages per update; node:crypto and WebCrypto pay an op
 * call, a Buffer or a Promise for each hash, which cost more than the hashing itself, and neither can start from
 * a saved midstate. Here a {@link Digest} can `save` its state after the key's HMAC pad and `restore` it for
 * every message, so an HMAC costs the message's blocks plus one outer block. Pure; no allocation per message.
 */

/** The hash functions implemented here (node:crypto's names). */
export type DigestName = "md5" | "sha1" | "sha224" | "sha256";

/** True when `name` is one of {@link DigestName}. */
export function isDigestName(name: string): name is DigestName {
  return name === "md5" || name === "sha1" || name === "sha224" || name === "sha256";
}

const rotl = (x: number, n: number) => (x << n) | (x >>> (32 - n));

/** MD5's T[i] = floor(|sin(i + 1)| · 2^32) (RFC 1321 §3.4). */
const MD5_T = Int32Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0);
/** MD5's per-round left-rotation amounts (RFC 1321 §3.4). */
const MD5_S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];

/** Integer n-th root of a BigInt, exactly (Newton's method). */
function iroot(v: bigint, n: bigint): bigint {
  let x = 1n << BigInt(Math.ceil(v.toString(2).length / Number(n)) + 1);
  for (;;) {
    const y = ((n - 1n) * x + v / x ** (n - 1n)) / n;
    if (y >= x) return x;
    x = y;
  }
}
const PRIMES = [
  2,
  3,
  5,
  7,
  11,
  13,
  17,
  19,
  23,
  29,
  31,
  37,
  41,
  43,
  47,
  53,
  59,
  61,
  67,
  71,
  73,
  79,
  83,
  89,
  97,
  101,
  103,
  107,
  109,
  113,
  127,
  131,
  137,
  139,
  149,
  151,
  157,
  163,
  167,
  173,
  179,
  181,
  191,
  193,
  197,
  199,
  211,
  223,
  227,
  229,
  233,
  239,
  241,
  251,
  257,
  263,
  269,
  271,
  277,
  281,
  283,
  293,
  307,
  311,
];
/** SHA-256's K: the first 32 bits of the fractional parts of the cube roots of the first 64 primes (FIPS 180-4 §4.2.2). */
const SHA256_K = Int32Array.from(PRIMES, (p) => Number(iroot(BigInt(p) << 96n, 3n) & 0xffffffffn) | 0);
/** SHA-256's initial value: the fractional parts of the square roots of the first 8 primes (§5.3.3). */
const SHA256_IV = Int32Array.from(PRIMES.slice(0, 8), (p) => Number(iroot(BigInt(p) << 64n, 2n) & 0xffffffffn) | 0);
/** SHA-224's initial value (FIPS 180-4 §5.3.2). */
const SHA224_IV = Int32Array.from(
  [0xc1059ed8, 0x367cd507, 0x3070dd17, 0xf70e5939, 0xffc00b31, 0x68581511, 0x64f98fa7, 0xbefa4fa4],
  (v) => v | 0,
);
const MD5_IV = Int32Array.from([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476], (v) => v | 0);
const SHA1_IV = Int32Array.from([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0], (v) => v | 0);

/** One 64-octet block of MD5 (RFC 1321 §3.4): little-endian words. */
function md5Block(h: Int32Array, b: Uint8Array, o: number, w: Int32Array): void {
  for (let i = 0; i < 16; i++, o += 4) w[i] = b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24);
  let a = h[0], bb = h[1], c = h[2], d = h[3];
  for (let i = 0; i < 64; i++) {
    let f: number, g: number;
    if (i < 16) {
      f = (bb & c) | (~bb & d);
      g = i;
    } else if (i < 32) {
      f = (d & bb) | (~d & c);
      g = (5 * i + 1) & 15;
    } else if (i < 48) {
      f = bb ^ c ^ d;
      g = (3 * i + 5) & 15;
    } else {
      f = c ^ (bb | ~d);
      g = (7 * i) & 15;
    }
    f = (f + a + MD5_T[i] + w[g]) | 0;
    a = d;
    d = c;
    c = bb;
    bb = (bb + rotl(f, MD5_S[(i >>> 4) * 4 + (i & 3)])) | 0;
  }
  h[0] = (h[0] + a) | 0;
  h[1] = (h[1] + bb) | 0;
  h[2] = (h[2] + c) | 0;
  h[3] = (h[3] + d) | 0;
}

/** One 64-octet block of SHA-1 (FIPS 180-4 §6.1.2). */
function sha1Block(h: Int32Array, b: Uint8Array, o: number, w: Int32Array): void {
  for (let i = 0; i < 16; i++, o += 4) w[i] = (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
  for (let i = 16; i < 80; i++) w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
  let a = h[0], bb = h[1], c = h[2], d = h[3], e = h[4];
  for (let i = 0; i < 80; i++) {
    // the round constants as int32 (0x8f1bbcdc and 0xca62c1d6 as doubles would make every sum a float)
    let f: number, k: number;
    if (i < 20) {
      f = (bb & c) | (~bb & d);
      k = 0x5a827999;
    } else if (i < 40) {
      f = bb ^ c ^ d;
      k = 0x6ed9eba1;
    } else if (i < 60) {
      f = (bb & c) | (bb & d) | (c & d);
      k = 0x8f1bbcdc | 0;
    } else {
      f = bb ^ c ^ d;
      k = 0xca62c1d6 | 0;
    }
    const t = (((a << 5) | (a >>> 27)) + f + e + k + w[i]) | 0;
    e = d;
    d = c;
    c = (bb << 30) | (bb >>> 2);
    bb = a;
    a = t;
  }
  h[0] = (h[0] + a) | 0;
  h[1] = (h[1] + bb) | 0;
  h[2] = (h[2] + c) | 0;
  h[3] = (h[3] + d) | 0;
  h[4] = (h[4] + e) | 0;
}

/** One 64-octet block of SHA-256 / SHA-224 (FIPS 180-4 §6.2.2). */
function sha256Block(h: Int32Array, b: Uint8Array, o: number, w: Int32Array): void {
  for (let i = 0; i < 16; i++, o += 4) w[i] = (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
  for (let i = 16; i < 64; i++) {
    const x = w[i - 15], y = w[i - 2];
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
  }
  let a = h[0], bb = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (hh + S1 + ((e & f) ^ (~e & g)) + SHA256_K[i] + w[i]) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & bb) ^ (a & c) ^ (bb & c))) | 0;
    hh = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = bb;
    bb = a;
    a = (t1 + t2) | 0;
  }
  h[0] = (h[0] + a) | 0;
  h[1] = (h[1] + bb) | 0;
  h[2] = (h[2] + c) | 0;
  h[3] = (h[3] + d) | 0;
  h[4] = (h[4] + e) | 0;
  h[5] = (h[5] + f) | 0;
  h[6] = (h[6] + g) | 0;
  h[7] = (h[7] + hh) | 0;
}

interface Spec {
  iv: Int32Array;
  block: typeof md5Block;
  /** digest octets */
  size: number;
  /** MD5 writes its words and the length little-endian */
  le: boolean;
}

const SPECS: Record<DigestName, Spec> = {
  md5: { iv: MD5_IV, block: md5Block, size: 16, le: true },
  sha1: { iv: SHA1_IV, block: sha1Block, size: 20, le: false },
  sha224: { iv: SHA224_IV, block: sha256Block, size: 28, le: false },
  sha256: { iv: SHA256_IV, block: sha256Block, size: 32, le: false },
};

/** A saved digest state (after whole blocks only): see {@link Digest.save}. */
export interface DigestState {
  readonly h: Int32Array;
  readonly length: number;
}

/**
 * An incremental hash: `reset()` (or `restore(saved)`), `update(...)` any number of times, `digestInto(out, at)`.
 * The block size is 64 octets for all four functions. One object serves any number of messages, one at a time.
 */
export class Digest {
  readonly size: number;
  readonly blockSize = 64;
  readonly #spec: Spec;
  readonly #h: Int32Array;
  readonly #buf = new Uint8Array(64);
  readonly #w = new Int32Array(80);
  #fill = 0;
  /** octets hashed so far (buffered ones included) */
  #length = 0;

  constructor(readonly name: DigestName) {
    this.#spec = SPECS[name];
    this.size = this.#spec.size;
    this.#h = new Int32Array(this.#spec.iv.length);
    this.reset();
  }

  /** Starts a new message. */
  reset(): this {
    this.#h.set(this.#spec.iv);
    this.#fill = 0;
    this.#length = 0;
    return this;
  }

  /** The state after a whole number of blocks (for HMAC's pads); throws when octets are buffered. */
  save(): DigestState {
    if (this.#fill !== 0) throw new Error("digest state can be saved on a block boundary only");
    return { h: this.#h.slice(), length: this.#length };
  }

  /** Continues from a saved state (a new message whose first blocks were hashed before). */
  restore(s: DigestState): this {
    this.#h.set(s.h);
    this.#fill = 0;
    this.#length = s.length;
    return this;
  }

  /** Hashes `len` octets of `data` from `off`. */
  update(data: Uint8Array, off = 0, len = data.length - off): this {
    const block = this.#spec.block, h = this.#h, buf = this.#buf, w = this.#w;
    this.#length += len;
    const end = off + len;
    if (this.#fill) {
      const n = Math.min(64 - this.#fill, len);
      buf.set(data.subarray(off, off + n), this.#fill);
      this.#fill += n;
      off += n;
      if (this.#fill < 64) return this;
      block(h, buf, 0, w);
      this.#fill = 0;
    }
    for (; off + 64 <= end; off += 64) block(h, data, off, w);
    if (off < end) {
      buf.set(data.subarray(off, end), 0);
      this.#fill = end - off;
    }
    return this;
  }

  /** Hashes one octet. */
  byte(v: number): this {
    this.#length++;
    this.#buf[this.#fill++] = v;
    if (this.#fill === 64) {
      this.#spec.block(this.#h, this.#buf, 0, this.#w);
      this.#fill = 0;
    }
    return this;
  }

  /** Pads (RFC 1321 §3.1–3.2, FIPS 180-4 §5.1.1), writes the digest into `out` at `at`, and resets. */
  digestInto(out: Uint8Array, at = 0): void {
    const { block, le, size } = this.#spec;
    const buf = this.#buf, h = this.#h;
    const bits = this.#length * 8;
    buf[this.#fill++] = 0x80;
    if (this.#fill > 56) {
      buf.fill(0, this.#fill, 64);
      block(h, buf, 0, this.#w);
      this.#fill = 0;
    }
    buf.fill(0, this.#fill, 56);
    const lo = bits >>> 0, hi = Math.floor(bits / 2 ** 32) >>> 0;
    for (let i = 0; i < 4; i++) {
      const sl = (lo >>> (8 * i)) & 0xff, sh = (hi >>> (8 * i)) & 0xff;
      if (le) {
        buf[56 + i] = sl;
        buf[60 + i] = sh;
      } else {
        buf[63 - i] = sl;
        buf[59 - i] = sh;
      }
    }
    block(h, buf, 0, this.#w);
    for (let i = 0; i < size; i++) {
      const word = h[i >>> 2];
      out[at + i] = le ? (word >>> (8 * (i & 3))) & 0xff : (word >>> (24 - 8 * (i & 3))) & 0xff;
    }
    this.reset();
  }

  /** The digest of `data` alone, as a new array. */
  static of(name: DigestName, data: Uint8Array): Uint8Array {
    const d = new Digest(name).update(data);
    const out = new Uint8Array(d.size);
    d.digestInto(out);
    return out;
  }
}
