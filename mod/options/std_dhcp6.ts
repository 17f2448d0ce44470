/**
 * Kea's standard DHCPv6 option definitions, space "dhcp6" (Kea 2.2 ARM "List of standard DHCPv6 options
 * configurable by an administrator"; Kea `std_option_defs.h`, STANDARD_V6_OPTION_DEFINITIONS), and the spaces Kea
 * defines beside it that configurations use: "vendor-4491" (Kea's DOCSIS 3 table, reached through option 17 with
 * enterprise 4491), the softwire 46 containers (RFC 7598), and ISC's "4o6" space (also reachable as "vendor-2495").
 * Facts only. Every entry, its record fields and its encapsulated space were checked against the tables compiled
 * into Kea 2.2.0's libkea-dhcp++ (v6-sztp-redirect, 136, and v6-dnr, 144, are newer Kea's), its auth (11) is plain
 * binary, and its vendor-opts (17) names no encapsulated space (the sub-options come from "vendor-<enterprise>").
 * Every DHCPv6 tuple has a 2-byte length (RFC 8415 §21.16, Kea `OpaqueDataTuple` in the v6 universe).
 */
import type { OptionDef } from "./types.ts";
import { buildDefs, type Row } from "./std_rows.ts";

const IP6 = "ipv6-address";
const U32 = "uint32";

/** Space "dhcp6" (RFC 8415 and the RFCs named per row). */
const DHCP6_ROWS: Row[] = [
  ["clientid", 1, "binary"], // RFC 8415 §21.2
  ["serverid", 2, "binary"], // §21.3
  ["ia-na", 3, "record", false, [U32, U32, U32]], // §21.4
  ["ia-ta", 4, U32], // §21.5
  ["iaaddr", 5, "record", false, [IP6, U32, U32]], // §21.6
  ["oro", 6, "uint16", true], // §21.7
  ["preference", 7, "uint8"], // §21.8
  ["elapsed-time", 8, "uint16"], // §21.9
  ["relay-msg", 9, "binary"], // §21.10
  ["auth", 11, "binary"], // §21.11 (Kea: binary, its 64-bit replay field fits no record type)
  ["unicast", 12, IP6], // §21.12
  ["status-code", 13, "record", false, ["uint16", "string"]], // §21.13
  ["rapid-commit", 14, "empty"], // §21.14
  ["user-class", 15, "binary"], // §21.15
  ["vendor-class", 16, "record", false, [U32, "binary"]], // §21.16
  ["vendor-opts", 17, U32], // §21.17: sub-options come from space "vendor-<enterprise-id>"
  ["interface-id", 18, "binary"], // §21.18
  ["reconf-msg", 19, "uint8"], // §21.19
  ["reconf-accept", 20, "empty"], // §21.20
  ["sip-server-dns", 21, "fqdn", true], // RFC 3319
  ["sip-server-addr", 22, IP6, true], // RFC 3319
  ["dns-servers", 23, IP6, true], // RFC 3646
  ["domain-search", 24, "fqdn", true], // RFC 3646
  ["ia-pd", 25, "record", false, [U32, U32, U32]], // RFC 8415 §21.21
  ["iaprefix", 26, "record", false, [U32, U32, "uint8", IP6]], // §21.22
  ["nis-servers", 27, IP6, true], // RFC 3898
  ["nisp-servers", 28, IP6, true],
  ["nis-domain-name", 29, "fqdn", true],
  ["nisp-domain-name", 30, "fqdn", true],
  ["sntp-servers", 31, IP6, true], // RFC 4075
  ["information-refresh-time", 32, U32], // RFC 8415 §21.23
  ["bcmcs-server-dns", 33, "fqdn", true], // RFC 4280
  ["bcmcs-server-addr", 34, IP6, true],
  ["geoconf-civic", 36, "record", false, ["uint8", "uint16", "binary"]], // RFC 4776
  ["remote-id", 37, "record", false, [U32, "binary"]], // RFC 4649
  ["subscriber-id", 38, "binary"], // RFC 4580
  ["client-fqdn", 39, "record", false, ["uint8", "fqdn"]], // RFC 4704
  ["pana-agent", 40, IP6, true], // RFC 5192
  ["new-posix-timezone", 41, "string"], // RFC 4833
  ["new-tzdb-timezone", 42, "string"],
  ["ero", 43, "uint16", true], // RFC 4994
  ["lq-query", 44, "record", false, ["uint8", IP6], "dhcp6"], // RFC 5007
  ["client-data", 45, "empty", false, undefined, "dhcp6"],
  ["clt-time", 46, U32],
  ["lq-relay-data", 47, "record", false, [IP6, "binary"]],
  ["lq-client-link", 48, IP6, true],
  ["v6-lost", 51, "fqdn"], // RFC 5223
  ["capwap-ac-v6", 52, IP6, true], // RFC 5417
  ["relay-id", 53, "binary"], // RFC 5460
  ["v6-access-domain", 57, "fqdn"], // RFC 5986
  ["sip-ua-cs-list", 58, "fqdn", true], // RFC 6011
  ["bootfile-url", 59, "string"], // RFC 5970
  ["bootfile-param", 60, "tuple", true],
  ["client-arch-type", 61, "uint16", true],
  ["nii", 62, "record", false, ["uint8", "uint8", "uint8"]],
  ["aftr-name", 64, "fqdn"], // RFC 6334
  ["erp-local-domain-name", 65, "fqdn"], // RFC 6440
  ["rsoo", 66, "empty", false, undefined, "rsoo-opts"], // RFC 6422
  ["pd-exclude", 67, "ipv6-prefix"], // RFC 6603
  ["rdnss-selection", 74, "record", true, [IP6, "uint8", "fqdn"]], // RFC 6731
  ["client-linklayer-addr", 79, "binary"], // RFC 6939
  ["link-address", 80, IP6], // RFC 6977
  ["solmax-rt", 82, U32], // RFC 7083
  ["inf-max-rt", 83, U32],
  ["dhcpv4-message", 87, "binary"], // RFC 7341
  ["dhcp4o6-server-addr", 88, IP6, true],
  // RFC 7598: 89..93 exist only inside the softwire containers (spaces below), never at the top level
  ["s46-cont-mape", 94, "empty", false, undefined, "s46-cont-mape-options"],
  ["s46-cont-mapt", 95, "empty", false, undefined, "s46-cont-mapt-options"],
  ["s46-cont-lw", 96, "empty", false, undefined, "s46-cont-lw-options"],
  ["v6-captive-portal", 103, "string"], // RFC 8910
  ["relay-source-port", 135, "uint16"], // RFC 8357
  ["v6-sztp-redirect", 136, "tuple", true], // RFC 8572 §8.2 (Kea ≥ 2.4)
  ["ipv6-address-andsf", 143, IP6, true], // RFC 6153
  ["v6-dnr", 144, "internal"], // RFC 9463 §4.1 (Kea ≥ 2.5; text form: dnr.ts)
];

/** Space "vendor-4491": CableLabs DOCSIS 3 vendor-specific sub-options carried in option 17 (CL-SP-CANN-DHCP-Reg). */
const DOCSIS3_ROWS: Row[] = [
  ["oro", 1, "uint16", true],
  ["device-type", 2, "string"],
  ["vendor-type", 10, "string"],
  ["tftp-servers", 32, IP6, true],
  ["config-file", 33, "string"],
  ["syslog-servers", 34, IP6, true],
  ["device-id", 36, "binary"],
  ["time-servers", 37, IP6, true],
  ["time-offset", 38, "int32"],
  ["cmts-cm-mac", 1026, "binary"],
];

const S46_RULE: Row = [
  "s46-rule",
  89,
  "record",
  false,
  ["uint8", "uint8", "uint8", "ipv4-address", "ipv6-prefix"],
  "s46-rule-options",
];
const S46_BR: Row = ["s46-br", 90, IP6];
const S46_DMR: Row = ["s46-dmr", 91, "ipv6-prefix"];
const S46_V4V6BIND: Row = [
  "s46-v4v6bind",
  92,
  "record",
  false,
  ["ipv4-address", "ipv6-prefix"],
  "s46-v4v6bind-options",
];
const S46_PORTPARAMS: Row = ["s46-portparams", 93, "record", false, ["uint8", "psid"]];
const ISC_4O6: Row[] = [
  ["4o6-interface", 60000, "string"],
  ["4o6-source-address", 60001, IP6],
  ["4o6-source-port", 60002, "uint16"],
];

/** Spaces beside "dhcp6" (RFC 7598 §4: which options each softwire container may carry). */
const OTHER_SPACES: Record<string, Row[]> = {
  "vendor-4491": DOCSIS3_ROWS,
  // Kea's own name for the same DOCSIS 3 table (its example all-options.json writes "space": "docsis3-v6")
  "docsis3-v6": DOCSIS3_ROWS,
  "s46-cont-mape-options": [S46_RULE, S46_BR],
  "s46-cont-mapt-options": [S46_RULE, S46_DMR],
  "s46-cont-lw-options": [S46_BR, S46_V4V6BIND],
  "s46-rule-options": [S46_PORTPARAMS],
  "s46-v4v6bind-options": [S46_PORTPARAMS],
  // ISC's DHCPv4-over-DHCPv6 options between kea-dhcp4 and kea-dhcp6: Kea's "4o6" space, also reachable as the
  // vendor space of ISC's enterprise number 2495
  "4o6": ISC_4O6,
  "vendor-2495": ISC_4O6,
};

/** Every DHCPv6 tuple, alone or in a record, has a 2-byte length. */
const build = (rows: Row[], space: string): readonly OptionDef[] =>
  buildDefs(rows, space, (type, rec) => type === "tuple" || rec?.includes("tuple") ? 2 : undefined);

/** The "dhcp6" space table, in code order. */
export const DHCP6_OPTION_DEFS: readonly OptionDef[] = build(DHCP6_ROWS, "dhcp6");

/** The other DHCPv6-side spaces Kea defines, by space name (each table in code order). */
export const DHCP6_SPACE_DEFS: Readonly<Record<string, readonly OptionDef[]>> = Object.freeze(
  Object.fromEntries(Object.entries(OTHER_SPACES).map(([s, rows]) => [s, build(rows, s)])),
);
