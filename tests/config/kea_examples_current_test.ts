/**
 * Kea's own example configurations of the current development tree (../shared/conformance/kea-examples/kea4 and
 * kea6: the 56 files issue 11 counts): each loads, or is refused with a first line that names why — a premium or
 * unknown hook, a key weka documents as not served, or a piece another issue builds (SQL lease and host databases:
 * issue 15; high availability for DHCPv6: issue 14). The table of the count is printed. Skipped, with a message,
 * when the conformance corpus is not beside the repository.
 */
import assert from "node:assert/strict";
import { ConfigError } from "../../mod/config/errors.ts";
import { loadConfigFile } from "../../mod/config/load.ts";
import { keaCorpus } from "./kea_corpus.ts";

/** The examples that load now. */
const LOADS = [
  "kea4/advanced.json",
  "kea4/all-keys.json",
  "kea4/all-keys-netconf.json",
  "kea4/all-options.json",
  "kea4/backends.json",
  "kea4/classify.json",
  "kea4/classify2.json",
  "kea4/comments.json",
  "kea4/config-backend.json",
  "kea4/global-reservations.json",
  "kea4/ha-load-balancing-server1-mt-with-tls.json",
  "kea4/ha-load-balancing-server2-mt.json",
  "kea4/leases-expiration.json",
  "kea4/multiple-options.json",
  "kea4/mysql-reservations.json",
  "kea4/pgsql-reservations.json",
  "kea4/reservations.json",
  "kea4/several-subnets.json",
  "kea4/shared-network.json",
  "kea4/single-subnet.json",
  "kea4/vendor-specific.json",
  "kea4/vivso.json",
  "kea4/with-ddns.json",
  "kea6/advanced.json",
  "kea6/all-options.json",
  "kea6/backends.json",
  "kea6/classify.json",
  "kea6/classify2.json",
  "kea6/comments.json",
  "kea6/config-backend.json",
  "kea6/duid.json",
  "kea6/global-reservations.json",
  "kea6/ha-hot-standby-server1-with-tls.json",
  "kea6/ha-hot-standby-server2.json",
  "kea6/iPXE.json",
  "kea6/leases-expiration.json",
  "kea6/multiple-options.json",
  "kea6/mysql-reservations.json",
  "kea6/pgsql-reservations.json",
  "kea6/reservations.json",
  "kea6/several-subnets.json",
  "kea6/shared-network.json",
  "kea6/simple.json",
  "kea6/softwire46.json",
  "kea6/stateless.json",
  "kea6/tee-times.json",
  "kea6/with-ddns.json",
];

/** Kea 3's DHCPv6 all-keys files set DDNS keys on an address pool, which weka's DHCPv6 takes per subnet only. */
const ALL_KEYS6 = /pools\[0\]\.ddns-[a-z-]+: 'ddns-[a-z-]+' is not supported by weka yet/;

/**
 * Why the others are refused: a pattern one of their problems matches (a file with a key weka does not serve is
 * refused whatever else it holds), and the reason printed in the table.
 */
const REFUSED: Record<string, [RegExp, string]> = {
  "kea6/all-keys.json": [ALL_KEYS6, "not yet: DDNS keys on a DHCPv6 pool"],
  "kea6/all-keys-netconf.json": [ALL_KEYS6, "not yet: DDNS keys on a DHCPv6 pool"],
  "kea4/dhcpv4-over-dhcpv6.json": [/DHCPv4-over-DHCPv6 \(RFC 7341\) is not served/, "not served: DHCPv4-over-DHCPv6"],
  "kea6/dhcpv4-over-dhcpv6.json": [/DHCPv4-over-DHCPv6 \(RFC 7341\) is not served/, "not served: DHCPv4-over-DHCPv6"],
  "kea4/hooks-radius.json": [/hook library 'libdhcp_host_cache\.so'/, "premium hooks (host_cache, radius)"],
  "kea4/hooks-rbac.json": [/hook library 'libdhcp_rbac\.so'/, "premium hook (rbac)"],
  "kea6/hooks-rbac.json": [/hook library 'libdhcp_rbac\.so'/, "premium hook (rbac)"],
  "kea4/hooks.json": [/hook library 'security\.so'/, "example hooks that exist nowhere (Kea refuses them too)"],
  "kea6/hooks.json": [/hook library 'security\.so'/, "example hooks that exist nowhere (Kea refuses them too)"],
};

const c4 = keaCorpus("kea4", "Kea example (kea4)");
const c6 = keaCorpus("kea6", "Kea example (kea6)");
const present = c4.present && c6.present;

Deno.test({
  name: "Kea's current examples (kea4, kea6): each loads or is refused for a documented reason",
  ignore: !present,
  fn: async () => {
    const names = [
      ...[...Deno.readDirSync(c4.root)].map((e) => `kea4/${e.name}`),
      ...[...Deno.readDirSync(c6.root)].map((e) => `kea6/${e.name}`),
    ].filter((n) => n.endsWith(".json")).sort();
    assert.equal(names.length, 56);
    const wrong: string[] = [];
    const reasons = new Map<string, string[]>();
    for (const n of names) {
      const root = n.startsWith("kea4/") ? c4.root : c6.root;
      try {
        await loadConfigFile(root + n.slice(5));
        if (!LOADS.includes(n)) wrong.push(`${n} loads: add it to LOADS`);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        const lines = e.problems.map((p) => `${p.path}: ${p.message}`);
        const want = REFUSED[n];
        if (!want) wrong.push(`${n} is refused: ${lines[0]}`);
        else if (!lines.some((l) => want[0].test(l))) wrong.push(`${n}: ${lines[0]} (expected ${want[0]})`);
        else reasons.set(want[1], [...(reasons.get(want[1]) ?? []), n]);
      }
    }
    console.log(
      `Kea's examples: ${names.length - [...reasons.values()].flat().length} of ${names.length} load; refused:\n` +
        [...reasons].map(([why, files]) => `  ${files.length} × ${why}: ${files.join(", ")}`).join("\n"),
    );
    assert.deepEqual(wrong, []);
  },
});
