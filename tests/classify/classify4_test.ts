/**
 * Classification in Kea's order: ALL, VENDOR_CLASS_<option 60>, then the classes in configuration order (a class
 * sees only those before it), KNOWN/UNKNOWN and the classes depending on them after the host lookup,
 * additional-only classes never in these passes; and the subnet/pool guard rule (`clientSupported`).
 */
import assert from "node:assert/strict";
import { classifyAfterHost, classifyQuery, clientAllowed, isBuiltinClass } from "../../mod/classify/classify4.ts";
import { parseTest } from "../../mod/classify/expr/parser.ts";
import type { ClientClass4 } from "../../mod/config/model.ts";
import { discover } from "./fixture.ts";

function cls(name: string, test?: string, over: Partial<ClientClass4> = {}): ClientClass4 {
  const c: ClientClass4 = { name, afterHost: false, additional: false, options: new Map(), ...over };
  if (test !== undefined) {
    const p = parseTest(test);
    c.test = p.expr;
    c.afterHost ||= p.members.includes("KNOWN");
  }
  return c;
}

const CLASSES = [
  cls("later-ref", "member('web')"), // evaluated before 'web': false
  cls("web", "substring(option[12].hex,0,3) == 'www'"),
  cls("web-too", "member('web')"),
  cls("no-test"),
  cls("broken", "uint8totext(pkt4.mac) == '1'"), // evaluation error: left out
  cls("ms", "option[60].hex == 'MSFT 5.0'"),
  cls("extra", "member('ALL')", { additional: true }),
  cls("known-web", "known and member('web')"),
  cls("unknown-ms", "unknown and member('ms')"),
];

Deno.test("classify: ALL, vendor class, then classes in order; no-test, failing and additional classes left out", () => {
  const set = classifyQuery(discover(), CLASSES, { iface: "eth0" });
  assert.deepEqual([...set], ["ALL", "VENDOR_CLASS_MSFT 5.0", "web", "web-too", "ms"]);
});

Deno.test("classify: after the host lookup — UNKNOWN and the classes depending on it", () => {
  const set = classifyAfterHost(classifyQuery(discover(), CLASSES), discover(), false, CLASSES);
  assert.ok(set.has("UNKNOWN") && !set.has("KNOWN"));
  assert.ok(set.has("unknown-ms") && !set.has("known-web"));
});

Deno.test("classify: after the host lookup — KNOWN when a reservation matched", () => {
  const set = classifyAfterHost(classifyQuery(discover(), CLASSES), discover(), true, CLASSES);
  assert.ok(set.has("KNOWN") && !set.has("UNKNOWN"));
  assert.ok(set.has("known-web") && !set.has("unknown-ms"));
});

Deno.test("guards: no guard admits all; otherwise any of the listed classes", () => {
  const set = new Set(["ALL", "web"]);
  assert.equal(clientAllowed(undefined, set), true);
  assert.equal(clientAllowed([], set), true);
  assert.equal(clientAllowed(["web"], set), true);
  assert.equal(clientAllowed(["gold", "web"], set), true);
  assert.equal(clientAllowed(["gold"], set), false);
  assert.equal(clientAllowed(["ALL"], undefined), true);
  assert.equal(clientAllowed(["gold"], undefined), false);
});

Deno.test("built-in class names and prefixes", () => {
  for (const n of ["ALL", "KNOWN", "UNKNOWN", "DROP", "BOOTP", "HA_server1", "VENDOR_CLASS_x", "SPAWN_a_b"]) {
    assert.ok(isBuiltinClass(n), n);
  }
  for (const n of ["all", "gold", "HA", "known"]) assert.ok(!isBuiltinClass(n), n);
});
