/**
 * The configurations the fuzzers serve, in Kea's JSON: as much of what weka compiles as touches a packet — DDNS
 * on, the flex-id hook, client classes reading the options a fuzzer mangles, shared networks, relays, custom
 * option definitions, reservations by every identifier. Built on the lab's addresses (tests/e2e/lab.ts: LAN A
 * 198.18.0.0/16 and 2001:db8:a::/64 on srv1's eth0, LAN B on eth1, LAN C behind the relay 198.20.0.1 /
 * 2001:db8:c::1), so the in-process fuzzers and the lab fuzz tests serve the same thing.
 */

/**
 * Addresses the DHCPv4 generator aims at, so mutated packets reach deep paths (subnets, pools, reservations). The
 * generator draws clients from a bounded population (gen4.ts), and LAN A's pool is large, so the leases the fuzz
 * clients legitimately take never exhaust it: the real client served afterwards tests robustness, not pool size.
 */
export const WORLD4 = {
  servers: [0xc6120001, 0xc6130001], // 198.18.0.1 (eth0), 198.19.0.1 (eth1)
  relays: [0xc6140001, 0xc6140101], // 198.20.0.1 (LAN C relay), 198.20.1.1
  pools: [[0xc6120100, 0xc612fffa], [0xc6130110, 0xc61301c8], [0xc6140a0a, 0xc6140a64], [0xc6140b0a, 0xc6140b64]],
  reservedMacs: [[2, 0, 0, 0, 0, 0x10], [2, 0, 0, 0, 0, 0x11]],
};

/** The fuzzed Dhcp4 map; `extra` adds or replaces top-level keys (lease database, loggers, socket type). */
export function fuzzConfig4(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Dhcp4: {
      "interfaces-config": { interfaces: ["eth0", "eth1"] },
      "valid-lifetime": 600,
      "renew-timer": 200,
      "rebind-timer": 400,
      "host-reservation-identifiers": ["hw-address", "duid", "circuit-id", "client-id", "flex-id"],
      "hooks-libraries": [{
        library: "/usr/lib/kea/hooks/libdhcp_flex_id.so",
        parameters: { "identifier-expression": "substring(option[60].hex, 0, 9)" },
      }, { library: "/usr/lib/kea/hooks/libdhcp_bootp.so" }], // a query that lost option 53 takes the BOOTP path
      "dhcp-ddns": { "enable-updates": true, "server-ip": "127.0.0.1", "server-port": 53001 },
      "ddns-send-updates": true,
      "ddns-qualifying-suffix": "lab.test",
      "ddns-replace-client-name": "when-not-present",
      "ddns-generated-prefix": "fz",
      "option-def": [
        { name: "site-rec", code: 222, type: "record", "record-types": "uint8, ipv4-address, string" },
        { name: "site-list", code: 223, type: "uint16", array: true },
        { name: "site-name", code: 224, type: "fqdn" },
      ],
      "option-data": [
        { name: "domain-name-servers", data: "198.18.0.53" },
        { name: "site-rec", data: "7, 198.18.0.9, fuzz" },
        { name: "site-list", data: "1, 2, 3" },
        { name: "site-name", data: "site.lab.test." },
        { name: "domain-search", data: "lab.test, example.org" },
      ],
      "client-classes": [
        { name: "DROP", test: "option[60].hex == 'evil-drop'" },
        {
          name: "pxe",
          test: "substring(option[60].hex, 0, 9) == 'PXEClient'",
          "next-server": "198.18.0.9",
          "boot-file-name": "pxelinux.0",
          "option-data": [{ name: "tftp-server-name", data: "tftp.lab.test" }],
        },
        { name: "msft", test: "substring(option[60].hex, 0, 4) == 'MSFT'", "valid-lifetime": 300 },
        { name: "ipxe", test: "option[77].hex == 'iPXE' or option[175].exists" },
        { name: "port1", test: "relay4[1].hex == 'eth0/1' and relay4[2].exists" },
        { name: "mac10", test: "pkt4.mac == 0x020000000010" },
        { name: "named", test: "option[12].exists and not option[81].exists" },
        { name: "known-msft", test: "member('KNOWN') or member('msft')" },
      ],
      subnet4: [
        {
          id: 1,
          subnet: "198.18.0.0/16",
          interface: "eth0",
          // a large pool: the fuzz clients take leases as real ones would, and a real client must still find one
          pools: [
            { pool: "198.18.1.0 - 198.18.255.250" },
            { pool: "198.18.0.100 - 198.18.0.150", "client-class": "pxe" },
          ],
          "option-data": [{ name: "routers", data: "198.18.0.1" }],
          reservations: [
            { "hw-address": "02:00:00:00:00:10", "ip-address": "198.18.0.10", hostname: "printer" },
            { "client-id": "01:02:00:00:00:00:11", "ip-address": "198.18.0.11", hostname: "scanner" },
            { "circuit-id": "'eth0/9'", "ip-address": "198.18.0.12" },
            { "flex-id": "'PXEClient'", "ip-address": "198.18.0.13", hostname: "netboot" },
          ],
        },
        {
          id: 4,
          subnet: "198.19.0.0/16",
          interface: "eth1",
          authoritative: true,
          "match-client-id": false,
          "hostname-char-replacement": "x",
          pools: [{ pool: "198.19.1.16 - 198.19.1.200" }],
        },
      ],
      "shared-networks": [{
        name: "lan-c",
        relay: { "ip-addresses": ["198.20.0.1"] },
        "ddns-replace-client-name": "never",
        subnet4: [
          { id: 2, subnet: "198.20.10.0/24", pools: [{ pool: "198.20.10.10 - 198.20.10.100" }] },
          { id: 3, subnet: "198.20.11.0/24", pools: [{ pool: "198.20.11.10 - 198.20.11.100" }] },
        ],
      }],
      ...extra,
    },
  };
}

/** Addresses and identities the DHCPv6 generator aims at. */
export const WORLD6 = {
  prefixes: ["2001:db8:a::", "2001:db8:c::", "2001:db8:d::", "2001:db8:a100::", "fe80::"],
  relays: ["2001:db8:c::1", "2001:db8:a::fe"],
  serverDuid: "000100012a2b2c2d020000000001",
};

/** The fuzzed Dhcp6 map; `extra` adds or replaces top-level keys. */
export function fuzzConfig6(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Dhcp6: {
      "interfaces-config": { interfaces: ["eth0"] },
      "preferred-lifetime": 300,
      "valid-lifetime": 600,
      "renew-timer": 100,
      "rebind-timer": 200,
      "host-reservation-identifiers": ["duid", "hw-address"],
      "option-def": [
        { name: "site-str", code: 65001, type: "string" },
        { name: "site-rec", code: 65002, type: "record", "record-types": "uint16, ipv6-address" },
      ],
      "option-data": [
        { name: "dns-servers", data: "2001:db8:a::53" },
        { name: "domain-search", data: "lab.test" },
        { name: "site-str", data: "fuzz" },
        { name: "site-rec", data: "9, 2001:db8:a::9" },
      ],
      "client-classes": [
        { name: "DROP", test: "option[16].exists and substring(option[16].hex, 0, 4) == 0x0000dead" },
        { name: "modems", test: "vendor-class[4491].exists" },
        { name: "relayed", test: "relay6[0].option[18].exists and pkt6.msgtype == 1" },
        { name: "ipxe", test: "option[15].exists" },
        { name: "late", test: "member('modems') or not member('KNOWN')", "only-if-required": true },
      ],
      subnet6: [{
        id: 1,
        subnet: "2001:db8:a::/64",
        interface: "eth0",
        "rapid-commit": true,
        pools: [
          { pool: "2001:db8:a::1000 - 2001:db8:a::efff" },
          { pool: "2001:db8:a::f000 - 2001:db8:a::f0ff", "client-class": "modems" },
        ],
        "pd-pools": [{
          prefix: "2001:db8:a100::",
          "prefix-len": 40,
          "delegated-len": 56,
          "excluded-prefix": "2001:db8:a100::",
          "excluded-prefix-len": 64,
        }],
        reservations: [
          { duid: "00:03:00:01:02:00:00:00:00:10", "ip-addresses": ["2001:db8:a::10"], hostname: "alpha" },
          { "hw-address": "02:00:00:00:00:11", prefixes: ["2001:db8:a1ff::/56"] },
        ],
        "require-client-classes": ["late"],
      }],
      "shared-networks": [{
        name: "lan-c",
        relay: { "ip-addresses": ["2001:db8:c::1"] },
        subnet6: [
          { id: 3, subnet: "2001:db8:c::/64", pools: [{ pool: "2001:db8:c::3000 - 2001:db8:c::3fff" }] },
          { id: 4, subnet: "2001:db8:d::/64", "interface-id": "ethx", pools: [{ pool: "2001:db8:d::/120" }] },
        ],
      }],
      ...extra,
    },
  };
}
