/**
 * The TypeScript MD5/SHA-1/SHA-224/SHA-256 of mod/ddns/dns/digest.ts and the prepared HMAC of hmac.ts: the
 * published test vectors (RFC 1321 §A.5, FIPS 180-4's examples, RFC 2202 and RFC 4231 for HMAC), then every
 * length from 0 to 300 octets fed in random pieces against node:crypto, and a saved/restored midstate.
 */
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { Digest, type DigestName } from "../../../mod/ddns/dns/digest.ts";
import { prepareHmac } from "../../../mod/ddns/dns/hmac.ts";

const text = (s: string) => new TextEncoder().encode(s);
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const ABQ = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

function hmacHex(hash: string, key: Uint8Array, data: Uint8Array): string {
  const h = prepareHmac(hash, key);
  h.begin().update(data);
  const out = new Uint8Array(h.size);
  h.endInto(out);
  return hex(out);
}

Deno.test("digests: published test vectors", () => {
  const cases: [DigestName, string, string][] = [
    ["md5", "", "d41d8cd98f00b204e9800998ecf8427e"],
    ["md5", "abc", "900150983cd24fb0d6963f7d28e17f72"],
    ["md5", "message digest", "f96b697d7cb7938d525a2f31aaf161d0"],
    ["sha1", "abc", "a9993e364706816aba3e25717850c26c9cd0d89d"],
    ["sha1", ABQ, "84983e441c3bd26ebaae4aa1f95129e5e54670f1"],
    ["sha224", "abc", "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"],
    ["sha256", "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
    ["sha256", "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
    ["sha256", ABQ, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"],
  ];
  for (const [alg, input, want] of cases) assert.equal(hex(Digest.of(alg, text(input))), want, `${alg}("${input}")`);
});

Deno.test("HMAC: RFC 2202 and RFC 4231 test vectors (a 131-octet key is hashed first)", () => {
  const b16 = new Uint8Array(16).fill(0x0b), b20 = new Uint8Array(20).fill(0x0b);
  assert.equal(hmacHex("md5", b16, text("Hi There")), "9294727a3638bb1c13f48ef8158bfc9d");
  assert.equal(hmacHex("md5", text("Jefe"), text("what do ya want for nothing?")), "750c783e6ab0b503eaa86e310a5db738");
  assert.equal(hmacHex("sha1", b20, text("Hi There")), "b617318655057264e28bc0b6fb378c8ef146be00");
  assert.equal(
    hmacHex("sha1", text("Jefe"), text("what do ya want for nothing?")),
    "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
  );
  assert.equal(hmacHex("sha224", b20, text("Hi There")), "896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22");
  assert.equal(
    hmacHex("sha256", b20, text("Hi There")),
    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
  );
  assert.equal(
    hmacHex("sha256", new Uint8Array(131).fill(0xaa), text("Test Using Larger Than Block-Size Key - Hash Key First")),
    "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
  );
});

Deno.test("digests and HMACs equal node:crypto for 0..300 octets fed in random pieces", () => {
  let seed = 12345;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
  for (const alg of ["md5", "sha1", "sha224", "sha256", "sha384", "sha512"]) {
    const key = Uint8Array.from({ length: 1 + rnd(150) }, () => rnd(256));
    const mac = prepareHmac(alg, key);
    const d = alg === "sha384" || alg === "sha512" ? undefined : new Digest(alg as DigestName);
    for (let n = 0; n <= 300; n++) {
      const data = Uint8Array.from({ length: n }, () => rnd(256));
      const cut1 = rnd(n + 1), cut2 = cut1 + rnd(n - cut1 + 1);
      const m = mac.begin().update(data, 0, cut1);
      for (let i = cut1; i < cut2; i++) m.byte(data[i]);
      m.update(data, cut2);
      const out = new Uint8Array(mac.size + 2);
      mac.endInto(out, 1);
      assert.equal(hex(out.subarray(1, 1 + mac.size)), createHmac(alg, key).update(data).digest("hex"), `${alg} ${n}`);
      if (d) {
        d.update(data, 0, cut1).update(data, cut1);
        const dig = new Uint8Array(d.size);
        d.digestInto(dig);
        assert.equal(hex(dig), createHash(alg).update(data).digest("hex"), `${alg} digest ${n}`);
      }
    }
  }
});

Deno.test("a saved state continues the same message; saving between blocks is refused", () => {
  const d = new Digest("sha256");
  const head = new Uint8Array(128).fill(7), tail = text("rest of the message");
  const saved = d.update(head).save();
  const out = new Uint8Array(32);
  d.restore(saved).update(tail).digestInto(out);
  assert.equal(hex(out), createHash("sha256").update(head).update(tail).digest("hex"));
  // restoring again after a digest gives the same answer
  d.restore(saved).update(tail).digestInto(out);
  assert.equal(hex(out), createHash("sha256").update(head).update(tail).digest("hex"));
  d.update(text("x"));
  assert.throws(() => d.save(), /block boundary/);
});
