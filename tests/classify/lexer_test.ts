/** The expression lexer: token kinds and columns as Kea's lexer.ll scans them, and located lexical errors. */
import assert from "node:assert/strict";
import { ExprError, lex } from "../../mod/classify/expr/lexer.ts";

const kinds = (s: string) => lex(s).map((t) => `${t.kind}:${t.text}@${t.col}`);

Deno.test("lexer: option test tokens with their columns", () => {
  assert.deepEqual(kinds("option[12].hex == 'www'"), [
    "word:option@1",
    "punct:[@7",
    "int:12@8",
    "punct:]@10",
    "punct:.@11",
    "word:hex@12",
    "punct:==@16",
    "string:www@19",
    "eof:@24",
  ]);
});

Deno.test("lexer: literals — hex, negative integer, IPv4 address, quoted string with spaces", () => {
  assert.deepEqual(kinds("0x0100070e 10.0.0.1 -3 'a b'"), [
    "hex:0x0100070e@1",
    "ip:10.0.0.1@12",
    "int:-3@21",
    "string:a b@24",
    "eof:@29",
  ]);
});

Deno.test("lexer: names with dashes and punctuation + ( ) ,", () => {
  assert.deepEqual(kinds("concat(pkt4.mac,'x')+option[host-name].text").slice(0, 8), [
    "word:concat@1",
    "punct:(@7",
    "word:pkt4@8",
    "punct:.@12",
    "word:mac@13",
    "punct:,@16",
    "string:x@17",
    "punct:)@20",
  ]);
  assert.ok(kinds("option[host-name].text").includes("word:host-name@8"));
});

Deno.test("lexer: errors carry the column — bad character, unterminated string, bare 0x", () => {
  const at = (s: string) => {
    try {
      lex(s);
    } catch (e) {
      assert.ok(e instanceof ExprError);
      return [e.col, e.message];
    }
    assert.fail(`lexed ${s}`);
  };
  assert.deepEqual(at(`member("b")`), [8, `unexpected character '"'`]);
  assert.equal(at("option[1].hex == 'abc")[0], 18);
  assert.match(String(at("option[1].hex == 'a\nb'")[1]), /unterminated/);
  assert.equal(at("pkt4.mac == 0x")[0], 13);
});
