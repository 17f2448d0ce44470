/**
 * The DHCPv6 evaluator over a SOLICIT relayed by two agents (fixture6.ts): each row is a Kea expression and the
 * value kea-dhcp6 2.2 gives it for that packet, from Kea's documented encodings (token.cc): `pkt6.msgtype` and
 * `pkt6.transid` and `pkt.len` as 4-byte big-endian integers, addresses as 16 bytes, `relay6[0]` the relay closest
 * to the server (Pkt6::relay_info_[0]) and negative levels counted from the client side, missing relays and
 * options as "" / false, vendor tokens over the first option 17 / 16 with `[*]` matching any enterprise.
 */
import assert from "node:assert/strict";
import { parseStringExpr, parseTest } from "../../mod/classify/expr/parser.ts";
import { evalBool6, type EvalInput6, evalString6 } from "../../mod/classify/evaluate6.ts";
import { EvalError } from "../../mod/classify/evaluate.ts";
import { queryInput6 } from "../../mod/classify/classify6.ts";
import { encode6 } from "../../mod/packet6/codec.ts";
import { RELAYED_LEN, relayedSolicit, solicit, v6 } from "./fixture6.ts";

const ARRIVAL = { iface: "eth0", src: v6("2001:db8:1::1"), dst: v6("2001:db8::53") };
const input = (classes: string[] = ["ALL"]): EvalInput6 => queryInput6(relayedSolicit(), ARRIVAL, new Set(classes));
const run = (s: string, inp = input()) => evalBool6(parseTest(s, { family: 6 }).expr, inp);
const value = (s: string, inp = input()) => evalString6(parseStringExpr(s, { family: 6 }), inp);
const hex = (s: string) => [...s].map((c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join("");

const ROWS: [string, boolean][] = [
  // pkt6: the client message's type and 24-bit transaction id, padded to 4 bytes
  ["pkt6.msgtype == 0x00000001", true],
  ["pkt6.msgtype == 1", true],
  ["pkt6.transid == 0x000a0b0c", true],
  ["uint32totext(pkt6.transid) == '658188'", true],
  // option[c]: the innermost message only
  ["option[1].hex == 0x000300010a0b0c0d0e0f", true],
  ["substring(option[1].hex,0,4) == 0x00030001", true],
  ["option[3].exists and option[8].exists", true],
  ["option[3].hex == 0x000000010000000000000000", true],
  ["option[25].exists", false],
  ["option[18].exists", false], // interface-id is a relay option, not the client's
  ["option[9].exists", false],
  ["option[18].hex == ''", true],
  // relay6[n].option[c]: 0 and -2 are relay A (outer), 1 and -1 relay B (closest to the client)
  ["relay6[0].option[18].hex == 'eth1'", true],
  ["relay6[-2].option[18].hex == 'eth1'", true],
  ["relay6[1].option[18].hex == 'port7'", true],
  ["relay6[-1].option[18].text == 'port7'", true],
  ["relay6[0].option[37].hex == 0x000000097230", true],
  ["relay6[1].option[38].exists", true],
  ["relay6[0].option[38].exists", false],
  ["relay6[0].option[9].exists", false], // RELAY_MSG is not kept among a relay's options
  ["relay6[2].option[18].exists", false],
  ["relay6[-3].option[18].exists", false],
  ["relay6[2].option[18].hex == ''", true],
  // relay6[n].peeraddr / linkaddr: 16 bytes
  ["relay6[0].peeraddr == fe80::2", true],
  ["relay6[0].linkaddr == 2001:db8:1::1", true],
  ["relay6[1].peeraddr == fe80::1:2:3:4", true],
  ["relay6[-1].linkaddr == 2001:db8:2::1", true],
  ["addrtotext(relay6[1].peeraddr) == 'fe80::1:2:3:4'", true],
  ["relay6[2].peeraddr == ''", true],
  ["relay6[-5].linkaddr == ''", true],
  // pkt.*: arrival facts; addresses 16 bytes, len 4 bytes
  ["pkt.iface == 'eth0'", true],
  ["pkt.src == 2001:db8:1::1", true],
  ["pkt.dst == 2001:db8::53", true],
  ["pkt.len == 0x000000c9", true],
  // vendor[…]: option 17
  ["vendor[4491].exists", true],
  ["vendor[*].exists", true],
  ["vendor[0].exists", true],
  ["vendor[9].exists", false],
  ["vendor[*].enterprise == 0x0000118b", true],
  ["vendor.enterprise == 4491", true],
  ["vendor[9].enterprise == ''", true],
  ["vendor[4491].option[1].hex == 0x0020", true],
  ["vendor[4491].option[36].text == 'model-x'", true],
  ["vendor[*].option[36].hex == 'model-x'", true],
  ["vendor[4491].option[1].exists", true],
  ["vendor[4491].option[2].exists", false],
  ["vendor[4491].option[2].hex == ''", true],
  ["vendor[9].option[1].exists", false],
  ["vendor[9].option[1].hex == ''", true],
  // vendor-class[…]: option 16
  ["vendor-class[4491].exists", true],
  ["vendor-class[1].exists", false],
  ["vendor-class[*].enterprise == 0x0000118b", true],
  ["vendor-class.enterprise == 4491", true],
  ["vendor-class[4491].data == 'alpha'", true],
  ["vendor-class[4491].data[0] == 'alpha'", true],
  ["vendor-class[4491].data[1] == 'docsis3.0'", true],
  ["vendor-class[*].data[2] == ''", true],
  ["vendor-class[1].data == ''", true],
  // family-independent functions over DHCPv6 values
  ["concat(relay6[1].option[18].hex, concat('/', relay6[0].option[18].hex)) == 'port7/eth1'", true],
  ["ifelse(relay6[1].option[38].exists, 'yes', 'no') == 'yes'", true],
  ["hexstring(substring(relay6[0].peeraddr, 14, 2), ':') == '00:02'", true],
  ["split(vendor-class[4491].data[1], '.', 1) == 'docsis3'", true],
  ["ucase(vendor-class[*].data) == 'ALPHA'", true],
  ["member('ALL') and not member('KNOWN')", true],
];

for (const [expr, want] of ROWS) {
  Deno.test(`evaluate6: ${expr} is ${want}`, () => assert.equal(run(expr), want));
}

Deno.test("evaluate6: string tokens give Kea's bytes", () => {
  assert.equal(hex(value("pkt6.msgtype")), "00000001");
  assert.equal(hex(value("pkt6.transid")), "000a0b0c");
  assert.equal(hex(value("relay6[0].peeraddr")), "fe800000000000000000000000000002");
  assert.equal(hex(value("relay6[1].linkaddr")), "20010db8000200000000000000000001");
  assert.equal(hex(value("vendor[*].enterprise")), "0000118b");
  assert.equal(hex(value("pkt.len")), "000000c9");
  assert.equal(value("vendor-class[4491].data[1]"), "docsis3.0");
});

Deno.test("evaluate6: pkt.len is the whole datagram, relays included, unless the arrival gives it", () => {
  assert.equal(encode6(relayedSolicit()).length, RELAYED_LEN);
  assert.equal(run("pkt.len == 0x00000100", { ...input(), len: 256 }), true);
  const direct = queryInput6(solicit(), {}, new Set(["ALL"]));
  assert.equal(hex(value("pkt.len", direct)), "0000005b"); // 91: the bare SOLICIT
});

Deno.test("evaluate6: a direct SOLICIT has no relay layers and unknown addresses read as ::", () => {
  const direct = queryInput6(solicit(), { iface: "eth0" }, new Set(["ALL"]));
  assert.equal(run("relay6[0].option[18].exists", direct), false);
  assert.equal(run("relay6[-1].peeraddr == ''", direct), true);
  assert.equal(run("pkt.src == ::", direct), true);
  assert.equal(run("pkt6.msgtype == 1 and vendor[4491].exists", direct), true);
});

Deno.test("evaluate6: a relay chain handed separately is read outermost first", () => {
  const outer = relayedSolicit();
  const inner = outer.inner;
  assert.equal(inner.kind, "relay");
  if (inner.kind !== "relay") return;
  const inp = queryInput6(inner.inner, {}, new Set(["ALL"]), [outer, inner]);
  assert.equal(run("relay6[0].option[18].hex == 'eth1' and relay6[1].option[18].hex == 'port7'", inp), true);
});

Deno.test("evaluate6: KNOWN / UNKNOWN read the classes assigned so far", () => {
  assert.equal(run("known", input(["ALL", "KNOWN"])), true);
  assert.equal(run("unknown", input(["ALL", "KNOWN"])), false);
  assert.equal(run("unknown", input(["ALL"])), true);
});

// weka's reading of malformed vendor options (Kea refuses to unpack them): no enterprise number means no option,
// a truncated tuple is dropped while the enterprise number still counts.
Deno.test("evaluate6: vendor options without an enterprise number or with truncated data", () => {
  const m = solicit();
  m.options = m.options.map((o) =>
    o.code === 17
      ? { code: 17, data: new Uint8Array([0, 0, 0x11]) } // 3 bytes: no enterprise number
      : o.code === 16
      ? { code: 16, data: new Uint8Array([0, 0, 0x11, 0x8b, 0, 9, 0x61, 0x62, 0x63]) } // 9-byte tuple cut at 3
      : o
  );
  const inp = queryInput6(m, {}, new Set(["ALL"]));
  assert.equal(run("vendor[*].exists", inp), false);
  assert.equal(run("vendor[*].enterprise == ''", inp), true);
  assert.equal(run("vendor-class[4491].exists", inp), true);
  assert.equal(run("vendor-class[4491].data == ''", inp), true); // the only tuple is truncated
});

Deno.test("evaluate6: DHCPv4 tokens and type errors throw EvalError", () => {
  assert.throws(() => evalString6({ t: "pkt4", field: "mac" }, input()), EvalError);
  assert.throws(() => evalString6({ t: "relay4", code: 1 }, input()), EvalError);
  assert.throws(() => evalBool6({ t: "relay4exists", code: 1 }, input()), EvalError);
  assert.throws(() => run("uint8totext(relay6[0].peeraddr) == '1'"), EvalError);
});
