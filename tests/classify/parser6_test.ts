/**
 * The DHCPv6 tokens of Kea's expression language (parser6.ts), parsed when a test belongs to a Dhcp6 map:
 * pkt6 fields, relay6 options and addresses, vendor and vendor-class tokens, 16-bit option codes and IPv6
 * literals; the DHCPv4-only tokens are refused there, and the DHCPv6 ones stay refused in Dhcp4.
 */
import assert from "node:assert/strict";
import { parseTest } from "../../mod/classify/expr/parser.ts";
import { ExprError } from "../../mod/classify/expr/lexer.ts";

const v6 = (s: string) => parseTest(s, { family: 6 }).expr;

Deno.test("parser6: pkt6.msgtype and pkt6.transid compare with integers as 4 bytes", () => {
  assert.deepEqual(v6("pkt6.msgtype == 1"), {
    t: "eq",
    a: { t: "pkt6", field: "msgtype" },
    b: { t: "lit", value: "\x00\x00\x00\x01" },
  });
  assert.deepEqual(v6("pkt6.transid == 0x0a0b0c").t, "eq");
});

Deno.test("parser6: relay6 options (hex, text, exists) and peer/link addresses, negative nesting", () => {
  assert.deepEqual(v6("relay6[0].option[18].exists"), { t: "relay6exists", nest: 0, code: 18 });
  assert.deepEqual(v6("relay6[1].option[37].hex == 'x'"), {
    t: "eq",
    a: { t: "relay6", nest: 1, code: 37, repr: "hex" },
    b: { t: "lit", value: "x" },
  });
  assert.deepEqual(v6("relay6[-1].linkaddr == 2001:db8::1"), {
    t: "eq",
    a: { t: "relay6field", nest: -1, field: "linkaddr" },
    b: { t: "lit", value: "\x20\x01\x0d\xb8" + "\x00".repeat(11) + "\x01" },
  });
});

Deno.test("parser6: vendor and vendor-class tokens", () => {
  assert.deepEqual(v6("vendor[4491].exists"), { t: "vendorexists", kind: "vendor", enterprise: 4491 });
  assert.deepEqual(v6("vendor[*].option[1].exists"), { t: "vendorexists", kind: "vendor", enterprise: "*", code: 1 });
  const e = v6("vendor.enterprise == 4491 and vendor-class[4491].data[2] == 'x'");
  assert.equal(e.t, "and");
  if (e.t !== "and") return;
  assert.deepEqual(e.a, {
    t: "eq",
    a: { t: "vendor", kind: "vendor", enterprise: "*", field: "enterprise" },
    b: { t: "lit", value: "\x00\x00\x11\x8b" },
  });
  assert.deepEqual(e.b, {
    t: "eq",
    a: { t: "vendor", kind: "vendor-class", enterprise: 4491, field: "data", index: 2 },
    b: { t: "lit", value: "x" },
  });
  assert.deepEqual(v6("vendor-class[4491].data == ''").t, "eq");
});

Deno.test("parser6: option codes go to 65535 and names resolve in space dhcp6", () => {
  assert.deepEqual(v6("option[1250].exists"), { t: "exists", code: 1250 });
  const named = parseTest("option[dns-servers].exists", {
    family: 6,
    optionCode: (n) => n === "dns-servers" ? 23 : undefined,
  });
  assert.deepEqual(named.expr, { t: "exists", code: 23 });
});

function refused(text: string, family: 4 | 6, col: number, message: string): void {
  assert.throws(() => parseTest(text, { family }), (e: unknown) => {
    assert.ok(e instanceof ExprError);
    assert.equal(e.col, col);
    assert.equal(e.message, message);
    return true;
  });
}

Deno.test("parser6: malformed or misplaced tokens are refused with their column", () => {
  refused("pkt4.mac == 0x01", 6, 1, "'pkt4' is a DHCPv4 expression and cannot be used in Dhcp6");
  refused("relay4[1].hex == 0x01", 6, 1, "'relay4' is a DHCPv4 expression and cannot be used in Dhcp6");
  refused("pkt6.len == 1", 6, 6, "unknown packet field 'pkt6.len' (expected one of msgtype, transid)");
  refused(
    "relay6[0].option[18].txt == 'x'",
    6,
    22,
    "expected 'hex', 'text' or 'exists' after 'relay6[0].option[18].' but found 'txt'",
  );
  refused(
    "relay6[0].hops == 'x'",
    6,
    11,
    "expected 'option', 'peeraddr' or 'linkaddr' after 'relay6[0].' but found 'hops'",
  );
  refused("vendor.exists", 6, 8, "expected 'enterprise' after 'vendor.' but found 'exists'");
  refused(
    "vendor-class[4491].option[1].exists",
    6,
    20,
    "expected 'exists', 'enterprise' or 'data' after 'vendor-class[…].' but found 'option'",
  );
  refused("option[65536].exists", 6, 8, "option code 65536 is out of range 0..65535");
  // Kea's EvalContext::convertNestLevelNumber: "Allowed range: -32..31" (HOP_COUNT_LIMIT)
  assert.deepEqual(v6("relay6[31].option[18].exists"), { t: "relay6exists", nest: 31, code: 18 });
  assert.deepEqual(v6("relay6[-32].option[18].exists"), { t: "relay6exists", nest: -32, code: 18 });
  assert.throws(() => parseTest("relay6[32].option[18].exists", { family: 6 }), ExprError);
  assert.throws(() => parseTest("relay6[-33].peeraddr == ''", { family: 6 }), ExprError);
  refused("option[256].exists", 4, 8, "option code 256 is out of range 0..255");
  refused("pkt6.msgtype == 1", 4, 1, "'pkt6' is a DHCPv6 expression and cannot be used in Dhcp4");
  refused("vendor[4491].exists", 4, 1, "'vendor' expressions are not supported by weka yet");
});
