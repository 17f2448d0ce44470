/**
 * printable(): client text in a log line is one line, readable and bounded — controls, invisible and bidi
 * characters and the backslash are escaped, letters of any script are kept, long text is cut with its size.
 */
import assert from "node:assert/strict";
import { printable, PRINTABLE_MAX, printableBytes, printableList } from "../../mod/wire/printable.ts";

Deno.test("printable: control characters, DEL and C1 become \\xNN; the backslash doubles", () => {
  assert.equal(printable("a\r\nb\tc\x00d\x7fe\x9bf"), String.raw`a\x0d\x0ab\x09c\x00d\x7fe\x9bf`);
  assert.equal(printable(String.raw`C:\new`), String.raw`C:\\new`);
  assert.equal(printable("\x1b[2J\x07"), String.raw`\x1b[2J\x07`);
});

Deno.test("printable: invisible, bidi and separator code points become \\u{N}; letters of any script stay", () => {
  assert.equal(printable("evil\u202egnp.exe"), String.raw`evil\u{202e}gnp.exe`);
  assert.equal(printable("a\u200bb\u2028c\ufeffd"), String.raw`a\u{200b}b\u{2028}c\u{feff}d`);
  assert.equal(printable("\ud800x"), String.raw`\u{d800}x`, "a lone surrogate half");
  assert.equal(printable("café-日本-ж-😀 ok"), "café-日本-ж-😀 ok");
});

Deno.test("printable: text over the cap is cut, says how much was left out, never splits a surrogate pair", () => {
  assert.equal(printable("x".repeat(300)), "x".repeat(PRINTABLE_MAX) + "...(+172 chars)");
  assert.equal(printable("abcdef", 4), "abcd...(+2 chars)");
  assert.equal(printable("abc😀def", 4), "abc...(+5 chars)");
  const worst = printable("\x00".repeat(100_000));
  assert.ok(worst.length <= PRINTABLE_MAX * 4 + 32, `bounded: ${worst.length}`);
});

Deno.test("printableBytes: payload bytes read as UTF-8, invalid bytes shown as U+FFFD, long payloads cut", () => {
  assert.equal(printableBytes(new Uint8Array([0x68, 0x69, 0x0a, 0xff])), String.raw`hi\x0a` + "\ufffd");
  assert.equal(printableBytes(new Uint8Array(600).fill(0x41), 8), "AAAAAAAA...(600 bytes)");
  assert.equal(printableBytes(new Uint8Array(0)), "");
});

Deno.test("printableList: a long list from a packet shows its first items and its size", () => {
  assert.equal(printableList(["a", "b"]), "a, b");
  assert.equal(printableList(Array.from({ length: 300 }, (_, i) => `x${i}`), 3), "x0, x1, x2, ... (300 in all)");
});
