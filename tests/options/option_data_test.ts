import assert, { deepStrictEqual, equal, throws } from "node:assert/strict";
import { encodeOptionData, findOption4, formatOptionData, type OptionDef, splitCsv } from "../../mod/options/mod.ts";
import { OptionDataError } from "../../mod/options/types.ts";
import { toHex } from "../../mod/wire/addr.ts";

const ascii = (s: string) => [...new TextEncoder().encode(s)].map((b) => b.toString(16).padStart(2, "0")).join("");
const name = (...labels: string[]) =>
  labels.map((l) => l.length.toString(16).padStart(2, "0") + ascii(l)).join("") + "00";

function std(n: string): OptionDef {
  const d = findOption4(n);
  assert(d, `no definition for ${n}`);
  return d;
}

// [option name, csv data (as it reads after JSON unescaping), expected payload hex]. Data mostly from Kea's
// doc/examples/kea4/all-options.json.
const CASES: [string, string, string][] = [
  ["subnet-mask", "255.255.255.0", "ffffff00"],
  ["time-offset", "-25200", "ffff9d90"],
  ["routers", "192.0.2.2, 192.0.2.3", "c0000202c0000203"],
  ["host-name", "  client-1  ", ascii("client-1")],
  ["boot-size", "1024", "0400"],
  ["ip-forwarding", "true", "01"],
  ["non-local-source-routing", "0", "00"],
  ["default-ip-ttl", "248", "f8"],
  ["path-mtu-aging-timeout", "131072", "00020000"],
  ["path-mtu-plateau-table", "3072, 4096", "0c001000"],
  ["netbios-node-type", "0x1", "01"],
  ["nwip-suboptions", "1A BB AD AB BA D0 00 00 00 00 00 00 00 00 CA FE", "1abbadabbad00000000000000000cafe"],
  ["dhcp-client-identifier", "01:02:00:00:aa:bb:03", "0102000" + "0aabb03"],
  ["slp-directory-agent", "true, 192.0.2.59, 192.0.2.60", "01c000023bc000023c"],
  ["slp-service-scope", "true, slp-scope", "01" + ascii("slp-scope")],
  ["fqdn", "1, 0, 0, myhost.example.org", "010000" + name("myhost", "example", "org")],
  ["bcms-controller-names", "bcms-controller.example.org", name("bcms-controller", "example", "org")],
  ["client-system", "6144, 7168", "18001c00"],
  ["client-ndi", "0, 1, 0", "000100"],
  ["uuid-guid", "0, 1A BB AD AB BA D0 00 00 00 00 00 00 00 00 CA FE", "001abbadabbad00000000000000000cafe"],
  ["pcode", "EST5EDT4\\,M3.2.0/02:00\\,M11.1.0/02:00", ascii("EST5EDT4,M3.2.0/02:00,M11.1.0/02:00")],
  ["name-service-search", "6, 41, 44, 65", "00060029002c0041"],
  ["domain-search", "example.com, example.org.", name("example", "com") + name("example", "org")],
  [
    "classless-static-route",
    "10.229.0.128/25 - 10.229.0.1, 10.198.122.47/32 - 10.198.122.1, 0.0.0.0/0 - 10.0.0.1",
    "190ae500800ae50001" + "200ac67a2f0ac67a01" + "000a000001",
  ],
  ["vivso-suboptions", "4491", "0000118b00"],
  [
    "v4-sztp-redirect",
    "https://sztp1.example.com:8443, https://sztp2.example.com:8444",
    "001e" + ascii("https://sztp1.example.com:8443") + "001e" + ascii("https://sztp2.example.com:8444"),
  ],
  [
    "rdnss-selection",
    "1, 192.0.2.70, 192.0.2.71, example.com, example.org",
    "01c0000246c0000247" + name("example", "com") + name("example", "org"),
  ],
  ["v4-portparams", "2, 3/4", "02043000"],
  [
    "option-6rd",
    "8, 32, 2001:db8::, 192.0.2.1, 192.0.2.2",
    "0820" + "20010db8000000000000000000000000" + "c0000201c0000202",
  ],
  ["v4-access-domain", "example.org", name("example", "org")],
  ["status-code", "0, all is well", "00" + ascii("all is well")],
];

for (const [n, data, hex] of CASES) {
  Deno.test(`encodeOptionData csv: ${n} '${data}'`, () => {
    const def = std(n);
    equal(toHex(encodeOptionData(def, data, true)), hex);
    // the text form reads back to the same bytes
    const text = formatOptionData(def, encodeOptionData(def, data, true));
    equal(toHex(encodeOptionData(def, text, true)), hex, `formatted as '${text}'`);
  });
}

Deno.test("formatOptionData: Kea-style text for arrays, records, names, routes and escaped strings", () => {
  equal(formatOptionData(std("routers"), Uint8Array.of(192, 0, 2, 1, 192, 0, 2, 2)), "192.0.2.1, 192.0.2.2");
  equal(
    formatOptionData(std("domain-search"), encodeOptionData(std("domain-search"), "a.org, b.com", true)),
    "a.org., b.com.",
  );
  equal(
    formatOptionData(
      std("classless-static-route"),
      encodeOptionData(std("classless-static-route"), "10.0.0.0/8 - 10.0.0.1", true),
    ),
    "10.0.0.0/8 - 10.0.0.1",
  );
  equal(formatOptionData(std("pcode"), new TextEncoder().encode("a,b")), "a\\,b");
  equal(formatOptionData(std("dhcp-client-identifier"), Uint8Array.of(1, 2, 0xab)), "01:02:ab");
  equal(formatOptionData(std("time-offset"), Uint8Array.of(0xff, 0xff, 0xff, 0xfe)), "-2");
  equal(formatOptionData(std("ip-forwarding"), Uint8Array.of(1)), "true");
  equal(formatOptionData(std("host-name"), new TextEncoder().encode("pc\0\0")), "pc"); // trailing NULs dropped
});

Deno.test("encodeOptionData csv: custom definitions of every scalar type", () => {
  const def = (type: OptionDef["type"], array = false, extra: Partial<OptionDef> = {}): OptionDef => ({
    name: "my-opt",
    code: 200,
    type,
    array,
    ...extra,
  });
  equal(toHex(encodeOptionData(def("int8"), "-1", true)), "ff");
  equal(toHex(encodeOptionData(def("int16"), "-2", true)), "fffe");
  equal(toHex(encodeOptionData(def("int32"), "-2147483648", true)), "80000000");
  equal(toHex(encodeOptionData(def("uint32"), "4294967295", true)), "ffffffff");
  equal(toHex(encodeOptionData(def("uint16", true), "1, 0x10, 65535", true)), "00010010ffff");
  equal(
    toHex(encodeOptionData(def("ipv6-address", true), "2001:db8::1, ::ffff:192.0.2.1", true)),
    "20010db8000000000000000000000001" + "00000000000000000000ffffc0000201",
  );
  equal(toHex(encodeOptionData(def("ipv6-prefix"), "2001:db8:1::/48", true)), "3020010db80001");
  equal(toHex(encodeOptionData(def("ipv6-prefix"), "2001:db8:ff00::/36", true)), "2420010db8f0");
  equal(toHex(encodeOptionData(def("psid"), "0/0", true)), "000000");
  equal(toHex(encodeOptionData(def("tuple", true, { tupleLength: 1 }), "ab, c", true)), "026162" + "0163");
  equal(toHex(encodeOptionData(def("empty"), "", true)), "");
  equal(toHex(encodeOptionData(def("binary"), "'hi'", true)), "6869");
  equal(toHex(encodeOptionData(def("boolean"), "FALSE", true)), "00");
  equal(formatOptionData(def("ipv6-prefix"), Uint8Array.of(48, 0x20, 0x01, 0x0d, 0xb8, 0, 1)), "2001:db8:1::/48");
  equal(formatOptionData(def("psid"), Uint8Array.of(4, 0x30, 0)), "3/4");
  equal(formatOptionData(def("int8", true), Uint8Array.of(0x80, 0x7f)), "-128, 127");
});

Deno.test("encodeOptionData hex: with or without separators, 0x, quoted text; checked against the definition", () => {
  for (const data of ["c0000201", "C0:00:02:01", "c0 00 02 01", "0xc0000201"]) {
    equal(toHex(encodeOptionData(std("routers"), data, false)), "c0000201");
  }
  equal(toHex(encodeOptionData(std("host-name"), "'pc-1'", false)), ascii("pc-1"));
  equal(toHex(encodeOptionData(std("vendor-encapsulated-options"), "01 02 aa bb", false)), "0102aabb");
  equal(toHex(encodeOptionData(std("dhcp-agent-options"), "", true)), "");
});

function rejects(def: OptionDef, data: string, csv: boolean, message: string | RegExp): void {
  throws(() => encodeOptionData(def, data, csv), (e: unknown) => {
    assert(e instanceof OptionDataError, `not an OptionDataError: ${e}`);
    if (typeof message === "string") equal(e.message, message);
    else assert(message.test(e.message), e.message);
    return true;
  });
}

Deno.test("encodeOptionData: errors name the option, its code and the value", () => {
  rejects(
    std("routers"),
    "192.0.2.1, 198.18.0.300",
    true,
    "option 'routers' (3): '198.18.0.300' is not an IPv4 address",
  );
  rejects(std("default-ip-ttl"), "256", true, "option 'default-ip-ttl' (23): '256' is out of range for uint8 (0..255)");
  rejects(std("time-offset"), "12abc", true, /option 'time-offset' \(2\): '12abc' is not an int32/);
  rejects(std("ip-forwarding"), "maybe", true, /'maybe' is not a boolean/);
  rejects(
    std("client-ndi"),
    "0, 1",
    true,
    "option 'client-ndi' (94): needs 3 comma-separated values (uint8, uint8, uint8), got 2",
  );
  rejects(std("host-name"), "  ", true, "option 'host-name' (12): no value given");
  rejects(std("domain-search"), "a..b", true, /empty label/);
  rejects(std("domain-search"), `${"x".repeat(64)}.org`, true, /over 63 bytes/);
  rejects(std("classless-static-route"), "10.0.0.0/33 - 10.0.0.1", true, /'10.0.0.0\/33' is not an IPv4 prefix/);
  rejects(std("classless-static-route"), "10.0.0.0/8", true, /is not a route/);
  rejects(std("v4-portparams"), "2, 17/4", true, /PSID 17 does not fit in 4 bits/);
  rejects(
    std("routers"),
    "c00002",
    false,
    /option 'routers' \(3\): the data does not fit the definition: 3 bytes is not a whole number of ipv4-address values/,
  );
  rejects(std("routers"), "zz", false, "option 'routers' (3): 'zz' is not hexadecimal data (csv-format is false)");
  rejects(std("ip-forwarding"), "02", false, /boolean value 2/);
  rejects(std("dhcp-agent-options"), "01", true, /carries no data/);
  rejects(std("v4-dnr"), "resolver.example.", true, /is not a DNR instance/);
});

Deno.test("splitCsv: Kea's escaped commas and trimming", () => {
  deepStrictEqual(splitCsv(" a , b\\,c ,, d\\\\"), ["a", "b,c", "d\\"]);
  deepStrictEqual(splitCsv(""), []);
});

Deno.test("a single-valued option takes the first value, as Kea does", () => {
  equal(toHex(encodeOptionData(std("domain-name"), "example.org, ignored", true)), ascii("example.org"));
});
