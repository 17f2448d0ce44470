/**
 * Kea's JSON dialect: `#`, `//` and `/* *\/` comments, `<?include?>` with positions traced into the included
 * file, trailing commas (accepted with a warning, as Kea 2.2 does), duplicate keys (refused, as Kea does).
 */
import assert from "node:assert/strict";
import { ConfigError, formatProblem } from "../../mod/config/errors.ts";
import { parseKeaJson } from "../../mod/config/parse_text.ts";

const noIncludes = (p: string): string => {
  throw new Error(`unexpected include ${p}`);
};

function refusal(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return e.problems.map(formatProblem);
  }
  throw new Error("accepted");
}

Deno.test("parse: # comments are blanked, but a # inside a string is data", () => {
  const text = `# leading comment\n{ "a": "x#y", # trailing\n  "b": 1 // slash\n /* block # */ }\n`;
  const r = parseKeaJson(text, "c.json", noIncludes);
  assert.deepEqual(r.value, { a: "x#y", b: 1 });
  assert.deepEqual(r.warnings, []);
});

Deno.test("parse: a # inside a /* */ comment does not eat the closing */", () => {
  const r = parseKeaJson(`{ /* a # b */ "k": 2 }`, "c.json", noIncludes);
  assert.deepEqual(r.value, { k: 2 });
});

Deno.test("parse: '.5' is read as 0.5, as Kea's lexer reads it", () => {
  const r = parseKeaJson(`{ "t1-percent": .5, "t2-percent": 0.875, "x": [ .25 ] }`, "c.json", noIncludes);
  assert.deepEqual(r.value, { "t1-percent": 0.5, "t2-percent": 0.875, x: [0.25] });
});

Deno.test("parse: a syntax error is fatal and located as file:line:col", () => {
  const lines = refusal(() => parseKeaJson(`{\n  "a": 1\n  "b": 2\n}`, "dir/k.json", noIncludes));
  assert.equal(lines[0], "dir/k.json:3:3: syntax error: expected ',' (a comma is missing)");
});

Deno.test("parse: an unclosed string and a missing brace are reported", () => {
  assert.match(refusal(() => parseKeaJson(`{ "a": "x }`, "k.json", noIncludes))[0], /^k\.json:1:8: syntax error/);
  assert.match(
    refusal(() => parseKeaJson(`{ "a": 1`, "k.json", noIncludes))[0],
    /^k\.json:1:\d+: syntax error: expected '}'/,
  );
});

Deno.test("parse: trailing commas are accepted with Kea's warning, located at the comma", () => {
  const r = parseKeaJson(`{\n "a": [1, 2,],\n "b": 3,\n}`, "t.json", noIncludes);
  assert.deepEqual(r.value, { a: [1, 2], b: 3 });
  assert.deepEqual(r.warnings.map(formatProblem), [
    "t.json:3:8: extraneous comma; a piece of configuration may have been omitted",
    "t.json:2:12: extraneous comma; a piece of configuration may have been omitted",
  ]);
});

Deno.test("parse: a duplicate key is refused in every map, user-context included", () => {
  const lines = refusal(() => parseKeaJson(`{ "u": { "a": 1,\n "a": 2 } }`, "d.json", noIncludes));
  assert.deepEqual(lines, ["d.json:2:2: duplicate 'a' entries in one map (previous at d.json:1:10)"]);
});

Deno.test("parse: includes are expanded relative to the including file, nested, with positions in each file", () => {
  const files: Record<string, string> = {
    "/etc/weka/sub/subnets.json": `"subnet4": [ <?include "one.json"?> ]`,
    "/etc/weka/sub/one.json": `{ "id": 1,\n  "subnet": "192.0.2.0/24" }`,
  };
  const main = `{ "Dhcp4": {\n  <?include "sub/subnets.json"?>\n} }`;
  const r = parseKeaJson(main, "/etc/weka/main.json", (p) => {
    if (!(p in files)) throw new Error("No such file");
    return files[p];
  });
  assert.deepEqual(r.value, { Dhcp4: { subnet4: [{ id: 1, subnet: "192.0.2.0/24" }] } });
  assert.deepEqual(r.files, ["/etc/weka/main.json", "/etc/weka/sub/subnets.json", "/etc/weka/sub/one.json"]);
  assert.deepEqual(r.locate(["Dhcp4", "subnet4", 0, "subnet"]), { file: "/etc/weka/sub/one.json", line: 2, col: 13 });
  assert.deepEqual(r.locate(["Dhcp4", "subnet4"], true), { file: "/etc/weka/sub/subnets.json", line: 1, col: 1 });
  assert.deepEqual(r.locate(["Dhcp4"], true), { file: "/etc/weka/main.json", line: 1, col: 3 });
});

Deno.test("parse: a syntax error inside an included file points into that file", () => {
  const lines = refusal(() =>
    parseKeaJson(`{\n "Dhcp4": { <?include "x.json"?> } }`, "/c/main.json", () => `"a": 1\n"b": 2`)
  );
  assert.equal(lines[0], "/c/x.json:2:1: syntax error: expected ',' (a comma is missing)");
});

Deno.test("parse: a missing include file is named, at the directive", () => {
  const lines = refusal(() =>
    parseKeaJson(`{\n  <?include "/nope.json"?> }`, "m.json", () => {
      throw new Error("No such file or directory");
    })
  );
  assert.deepEqual(lines, ["m.json:2:3: cannot open include file '/nope.json': No such file or directory"]);
});

Deno.test("parse: includes nest at most 10 deep, as in Kea", () => {
  const lines = refusal(() => parseKeaJson(`<?include "f0"?>`, "m", (p) => `<?include "f${Number(p.slice(1)) + 1}"?>`));
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^f9:1:1: too many nested includes \(at most 10\)$/);
});

Deno.test("parse: the document must be an object", () => {
  assert.deepEqual(refusal(() => parseKeaJson(`[1]`, "a.json", noIncludes)), [
    "a.json:1:1: the configuration must be a JSON object",
  ]);
  assert.deepEqual(refusal(() => parseKeaJson(`  // nothing\n`, "e.json", noIncludes)).length, 1);
});
