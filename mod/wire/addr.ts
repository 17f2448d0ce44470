/**
 * IPv4 addresses as unsigned 32-bit numbers (host order), MAC and hex helpers. No DHCP knowledge lives here.
 * Numbers make pools, ranges and indexes cheap; text forms appear only at the edges (config, logs, CSV, commands).
 */

const IPV4_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Parses dotted-quad text ("198.18.0.1") into a u32, or returns undefined when it is not an IPv4 address. */
export function parseIpv4(text: string): number | undefined {
  const m = IPV4_RE.exec(text.trim());
  if (!m) return undefined;
  let v = 0;
  for (let i = 1; i <= 4; i++) {
    const o = Number(m[i]);
    if (o > 255 || (m[i].length > 1 && m[i][0] === "0")) return undefined;
    v = v * 256 + o;
  }
  return v >>> 0;
}

/** Formats a u32 as dotted-quad text. */
export function formatIpv4(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
}

/** Reads 4 bytes at `off` as a u32 address. */
export function ipv4At(b: Uint8Array, off = 0): number {
  return ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0;
}

/** Encodes a u32 address as 4 bytes. */
export function ipv4Bytes(v: number): Uint8Array {
  return new Uint8Array([v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);
}

/** Netmask (u32) for a prefix length 0..32. */
export function prefixMask(len: number): number {
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

/** Parses "A.B.C.D/N" into network (masked) and length, or undefined. */
export function parseCidr4(text: string): { network: number; len: number; addr: number } | undefined {
  const [a, l, ...rest] = text.trim().split("/");
  if (rest.length || l === undefined || !/^\d{1,2}$/.test(l)) return undefined;
  const addr = parseIpv4(a);
  const len = Number(l);
  if (addr === undefined || len > 32) return undefined;
  return { network: (addr & prefixMask(len)) >>> 0, len, addr };
}

/** Lower-case colon-separated hex ("aa:bb:01"), Kea's form for hw-address and client-id. */
export function toColonHex(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += (i ? ":" : "") + (b[i] < 16 ? "0" : "") + b[i].toString(16);
  return s;
}

/** Plain lower-case hex without separators. */
export function toHex(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += (b[i] < 16 ? "0" : "") + b[i].toString(16);
  return s;
}

/**
 * Parses hex with optional `:`, `-`, `.` or space separators and an optional 0x prefix (Kea accepts
 * "aa:bb:cc", "aa-bb-cc", "aabbcc", "0xaabbcc"; single-digit groups such as "1:2:a" too). Undefined when invalid.
 */
export function parseHex(text: string): Uint8Array | undefined {
  let t = text.trim();
  if (/^0x/i.test(t)) t = t.slice(2);
  if (t === "") return new Uint8Array(0);
  if (/[:\-. ]/.test(t)) {
    const parts = t.split(/[:\-. ]/);
    if (parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) return undefined;
    return new Uint8Array(parts.map((p) => parseInt(p, 16)));
  }
  if (!/^[0-9a-fA-F]+$/.test(t)) return undefined;
  if (t.length % 2) t = "0" + t;
  const out = new Uint8Array(t.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(t.substr(i * 2, 2), 16);
  return out;
}

/** Byte-wise equality. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
