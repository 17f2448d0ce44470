import assert, { deepStrictEqual, equal, throws } from "node:assert/strict";
import { decode4, encode4, EncodeError } from "../../mod/packet4/codec.ts";
import { Opt, type Packet4 } from "../../mod/packet4/packet.ts";
import { DecodeError } from "../../mod/wire/errors.ts";
import { formatIpv4, parseIpv4, toColonHex } from "../../mod/wire/addr.ts";
import { parseClientFqdn, parseRelayAgentInfo } from "../../mod/options/mod.ts";

const DIR = new URL("../fixtures/dhcp4/", import.meta.url);

/** Reads an annotated fixture: hex bytes, with '#' comments. */
function fixture(name: string): Uint8Array {
  const text = Deno.readTextFileSync(new URL(`${name}.hex`, DIR));
  const hex = text.split("\n").map((l) => l.replace(/#.*/, "")).join("").replace(/\s+/g, "");
  return new Uint8Array(hex.match(/../g)!.map((h) => parseInt(h, 16)));
}

const FIXTURES = [...Deno.readDirSync(DIR)].filter((e) => e.name.endsWith(".hex")).map((e) => e.name.slice(0, -4))
  .sort();

/**
 * Fixtures that are not in weka's canonical encoding, and why: encode4 puts 53 first and 54 second and pads to 300
 * bytes, so these come back with the same content but other bytes.
 */
const NON_CANONICAL: Record<string, string> = {
  dhclient_offer: "Kea sorts options by code: 54 comes after 51",
  dhclient_ack: "Kea sorts options by code: 54 comes after 51",
  dhcpcd_offer: "Kea sorts options by code: 54 comes after 51",
  dhcpcd_ack: "Kea sorts options by code: 54 comes after 51",
  udhcpc_offer: "Kea sorts options by code: 54 comes after 51",
  udhcpc_ack: "Kea sorts options by code: 54 comes after 51",
  perfdhcp_offer: "Kea sorts options by code: 54 comes after 51",
  perfdhcp_ack: "Kea sorts options by code: 54 comes after 51",
  dhcpcd_request: "dhcpcd sends 50 before 53",
  udhcpc_request: "udhcpc sends 50 before 54",
  perfdhcp_discover: "perfdhcp sends 278 bytes, under the 300-byte BOOTP minimum",
  perfdhcp_request: "perfdhcp sends 290 bytes and 50 before 54",
  kea_options_offer: "Kea sorts options by code: 54 comes after 51",
  kea_options_discover: "perfdhcp sends 262 bytes, under the 300-byte BOOTP minimum",
};

function bytesEq(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

Deno.test("fixtures: there is a DORA for every client and two releases", () => {
  for (const c of ["dhclient", "dhcpcd", "udhcpc", "perfdhcp"]) {
    for (const m of ["discover", "offer", "request", "ack"]) {
      assert(FIXTURES.includes(`${c}_${m}`), `${c}_${m} missing`);
    }
  }
  assert(FIXTURES.includes("dhclient_release") && FIXTURES.includes("dhcpcd_release"));
});

for (const name of FIXTURES) {
  Deno.test(`round trip: ${name}`, () => {
    const x = fixture(name);
    const p = decode4(x);
    const y = encode4(p);
    if (NON_CANONICAL[name]) {
      assert(!bytesEq(x, y), `${name} is canonical after all; remove it from NON_CANONICAL`);
      deepStrictEqual(decode4(y), p);
    } else {
      assert(bytesEq(x, y), `${name}: encode4(decode4(x)) differs from x`);
    }
  });
}

Deno.test("decode: dhclient DISCOVER fields, hostname, PRL and FQDN flags", () => {
  const p = decode4(fixture("dhclient_discover"));
  equal(p.op, 1);
  equal(p.htype, 1);
  equal(p.hlen, 6);
  equal(p.xid, 0x7009493d);
  equal(toColonHex(p.chaddr.subarray(0, 6)), "02:00:00:aa:bb:01");
  equal(p.ciaddr, 0);
  equal(p.sname, "");
  equal(p.file, "");
  deepStrictEqual([...p.options.keys()], [53, 12, 81, 55]);
  deepStrictEqual([...p.options.get(Opt.MESSAGE_TYPE)!], [1]);
  equal(new TextDecoder().decode(p.options.get(Opt.HOST_NAME)), "wko-dhclient");
  deepStrictEqual([...p.options.get(Opt.PARAM_REQUEST_LIST)!], [1, 28, 2, 3, 15, 6, 119, 12, 42, 26]);
  const fqdn = parseClientFqdn(p.options.get(Opt.CLIENT_FQDN)!);
  deepStrictEqual(fqdn.flags, { s: true, o: false, e: true, n: false });
  equal(fqdn.name, "wko-dhclient.example.org.");
  equal(fqdn.partial, false);
});

Deno.test("decode: udhcpc REQUEST carries requested address, server id, client-id, vendor class", () => {
  const p = decode4(fixture("udhcpc_request"));
  equal(formatIpv4(p.options.get(Opt.REQUESTED_ADDRESS)!.reduce((v, b) => v * 256 + b, 0)), "192.0.2.102");
  deepStrictEqual([...p.options.get(Opt.SERVER_ID)!], [192, 0, 2, 1]);
  equal(toColonHex(p.options.get(Opt.CLIENT_ID)!), "01:02:00:00:aa:bb:03");
  equal(new TextDecoder().decode(p.options.get(Opt.VENDOR_CLASS_ID)), "wko-test");
  const fqdn = parseClientFqdn(p.options.get(Opt.CLIENT_FQDN)!);
  equal(fqdn.name.replace(/\.$/, ""), "wko-udhcpc.example.org");
});

Deno.test("decode: dhcpcd DISCOVER has an RFC 4361 client-id and max message size 1472", () => {
  const p = decode4(fixture("dhcpcd_discover"));
  equal(p.options.get(Opt.CLIENT_ID)![0], 0xff);
  deepStrictEqual([...p.options.get(Opt.MAX_MESSAGE_SIZE)!], [0x05, 0xc0]);
  deepStrictEqual([...p.options.get(80)!], []); // rapid commit, zero length
});

Deno.test("decode: perfdhcp relays with giaddr and option 82 sub-options", () => {
  const p = decode4(fixture("perfdhcp_discover"));
  equal(p.giaddr, parseIpv4("198.51.100.1"));
  equal(p.hops, 1);
  const rai = parseRelayAgentInfo(p.options.get(Opt.RELAY_AGENT_INFO)!);
  deepStrictEqual([...rai.keys()], [1, 2]);
  equal(toColonHex(rai.get(1)!), "00:00:00:07");
  equal(toColonHex(rai.get(2)!), "02:00:00:aa:bb:04");
});

Deno.test("decode: Kea ACK gives yiaddr, lease time and server id", () => {
  const p = decode4(fixture("dhclient_ack"));
  equal(p.op, 2);
  equal(formatIpv4(p.yiaddr), "192.0.2.100");
  deepStrictEqual([...p.options.get(Opt.LEASE_TIME)!], [0, 0, 0x0e, 0x10]);
  deepStrictEqual([...p.options.get(Opt.SERVER_ID)!], [192, 0, 2, 1]);
});

function packet(options: [number, Uint8Array][], extra: Partial<Packet4> = {}): Packet4 {
  return {
    op: 2,
    htype: 1,
    hlen: 6,
    hops: 0,
    xid: 0x01020304,
    secs: 0,
    flags: 0x8000,
    ciaddr: 0,
    yiaddr: parseIpv4("192.0.2.9")!,
    siaddr: 0,
    giaddr: 0,
    chaddr: new Uint8Array([2, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
    sname: "",
    file: "",
    options: new Map(options),
    ...extra,
  };
}
const fill = (n: number, seed = 0) => new Uint8Array(n).map((_, i) => (i + seed) % 251);

Deno.test("encode: 53 first, 54 second, 82 last, END, zero padding to 300 bytes", () => {
  const b = encode4(
    packet([[1, Uint8Array.of(255, 255, 255, 0)], [82, Uint8Array.of(1, 1, 7)], [54, Uint8Array.of(192, 0, 2, 1)], [
      53,
      Uint8Array.of(5),
    ]]),
  );
  equal(b.length, 300);
  deepStrictEqual([...b.subarray(236, 240)], [99, 130, 83, 99]);
  deepStrictEqual([...b.subarray(240, 264)], [
    53,
    1,
    5,
    54,
    4,
    192,
    0,
    2,
    1,
    1,
    4,
    255,
    255,
    255,
    0,
    82,
    3,
    1,
    1,
    7,
    255,
    0,
    0,
    0,
  ]);
  assert(b.subarray(261).every((x) => x === 0));
});

Deno.test("long options: over 255 bytes are split (RFC 3396) and merged again on decode", () => {
  const big = fill(600);
  const b = encode4(packet([[53, Uint8Array.of(5)], [43, big]]));
  // 53 (3 bytes), then 43 as 255 + 255 + 90
  deepStrictEqual([b[243], b[244]], [43, 255]);
  deepStrictEqual([b[243 + 257], b[244 + 257]], [43, 255]);
  deepStrictEqual([b[243 + 514], b[244 + 514]], [43, 90]);
  equal(b[243 + 514 + 92], 255);
  const p = decode4(b);
  assert(bytesEq(p.options.get(43)!, big));
});

Deno.test("long options: instances separated by other options are concatenated in order", () => {
  const b = encode4(packet([[53, Uint8Array.of(1)]]));
  const head = b.subarray(0, 243);
  const opts = [12, 3, 0x61, 0x62, 0x63, 1, 4, 255, 255, 255, 0, 12, 2, 0x64, 0x65, 255];
  const p = decode4(new Uint8Array([...head, ...opts]));
  equal(new TextDecoder().decode(p.options.get(12)), "abcde");
  deepStrictEqual([...p.options.keys()], [53, 12, 1]);
});

Deno.test("overload: options spill into file then sname when maxSize is small, and decode back", () => {
  const opts: [number, Uint8Array][] = [[53, Uint8Array.of(5)], [54, Uint8Array.of(192, 0, 2, 1)]];
  for (let c = 100; c < 105; c++) opts.push([c, fill(60, c)]);
  const p = packet(opts);
  const b = encode4(p, { maxSize: 400 });
  assert(b.length <= 400, `got ${b.length} bytes`);
  deepStrictEqual([...b.subarray(240, 252)], [53, 1, 5, 54, 4, 192, 0, 2, 1, 52, 1, 3]);
  const q = decode4(b);
  deepStrictEqual([...q.options.keys()], [53, 54, 100, 101, 102, 103, 104]);
  // 100 and 101 stay in the options field, 102 and 103 go to file (offset 108), 104 to sname (offset 44)
  deepStrictEqual([b[108], b[108 + 62], b[108 + 124]], [102, 103, 255]);
  deepStrictEqual([b[44], b[44 + 62]], [104, 255]);
  for (const [c, v] of opts) assert(bytesEq(q.options.get(c)!, v), `option ${c}`);
  equal(q.sname, "");
  equal(q.file, "");
});

Deno.test("overload: a file name in use leaves only sname for options", () => {
  const opts: [number, Uint8Array][] = [[53, Uint8Array.of(5)]];
  for (let c = 100; c < 102; c++) opts.push([c, fill(40, c)]);
  const b = encode4(packet(opts, { file: "pxelinux.0" }), { maxSize: 300 });
  assert(b.length <= 300);
  const q = decode4(b);
  equal(q.file, "pxelinux.0");
  equal(q.sname, "");
  deepStrictEqual([...b.subarray(243, 246)], [52, 1, 2]);
  deepStrictEqual([...q.options.keys()], [53, 100, 101]);
  equal(b[44], 101);
});

Deno.test("overload: too little room even with file and sname throws EncodeError", () => {
  const opts: [number, Uint8Array][] = [[53, Uint8Array.of(5)], [43, fill(700)]];
  throws(() => encode4(packet(opts), { maxSize: 576 }), EncodeError);
});

Deno.test("overload: decode reads options field, then file, then sname (RFC 3396 §5)", () => {
  const b = encode4(packet([[53, Uint8Array.of(2)]]));
  b.set([52, 1, 3, 255], 243);
  // file (offset 108): option 12 "fi"; sname (offset 44): option 12 "sn" then option 15 "x"
  b.set([12, 2, 0x66, 0x69, 255], 108);
  b.set([12, 2, 0x73, 0x6e, 15, 1, 0x78, 255], 44);
  const p = decode4(b);
  equal(new TextDecoder().decode(p.options.get(12)), "fisn");
  equal(new TextDecoder().decode(p.options.get(15)), "x");
  equal(p.options.has(52), false);
  equal(p.sname, "");
  equal(p.file, "");
});

function decodeError(bytes: Uint8Array, offset: number, re: RegExp): void {
  throws(() => decode4(bytes), (e: unknown) => {
    assert(e instanceof DecodeError, `not a DecodeError: ${e}`);
    equal(e.offset, offset);
    assert(re.test(e.message), e.message);
    return true;
  });
}

Deno.test("malformed: short header, missing and wrong cookie, bad op", () => {
  const good = fixture("dhclient_discover");
  decodeError(good.subarray(0, 100), 100, /truncated BOOTP header/);
  decodeError(good.subarray(0, 238), 236, /missing DHCP magic cookie/);
  const bad = good.slice();
  bad[239] = 0x64;
  decodeError(bad, 236, /magic cookie/);
  const op = good.slice();
  op[0] = 3;
  decodeError(op, 0, /bad op 3/);
});

Deno.test("malformed: truncated options throw with the option's offset; lenient drops the last one (Kea 2.2)", () => {
  const head = fixture("dhclient_discover").subarray(0, 240);
  const runs = new Uint8Array([...head, 53, 1, 1, 12, 10, 0x61, 0x62]);
  decodeError(runs, 243, /truncated option 12: length 10 runs past the end by 8 bytes/);
  const noLen = new Uint8Array([...head, 53, 1, 1, 12]);
  decodeError(noLen, 243, /truncated option 12: no length byte/);
  const p = decode4(runs, { lenient: true });
  deepStrictEqual([...p.options.keys()], [53]);
});

Deno.test("malformed: an overload option pointing at a broken file field throws with its offset", () => {
  const b = encode4(packet([[53, Uint8Array.of(2)]]));
  b.set([52, 1, 1, 255], 243);
  b.set([12, 200, 0x61], 108);
  decodeError(b, 108, /truncated option 12/);
});
