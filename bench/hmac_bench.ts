/**
 * What one TSIG MAC costs, by implementation: `deno run -A bench/hmac_bench.ts [N]`. The input is the size of a
 * D2 UPDATE's MAC input (~250 octets); per hash it times node:crypto's createHmac per message, node:crypto's
 * one-shot hash() twice over cached pads (D2's former way), WebCrypto's subtle.sign (async; no MD5 there), and
 * the prepared HMAC of mod/ddns/dns/hmac.ts (saved pad states, TypeScript digests). Prints µs per MAC. Not a test.
 */
import { createHmac, hash as nodeHash } from "node:crypto";
import { prepareHmac } from "../mod/ddns/dns/hmac.ts";

const n = Number(Deno.args[0] ?? 20000);
const data = Uint8Array.from({ length: 250 }, (_, i) => (i * 31) & 0xff);
const key = Uint8Array.from({ length: 32 }, (_, i) => i * 7);

async function time(label: string, fn: () => unknown | Promise<unknown>): Promise<void> {
  for (let i = 0; i < 2000; i++) await fn(); // warm-up (JIT)
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  console.log(`${label.padEnd(44)} ${(((performance.now() - t0) * 1000) / n).toFixed(2)} µs/MAC`);
}

for (const alg of ["md5", "sha1", "sha256"]) {
  await time(`${alg} node:crypto createHmac per message`, () => createHmac(alg, key).update(data).digest());
  const ipad = new Uint8Array(64).fill(0x36), opad = new Uint8Array(64).fill(0x5c);
  key.forEach((k, i) => (ipad[i] ^= k, opad[i] ^= k));
  const buf = new Uint8Array(64 + data.length);
  await time(`${alg} node:crypto hash() ×2 over cached pads`, () => {
    buf.set(ipad);
    buf.set(data, 64);
    const inner = nodeHash(alg, buf, "buffer") as unknown as Uint8Array;
    const outer = new Uint8Array(64 + inner.length);
    outer.set(opad);
    outer.set(inner, 64);
    return nodeHash(alg, outer, "buffer");
  });
  if (alg !== "md5") {
    const name = alg === "sha1" ? "SHA-1" : "SHA-256";
    const k = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: name }, false, ["sign"]);
    await time(`${alg} WebCrypto subtle.sign (awaited)`, () => crypto.subtle.sign("HMAC", k, data));
  }
  const h = prepareHmac(alg, key);
  const out = new Uint8Array(h.size);
  await time(`${alg} prepared HMAC (mod/ddns/dns/hmac.ts)`, () => {
    h.begin().update(data);
    h.endInto(out);
  });
}
