/**
 * kea-leases6.csv parsing (mod/lease/kea_csv6.ts) against rows as Kea 2.2 writes them (the first rows of the
 * perfdhcp fixture), older schema versions, memfile's append semantics (last row wins, valid_lifetime 0 deletes),
 * refused rows with their line numbers, and a round trip through the formatter.
 */
import assert from "node:assert/strict";
import { formatKeaCsv6, KEA_CSV6_HEADER, parseKeaCsv6 } from "../../mod/lease/kea_csv6.ts";
import { LeaseState } from "../../mod/lease/types.ts";

// Kea 2.2's header (schema 4.0: no pool_id) and two rows kea-dhcp6 2.2 wrote under perfdhcp -6 -e address-and-prefix
const KEA22 = "address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,iaid,prefix_len,fqdn_fwd," +
  "fqdn_rev,hostname,hwaddr,state,user_context,hwtype,hwaddr_source";
const NA = "2001:db8:a::1:0,00:01:00:01:32:a8:ac:96:00:0c:01:02:03:04,4000,1796603830,1,3000,0,1,128,0,0,," +
  "00:0c:01:02:03:04,0,,1,2";
const PD = "2001:db8:a100::,00:01:00:01:32:a8:ac:96:00:0c:01:02:03:04,4000,1796603830,1,3000,2,1,56,0,0,," +
  "00:0c:01:02:03:04,0,,1,2";

Deno.test("kea-leases6.csv: Kea 2.2's rows give an IA_NA and an IA_PD lease with every field", () => {
  const { leases, errors } = parseKeaCsv6([KEA22, NA, PD].join("\n") + "\n");
  assert.deepEqual(errors, []);
  assert.deepEqual(leases.map((l) => [l.type, l.prefixLen, l.iaid, l.validLifetime, l.preferredLifetime, l.cltt]), [
    [0, 128, 1, 4000, 3000, 1796603830 - 4000],
    [2, 56, 1, 4000, 3000, 1796603830 - 4000],
  ]);
  assert.equal(leases[0].duid, "00:01:00:01:32:a8:ac:96:00:0c:01:02:03:04");
  assert.equal(leases[0].hwaddr, "00:0c:01:02:03:04");
  assert.equal(leases[0].state, LeaseState.DEFAULT);
});

Deno.test("kea-leases6.csv: the last row of an address wins; valid_lifetime 0 deletes, except a released lease", () => {
  const later = NA.replace(",4000,1796603830,", ",4000,1796607430,");
  const gone = PD.replace(",4000,1796603830,", ",0,1796603830,");
  const { leases } = parseKeaCsv6([KEA22, NA, PD, later, gone].join("\n"));
  assert.deepEqual(leases.map((l) => [l.type, l.cltt]), [[0, 1796607430 - 4000]]);
  const released = PD.replace(",4000,1796603830,", ",0,1796603830,").replace(",0,,1,2", ",3,,1,2");
  assert.deepEqual(parseKeaCsv6([KEA22, PD, released].join("\n")).leases.map((l) => l.state), [LeaseState.RELEASED]);
});

Deno.test("kea-leases6.csv: schema 1.0 (12 columns) reads with Kea's defaults; bad rows are refused by line", () => {
  const v1 = KEA22.split(",").slice(0, 12).join(",");
  const row = NA.split(",").slice(0, 12).join(",");
  const r = parseKeaCsv6([v1, row, "2001:db8::zz," + row.slice(row.indexOf(",") + 1), "1,2,3"].join("\n"));
  assert.equal(r.leases.length, 1);
  assert.equal(r.leases[0].hwaddr, "");
  assert.equal(r.leases[0].state, LeaseState.DEFAULT);
  assert.deepEqual(r.errors.map((e) => e.line), [3, 4]);
  assert.match(r.errors[0].message, /not an IPv6 address/);
  assert.match(parseKeaCsv6("address,hwaddr,client_id\n").errors[0].message, /not a kea-leases6\.csv header/);
  const noDuid = NA.replace("00:01:00:01:32:a8:ac:96:00:0c:01:02:03:04", "");
  assert.match(parseKeaCsv6([KEA22, noDuid].join("\n")).errors[0].message, /no duid/);
});

Deno.test("kea-leases6.csv: what weka writes (with pool_id) reads back to the same leases", () => {
  const { leases } = parseKeaCsv6([KEA22, NA, PD].join("\n"));
  leases[0].hostname = "host,one&two";
  leases[1].userContext = { note: "a,b" };
  const text = formatKeaCsv6(leases);
  assert.equal(text.split("\n")[0], KEA_CSV6_HEADER);
  assert.match(text, /host&#x2cone&#x26two/);
  const back = parseKeaCsv6(text);
  assert.deepEqual(back.errors, []);
  assert.deepEqual(
    back.leases.map((l) => ({ ...l, poolId: undefined })),
    leases.map((l) => ({ ...l, poolId: undefined })),
  );
});
