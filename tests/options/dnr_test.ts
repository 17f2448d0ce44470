/**
 * The DNR options (RFC 9463) from Kea's text form, byte for byte: v6-dnr (§4.1) with addresses and service
 * parameters in RFC 9460 wire form sorted by key, v4-dnr (§5.1) with several instances (one in ADN-only mode), and
 * the text errors. The examples are Kea's own (all-options.json of Kea ≥ 2.5).
 */
import assert from "node:assert/strict";
import { encodeDnr4, encodeDnr6 } from "../../mod/options/dnr.ts";
import { OptionDataError } from "../../mod/options/types.ts";

const ascii = (s: string) => [...new TextEncoder().encode(s)];
const RESOLVER = [8, ...ascii("resolver"), 7, ...ascii("example"), 0]; // 18 bytes

Deno.test("v6-dnr: priority, ADN, addresses and service parameters (alpn, port, dohpath) in key order", () => {
  const b = encodeDnr6(
    "100, resolver.example., 2001:db8::1 2001:db8::2, alpn=dot\\,h2\\,h3 port=8530 dohpath=/dns-query{?dns}",
  );
  const a1 = [0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 1];
  const a2 = [0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 2];
  assert.deepEqual([...b], [
    0,
    100, // service priority
    0,
    18,
    ...RESOLVER, // ADN length (2 bytes in DHCPv6) and ADN
    0,
    32,
    ...a1,
    ...a2, // address length and addresses
    0,
    1,
    0,
    10,
    3,
    ...ascii("dot"),
    2,
    ...ascii("h2"),
    2,
    ...ascii("h3"), // alpn
    0,
    3,
    0,
    2,
    0x21,
    0x52, // port 8530
    0,
    7,
    0,
    16,
    ...ascii("/dns-query{?dns}"), // dohpath
  ]);
});

Deno.test("v4-dnr: instances separated by |, each with its 2-byte length; ADN-only mode", () => {
  const b = encodeDnr4("2, resolver.example., 10.0.5.6, alpn=dot port=8530 | 3, fooexp.resolver.example.");
  const second = [0, 3, 25, 6, ...ascii("fooexp"), ...RESOLVER];
  const firstBody = [
    0,
    2,
    18,
    ...RESOLVER, // priority, ADN length (1 byte in DHCPv4), ADN
    4,
    10,
    0,
    5,
    6, // address length and the address
    0,
    1,
    0,
    4,
    3,
    ...ascii("dot"),
    0,
    3,
    0,
    2,
    0x21,
    0x52,
  ];
  assert.deepEqual([...b], [0, firstBody.length, ...firstBody, 0, second.length, ...second]);
});

Deno.test("DNR text errors name what is wrong", () => {
  assert.throws(() => encodeDnr6("1"), OptionDataError);
  assert.throws(() => encodeDnr6("70000, a.example."), /priority '70000'/);
  assert.throws(() => encodeDnr4("1, a.example., 10.0.0.300"), /'10.0.0.300' is not an IPv4 address/);
  assert.throws(() => encodeDnr6("1, a.example., 2001:db8::1, colour=red"), /'colour' is not a service parameter/);
  assert.throws(() => encodeDnr6("1, a.example., 2001:db8::1, port=1 port=2"), /given twice/);
});
