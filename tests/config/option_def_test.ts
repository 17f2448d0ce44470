/**
 * Dhcp4 `option-def`: custom definitions checked with Kea's rules and used by `option-data` through the same
 * per-type codecs as the standard options; sub-options of custom spaces laid into the option that encapsulates
 * them; keama's translations that use option-def load. Every config accepted here is also run through
 * `kea-dhcp4 -t` (Kea 2.2) when it is installed, and every refused one must be refused by Kea as well.
 */
import assert from "node:assert/strict";
import { ConfigError } from "../../mod/config/errors.ts";
import { parseConfigText } from "../../mod/config/load.ts";
import { migrate } from "../../mod/migrate/migrate.ts";
import { isPresent } from "./kea_corpus.ts";

const KEA = (() => {
  try {
    return new Deno.Command("sh", { args: ["-c", "command -v kea-dhcp4"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();
const TMP = Deno.makeTempDirSync({ prefix: "weka-optdef-" });
globalThis.addEventListener("unload", () => Deno.removeSync(TMP, { recursive: true }));
let seq = 0;

/** Runs `kea-dhcp4 -t` over a config text; true when Kea accepts it (skipped, i.e. `expected`, without Kea). */
function keaAccepts(text: string, expected: boolean): boolean {
  if (!KEA) return expected;
  const path = `${TMP}/c${seq++}.json`;
  Deno.writeTextFileSync(path, text);
  try {
    return new Deno.Command("kea-dhcp4", { args: ["-t", path], stdout: "null", stderr: "null" }).outputSync().success;
  } finally {
    Deno.removeSync(path);
  }
}

const text = (dhcp4: unknown) => JSON.stringify({ Dhcp4: dhcp4 }, null, 2);

/** Loads a Dhcp4 map with the real options module; Kea must accept it too. */
function load(dhcp4: unknown) {
  const t = text(dhcp4);
  assert.ok(keaAccepts(t, true), `kea-dhcp4 -t refused a config weka accepts:\n${t}`);
  return parseConfigText(t, "od.json", () => "");
}

/** The problems of a refused Dhcp4 map, as "path: message"; Kea must refuse it too. */
function problems(dhcp4: unknown): string[] {
  const t = text(dhcp4);
  assert.ok(!keaAccepts(t, false), `kea-dhcp4 -t accepted a config weka refuses:\n${t}`);
  try {
    parseConfigText(t, "od.json", () => "");
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${p.path}: ${p.message}`);
    throw e;
  }
  assert.fail("the configuration was accepted");
}

const bytes = (s: string) => [...new TextEncoder().encode(s)];

Deno.test("option-def: custom options of every kind of type are encoded from option-data by name or code", () => {
  const c = load({
    "option-def": [
      { name: "my-u8", code: 224, type: "uint8" },
      { name: "my-u16s", code: 225, type: "uint16", array: true },
      { name: "my-ips", code: 226, type: "ipv4-address", array: true },
      { name: "my-text", code: 227, type: "string" },
      { name: "my-fqdn", code: 228, type: "fqdn" },
      { name: "my-flag", code: 229, type: "boolean" },
      { name: "my-rec", code: 230, type: "record", "record-types": "uint8, ipv4-address, string" },
      { name: "my-recs", code: 231, type: "record", "record-types": "uint16, ipv4-address", array: true },
      { name: "my-i32", code: 232, type: "int32" },
      { name: "my-tuple", code: 233, type: "tuple" },
      { name: "my-bin", code: 234, type: "binary" },
      { name: "my-empty", code: 235, type: "empty", space: "dhcp4" },
    ],
    "option-data": [
      { name: "my-u8", data: "7" },
      { code: 225, data: "1, 258" },
      { name: "my-ips", data: "192.0.2.1, 192.0.2.2" },
      { name: "my-text", code: 227, data: "hello" },
      { name: "my-fqdn", data: "a.example." },
      { name: "my-flag", data: "true" },
      { name: "my-rec", data: "5, 10.0.0.1, boot me" },
      { name: "my-recs", data: "1, 10.0.0.1, 10.0.0.2" },
      { name: "my-i32", data: "-2" },
      { name: "my-tuple", data: "abc" },
      { name: "my-bin", data: "0a0b", "csv-format": false },
      { name: "my-empty" },
    ],
  }).dhcp4!;
  const got = (code: number) => [...c.options.get(code)!.data];
  assert.deepEqual(got(224), [7]);
  assert.deepEqual(got(225), [0, 1, 1, 2]);
  assert.deepEqual(got(226), [192, 0, 2, 1, 192, 0, 2, 2]);
  assert.deepEqual(got(227), bytes("hello"));
  assert.deepEqual(got(228), [1, ...bytes("a"), 7, ...bytes("example"), 0]);
  assert.deepEqual(got(229), [1]);
  // record: uint8 5, IPv4 10.0.0.1, then the string to the end
  assert.deepEqual(got(230), [5, 10, 0, 0, 1, ...bytes("boot me")]);
  // array record: uint16 1, then the last field (IPv4) repeats
  assert.deepEqual(got(231), [0, 1, 10, 0, 0, 1, 10, 0, 0, 2]);
  assert.deepEqual(got(232), [0xff, 0xff, 0xff, 0xfe]);
  assert.deepEqual(got(233), [3, ...bytes("abc")]);
  assert.deepEqual(got(234), [0x0a, 0x0b]);
  assert.deepEqual(got(235), []);
  assert.equal(c.options.get(226)!.space, "dhcp4");
});

Deno.test("option-def: custom options reach subnets, pools and reservations, and bad data names the option", () => {
  const def = [{ name: "site-id", code: 240, type: "uint16" }];
  const c = load({
    "option-def": def,
    subnet4: [{
      id: 1,
      subnet: "192.0.2.0/24",
      pools: [{ pool: "192.0.2.10 - 192.0.2.20", "option-data": [{ name: "site-id", data: "3" }] }],
      "option-data": [{ name: "site-id", data: "2" }],
      reservations: [{ "hw-address": "aa:bb:cc:dd:ee:ff", "option-data": [{ code: 240, data: "4" }] }],
    }],
  }).dhcp4!;
  const s = c.subnets[0];
  assert.deepEqual([...s.options.get(240)!.data], [0, 2]);
  assert.deepEqual([...s.pools[0].options.get(240)!.data], [0, 3]);
  assert.deepEqual([...s.reservations.get("aa:bb:cc:dd:ee:ff")!.options.get(240)!.data], [0, 4]);
  assert.deepEqual(problems({ "option-def": def, "option-data": [{ name: "site-id", data: "70000" }] }), [
    "Dhcp4.option-data[0].data: option 'site-id' (240): '70000' is out of range for uint16 (0..65535)",
  ]);
});

Deno.test("option-def: a custom space is sent as sub-options of the option that encapsulates it, nested", () => {
  const c = load({
    "option-def": [
      { name: "acme", code: 250, type: "empty", encapsulate: "acme-space" },
      { name: "server", code: 1, type: "ipv4-address", space: "acme-space" },
      { name: "label", code: 2, type: "string", space: "acme-space" },
      { name: "deep", code: 3, type: "uint8", space: "acme-space", encapsulate: "deep-space" },
      { name: "leaf", code: 9, type: "uint16", space: "deep-space" },
    ],
    "option-data": [
      { name: "label", space: "acme-space", data: "hi" },
      { name: "acme" },
      { name: "server", space: "acme-space", data: "10.1.2.3" },
      { name: "deep", space: "acme-space", data: "6" },
      { name: "leaf", space: "deep-space", data: "513" },
    ],
  });
  // 250's payload: sub-options in code order as code, length, value; sub-option 3 carries sub-option 9
  assert.deepEqual([...c.dhcp4!.options.get(250)!.data], [
    1,
    4,
    10,
    1,
    2,
    3, // server 10.1.2.3
    2,
    2,
    ...bytes("hi"), // label "hi"
    3,
    5,
    6,
    /* deep's own uint8 */ 9,
    2,
    2,
    1, // leaf 513
  ]);
  assert.equal(c.dhcp4!.options.size, 1, "sub-options are not top-level options");
  assert.deepEqual(c.warnings, []);
});

Deno.test("option-def: vendor option 43 carries sub-options defined in vendor-encapsulated-options-space", () => {
  const c = load({
    "option-def": [{ name: "tftp", code: 2, type: "ipv4-address", space: "vendor-encapsulated-options-space" }],
    "option-data": [
      { name: "vendor-encapsulated-options" },
      { name: "tftp", space: "vendor-encapsulated-options-space", data: "192.0.2.9" },
    ],
  });
  assert.deepEqual([...c.dhcp4!.options.get(43)!.data], [2, 4, 192, 0, 2, 9]);
});

Deno.test("option-def: a sub-option no option of its scope encapsulates is accepted with a warning", () => {
  const c = load({
    "option-def": [{ name: "x", code: 1, type: "uint8", space: "lonely" }],
    "option-data": [{ name: "x", space: "lonely", data: "1" }],
  });
  assert.equal(c.dhcp4!.options.size, 0);
  assert.deepEqual(c.warnings.map((w) => `${w.path}: ${w.message}`), [
    "Dhcp4.option-data[0]: option 1 of space 'lonely' is never sent: no option-data of this scope encapsulates 'lonely'",
  ]);
});

Deno.test("option-def: 43 may be redefined; 121 too as in Kea 2.2, with a warning, and the custom definition wins", () => {
  const c = load({
    "option-def": [
      { name: "my-vendor", code: 43, type: "string" },
      { name: "old-routes", code: 121, type: "record", "record-types": "uint8, ipv4-address, ipv4-address" },
    ],
    "option-data": [{ code: 43, data: "x" }, { name: "old-routes", data: "8, 10.0.0.0, 192.0.2.1" }],
  });
  assert.deepEqual([...c.dhcp4!.options.get(43)!.data], bytes("x"));
  assert.deepEqual([...c.dhcp4!.options.get(121)!.data], [8, 10, 0, 0, 0, 192, 0, 2, 1]);
  assert.equal(c.warnings.length, 1);
  assert.equal(c.warnings[0].path, "Dhcp4.option-def[1].code");
  assert.match(c.warnings[0].message, /121 is the standard option 'classless-static-route' since Kea 2\.4/);
});

Deno.test("option-def: Kea's refusals, each at the offending key", () => {
  const d = (o: Record<string, unknown>) => ({ "option-def": [{ name: "foo", code: 250, type: "string", ...o }] });
  const cases: [unknown, string][] = [
    [d({ type: "strin" }), "Dhcp4.option-def[0].type: 'strin' is not an option data type (expected one of binary,"],
    [d({ type: "internal" }), "Dhcp4.option-def[0].type: 'internal' is not an option data type"],
    [d({ code: 3 }), "Dhcp4.option-def[0].code: option 3 'routers' is a standard option of space 'dhcp4'"],
    [d({ name: "routers" }), "Dhcp4.option-def[0].name: option 3 'routers' is a standard option of space 'dhcp4'"],
    [d({ code: 0 }), "Dhcp4.option-def[0].code: option code 0 is reserved for PAD in space 'dhcp4'"],
    [d({ code: 255 }), "Dhcp4.option-def[0].code: option code 255 is reserved for END in space 'dhcp4'"],
    [d({ code: 256 }), "Dhcp4.option-def[0].code: option code 256 is over 255"],
    [d({ name: "-foo" }), "Dhcp4.option-def[0].name: '-foo' is not a valid option name"],
    [d({ space: "ba r" }), "Dhcp4.option-def[0].space: 'ba r' is not a valid option space name"],
    [d({ "record-types": "uint8" }), "Dhcp4.option-def[0].record-types: 'record-types' is only for type 'record'"],
    [
      d({ type: "record", "record-types": "uint8" }),
      "Dhcp4.option-def[0].type: option 'dhcp4.foo' (250): a record needs at least 2 fields",
    ],
    [
      d({ type: "record", "record-types": "string, uint8" }),
      "Dhcp4.option-def[0].type: option 'dhcp4.foo' (250): a string field can only be the last",
    ],
    [
      d({ type: "record", "record-types": "uint8, empty" }),
      "Dhcp4.option-def[0].record-types: 'empty' cannot be a record field type",
    ],
    [
      d({ type: "record", "record-types": "uint8, string", array: true }),
      "Dhcp4.option-def[0].type: option 'dhcp4.foo' (250): an array record cannot repeat a string",
    ],
    [
      d({ array: true }),
      "Dhcp4.option-def[0].type: option 'dhcp4.foo' (250): an array of string values is not a valid option definition",
    ],
    [
      d({ type: "empty", encapsulate: "x", array: true }),
      "Dhcp4.option-def[0].type: option 'dhcp4.foo' (250): an array of empty values",
    ],
    [
      d({ type: "uint8", encapsulate: "x", array: true }),
      "Dhcp4.option-def[0].type: option 'dhcp4.foo' (250): an array option cannot encapsulate",
    ],
    [
      d({ encapsulate: "dhcp4" }),
      "Dhcp4.option-def[0].type: option 'dhcp4.foo' (250): an option cannot encapsulate the option space 'dhcp4'",
    ],
    [d({ bogus: 1 }), "Dhcp4.option-def[0].bogus: unknown or unsupported key 'bogus'"],
    [{ "option-def": [{ name: "foo", code: 250 }] }, "Dhcp4.option-def[0]: missing required key 'type'"],
    [
      { "option-def": [{ name: "foo", code: 250, type: "uint8" }, { name: "foo", code: 251, type: "uint8" }] },
      "Dhcp4.option-def[1].name: option 'foo' is already defined in space 'dhcp4' by option-def[0]",
    ],
    [
      { "option-def": [{ name: "foo", code: 250, type: "uint8" }, { name: "bar", code: 250, type: "uint8" }] },
      "Dhcp4.option-def[1].code: option code 250 is already defined in space 'dhcp4' by option-def[0]",
    ],
  ];
  for (const [cfg, want] of cases) {
    const got = problems(cfg);
    assert.equal(got.length, 1, `one problem for ${JSON.stringify(cfg)}: ${got.join(" | ")}`);
    assert.ok(got[0].startsWith(want), `got: ${got[0]}\nwant: ${want}…`);
  }
});

Deno.test("option-def: the same name and code in different spaces are distinct definitions", () => {
  const c = load({
    "option-def": [
      { name: "test", code: 1, type: "string", space: "foo" },
      { name: "test", code: 1, type: "uint8", space: "bar" },
      { name: "test", code: 254, type: "uint8" },
    ],
    "option-data": [{ name: "test", data: "9" }],
  });
  assert.deepEqual([...c.dhcp4!.options.get(254)!.data], [9]);
});

Deno.test("option-def: a problem carries the file:line:col of the offending value", () => {
  const src = `{
  "Dhcp4": {
    "option-def": [
      { "name": "foo", "code": 6, "type": "string" }
    ]
  }
}
`;
  try {
    parseConfigText(src, "pos.json", () => "");
    assert.fail("accepted");
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    const p = e.problems[0];
    assert.equal(p.file, "pos.json");
    assert.equal(p.line, 4);
    assert.equal(src.split("\n")[3][p.col - 1], "6", `col ${p.col} should point at the code`);
    assert.match(e.format(), /^pos\.json:4:\d+: Dhcp4\.option-def\[0\]\.code: option 6 'domain-name-servers'/);
  }
});

const KEAMA = new URL("../../../shared/conformance/keama/", import.meta.url).pathname;
const keamaPresent = isPresent(KEAMA, "dir");

Deno.test({
  name: "option-def: keama's option-def translations load (weka's migrate output and keama's own .out)",
  ignore: !keamaPresent,
  fn: () => {
    for (const name of ["optiondecl4", "optionencap4", "optionspace4", "escapestring4"]) {
      const r = migrate(Deno.readTextFileSync(`${KEAMA}${name}.in4`), { v6: false, file: name, resolve: "pass" });
      assert.ok(keaAccepts(r.text, true), `${name}: kea-dhcp4 -t refused weka's translation`);
      const ours = parseConfigText(r.text, `${name}.json`, () => "");
      const theirs = parseConfigText(Deno.readTextFileSync(`${KEAMA}${name}.out`), `${name}.out`, () => "");
      assert.ok(ours.dhcp4 && theirs.dhcp4, name);
      assert.equal(ours.dhcp4.options.size, theirs.dhcp4.options.size, name);
    }
    // escapestring4 defines dhcp4 option 250 as a string and sends "foo, bar" (the comma escaped in the data)
    const r = migrate(Deno.readTextFileSync(`${KEAMA}escapestring4.in4`), { v6: false, resolve: "pass" });
    const c = parseConfigText(r.text, "escapestring4.json", () => "").dhcp4!;
    assert.equal(new TextDecoder().decode(c.options.get(250)!.data), "foo, bar");
  },
});
