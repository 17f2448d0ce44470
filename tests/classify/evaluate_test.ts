/**
 * The evaluator over a real relayed DISCOVER (fixture.ts): each row is a test and the value Kea gives it for that
 * packet (token semantics of Kea's token.cc: missing options read as "", packet integers as 4-byte big-endian,
 * substring with negative start/length, split fields from 1, hexstring in lower case).
 */
import assert from "node:assert/strict";
import { parseTest } from "../../mod/classify/expr/parser.ts";
import { evalBool, EvalError, type EvalInput, substring } from "../../mod/classify/evaluate.ts";
import { discover } from "./fixture.ts";

const input = (classes: string[] = ["ALL"]): EvalInput => ({
  query: discover(),
  iface: "eth1",
  src: 0x0a000001,
  dst: 0x0a000002,
  len: 300,
  classes: new Set(classes),
});
const run = (s: string, inp = input()) => evalBool(parseTest(s).expr, inp);

const ROWS: [string, boolean][] = [
  ["option[12].hex == 'www.example.com'", true],
  ["option[12].text == 'www.example.com'", true],
  ["option[12].hex == 'www.example.org'", false],
  ["option[12].exists and not option[13].exists", true],
  ["option[13].hex == ''", true],
  ["substring(option[12].hex,0,3) == 'www'", true],
  ["substring(option[12].hex,-3,all) == 'com'", true],
  ["concat('domain=', substring(option[12].hex,-3,all)) == 'domain=com'", true],
  ["'www' + '.' + 'example.com' == option[12].hex", true],
  ["concat(substring(pkt4.htype,-1,all), pkt4.mac) == 0x0100070e364819", true],
  ["pkt4.mac == 0x00070e364819", true],
  ["pkt4.hlen == 6 and pkt4.htype == 0x00000001", true],
  ["pkt4.msgtype == 1", true],
  ["pkt4.transid == 0x3903f326", true],
  ["pkt4.giaddr == 10.0.0.1 and pkt4.ciaddr == 0.0.0.0 and pkt4.yiaddr == 0.0.0.0 and pkt4.siaddr == 0.0.0.0", true],
  ["pkt.iface == 'eth1' and pkt.src == 10.0.0.1 and pkt.dst == 10.0.0.2 and pkt.len == 300", true],
  ["relay4[1].hex == 'eth0' and relay4[2].hex == 0xabcd", true],
  ["relay4[2].exists and not relay4[5].exists", true],
  ["relay4[5].hex == ''", true],
  ["ifelse(option[60].exists, option[60].text, 'none') == 'MSFT 5.0'", true],
  ["ifelse(option[77].exists, 'yes', 'no') == 'no'", true],
  ["hexstring(pkt4.mac, ':') == '00:07:0e:36:48:19'", true],
  ["hexstring(0xABCD, '') == 'abcd'", true],
  ["split(option[12].hex, '.', 2) == 'example'", true],
  ["split(option[12].hex, '.', 4) == ''", true],
  ["lcase('MiXeD') == 'mixed' and ucase(option[12].hex) == 'WWW.EXAMPLE.COM'", true],
  ["uint8totext(substring(pkt4.hlen,-1,all)) == '6'", true],
  ["uint16totext(0x0102) == '258' and int16totext(0xffff) == '-1' and int8totext(0x80) == '-128'", true],
  ["uint32totext(pkt4.transid) == '956560166' and int32totext(0xffffffff) == '-1'", true],
  ["addrtotext(pkt4.giaddr) == '10.0.0.1'", true],
  ["member('ALL') and not member('KNOWN') and unknown and not known", true],
  ["option[12].hex == 'x' or option[60].hex == 'MSFT 5.0'", true],
  ["option[12].hex == 'x' and option[60].hex == 'MSFT 5.0'", false],
];

for (const [test, want] of ROWS) {
  Deno.test(`evaluate: ${test} → ${want}`, () => assert.equal(run(test), want));
}

Deno.test("evaluate: member() sees the classes assigned so far; known once KNOWN is set", () => {
  assert.equal(run("member('gold')", input(["ALL"])), false);
  assert.equal(run("member('gold') and known", input(["ALL", "gold", "KNOWN"])), true);
});

Deno.test("evaluate: a conversion that does not fit the data is an EvalError (Kea's EvalTypeError)", () => {
  assert.throws(() => run("uint8totext(pkt4.mac) == '1'"), EvalError);
  assert.throws(() => run("addrtotext(pkt4.mac) == '1'"), EvalError);
});

Deno.test("evaluate: substring follows Kea's TokenSubstring edge cases", () => {
  assert.equal(substring("foobar", 0, 3), "foo");
  assert.equal(substring("foobar", 3, "all"), "bar");
  assert.equal(substring("foobar", -2, "all"), "ar");
  assert.equal(substring("foobar", 4, -2), "ob");
  assert.equal(substring("foobar", 1, -4), "f");
  assert.equal(substring("foobar", 6, 1), "");
  assert.equal(substring("foobar", -7, 1), "");
  assert.equal(substring("", 0, "all"), "");
});
