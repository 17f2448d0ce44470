import assert from "node:assert/strict";
import { matchDomain, reverseName } from "../../../mod/ddns/d2/domains.ts";
import type { D2Domain } from "../../../mod/config/model_d2.ts";

const d = (name: string): D2Domain => ({ name, servers: [] });

Deno.test("longest suffix on a label boundary, case-insensitive, wildcard as fallback", () => {
  const list = [d("example.com."), d("sub.example.com."), d("two.net."), d("*")];
  assert.equal(matchDomain(list, "host.sub.example.com.")?.name, "sub.example.com.");
  assert.equal(matchDomain(list, "HOST.Example.COM")?.name, "example.com.");
  assert.equal(matchDomain(list, "example.com.")?.name, "example.com.");
  assert.equal(matchDomain(list, "a.onetwo.net.")?.name, "*");
  assert.equal(matchDomain(list.slice(0, 3), "a.onetwo.net."), undefined);
  assert.equal(matchDomain([], "x.y."), undefined);
});

Deno.test("reverse names for IPv4 and IPv6, matched against reverse zones", () => {
  assert.equal(reverseName("198.18.1.7"), "7.1.18.198.in-addr.arpa.");
  assert.equal(
    reverseName("2001:db8:a::53"),
    "3.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.a.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.",
  );
  const rev = [d("18.198.in-addr.arpa."), d("1.18.198.in-addr.arpa."), d("a.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.")];
  assert.equal(matchDomain(rev, reverseName("198.18.1.7"))?.name, "1.18.198.in-addr.arpa.");
  assert.equal(matchDomain(rev, reverseName("198.18.2.7"))?.name, "18.198.in-addr.arpa.");
  assert.equal(matchDomain(rev, reverseName("2001:db8:a::1"))?.name, "a.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.");
  assert.equal(matchDomain(rev, reverseName("10.0.0.1")), undefined);
  assert.throws(() => reverseName("nope"), /not an IP address/);
});
