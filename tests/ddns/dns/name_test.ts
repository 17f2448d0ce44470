/**
 * nameProblem()/nameLabels(): RFC 1035 §2.3.4 limits on names built from client text — labels of 1..63 octets
 * (UTF-8 counted in octets), at most 255 octets in wire form, no empty label — answered without throwing, and
 * the thrown form escaping the client's text.
 */
import assert from "node:assert/strict";
import { nameLabels, nameProblem, nameToWire } from "../../../mod/ddns/dns/name.ts";

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
