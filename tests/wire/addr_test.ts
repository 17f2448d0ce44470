import assert from "node:assert/strict";
import { formatIpv4, parseCidr4, parseHex, parseIpv4, toColonHex } from "../../mod/wire/addr.ts";
import { formatIpv6, parseIpv6 } from "../../mod/wire/ipv6.ts";
import { parseIpv6 as parseDnsIpv6 } from "../../mod/ddns/dns/ipv6.ts";

Deno.test("IPv4 text ⇄ u32, CIDR, hex forms Kea accepts", () => {
  assert.equal(parseIpv4("198.18.0.1"), 0xc6120001);
  assert.equal(formatIpv4(0xc6120001), "198.18.0.1");
  for (const bad of ["198.18.0", "198.18.0.256", "01.2.3.4", "a.b.c.d", ""]) {
    assert.equal(parseIpv4(bad), undefined, bad);
  }
  assert.deepEqual(parseCidr4("198.18.7.9/16"), { network: 0xc6120000, len: 16, addr: 0xc6120709 });
  assert.equal(parseCidr4("198.18.0.0/33"), undefined);
  assert.equal(toColonHex(parseHex("0xAABB01")!), "aa:bb:01");
  assert.equal(toColonHex(parseHex("1:2:a")!), "01:02:0a");
  assert.equal(parseHex("zz:00"), undefined);
});

Deno.test("IPv6 text ⇄ 16 bytes (RFC 4291 inputs, RFC 5952 output); DNS strips a zone, option data refuses it", () => {
  const b = parseIpv6("2001:DB8:0:0:1:0:0:1")!;
  assert.equal(formatIpv6(b), "2001:db8::1:0:0:1"); // the first longest zero run is compressed
  assert.equal(formatIpv6(parseIpv6("::ffff:192.0.2.1")!), "::ffff:c000:201");
  assert.equal(formatIpv6(parseIpv6("::")!), "::");
  assert.equal(formatIpv6(parseIpv6("2001:db8:0:1:1:1:1:1")!), "2001:db8:0:1:1:1:1:1"); // one zero group stays
  for (const bad of ["1::2::3", "12345::", "fe80::1%eth0", "1.2.3.4"]) assert.equal(parseIpv6(bad), undefined, bad);
  assert.equal(formatIpv6(parseDnsIpv6("fe80::1%eth0")!), "fe80::1");
});
