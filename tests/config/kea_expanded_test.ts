/**
 * Kea's expanded configuration loads in weka (issue 11, Build 7): real kea-dhcp4, kea-dhcp6 and kea-dhcp-ddns 2.2
 * daemons run on configurations that use the keys real sites use (multi-threading, the packet queue, parked
 * packets, a server tag, sanity checks, classes with option-def and only-if-required, required classes on pools,
 * subnets and networks, host classes, deprecated dhcp-ddns spellings, TSIG keys …); what they answer to
 * `config-get` and write with `config-write` — every key at its default, Kea's own spellings — is fed to weka's
 * loader, which must accept it and compile the same choices. Skipped, with a message, when Kea is not installed
 * (CI installs it).
 */
import assert from "node:assert/strict";
import { formatProblem } from "../../mod/config/errors.ts";
import { type LoadedConfig, parseConfigText } from "../../mod/config/load.ts";
import { KEA_HOOKS, type KeaDaemon, startKea, whyNoKea } from "./kea_daemon.ts";

const skip = whyNoKea();
if (skip) console.log(`kea_expanded_test: skipped: ${skip}`);

const V4_MINIMAL = {
  "interfaces-config": { interfaces: [] },
  "lease-database": { type: "memfile", persist: false },
  subnet4: [{ id: 1, subnet: "192.0.2.0/24", pools: [{ pool: "192.0.2.10 - 192.0.2.20" }] }],
};

const V4_RICH = {
  "interfaces-config": { interfaces: [], "dhcp-socket-type": "udp", "outbound-interface": "use-routing" },
  "lease-database": { type: "memfile", persist: false },
  "multi-threading": { "enable-multi-threading": true, "thread-pool-size": 4, "packet-queue-size": 32 },
  "dhcp-queue-control": { "enable-queue": false, "queue-type": "kea-ring4", capacity: 250 },
  "parked-packet-limit": 128,
  "server-tag": "edge-a",
  "sanity-checks": { "lease-checks": "fix-del" },
  "statistic-default-sample-count": 10,
  "reservation-mode": "out-of-pool",
  "hooks-libraries": [{ library: `${KEA_HOOKS}/libdhcp_lease_cmds.so` }],
  "dhcp-ddns": { "enable-updates": false, "qualifying-suffix": "example.org.", "override-client-update": true },
  "option-def": [{ name: "vlanid", code: 2, space: "339", type: "uint32" }],
  "client-classes": [
    {
      name: "VENDOR_CLASS_339",
      "option-def": [{ name: "vendor-encapsulated-options", code: 43, type: "empty", encapsulate: "339" }],
      "option-data": [{ name: "vendor-encapsulated-options" }, { name: "vlanid", space: "339", data: "5" }],
    },
    {
      name: "lab",
      test: "substring(option[60].hex,0,3) == 'lab'",
      "only-if-required": true,
      "option-data": [{ name: "domain-name", data: "lab.example" }],
    },
  ],
  subnet4: [{
    id: 1,
    subnet: "192.0.2.0/24",
    pools: [{ pool: "192.0.2.10 - 192.0.2.99", "require-client-classes": ["lab"] }],
    "require-client-classes": ["lab"],
    "store-extended-info": true,
    reservations: [{ "hw-address": "aa:bb:cc:dd:ee:ff", "ip-address": "192.0.2.5", "client-classes": ["lab"] }],
  }],
  "shared-networks": [{
    name: "net",
    "require-client-classes": ["lab"],
    subnet4: [{ id: 2, subnet: "198.51.100.0/24", pools: [{ pool: "198.51.100.10 - 198.51.100.20" }] }],
  }],
};

const V6 = (dir: string) => ({
  "interfaces-config": { interfaces: [] },
  "lease-database": { type: "memfile", persist: false },
  "data-directory": dir,
  "multi-threading": { "enable-multi-threading": false },
  "client-classes": [{ name: "cm", test: "substring(option[1].hex,0,2) == 0x0003", "only-if-required": true }],
  subnet6: [{
    id: 1,
    subnet: "2001:db8:1::/64",
    pools: [{ pool: "2001:db8:1::10 - 2001:db8:1::ff", "require-client-classes": ["cm"] }],
    "pd-pools": [{ prefix: "2001:db8:8::", "prefix-len": 56, "delegated-len": 64, "require-client-classes": ["cm"] }],
    reservations: [{ duid: "01:02:03:04", "ip-addresses": ["2001:db8:1::5"], "client-classes": ["cm"] }],
  }],
});

const D2 = {
  "ip-address": "127.0.0.1",
  port: 53000 + (Deno.pid % 900),
  "tsig-keys": [{ name: "k", algorithm: "HMAC-SHA256", secret: "LSWXnfkKZjdPJI5QxlpnfQ==" }],
  "forward-ddns": {
    "ddns-domains": [{ name: "example.org.", "key-name": "k", "dns-servers": [{ "ip-address": "192.0.2.53" }] }],
  },
  "reverse-ddns": {
    "ddns-domains": [{ name: "2.0.192.in-addr.arpa.", "dns-servers": [{ "ip-address": "192.0.2.53", port: 5353 }] }],
  },
};

/**
 * Runs `map`'s daemon on `section`, takes its config-get answer and its config-write file, and loads both in weka
 * (each must load: a refusal fails with weka's lines and the document). Returns both loads.
 */
async function expanded(
  map: "Dhcp4" | "Dhcp6" | "DhcpDdns",
  section: Parameters<typeof startKea>[1],
): Promise<{ got: LoadedConfig; written: LoadedConfig; doc: Record<string, unknown> }> {
  const kea: KeaDaemon = await startKea(map, section);
  try {
    const answer = await kea.command("config-get");
    assert.equal(answer.result, 0, JSON.stringify(answer));
    const doc = answer.arguments as Record<string, unknown>;
    delete doc.hash; // Kea 2.2's config-get adds the configuration's hash next to the map
    const w = await kea.command("config-write", { filename: `${kea.dir}/written.json` });
    assert.equal(w.result, 0, JSON.stringify(w));
    const load = (text: string, name: string) => {
      try {
        return parseConfigText(text, name, (p) => Deno.readTextFileSync(p));
      } catch (e) {
        const lines = (e as { problems?: Parameters<typeof formatProblem>[0][] }).problems?.map(formatProblem);
        throw new Error(`weka refused Kea's ${name}:\n${lines?.join("\n") ?? e}\n${text}`);
      }
    };
    const got = load(JSON.stringify(doc, null, 2), `${map}-config-get.json`);
    const written = load(Deno.readTextFileSync(`${kea.dir}/written.json`), `${map}-config-write.json`);
    return { got, written, doc };
  } finally {
    await kea.stop();
  }
}

Deno.test({
  name: "Kea 2.2's expanded Dhcp4 (config-get, config-write) of a minimal config loads in weka",
  ignore: !!skip,
}, async () => {
  const { got, written, doc } = await expanded("Dhcp4", V4_MINIMAL);
  const d4 = doc.Dhcp4 as Record<string, unknown>;
  // the keys Kea 2.2 writes at their defaults, which weka refused before issue 11
  for (const k of ["multi-threading", "server-tag", "sanity-checks", "dhcp-queue-control", "dhcp4o6-port"]) {
    assert.ok(k in d4, `Kea's config-get has no '${k}' any more`);
  }
  assert.ok("4o6-interface" in (d4.subnet4 as Record<string, unknown>[])[0]);
  for (const c of [got, written]) {
    assert.equal(c.dhcp4!.subnets[0].prefix, "192.0.2.0/24");
    assert.equal(c.dhcp4!.tuning!.multiThreading, false);
    assert.deepEqual(c.notices, [], "Kea's defaults need no notice");
  }
});

Deno.test({
  name: "Kea 2.2's expanded Dhcp4 of a config using MT, queue, classes, host classes, required classes loads in weka",
  ignore: !!skip,
}, async () => {
  const { got, written } = await expanded("Dhcp4", V4_RICH);
  for (const c of [got, written]) {
    const d = c.dhcp4!;
    assert.deepEqual([d.tuning!.multiThreading, d.tuning!.receiveBatch, d.tuning!.parkedPacketLimit], [true, 32, 128]);
    assert.equal(d.tuning!.serverTag, "edge-a");
    assert.equal(d.tuning!.leaseChecks, "fix-del");
    const s1 = d.subnets.find((s) => s.id === 1)!;
    assert.deepEqual(s1.additionalClasses, ["lab"]);
    assert.deepEqual(s1.pools[0].additionalClasses, ["lab"]);
    assert.equal(s1.storeExtendedInfo, true);
    assert.deepEqual([...s1.reservations.values()][0].clientClasses, ["lab"]);
    assert.deepEqual(d.subnets.find((s) => s.id === 2)!.networkAdditionalClasses, ["lab"]);
    assert.ok(d.clientClasses!.find((k) => k.name === "VENDOR_CLASS_339")!.options.has(43));
    // Kea moved the deprecated dhcp-ddns keys to the global ones itself: weka reads them there
    assert.equal(s1.ddns!.qualifyingSuffix, "example.org.");
    assert.equal(s1.ddns!.overrideClientUpdate, true);
    assert.deepEqual(c.notices.map((n) => n.path).sort(), [
      "Dhcp4.interfaces-config.outbound-interface",
      "Dhcp4.multi-threading",
      "Dhcp4.server-tag",
    ]);
  }
});

Deno.test({
  name: "Kea 2.2's expanded Dhcp6 (pd-pools, required classes, host classes) loads in weka",
  ignore: !!skip,
}, async () => {
  const { got, written } = await expanded("Dhcp6", V6);
  for (const c of [got, written]) {
    const s = c.dhcp6!.subnets[0];
    assert.deepEqual(s.additionalClasses, []);
    assert.deepEqual(s.pools[0].additionalClasses, ["cm"]);
    assert.deepEqual(s.pdPools[0].additionalClasses, ["cm"]);
    assert.equal(c.dhcp6!.tuning!.multiThreading, false);
  }
});

Deno.test({
  name: "Kea 2.2's expanded DhcpDdns (config-get, config-write) loads in weka",
  ignore: !!skip,
}, async () => {
  const { got, written } = await expanded("DhcpDdns", D2);
  for (const c of [got, written]) {
    assert.equal(c.d2!.keys.size, 1);
    assert.equal(c.d2!.forward.length, 1);
    assert.equal(c.d2!.reverse.length, 1);
  }
});
