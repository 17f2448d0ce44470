import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { decodeMessage } from "../../../mod/ddns/dns/message.ts";
import { Rcode } from "../../../mod/ddns/dns/constants.ts";
import { parseTsigRdata, signMessage, verifyMessage } from "../../../mod/ddns/dns/tsig.ts";
import { findTsigAlgorithm, type TsigKey } from "../../../mod/config/tsig_algorithms.ts";
import { toHex } from "../../../mod/wire/addr.ts";
import { BIND_KEYS } from "../bind_harness.ts";
import { b64, loadHex } from "../fixture.ts";

function key(name: string): TsigKey {
  const [alg, secret] = BIND_KEYS[name];
  const m = /^(hmac-[a-z0-9]+?)(?:-(\d+))?$/.exec(alg)!;
  return { name, algorithm: findTsigAlgorithm(m[1])!, secret: b64(secret), digestBits: Number(m[2] ?? 0) };
}

const CAPTURES = ["md5", "sha1", "sha224", "sha256", "sha384", "sha512", "sha256-128"];

function unsignedPart(bytes: Uint8Array): { msg: Uint8Array; time: number; mac: Uint8Array } {
  const m = decodeMessage(bytes);
  const rr = m.additional[m.additional.length - 1];
  const t = parseTsigRdata(rr.name, rr.rdata);
  const msg = bytes.slice(0, m.tsigOffset);
  msg[11] -= 1;
  return { msg, time: t.timeSigned, mac: t.mac };
}

Deno.test("HMAC known answers (RFC 2202 / RFC 4231 test case 2) through the TSIG algorithm table", () => {
  const expect: Record<string, string> = {
    "HMAC-MD5": "750c783e6ab0b503eaa86e310a5db738",
    "HMAC-SHA1": "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
    "HMAC-SHA224": "a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44",
    "HMAC-SHA256": "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    "HMAC-SHA384": "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649",
    "HMAC-SHA512":
      "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
  };
  for (const [name, hex] of Object.entries(expect)) {
    const a = findTsigAlgorithm(name.toLowerCase())!;
    assert.equal(createHmac(a.hash, "Jefe").update("what do ya want for nothing?").digest("hex"), hex, name);
    assert.equal(a.size * 2, hex.length, name);
  }
  assert.equal(findTsigAlgorithm("hmac-md5.sig-alg.reg.int")?.name, "HMAC-MD5");
  assert.equal(findTsigAlgorithm("HMAC-GOST"), undefined);
});

Deno.test("signing nsupdate's message at its time reproduces its TSIG byte for byte (all algorithms, digest-bits 128)", () => {
  for (const c of CAPTURES) {
    const cap = loadHex(`nsupdate_add_${c}.request.txt`);
    const { msg, time, mac } = unsignedPart(cap);
    const signed = signMessage(msg, key(`ddns-${c}`), { now: time });
    assert.deepEqual(signed.bytes, cap, c);
    assert.deepEqual(signed.mac, mac, c);
  }
  assert.equal(unsignedPart(loadHex("nsupdate_add_sha256-128.request.txt")).mac.length, 16);
});

Deno.test("verifying nsupdate requests and BIND's signed responses (request MAC chained)", () => {
  for (const c of [...CAPTURES.map((a) => `add_${a}`), "conflict_md5", "reverse_md5", "remove_md5", "remove2_md5"]) {
    const k = key(`ddns-${c.startsWith("add_") ? c.slice(4) : "md5"}`);
    const req = loadHex(`nsupdate_${c}.request.txt`), resp = loadHex(`nsupdate_${c}.response.txt`);
    const now = unsignedPart(req).time;
    const v = verifyMessage(req, k, { now });
    assert.ok(v.ok, `${c} request: ${!v.ok && v.reason}`);
    const r = verifyMessage(resp, k, { now, requestMac: v.mac });
    assert.ok(r.ok, `${c} response: ${!r.ok && r.reason}`);
    // without the request MAC the response does not verify
    const bad = verifyMessage(resp, k, { now });
    assert.equal(bad.ok, false);
  }
});

Deno.test("verification failures: tampered byte, wrong secret, wrong key name, stale time, short MAC, unsigned", () => {
  const req = loadHex("nsupdate_add_md5.request.txt");
  const k = key("ddns-md5");
  const now = unsignedPart(req).time;
  const tampered = req.slice();
  tampered[59] ^= 1; // last octet of the A rdata
  const broken = req.slice(0, 70);
  const fail = (v: ReturnType<typeof verifyMessage>) => (v.ok ? -1 : v.rcode);
  assert.equal(fail(verifyMessage(tampered, k, { now })), Rcode.BADSIG);
  assert.equal(fail(verifyMessage(req, { ...k, secret: b64("AAAAAAAAAAAAAAAAAAAAAA==") }, { now })), Rcode.BADSIG);
  assert.equal(fail(verifyMessage(req, { ...k, name: "other-key" }, { now })), Rcode.BADKEY);
  assert.equal(fail(verifyMessage(req, key("ddns-sha256"), { now })), Rcode.BADKEY);
  assert.equal(fail(verifyMessage(req, k, { now: now + 301 })), Rcode.BADTIME);
  assert.ok(verifyMessage(req, k, { now: now - 300 }).ok);
  const { msg } = unsignedPart(req);
  assert.equal(fail(verifyMessage(msg, k, { now })), Rcode.FORMERR);
  assert.equal(fail(verifyMessage(broken, k, { now })), Rcode.FORMERR);
  // a SHA-256 MAC truncated to 8 octets is below RFC 8945's floor (max(10, 16))
  const short = signMessage(msg, { ...key("ddns-sha256"), digestBits: 64 }, { now });
  assert.equal(fail(verifyMessage(short.bytes, key("ddns-sha256"), { now })), Rcode.BADTRUNC);
  const ok128 = signMessage(msg, { ...key("ddns-sha256"), digestBits: 128 }, { now });
  assert.ok(verifyMessage(ok128.bytes, key("ddns-sha256"), { now }).ok);
  assert.equal(toHex(ok128.mac).length, 32);
});
