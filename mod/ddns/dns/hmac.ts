/**
 * HMAC (RFC 2104) with the key prepared once: for MD5, SHA-1, SHA-224 and SHA-256 the digest states after the
 * key XOR ipad and key XOR opad blocks are saved (mod/ddns/dns/digest.ts), so each message costs its own blocks
 * plus one outer block and allocates nothing; SHA-384 and SHA-512 (128-octet blocks) go through node:crypto's
 * createHmac. TSIG (RFC 8945 §4.3, RFC 4635) feeds the message in pieces: `begin()`, `update`/`byte`, `endInto`.
 */
import { createHmac } from "node:crypto";
import { Digest, type DigestState, isDigestName } from "./digest.ts";

/** The input side of one MAC computation. */
export interface MacInput {
  /** `len` octets of `data` from `off` */
  update(data: Uint8Array, off?: number, len?: number): MacInput;
  byte(v: number): MacInput;
}

/** A keyed HMAC: one computation at a time (begin → update… → endInto). */
export interface Hmac {
  /** MAC length in octets (the hash's digest size) */
  readonly size: number;
  begin(): MacInput;
  /** Writes the MAC of everything since `begin()` into `out` at `at`. */
  endInto(out: Uint8Array, at?: number): void;
}

/** The digest state after one block of `key` XOR `x` (ipad 0x36, opad 0x5c). */
function padState(d: Digest, key: Uint8Array, x: number): DigestState {
  const pad = new Uint8Array(d.blockSize).fill(x);
  for (let i = 0; i < key.length; i++) pad[i] ^= key[i];
  return d.reset().update(pad).save();
}

/** HMAC over a pure-TypeScript digest with saved pad states (RFC 2104 §2). */
class PreparedHmac implements Hmac {
  readonly size: number;
  readonly #d: Digest;
  readonly #inner: DigestState;
  readonly #outer: DigestState;
  readonly #tmp: Uint8Array;

  constructor(d: Digest, key: Uint8Array) {
    this.#d = d;
    this.size = d.size;
    // RFC 2104 §2: a key longer than the block is hashed first
    const k = key.length > d.blockSize ? Digest.of(d.name, key) : key;
    this.#inner = padState(d, k, 0x36);
    this.#outer = padState(d, k, 0x5c);
    d.reset();
    this.#tmp = new Uint8Array(d.size);
  }

  begin(): MacInput {
    return this.#d.restore(this.#inner);
  }

  endInto(out: Uint8Array, at = 0): void {
    const d = this.#d;
    d.digestInto(this.#tmp);
    d.restore(this.#outer).update(this.#tmp).digestInto(out, at);
  }
}

/** HMAC through node:crypto (SHA-384, SHA-512): the pieces are collected and hashed at the end. */
class NodeHmac implements Hmac, MacInput {
  readonly #parts: Uint8Array[] = [];
  constructor(readonly hash: string, readonly key: Uint8Array, readonly size: number) {}
  begin(): MacInput {
    this.#parts.length = 0;
    return this;
  }
  update(data: Uint8Array, off = 0, len = data.length - off): MacInput {
    this.#parts.push(data.slice(off, off + len));
    return this;
  }
  byte(v: number): MacInput {
    this.#parts.push(Uint8Array.of(v));
    return this;
  }
  endInto(out: Uint8Array, at = 0): void {
    const h = createHmac(this.hash, this.key);
    for (const p of this.#parts) h.update(p);
    this.#parts.length = 0;
    out.set(new Uint8Array(h.digest()).subarray(0, this.size), at);
  }
}

/** Digest sizes of the node:crypto fallbacks. */
const NODE_SIZE: Record<string, number> = { sha384: 48, sha512: 64 };

/**
 * An HMAC for `hash` (node:crypto's name: md5, sha1, sha224, sha256, sha384, sha512) keyed with `key`. Throws for
 * a hash TSIG does not use.
 */
export function prepareHmac(hash: string, key: Uint8Array): Hmac {
  if (isDigestName(hash)) return new PreparedHmac(new Digest(hash), key);
  const size = NODE_SIZE[hash];
  if (!size) throw new Error(`no HMAC for hash ${hash}`);
  return new NodeHmac(hash, key, size);
}
