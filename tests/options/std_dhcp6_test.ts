import assert, { deepStrictEqual, equal } from "node:assert/strict";
import {
  checkOptionDef,
  DHCP6_OPTION_DEFS,
  DHCP6_SPACE_DEFS,
  findOption4,
  findOption6,
  listOptions6,
  listSpaces6,
  type OptionDef,
} from "../../mod/options/mod.ts";
import { STANDARD_OPTIONS6 } from "../../mod/config/options6.ts";

// The codes kea-dhcp6 2.2.0 knows in space "dhcp6": probed by giving `kea-dhcp6 -t` csv data for every code 1..150
// (an unknown code fails with "definition for the option 'dhcp6.' having code 'N' does not exist").
const KEA22_DHCP6_CODES = [
  1,
  2,
  3,
  4,
  5,
  6,
  7,
  8,
  9,
  11,
  12,
  13,
  14,
  15,
  16,
  17,
  18,
  19,
  20,
  21,
  22,
  23,
  24,
  25,
  26,
  27,
  28,
  29,
  30,
  31,
  32,
  33,
  34,
  36,
  37,
  38,
  39,
  40,
  41,
  42,
  43,
  44,
  45,
  46,
  47,
  48,
  51,
  52,
  53,
  57,
  58,
  59,
  60,
  61,
  62,
  64,
  65,
  66,
  67,
  74,
  79,
  80,
  82,
  83,
  87,
  88,
  94,
  95,
  96,
  103,
  135,
  143,
];

/** A compact "type[]" / "record(a,b)[]" rendering of a definition's data format. */
function shape(d: OptionDef | undefined): string {
  assert(d, "no definition");
  const t = d.type === "record" ? `record(${d.recordTypes!.join(",")})` : d.type;
  return t + (d.array ? "[]" : "") + (d.encapsulate ? ` > ${d.encapsulate}` : "");
}

/** Codes newer Kea defines that weka accepts too: v6-sztp-redirect (Kea 2.4) and v6-dnr (Kea 2.5, RFC 9463). */
const NEWER_DHCP6_CODES = [136, 144];

Deno.test("dhcp6 table: exactly the codes Kea 2.2 defines, and newer Kea's v6-sztp-redirect and v6-dnr", () => {
  const want = [...KEA22_DHCP6_CODES, ...NEWER_DHCP6_CODES].sort((a, b) => a - b);
  deepStrictEqual(DHCP6_OPTION_DEFS.map((d) => d.code), want);
  deepStrictEqual(listOptions6().map((d) => d.code), want);
});

// Facts from the Kea 2.2 ARM table "List of standard DHCPv6 options configurable by an administrator"
Deno.test("dhcp6 table: name, code and format of a dozen options as the Kea ARM lists them", () => {
  const facts: [string, number, string][] = [
    ["preference", 7, "uint8"],
    ["auth", 11, "binary"],
    ["unicast", 12, "ipv6-address"],
    ["status-code", 13, "record(uint16,string)"],
    ["rapid-commit", 14, "empty"],
    ["vendor-class", 16, "record(uint32,binary)"],
    ["vendor-opts", 17, "uint32"],
    ["dns-servers", 23, "ipv6-address[]"],
    ["domain-search", 24, "fqdn[]"],
    ["iaprefix", 26, "record(uint32,uint32,uint8,ipv6-address)"],
    ["sntp-servers", 31, "ipv6-address[]"],
    ["information-refresh-time", 32, "uint32"],
    ["geoconf-civic", 36, "record(uint8,uint16,binary)"],
    ["client-fqdn", 39, "record(uint8,fqdn)"],
    ["lq-query", 44, "record(uint8,ipv6-address) > dhcp6"],
    ["bootfile-url", 59, "string"],
    ["bootfile-param", 60, "tuple[]"],
    ["client-arch-type", 61, "uint16[]"],
    ["nii", 62, "record(uint8,uint8,uint8)"],
    ["aftr-name", 64, "fqdn"],
    ["rsoo", 66, "empty > rsoo-opts"],
    ["pd-exclude", 67, "ipv6-prefix"],
    ["rdnss-selection", 74, "record(ipv6-address,uint8,fqdn)[]"],
    ["s46-cont-mape", 94, "empty > s46-cont-mape-options"],
    ["s46-cont-mapt", 95, "empty > s46-cont-mapt-options"],
    ["s46-cont-lw", 96, "empty > s46-cont-lw-options"],
    ["v6-captive-portal", 103, "string"],
    ["relay-source-port", 135, "uint16"],
    ["ipv6-address-andsf", 143, "ipv6-address[]"],
  ];
  for (const [name, code, fmt] of facts) {
    equal(findOption6(name)?.code, code, name);
    equal(findOption6(code)?.name, name, String(code));
    equal(shape(findOption6(name)), fmt, name);
  }
});

Deno.test("dhcp6 table: every DHCPv6 tuple has a 2-byte length; every definition is in its space", () => {
  equal(findOption6("bootfile-param")?.tupleLength, 2);
  for (const space of listSpaces6()) {
    for (const d of listOptions6(space)) {
      equal(d.space, space);
      if (d.type === "tuple") equal(d.tupleLength, 2, d.name);
    }
  }
});

Deno.test("findOption6: by name, code and numeric string; unknown ones are undefined", () => {
  equal(findOption6("dns-servers")?.code, 23);
  equal(findOption6(23)?.name, "dns-servers");
  equal(findOption6(" 24 ")?.name, "domain-search");
  equal(findOption6("no-such-option"), undefined);
  equal(findOption6(10), undefined); // unassigned in RFC 8415
  equal(findOption6(136)?.name, "v6-sztp-redirect"); // Kea 2.4 and later
  equal(findOption6(137), undefined); // unassigned
  equal(findOption6("routers"), undefined); // a DHCPv4 name
  equal(findOption6("dns-servers", "no-such-space"), undefined);
  // the DHCPv4 lookup is untouched: same code, other universe
  equal(findOption4(23)?.name, "default-ip-ttl");
});

Deno.test("findOption6: softwire options live only in their container spaces (RFC 7598 §4)", () => {
  for (const c of [89, 90, 91, 92, 93]) equal(findOption6(c), undefined, `dhcp6 ${c}`);
  deepStrictEqual(listOptions6("s46-cont-mape-options").map((d) => d.name), ["s46-rule", "s46-br"]);
  deepStrictEqual(listOptions6("s46-cont-mapt-options").map((d) => d.name), ["s46-rule", "s46-dmr"]);
  deepStrictEqual(listOptions6("s46-cont-lw-options").map((d) => d.name), ["s46-br", "s46-v4v6bind"]);
  deepStrictEqual(listOptions6("s46-rule-options").map((d) => d.name), ["s46-portparams"]);
  deepStrictEqual(listOptions6("s46-v4v6bind-options").map((d) => d.name), ["s46-portparams"]);
  equal(
    shape(findOption6("s46-rule", "s46-cont-mape-options")),
    "record(uint8,uint8,uint8,ipv4-address,ipv6-prefix) > s46-rule-options",
  );
  equal(shape(findOption6(92, "s46-cont-lw-options")), "record(ipv4-address,ipv6-prefix) > s46-v4v6bind-options");
  equal(shape(findOption6("s46-portparams", "s46-rule-options")), "record(uint8,psid)");
  equal(shape(findOption6("s46-dmr", "s46-cont-mapt-options")), "ipv6-prefix");
});

Deno.test("findOption6: DOCSIS 3 (vendor-4491) and ISC 4o6 spaces", () => {
  equal(shape(findOption6("tftp-servers", "vendor-4491")), "ipv6-address[]");
  equal(findOption6(32, "vendor-4491")?.name, "tftp-servers");
  equal(findOption6("config-file", "vendor-4491")?.code, 33);
  equal(findOption6("syslog-servers", "vendor-4491")?.code, 34);
  equal(findOption6("device-id", "vendor-4491")?.type, "binary");
  equal(findOption6("time-servers", "vendor-4491")?.code, 37);
  equal(findOption6("time-offset", "vendor-4491")?.type, "int32");
  equal(findOption6(1026, "vendor-4491")?.name, "cmts-cm-mac");
  equal(findOption6("tftp-servers"), undefined); // not a "dhcp6" option
  for (const space of ["4o6", "vendor-2495"]) {
    deepStrictEqual(listOptions6(space).map((d) => `${d.code} ${d.name}`), [
      "60000 4o6-interface",
      "60001 4o6-source-address",
      "60002 4o6-source-port",
    ]);
  }
});

Deno.test("tables: unique names and codes per space, sound definitions", () => {
  deepStrictEqual(DHCP6_OPTION_DEFS.filter((d) => d.encapsulate === "dhcp6").map((d) => d.code), [44, 45]);
  const tables = { dhcp6: DHCP6_OPTION_DEFS, ...DHCP6_SPACE_DEFS };
  for (const [space, defs] of Object.entries(tables)) {
    equal(new Set(defs.map((d) => d.name)).size, defs.length, space);
    equal(new Set(defs.map((d) => d.code)).size, defs.length, space);
    for (const d of defs) {
      assert(d.code >= 1 && d.code <= 65535, `${space}.${d.name}`);
      // Kea's own lq-query (44) and client-data (45) carry "dhcp6" options, which a custom option-def may not do
      if (d.encapsulate === space) assert(/cannot encapsulate/.test(checkOptionDef(d) ?? ""));
      else equal(checkOptionDef(d), undefined, `${space}.${d.name}`);
      assert(Object.isFrozen(d), `${space}.${d.name} is frozen`);
    }
  }
  deepStrictEqual(listOptions6("nowhere"), []);
});

Deno.test("STANDARD_OPTIONS6: a lookup without a space means dhcp6", () => {
  equal(STANDARD_OPTIONS6.findOption4("dns-servers")?.code, 23);
  equal(STANDARD_OPTIONS6.findOption4(23)?.name, "dns-servers");
  equal(STANDARD_OPTIONS6.findOption4("tftp-servers", "vendor-4491")?.code, 32);
  equal(STANDARD_OPTIONS6.findOption4("routers"), undefined);
  equal(STANDARD_OPTIONS6.findOption4("routers", "dhcp4"), undefined); // the v6 codec knows only v6 spaces
});
