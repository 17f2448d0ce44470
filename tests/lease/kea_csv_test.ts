/** kea-leases4.csv import/export: escaping, byte-identical round trip, Kea's load rules, row errors. */
import assert from "node:assert/strict";
import {
  escapeCsvField,
  formatKeaCsv4,
  KEA_CSV4_HEADER,
  keaJsonStr,
  parseKeaCsv4,
  unescapeCsvField,
} from "../../mod/lease/kea_csv.ts";
import { LeaseState } from "../../mod/lease/types.ts";
import { ip } from "./store_contract.ts";

// A file in the form Kea 2.x writes it. Rows, field by field:
//  1: 192.0.2.10, hw 08:00:27:a1:b2:c3, client-id 01:08:00:27:a1:b2:c3, valid 3600, expire 1700003600 (cltt
//     1700000000), subnet 1, fqdn_fwd 1, fqdn_rev 1, hostname "a,b&c" escaped, state 0, user-context printed by
//     Element::str() with ',' escaped, pool 0
//  2: 192.0.2.11, declined: no hw, no client-id, valid 86400 (probation), state 1, hostname with a tab and "é"
//     (UTF-8 c3 a9), pool 2
//  3: 192.0.2.12, released with lifetime 0 (kept: lease affinity), state 3
const FILE = KEA_CSV4_HEADER + "\n" +
  "192.0.2.10,08:00:27:a1:b2:c3,01:08:00:27:a1:b2:c3,3600,1700003600,1,1,1,a&#x2cb&#x26c.example.org,0," +
  '{ "ISC": { "relay-agent-info": { "remote-id": "01:02" } }&#x2c "x": [ 1&#x2c 2 ] },0\n' +
  "192.0.2.11,,,86400,1700086400,1,0,0,tab&#x09caf&#xc3&#xa9,1,,2\n" +
  "192.0.2.12,08:00:27:00:00:12,,0,1700000500,1,0,0,,3,,0\n";

Deno.test("escaping follows Kea: bytes < 0x20, > 0x7e, ',' and '&' become &#xHH", () => {
  assert.equal(escapeCsvField("a,b&c\n~é"), "a&#x2cb&#x26c&#x0a~&#xc3&#xa9");
  assert.equal(unescapeCsvField("a&#x2cb&#x26c&#x0a~&#xc3&#xa9"), "a,b&c\n~é");
  assert.equal(unescapeCsvField("&#xZZ&#x4"), "&#xZZ&#x4", "malformed escapes stay literal");
  assert.equal(keaJsonStr({ b: [1, "x"], a: { c: true } }), '{ "a": { "c": true }, "b": [ 1, "x" ] }');
});

Deno.test("parse reads every field of a Kea-written file", () => {
  const { leases, errors } = parseKeaCsv4(FILE);
  assert.deepEqual(errors, []);
  assert.equal(leases.length, 3);
  const [a, d, r] = leases;
  assert.deepEqual(a, {
    address: ip(10),
    hwaddr: "08:00:27:a1:b2:c3",
    clientId: "01:08:00:27:a1:b2:c3",
    validLifetime: 3600,
    cltt: 1700000000,
    subnetId: 1,
    fqdnFwd: true,
    fqdnRev: true,
    hostname: "a,b&c.example.org",
    state: LeaseState.DEFAULT,
    userContext: { ISC: { "relay-agent-info": { "remote-id": "01:02" } }, x: [1, 2] },
    poolId: 0,
  });
  assert.equal(d.state, LeaseState.DECLINED);
  assert.equal(d.hostname, "tab\tcafé");
  assert.equal(d.hwaddr, "");
  assert.equal(d.poolId, 2);
  assert.equal(r.state, LeaseState.RELEASED);
  assert.equal(r.validLifetime, 0);
});

Deno.test("format(parse(file)) is byte-identical", () => {
  assert.equal(formatKeaCsv4(parseKeaCsv4(FILE).leases), FILE);
});

Deno.test("the last row for an address wins, and a zero lifetime deletes it (Kea memfile load)", () => {
  const text = KEA_CSV4_HEADER + "\n" +
    "192.0.2.20,02:00:00:00:00:01,,3600,1000,1,0,0,first,0,,0\n" +
    "192.0.2.21,02:00:00:00:00:02,,3600,1000,1,0,0,,0,,0\n" +
    "192.0.2.20,02:00:00:00:00:01,,3600,2000,1,0,0,second,0,,0\n" +
    "192.0.2.21,02:00:00:00:00:02,,0,1000,1,0,0,,0,,0\n";
  const { leases, errors } = parseKeaCsv4(text);
  assert.deepEqual(errors, []);
  assert.equal(leases.length, 1);
  assert.equal(leases[0].hostname, "second");
  assert.equal(leases[0].cltt, 2000 - 3600);
});

Deno.test("bad rows are reported with their line numbers and skipped", () => {
  const text = KEA_CSV4_HEADER + "\n" +
    "192.0.2.300,02:00:00:00:00:01,,3600,1000,1,0,0,,0,,0\n" + // line 2: bad address
    "192.0.2.30,,,3600,1000,1,0,0,,0,,0\n" + // line 3: no identity, not declined
    "192.0.2.31,02:00:00:00:00:01,,3600,1000,1,2,0,,0,,0\n" + // line 4: fqdn_fwd 2
    "192.0.2.32,02:00:00:00:00:01,,3600\n" + // line 5: too few columns
    "192.0.2.33,zz,,3600,1000,1,0,0,,0,,0\n" + // line 6: bad hwaddr
    "192.0.2.34,02:00:00:00:00:01,,3600,1000,1,0,0,,0,[1],0\n" + // line 7: user_context not an object
    "192.0.2.35,02:00:00:00:00:01,,3600,1000,1,0,0,,0,,0\n"; // line 8: good
  const { leases, errors } = parseKeaCsv4(text);
  assert.deepEqual(errors.map((e) => e.line), [2, 3, 4, 5, 6, 7]);
  assert.match(errors[0].message, /192\.0\.2\.300/);
  assert.match(errors[1].message, /neither hwaddr nor client_id/);
  assert.equal(leases.length, 1);
  assert.equal(leases[0].address, ip(35));
});

Deno.test("an older schema (1.0, up to hostname) loads with state DEFAULT; a foreign header is refused", () => {
  const old = "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname\n" +
    "192.0.2.40,02:00:00:00:00:40,,3600,1000,1,0,0,old\n";
  const { leases, errors } = parseKeaCsv4(old);
  assert.deepEqual(errors, []);
  assert.equal(leases[0].state, LeaseState.DEFAULT);
  assert.equal(leases[0].hostname, "old");
  const bad = parseKeaCsv4("address,duid,valid_lifetime\n");
  assert.equal(bad.leases.length, 0);
  assert.equal(bad.errors[0].line, 1);
});
