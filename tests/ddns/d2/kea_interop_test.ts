/**
 * weka's D2 builds the same UPDATE messages as real kea-dhcp-ddns 2.2 for the same NCR (captured against BIND with
 * tests/ddns/capture_kea_d2.ts): byte for byte up to the TSIG record, and Kea's TSIG verifies with our code.
 */
import assert from "node:assert/strict";
import { decodeMessage, encodeMessage } from "../../../mod/ddns/dns/message.ts";
import { parseTsigRdata, verifyMessage } from "../../../mod/ddns/dns/tsig.ts";
import { findTsigAlgorithm } from "../../../mod/config/tsig_algorithms.ts";
import { updateMessage } from "../../../mod/ddns/dns/update.ts";
import { buildStep, type Step } from "../../../mod/ddns/d2/updates.ts";
import { reverseName } from "../../../mod/ddns/d2/domains.ts";
import type { NameChangeRequest } from "../../../mod/ddns/ncr/ncr.ts";
import { BIND_KEYS } from "../bind_harness.ts";
import { b64, CAROL_NCR, loadHex } from "../fixture.ts";

const base: NameChangeRequest = CAROL_NCR;
const key = (n: string) => ({
  name: n,
  algorithm: findTsigAlgorithm(BIND_KEYS[n][0])!,
  secret: b64(BIND_KEYS[n][1]),
  digestBits: 0,
});

const CASES: [string, Step, string, string][] = [
  ["fwd_add", "fwd-add", "lab.test.", "ddns-md5"],
  ["rev_add", "rev-add", "18.198.in-addr.arpa.", "ddns-sha256"],
  ["fwd_remove_addrs", "fwd-remove-addrs", "lab.test.", "ddns-md5"],
  ["fwd_remove_rrs", "fwd-remove-rrs", "lab.test.", "ddns-md5"],
  ["rev_remove", "rev-remove", "18.198.in-addr.arpa.", "ddns-sha256"],
];

Deno.test("each check-with-dhcid step matches kea-dhcp-ddns's UPDATE byte for byte (before TSIG)", () => {
  for (const [file, step, zone] of CASES) {
    const kea = loadHex(`kea_d2_${file}.request.txt`);
    const m = decodeMessage(kea);
    const ncr = { ...base, changeType: step.includes("remove") ? "remove" as const : "add" as const };
    const u = buildStep(step, ncr, reverseName(ncr.ipAddress));
    const ours = encodeMessage(updateMessage(m.id, zone, u.prereqs, u.updates));
    const keaUnsigned = kea.slice(0, m.tsigOffset);
    keaUnsigned[11] -= 1;
    assert.deepEqual(ours, keaUnsigned, file);
  }
});

Deno.test("Kea's TSIG (MD5 forward, SHA256 reverse) and BIND's signed answers verify with our code", () => {
  for (const [file, , , k] of CASES) {
    const req = loadHex(`kea_d2_${file}.request.txt`), resp = loadHex(`kea_d2_${file}.response.txt`);
    const m = decodeMessage(req);
    const t = parseTsigRdata(m.additional[0].name, m.additional[0].rdata);
    const v = verifyMessage(req, key(k), { now: t.timeSigned });
    assert.ok(v.ok, file);
    const r = verifyMessage(resp, key(k), { now: t.timeSigned, requestMac: v.mac });
    assert.ok(r.ok, file);
    assert.equal(decodeMessage(resp).rcode, 0);
  }
});
