/**
 * The cached-pad HMAC of tsig.ts against node:crypto's createHmac (RFC 2104) for every algorithm, with short keys,
 * block-sized keys and keys longer than the block (which RFC 2104 §2 hashes first), for requests and responses.
 */
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { signMessage, verifyMessage } from "../../../mod/ddns/dns/tsig.ts";
import { findTsigAlgorithm, type TsigKey } from "../../../mod/config/tsig_algorithms.ts";

// an UPDATE header (ID 0x1234, opcode 5, counts 1/0/0/0) + zone "lab.test." SOA IN
const MSG = Uint8Array.from([
  0x12,
  0x34,
  0x28,
  0x00,
  0,
  1,
  0,
  0,
  0,
  0,
  0,
  0,
  3,
  0x6c,
  0x61,
  0x62,
  4,
  0x74,
  0x65,
  0x73,
  0x74,
  0,
  0,
  6,
  0,
  1,
]);

for (const alg of ["HMAC-MD5", "HMAC-SHA1", "HMAC-SHA224", "HMAC-SHA256", "HMAC-SHA384", "HMAC-SHA512"]) {
  for (const len of [16, 64, 128, 200]) {
    Deno.test(`tsig HMAC ${alg} with a ${len}-octet key equals createHmac`, () => {
      const a = findTsigAlgorithm(alg)!;
      const key: TsigKey = {
        name: "k1.",
        algorithm: a,
        secret: Uint8Array.from({ length: len }, (_, i) => i * 13),
        digestBits: 0,
      };
      const { bytes, mac } = signMessage(MSG, key, { now: 1_700_000_000 });
      // RFC 8945 §4.3.3: message, then key name, class ANY, TTL 0, algorithm, time, fudge, error, other len
      const vars = Uint8Array.from([
        2,
        0x6b,
        0x31,
        0,
        0,
        0xff,
        0,
        0,
        0,
        0,
        ...bytes.subarray(MSG.length + 14, MSG.length + 14 + a.dnsName.length + 1),
        0,
        0,
        0x65,
        0x53,
        0xf1,
        0x00,
        0x01,
        0x2c,
        0,
        0,
        0,
        0,
      ]);
      const want = createHmac(a.hash, key.secret).update(MSG).update(vars).digest();
      assert.deepEqual([...mac], [...want]);
      // the response to it, signed over the request MAC, verifies; a flipped byte does not
      const resp = MSG.slice();
      resp[2] |= 0x80;
      const r = signMessage(resp, key, { now: 1_700_000_001, requestMac: mac });
      assert.equal(verifyMessage(r.bytes, key, { now: 1_700_000_001, requestMac: mac }).ok, true);
      const bad = r.bytes.slice();
      bad[13] ^= 1;
      assert.equal(verifyMessage(bad, key, { now: 1_700_000_001, requestMac: mac }).ok, false);
    });
  }
}
