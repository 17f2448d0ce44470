/**
 * nameProblem()/nameLabels(): RFC 1035 §2.3.4 limits on names built from client text — labels of 1..63 octets
 * (UTF-8 counted in octets), at most 255 octets in wire form, no empty label — answered without throwing, and
 * the thrown form escaping the client's text.
 */
import assert from "node:assert/strict";
import { nameLabels, nameProblem, nameToWire, readName } from "../../../mod/ddns/dns/name.ts";
import { decodeMessage, encodeMessage } from "../../../mod/ddns/dns/message.ts";
import { addRecord, ptrRdata, updateMessage } from "../../../mod/ddns/dns/update.ts";
import { Reader } from "../../../mod/wire/bytes.ts";

Deno.test("nameProblem: good names, the root and the limits exactly", () => {
  for (const ok of ["", ".", "host", "host.example.org", "host.example.org.", "a".repeat(63) + ".b"]) {
    assert.equal(nameProblem(ok), undefined, ok);
  }
  // 255 octets in wire form: four labels of 62 (4 × 63) + "a" (2) + root (1)
  const max = [..."wxyz"].map((c) => c.repeat(62)).join(".") + ".a";
  assert.equal(nameToWire(max).length, 255);
  assert.equal(nameProblem(max), undefined);
});

Deno.test("nameProblem: long labels (in UTF-8 octets), empty labels and long names are named", () => {
  assert.equal(nameProblem("a".repeat(64)), `label "${"a".repeat(24)}...(+40 chars)" is longer than 63 octets (64)`);
  assert.match(nameProblem("é".repeat(32))!, /longer than 63 octets \(64\)/, "32 characters, 64 octets");
  assert.equal(nameProblem("a..b"), "empty label");
  assert.equal(nameProblem(".a"), "empty label");
  assert.match(nameProblem([..."wxyz"].map((c) => c.repeat(62)).join(".") + ".ab")!, /256 in wire form/);
  assert.match(nameProblem("a.".repeat(5000))!, /longer than 255 octets/);
});

Deno.test("nameLabels: throws with the name escaped and cut short", () => {
  assert.deepEqual(nameLabels("Host.Example."), ["Host", "Example"]);
  assert.deepEqual(nameLabels("."), []);
  assert.throws(
    () => nameLabels("x\n".repeat(40)),
    (e) => e instanceof Error && !/\n/.test(e.message) && /invalid domain name "x\\x0ax\\x0a/.test(e.message),
  );
});

Deno.test("names: a label starting with U+FEFF survives wire → text → wire (found by the D2 fuzzer)", () => {
  // an NCR for "\ufeff.dd…dd.example." reached the PTR rdata compression, which reads the target back as text:
  // the default TextDecoder dropped the leading U+FEFF, the label came back empty and encodeMessage threw
  const name = "\ufeff.bom.example.";
  const wire = nameToWire(name);
  assert.deepEqual([...wire.subarray(0, 4)], [3, 0xef, 0xbb, 0xbf], "label 1: three octets, U+FEFF in UTF-8");
  assert.equal(readName(new Reader(wire)), name);
  const msg = updateMessage(1, "18.198.in-addr.arpa.", [], [
    addRecord("9.1.18.198.in-addr.arpa.", 12, 600, ptrRdata(name)),
  ]);
  const back = decodeMessage(encodeMessage(msg));
  assert.equal(readName(new Reader(back.authority[0].rdata)), name);
});
