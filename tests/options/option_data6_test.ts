import assert, { equal, throws } from "node:assert/strict";
import { encodeOptionData, findOption6, formatOptionData, type OptionDef } from "../../mod/options/mod.ts";
import { STANDARD_OPTIONS6 } from "../../mod/config/options6.ts";
import { toHex } from "../../mod/wire/addr.ts";

const ascii = (s: string) => [...new TextEncoder().encode(s)].map((b) => b.toString(16).padStart(2, "0")).join("");
/** RFC 1035 §3.1 wire name: each label as length byte + text, then the root (00). */
const name = (...labels: string[]) =>
  labels.map((l) => l.length.toString(16).padStart(2, "0") + ascii(l)).join("") + "00";
/** A DHCPv6 tuple (RFC 8415 §21.16): 2-byte length, then the text. */
const tuple = (s: string) => s.length.toString(16).padStart(4, "0") + ascii(s);

function def6(n: string, space = "dhcp6"): OptionDef {
  const d = findOption6(n, space);
  assert(d, `no definition for ${space}.${n}`);
  return d;
}
const enc = (n: string, data: string, csv = true, space = "dhcp6") =>
  toHex(STANDARD_OPTIONS6.encodeOptionData(def6(n, space), data, csv));

// [space.name or name, csv data (after JSON unescaping), payload]. Every payload is what kea-dhcp6 2.2.0 sent in
// an Advertise for that option-data entry (always-send), captured in a network namespace.
const CASES: [string, string, string][] = [
  ["preference", "20", "14"], // RFC 8415 §21.8: pref-value (1 byte)
  ["unicast", "fd00:6::1", "fd000006000000000000000000000001"], // §21.12: server-address (16)
  ["user-class", "0003616263", "0003616263"], // §21.15: binary as given (Kea 2.2: no tuple check)
  // §21.16 enterprise-number (4) | vendor-class-data: tuples with a 2-byte length ("abc", "de")
  ["vendor-class", "4491, 0003 61 62 63 0002 6465", "0000118b" + tuple("abc") + tuple("de")],
  ["vendor-opts", "4491", "0000118b"], // §21.17: enterprise-number; sub-options come from space vendor-4491
  ["reconf-accept", "", ""], // §21.20: no data
  [
    "sip-server-dns",
    "sip1.example.com, sip2.example.com.",
    name("sip1", "example", "com") + name("sip2", "example", "com"),
  ], // RFC 3319
  ["sip-server-addr", "2001:db8::5060", "20010db8000000000000000000005060"],
  // RFC 3646 §3: addresses, 16 bytes each
  [
    "dns-servers",
    "2001:db8::53, 2001:db8:0:1::53",
    "20010db8000000000000000000000053" + "20010db8000000010000000000000053",
  ],
  // RFC 3646 §4: uncompressed wire names, case kept
  ["domain-search", "example.com, Sub.Example.ORG.", name("example", "com") + name("Sub", "Example", "ORG")],
  ["nis-servers", "2001:db8::111", "20010db8000000000000000000000111"], // RFC 3898
  ["nisp-domain-name", "nisp.example", name("nisp", "example")],
  ["sntp-servers", "2001:db8::123", "20010db8000000000000000000000123"], // RFC 4075
  ["information-refresh-time", "86400", "00015180"], // RFC 8415 §21.23
  ["bcmcs-server-dns", "bcmcs.example", name("bcmcs", "example")], // RFC 4280
  // RFC 4776: what (1) | country code "US" (2) | civic address elements (binary)
  ["geoconf-civic", "2, 21843, 00 02 41 42", "02" + "5553" + "00024142"],
  ["remote-id", "4491, 0a0b0c", "0000118b" + "0a0b0c"], // RFC 4649: enterprise-number | remote-id
  ["subscriber-id", "1a2b3c", "1a2b3c"], // RFC 4580
  // RFC 4833: TZ POSIX string, "\," is a literal comma
  ["new-posix-timezone", "EST5EDT4\\,M3.2.0/02:00\\,M11.1.0/02:00", ascii("EST5EDT4,M3.2.0/02:00,M11.1.0/02:00")],
  ["new-tzdb-timezone", "Europe/Zurich", ascii("Europe/Zurich")],
  ["ero", "23, 24", "0017" + "0018"], // RFC 4994: option codes, 2 bytes each
  ["clt-time", "604800", "00093a80"], // RFC 5007 §4.1.2.3
  ["lq-relay-data", "2001:db8::1, 0102", "20010db8000000000000000000000001" + "0102"], // peer-address | message
  ["v6-lost", "lost.example.net", name("lost", "example", "net")], // RFC 5223
  ["relay-id", "00030001aabbccddeeff", "00030001aabbccddeeff"], // RFC 5460: a DUID
  ["sip-ua-cs-list", "ua.example.com", name("ua", "example", "com")], // RFC 6011
  ["bootfile-url", "tftp://[2001:db8::69]/boot.efi", ascii("tftp://[2001:db8::69]/boot.efi")], // RFC 5970 §3.1
  ["bootfile-param", "root=/dev/sda1, quiet", tuple("root=/dev/sda1") + tuple("quiet")], // RFC 5970 §3.2
  ["client-arch-type", "7, 16", "0007" + "0010"], // RFC 5970 §3.3: architecture types, 2 bytes each
  ["nii", "1, 3, 16", "01" + "03" + "10"], // RFC 5970 §3.4: type | major | minor
  ["aftr-name", "aftr.example.net", name("aftr", "example", "net")], // RFC 6334 §3
  ["erp-local-domain-name", "erp.example", name("erp", "example")], // RFC 6440
  // RFC 6603 §4.2: prefix-len 61 (0x3d) | the 8 bytes that hold 61 bits
  ["pd-exclude", "2001:db8:1:ff00::/61", "3d" + "20010db80001ff00"],
  // RFC 6731 §4: server (16) | flags (1) | domains and networks, the last field repeating
  [
    "rdnss-selection",
    "2001:db8::53, 1, a.example, b.example",
    "20010db8000000000000000000000053" + "01" + name("a", "example") + name("b", "example"),
  ],
  ["client-linklayer-addr", "0001 0a0b0c0d0e0f", "0001" + "0a0b0c0d0e0f"], // RFC 6939: type | address
  ["solmax-rt", "7200", "00001c20"], // RFC 7083
  [
    "dhcp4o6-server-addr",
    "2001:db8::44, 2001:db8::46",
    "20010db8000000000000000000000044" + "20010db8000000000000000000000046",
  ], // RFC 7341
  ["v6-captive-portal", "https://portal.example/", ascii("https://portal.example/")], // RFC 8910
  ["relay-source-port", "1547", "060b"], // RFC 8357
  // RFC 7598 §4.1 S46_RULE: flags | ea-len | prefix4-len | ipv4-prefix | prefix6-len 40 (0x28) | 5 prefix bytes
  [
    "s46-cont-mape-options.s46-rule",
    "128, 16, 24, 192.0.2.0, 2001:db8:100::/40",
    "80" + "10" + "18" + "c0000200" + "28" + "20010db801",
  ],
  ["s46-cont-mape-options.s46-br", "2001:db8::b4", "20010db80000000000000000000000b4"], // §4.2
  // §4.5 S46_PORTPARAMS: offset | PSID-len 6 | PSID 52 left-aligned in 16 bits (110100 << 10 = d000)
  ["s46-rule-options.s46-portparams", "6, 52/6", "06" + "06" + "d000"],
  ["s46-v4v6bind-options.s46-portparams", "0, 3/4", "00" + "04" + "3000"],
  // §4.4 S46_V4V6BIND: ipv4-address | bindprefix6-len 56 (0x38) | 7 prefix bytes
  ["s46-cont-lw-options.s46-v4v6bind", "192.0.2.7, 2001:db8:7::/56", "c0000207" + "38" + "20010db8000700"],
  ["vendor-4491.tftp-servers", "2001:db8::69", "20010db8000000000000000000000069"], // CableLabs CL-SP-CANN-DHCP-Reg
  ["vendor-4491.config-file", "cm.cfg", ascii("cm.cfg")],
  ["vendor-4491.time-offset", "-3600", "fffff1f0"], // int32, two's complement
];

for (const [full, data, hex] of CASES) {
  const [space, n] = full.includes(".") ? full.split(".") : ["dhcp6", full];
  Deno.test(`option-data6: ${full} '${data}' encodes as Kea 2.2 sends it`, () => {
    equal(enc(n, data, true, space), hex);
    // and the payload reads back as text that encodes to the same bytes
    const d = def6(n, space);
    const bytes = STANDARD_OPTIONS6.encodeOptionData(d, data, true);
    equal(toHex(STANDARD_OPTIONS6.encodeOptionData(d, formatOptionData({ ...d }, bytes), true)), hex);
  });
}

Deno.test("option-data6: values read back as Kea-style text", () => {
  const fmt = (n: string, hex: string, space = "dhcp6") =>
    formatOptionData(def6(n, space), new Uint8Array(hex.match(/../g)?.map((h) => parseInt(h, 16)) ?? []));
  equal(
    fmt("dns-servers", "20010db8000000000000000000000053" + "20010db8000000010000000000000053"),
    "2001:db8::53, 2001:db8:0:1::53",
  );
  equal(fmt("domain-search", name("example", "com") + name("b", "org")), "example.com., b.org.");
  equal(fmt("bootfile-param", tuple("root=/dev/sda1") + tuple("quiet")), "root=/dev/sda1, quiet");
  equal(fmt("pd-exclude", "3d20010db80001ff00"), "2001:db8:1:ff00::/61");
  equal(fmt("s46-portparams", "0606d000", "s46-rule-options"), "6, 52/6");
  equal(fmt("vendor-class", "0000118b" + tuple("abc")), "4491, 00:03:61:62:63");
  equal(fmt("vendor-opts", "0000118b" + "0021" + "0006" + ascii("cm.cfg")), "4491");
});

Deno.test("option-data6: a custom DHCPv6 tuple has a 2-byte length, a DHCPv4 one keeps 1 byte", () => {
  const custom: OptionDef = { name: "my-tuple", code: 1000, type: "tuple", array: true, space: "dhcp6" };
  equal(toHex(STANDARD_OPTIONS6.encodeOptionData(custom, "ab, c", true)), tuple("ab") + tuple("c"));
  const foobar: OptionDef = { name: "t", code: 1, type: "record", array: false, recordTypes: ["uint8", "tuple"] };
  equal(
    toHex(STANDARD_OPTIONS6.encodeOptionData({ ...foobar, space: "foobar" }, "7, xy", true)),
    "07" + "0002" + ascii("xy"),
  );
  // a custom definition in "dhcp6" encoded without the v6 codec (as withOptionDefs does) still gets 2 bytes
  equal(toHex(encodeOptionData(custom, "ab", true)), tuple("ab"));
  // the same definitions through the DHCPv4 path: a 1-byte length (unchanged v4 behaviour)
  equal(toHex(encodeOptionData({ ...foobar, space: "foobar" }, "7, xy", true)), "07" + "02" + ascii("xy"));
  equal(toHex(encodeOptionData({ ...custom, space: "dhcp4" }, "ab", true)), "02" + ascii("ab"));
});

Deno.test("option-data6: hex data (csv-format false) is checked against the definition", () => {
  equal(enc("geoconf-civic", "deadbeef", false), "deadbeef"); // keama's optiondata6 output
  equal(
    enc("vendor-opts", "0000118b 0021 0006 636d2e636667".replaceAll(" ", ""), false),
    "0000118b0021000663" + "6d2e636667",
  );
  throws(() => enc("vendor-opts", "0000118b00210006", false), /claims 6 bytes, past the end/);
  throws(() => enc("vendor-class", "0000118b0a0b", false), /vendor-class.*tuple at byte 4 claims 2571 bytes/);
  throws(() => enc("preference", "0102", false), /option 'preference' \(7\): the data does not fit.*1 bytes left/);
});

Deno.test("option-data6: the keama test outputs' DHCPv6 option-data encode", () => {
  equal(enc("lq-relay-data", "2001::1, 666f6f626172"), "20010000000000000000000000000001" + ascii("foobar"));
  equal(enc("domain-search", "example.com, example.org"), name("example", "com") + name("example", "org"));
  equal(
    enc("dns-servers", "2a01:e00::2, 2a01:e00::1"),
    "2a010e00000000000000000000000002" + "2a010e00000000000000000000000001",
  );
  equal(enc("clt-time", "604800"), "00093a80");
  equal(enc("rapid-commit", ""), "");
  equal(enc("vendor-opts", "12345"), "00003039");
  equal(enc("bootfile-url", "http://nowhere/"), ascii("http://nowhere/"));
});

Deno.test("option-data6: a PSID length of 0 ignores the PSID, as Kea's writePsid does", () => {
  equal(enc("s46-portparams", "0, 5/0", true, "s46-rule-options"), "00" + "00" + "0000");
  equal(enc("s46-portparams", "0, 65535/16", true, "s46-rule-options"), "00" + "10" + "ffff");
});

Deno.test("option-data6: bad values are refused with the option, code and value named", () => {
  const refuse = (n: string, data: string, re: RegExp, space = "dhcp6") => throws(() => enc(n, data, true, space), re);
  refuse(
    "dns-servers",
    "2001:db8::53, 192.0.2.53",
    /^OptionDataError: option 'dns-servers' \(23\): '192\.0\.2\.53' is not an IPv6 address/,
  );
  refuse("preference", "256", /option 'preference' \(7\): '256' is out of range for uint8 \(0\.\.255\)/);
  refuse("client-arch-type", "7, x86", /option 'client-arch-type' \(61\): 'x86' is not a uint16/);
  refuse("pd-exclude", "2001:db8::/129", /option 'pd-exclude' \(67\): '2001:db8::\/129' is not an IPv6 prefix/);
  refuse("pd-exclude", "2001:db8::", /is not an IPv6 prefix \(2001:db8::\/48\)/);
  refuse("vendor-class", "4491, 0a0b", /option 'vendor-class' \(16\):.*claims 2571 bytes but 0 remain/);
  refuse("domain-search", `${"a".repeat(64)}.example`, /option 'domain-search' \(24\):.*label .* is over 63 bytes/);
  refuse("aftr-name", "", /option 'aftr-name' \(64\): no value given/);
  refuse("rapid-commit", "yes", /option 'rapid-commit' \(14\): 'yes' given, but the option carries no data/);
  refuse("bootfile-param", "x".repeat(65536), /is over 65535 bytes, too long for a tuple/);
  refuse(
    "s46-rule",
    "0, 16, 24, 192.0.2.0",
    /option 's46-rule' \(89\): needs 5 comma-separated values/,
    "s46-cont-mapt-options",
  );
  refuse("s46-portparams", "0, 64/6", /'64\/6': PSID 64 does not fit in 6 bits/, "s46-rule-options");
  refuse("s46-portparams", "0, 1/17", /PSID length 17 is over 16/, "s46-rule-options");
  refuse("s46-portparams", "0, 70000/16", /PSID 70000 is over 65535/, "s46-rule-options");
  refuse("s46-portparams", "0, 52", /'52' is not a PSID/, "s46-rule-options");
  refuse("s46-v4v6bind", "2001:db8::1, 2001:db8::/48", /'2001:db8::1' is not an IPv4 address/, "s46-cont-lw-options");
  refuse("time-offset", "2147483648", /out of range for int32/, "vendor-4491");
});
