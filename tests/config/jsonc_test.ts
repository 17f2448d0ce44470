/**
 * mod/config/jsonc.ts against jsonc-parser (the parser it replaced on the start-up path, issue 16 item 5): the same
 * value for every text that parses, the same first error (code name and offset) for every one that does not, and
 * the same node offsets (the locator of file:line:col messages reads them).
 */
import assert from "node:assert/strict";
import { getNodeValue, type Node, type ParseError, parseTree, printParseErrorCode } from "jsonc-parser";
import { type JsonNode, nodeValue, parseJsonc } from "../../mod/config/jsonc.ts";

const TEXTS = [
  `{}`,
  `[]`,
  `{ "a": 1, "b": [true, false, null, -0.5e+3, 12E-2, "x\\"y\\\\\\u00e9\\n"], "c": { "d": {} } }`,
  `// comment\n{ /* block */ "a": "b" // tail\n}`,
  `{ "a": 1, }`,
  `[1, 2, ]`,
  `{ "a": 1 "b": 2 }`,
  `{\n  "a": 1\n  "b": 2\n}`,
  `{ "a": "x }`,
  `{ "a": 1`,
  `[1, 2`,
  `{ "a" 1 }`,
  `{ a: 1 }`,
  `{ "a": }`,
  `{ , "a": 1 }`,
  `[ , 1 ]`,
  `{ "a": 1 } x`,
  `{ "a": 1 } }`,
  ``,
  `   `,
  `{ "a": tru }`,
  `{ "a": - }`,
  `{ "a": 1. }`,
  `{ "a": 1e }`,
  `{ "a": 01 }`,
  `{ "a": "\\q" }`,
  `{ "a": "\\u12" }`,
  `{ "a": "tab\there" }`,
  `{ "a": "line\nbreak" }`,
  `{ "a": 1 /* open`,
  `{ "a": / }`,
  `"just a string"`,
  `42`,
  `{ "a": 1, "a": 2 }`,
  `{ "__proto__": { "x": 1 } }`,
];

const code = (e: ParseError) => ({ code: printParseErrorCode(e.error), offset: e.offset });

function shape(n: Node | JsonNode | undefined): unknown {
  if (!n) return undefined;
  return [n.type, n.offset, n.length, n.children?.map(shape)];
}

for (const trailing of [true, false]) {
  Deno.test(`jsonc: as jsonc-parser, allowTrailingComma ${trailing}`, () => {
    for (const text of TEXTS) {
      const errors: ParseError[] = [];
      const theirs = parseTree(text, errors, { allowTrailingComma: trailing, disallowComments: false });
      const mine = parseJsonc(text, { allowTrailingComma: trailing });
      if (errors.length) {
        assert.ok(mine.error, `${JSON.stringify(text)} should be refused (${printParseErrorCode(errors[0].error)})`);
        assert.deepEqual({ code: mine.error.code, offset: mine.error.offset }, code(errors[0]), JSON.stringify(text));
      } else {
        assert.equal(mine.error, undefined, JSON.stringify(text));
        assert.deepEqual(shape(mine.tree), shape(theirs), JSON.stringify(text));
        assert.equal(
          JSON.stringify(nodeValue(mine.tree!)),
          JSON.stringify(getNodeValue(theirs!)),
          JSON.stringify(text),
        );
      }
    }
  });
}

Deno.test("jsonc: a __proto__ key is an own key, as JSON.parse makes it", () => {
  const v = nodeValue(parseJsonc(`{ "__proto__": { "x": 1 } }`).tree!) as Record<string, unknown>;
  assert.deepEqual(Object.keys(v), ["__proto__"]);
  assert.equal(Object.getPrototypeOf(v), Object.prototype);
});
