/**
 * The expression parser: Kea's precedence (or < and < not < == < +), typing (a test must be boolean; `==`
 * compares strings), `known`/`unknown` sugar, option names resolved through the configuration, and parse errors
 * located at the column Kea's parser reports.
 */
import assert from "node:assert/strict";
import { parseTest } from "../../mod/classify/expr/parser.ts";
import { ExprError } from "../../mod/classify/expr/lexer.ts";

const codes: Record<string, number> = { "host-name": 12, "domain-name": 15, mysystem: 250 };
const parse = (s: string) => parseTest(s, { optionCode: (n) => codes[n] });

Deno.test("parser: 'and' binds tighter than 'or', 'not' tighter than 'and'", () => {
  const t = parse("not option[1].exists and option[2].exists or option[3].exists").expr;
  assert.equal(t.t, "or");
  assert.ok(t.t === "or" && t.a.t === "and" && t.a.a.t === "not" && t.b.t === "exists");
});

Deno.test("parser: parentheses, '+' as concat, substring with a negative start and 'all'", () => {
  const t = parse("(substring(option[12].hex, -3, all) + 'x') == 'comx'").expr;
  assert.ok(t.t === "eq" && t.a.t === "concat" && t.a.a.t === "substring");
  assert.deepEqual(t.a.a.t === "substring" && [t.a.a.start, t.a.a.len], [-3, "all"]);
});

Deno.test("parser: option names resolve to codes; known/unknown are member('KNOWN')", () => {
  const p = parse("option[host-name].exists and unknown");
  assert.deepEqual(p.expr, {
    t: "and",
    a: { t: "exists", code: 12 },
    b: { t: "not", e: { t: "member", name: "KNOWN" } },
  });
  assert.deepEqual(p.members, ["KNOWN"]);
  assert.deepEqual(parse("member('a') or member('b') or member('a')").members, ["a", "b"]);
});

Deno.test("parser: literals become bytes — hex (odd digits padded), integer (uint32), IPv4, UTF-8 string", () => {
  const lit = (s: string) => {
    const t = parse(`pkt4.mac == ${s}`).expr;
    assert.ok(t.t === "eq" && t.b.t === "lit");
    return [...t.b.value].map((c) => c.charCodeAt(0));
  };
  assert.deepEqual(lit("0x123"), [0x01, 0x23]);
  assert.deepEqual(lit("6"), [0, 0, 0, 6]);
  assert.deepEqual(lit("192.0.2.1"), [192, 0, 2, 1]);
  assert.deepEqual(lit("'é'"), [0xc3, 0xa9]);
});

Deno.test("parser: every function keama and Kea 2.2 configs use parses", () => {
  for (
    const s of [
      "option[12].hex == 'www.example.com'",
      "concat('domain=', substring(option[12].hex,-3,all)) == 'domain=com'",
      "concat(substring(pkt4.htype,-1,all), pkt4.mac) == 0x0100070e364819",
      "not member('ALL')",
      "(option[251].hex == 0x0001) and (option[250].hex == 'system1')",
      "relay4[1].hex == 'eth0' and relay4[2].exists",
      "pkt4.ciaddr == 0.0.0.0 or pkt4.giaddr == 10.0.0.1 or pkt4.yiaddr == pkt4.siaddr",
      "pkt4.msgtype == 1 and pkt4.transid == 0x3903f326 and pkt4.hlen == 6",
      "pkt.iface == 'eth0' and pkt.src == 10.0.0.1 and pkt.dst == 10.0.0.2 and pkt.len == 300",
      "ifelse(option[60].exists, option[60].text, 'none') == 'MSFT 5.0'",
      "hexstring(pkt4.mac, ':') == '00:07:0e:36:48:19'",
      "split(option[12].text, '.', 2) == 'example'",
      "lcase(ucase('Ab')) == 'ab'",
      "uint8totext(0x05) == '5' and int16totext(0xffff) == '-1' and uint32totext(pkt4.transid) == '1'",
      "addrtotext(pkt4.giaddr) == '10.0.0.1'",
      "option[12].hex == 'a' sor option[12].hex == 'b' sand sifelse(known, 'a', 'b') == 'a'",
    ]
  ) parse(s);
});

Deno.test("parser: errors name the column and the problem", () => {
  const cases: [string, number, RegExp][] = [
    ["option[12].hex", 1, /boolean/],
    ["option[12].hex == 'x' and", 26, /end of the expression/],
    ["option[nosuch].exists", 8, /unknown option name 'nosuch'/],
    ["option[256].exists", 8, /out of range/],
    ["pkt4.foo == 'x'", 6, /unknown packet field 'pkt4.foo'/],
    ["member(ALL)", 8, /quoted class name/],
    ["option[1].exists == 'x'", 1, /left side of '==' must be a string/],
    ["not 'x'", 5, /operand of 'not'/],
    ["relay6[0].peeraddr == ::1", 1, /DHCPv6/],
    ["option[43].option[1].hex == 'x'", 12, /sub-options/],
    ["'a' == 'b' 'c'", 12, /unexpected 'c'/],
    ["", 1, /end of the expression/],
  ];
  for (const [s, col, msg] of cases) {
    try {
      parse(s);
      assert.fail(`parsed: ${s}`);
    } catch (e) {
      assert.ok(e instanceof ExprError, `${s}: ${e}`);
      assert.equal(e.col, col, `${s}: ${e.message}`);
      assert.match(e.message, msg, s);
    }
  }
});
