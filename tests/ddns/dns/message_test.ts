import assert from "node:assert/strict";
import { decodeMessage, encodeMessage } from "../../../mod/ddns/dns/message.ts";
import { Opcode, RRClass, RRType } from "../../../mod/ddns/dns/constants.ts";
import {
  addRecord,
  addressRdata,
  deleteName,
  deleteRecord,
  deleteRRset,
  nameNotInUse,
  ptrRdata,
  recordText,
  rrsetExistsValue,
  rrsetNotExists,
  updateMessage,
} from "../../../mod/ddns/dns/update.ts";
import { DecodeError } from "../../../mod/wire/errors.ts";
import { b64, loadHex } from "../fixture.ts";

const DHCID1 = b64("AAEBOSD+XR3Os/0LozeXVqcNc7FwCfQdWL3b/NaiUDlW2No=");
const FORWARD = ["add_md5", "add_sha1", "add_sha224", "add_sha256", "add_sha384", "add_sha512", "add_sha256-128"];

Deno.test("nsupdate forward add: zone, NONE ANY prerequisite with empty rdata, A and DHCID updates, TSIG last", () => {
  const m = decodeMessage(loadHex("nsupdate_add_md5.request.txt"));
  assert.equal(m.opcode, Opcode.UPDATE);
  assert.equal(m.qr, false);
  assert.deepEqual(m.question, [{ name: "lab.test.", type: RRType.SOA, class: RRClass.IN }]);
  assert.deepEqual(m.answer.map(recordText), ["h-md5.lab.test. 0 NONE ANY"]);
  assert.deepEqual(m.authority.map(recordText), [
    "h-md5.lab.test. 1200 IN A 198.18.1.7",
    "h-md5.lab.test. 1200 IN DHCID AAEBOSD+XR3Os/0LozeXVqcNc7FwCfQdWL3b/NaiUDlW2No=",
  ]);
  assert.equal(m.additional.length, 1);
  assert.equal(m.additional[0].type, RRType.TSIG);
  assert.equal(m.tsigOffset, 107); // 12 header + 14 zone + 18 prereq + 16 A + 47 DHCID
});

Deno.test("encode(decode(x)) is byte-identical for every compressible nsupdate capture and BIND response", () => {
  const names = [...FORWARD, "conflict_md5", "remove_md5", "remove2_md5"];
  for (const n of names) {
    for (const dir of ["request", "response"]) {
      const bytes = loadHex(`nsupdate_${n}.${dir}.txt`);
      assert.deepEqual(encodeMessage(decodeMessage(bytes)), bytes, `${n}.${dir}`);
    }
  }
});

Deno.test("reverse capture: PTR target decompressed into rdata; re-encoding decodes to the same message", () => {
  const bytes = loadHex("nsupdate_reverse_md5.request.txt");
  const m = decodeMessage(bytes);
  assert.deepEqual(m.authority.map(recordText), [
    "7.1.18.198.in-addr.arpa. 0 ANY PTR",
    "7.1.18.198.in-addr.arpa. 0 ANY DHCID",
    "7.1.18.198.in-addr.arpa. 1200 IN PTR h-md5.lab.test.",
    "7.1.18.198.in-addr.arpa. 1200 IN DHCID AAEBOSD+XR3Os/0LozeXVqcNc7FwCfQdWL3b/NaiUDlW2No=",
  ]);
  // BIND does not compress this owner against the zone name; we do, so only the meaning must survive.
  const again = encodeMessage(m);
  assert.ok(again.length < bytes.length);
  const { tsigOffset: _a, ...x } = decodeMessage(again);
  const { tsigOffset: _b, ...y } = m;
  assert.deepEqual(x, y);
  const { tsigOffset: _c, ...z } = decodeMessage(encodeMessage(m, false));
  assert.deepEqual(z, y);
});

Deno.test("remove captures: value-dependent DHCID prerequisite (IN, TTL 0), NONE-class delete, ANY ANY delete", () => {
  const m1 = decodeMessage(loadHex("nsupdate_remove_md5.request.txt"));
  assert.deepEqual(m1.answer, [rrsetExistsValue("h-md5.lab.test.", RRType.DHCID, DHCID1)]);
  assert.deepEqual(m1.authority, [deleteRecord("h-md5.lab.test.", RRType.A, addressRdata("198.18.1.7").rdata)]);
  const m2 = decodeMessage(loadHex("nsupdate_remove2_md5.request.txt"));
  assert.deepEqual(m2.answer, [
    rrsetNotExists("h-md5.lab.test.", RRType.A),
    rrsetNotExists("h-md5.lab.test.", RRType.AAAA),
  ]);
  assert.deepEqual(m2.authority, [deleteName("h-md5.lab.test.")]);
});

Deno.test("our builders produce the bytes nsupdate sent (minus TSIG)", () => {
  const cap = loadHex("nsupdate_add_md5.request.txt");
  const id = (cap[0] << 8) | cap[1];
  const a = addressRdata("198.18.1.7");
  const ours = encodeMessage(updateMessage(id, "lab.test.", [nameNotInUse("h-md5.lab.test.")], [
    addRecord("h-md5.lab.test.", a.type, 1200, a.rdata),
    addRecord("h-md5.lab.test.", RRType.DHCID, 1200, DHCID1),
  ]));
  const stripped = cap.slice(0, 107);
  stripped[11] = 0; // ADCOUNT without the TSIG record
  assert.deepEqual(ours, stripped);
});

Deno.test("BIND's YXDOMAIN answer decodes with QR=1 and RCODE 6", () => {
  const m = decodeMessage(loadHex("nsupdate_conflict_md5.response.txt"));
  assert.equal(m.qr, true);
  assert.equal(m.rcode, 6);
});

Deno.test("AAAA rdata, PTR rdata, delete-RRset form", () => {
  assert.deepEqual(addressRdata("2001:db8:1::7"), {
    type: RRType.AAAA,
    rdata: new Uint8Array([0x20, 1, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7]),
  });
  assert.deepEqual(ptrRdata("h.lab.test"), new Uint8Array([1, 104, 3, 108, 97, 98, 4, 116, 101, 115, 116, 0]));
  assert.equal(recordText(deleteRRset("x.lab.test.", RRType.PTR)), "x.lab.test. 0 ANY PTR");
  assert.throws(() => addressRdata("not-an-ip"), /neither an IPv4 nor an IPv6/);
});

Deno.test("malformed messages throw DecodeError with an offset", () => {
  const good = loadHex("nsupdate_add_md5.request.txt");
  assert.throws(() => decodeMessage(good.slice(0, 11)), DecodeError);
  assert.throws(() => decodeMessage(good.slice(0, 60)), DecodeError);
  const extra = new Uint8Array([...good, 0]);
  assert.throws(() => decodeMessage(extra), /trailing/);
  const loop = new Uint8Array([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]);
  assert.throws(() => decodeMessage(loop), /pointer/);
  assert.throws(() => encodeMessage(updateMessage(1, "a".repeat(64) + ".test.", [], [])), /longer than 63/);
});
