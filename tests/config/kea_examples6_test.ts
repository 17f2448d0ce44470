/**
 * Kea 2.2's own DHCPv6 example configurations (../shared/conformance/kea-examples/kea22-kea6): each one loads, or
 * is refused with a clear first line that names the JSON path of the first thing weka does not support. None may
 * crash. Skipped, with a message, when the conformance corpus is not beside the repository.
 */
import assert from "node:assert/strict";
import { loadConfigFile } from "../../mod/config/load.ts";
import { keaCorpus, testLoadsOrRefused } from "./kea_corpus.ts";
import { parseIpv6Big } from "../../mod/config/addr6.ts";

const ip = (s: string) => parseIpv6Big(s)!;

const CORPUS = keaCorpus("kea22-kea6", "Kea 2.2 DHCPv6 example");
const { root: ROOT, present } = CORPUS;

/** Examples that use only what weka's Dhcp6 loader supports. */
const LOADS = [
  "advanced.json",
  "all-keys.json",
  "all-keys-netconf.json",
  "all-options.json",
  "backends.json",
  "classify.json",
  "classify2.json",
  "comments.json",
  "config-backend.json",
  "duid.json",
  "global-reservations.json",
  "iPXE.json",
  "leases-expiration.json",
  "multiple-options.json",
  "mysql-reservations.json",
  "pgsql-reservations.json",
  "reservations.json",
  "ha-hot-standby.json",
  "several-subnets.json",
  "shared-network.json",
  "simple.json",
  "softwire46.json",
  "stateless.json",
  "tee-times.json",
  "with-ddns.json",
];

/** The first refusal expected for the others: path and message. */
const FIRST: Record<string, string> = {};

testLoadsOrRefused(CORPUS, {
  title: "kea22 dhcp6 example",
  map: "Dhcp6",
  loads: LOADS,
  first: FIRST,
  loaded: (c) => c.dhcp6 !== undefined,
});

Deno.test({
  name: "kea22 dhcp6 example reservations.json compiles its pool, pd-pool and hosts",
  ignore: !present,
  fn: async () => {
    const c = (await loadConfigFile(ROOT + "reservations.json")).dhcp6!;
    const s = c.subnets[0];
    assert.equal(s.prefix, "2001:db8:1::/48");
    assert.deepEqual([s.pools[0].start, s.pools[0].end], [ip("2001:db8:1::"), ip("2001:db8:1::ff")]);
    assert.deepEqual([s.pdPools[0].prefix, s.pdPools[0].prefixLen, s.pdPools[0].delegatedLen], [
      ip("2001:db8:1:8000::"),
      56,
      64,
    ]);
    assert.equal(s.reservations.size, 4);
    assert.deepEqual(s.reservations.get("duid=01:02:03:04:05:0a:0b:0c:0d:0e")?.addresses, [ip("2001:db8:1::100")]);
    assert.deepEqual(c.hostReservationIdentifiers, ["duid", "hw-address", "flex-id"]);
    // vendor-opts of the third host carries its space "vendor-4491" (tftp-servers, code 32)
    const withVendor = [...s.reservations.values()].find((r) => r.options.has(17))!;
    assert.equal([...withVendor.options.get(17)!.data.subarray(0, 6)].join(","), "0,0,17,139,0,32");
  },
});

Deno.test({
  name: "kea22 dhcp6 example shared-network.json puts two subnets in one network",
  ignore: !present,
  fn: async () => {
    const c = (await loadConfigFile(ROOT + "shared-network.json")).dhcp6!;
    assert.equal(c.sharedNetworks.length, 1);
    assert.equal(c.sharedNetworks[0].subnetIds.length, 2);
    assert.ok(c.subnets.filter((s) => s.sharedNetwork === c.sharedNetworks[0].name).length === 2);
  },
});
