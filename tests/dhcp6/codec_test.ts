/**
 * The DHCPv6 codec (mod/dhcp6/codec.ts) against real captures (tests/fixtures/dhcp6, Kea 2.2 and dhclient,
 * dhcpcd, perfdhcp, dhcrelay): decoded fields, exact round trips, Kea's option order for built packets, relays,
 * and malformed input refused with DecodeError (hand-made cases and a small fuzz).
 */
import assert from "node:assert/strict";
import { decode6, duidOf, encode6, encodeStatus, innermost, MAX_RELAY_DEPTH } from "../../mod/packet6/codec.ts";
import { type Message6, MsgType6, Opt6, type Packet6, type Relay6, Status6 } from "../../mod/packet6/packet.ts";
import { DecodeError } from "../../mod/wire/errors.ts";
import { formatIpv6, parseIpv6 } from "../../mod/wire/ipv6.ts";
import * as captured from "../fixtures/dhcp6/captured.ts";
import { hex } from "../fixtures/dhcp6/hex.ts";

const FIXTURES = Object.entries(captured) as [string, Uint8Array][];
const ip6 = (s: string) => parseIpv6(s)!;
const msg = (p: Packet6) => {
  assert.equal(p.kind, "message");
  return p as Message6;
};
const text = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("fixtures: 20+ real captures, every message type the lab produced", () => {
  assert.ok(FIXTURES.length >= 20, `only ${FIXTURES.length} fixtures`);
  const types = new Set(FIXTURES.map(([, b]) => innermost(decode6(b)).msgType));
  for (const t of [1, 2, 3, 5, 7, 8, 11]) assert.ok(types.has(t), `no fixture of message type ${t}`);
  assert.ok(FIXTURES.some(([, b]) => b[0] === MsgType6.RELAY_FORW) && FIXTURES.some(([, b]) => b[0] === 13));
});

for (const [name, bytes] of FIXTURES) {
  Deno.test(`round trip: ${name}`, () => {
    assert.deepEqual(encode6(decode6(bytes)), bytes);
  });
}

/** Drops the recorded wire order everywhere, as a packet built by the engine has none. */
function forget(p: Packet6): Packet6 {
  if (p.kind === "relay") return { ...p, layout: undefined, inner: forget(p.inner) };
  return { ...p, layout: undefined, ias: p.ias.map((ia) => ({ ...ia, layout: undefined })) };
}

Deno.test("without a recorded layout, encode6 uses Kea's order: every Kea reply comes out byte for byte", () => {
  let n = 0;
  for (const [name, bytes] of FIXTURES) {
    const t = bytes[0];
    if (t !== MsgType6.ADVERTISE && t !== MsgType6.REPLY && t !== MsgType6.RELAY_REPL) continue;
    assert.deepEqual(encode6(forget(decode6(bytes))), bytes, name);
    n++;
  }
  assert.ok(n >= 10, `${n} Kea messages`);
});

Deno.test("dhclient IA_NA SOLICIT: header, client id, empty IA_NA, raw ORO and elapsed time", () => {
  const m = msg(decode6(captured.dhclient_na_solicit));
  assert.equal(m.msgType, MsgType6.SOLICIT);
  assert.equal(
    m.transactionId,
    (captured.dhclient_na_solicit[1] << 16) | (captured.dhclient_na_solicit[2] << 8) |
      captured.dhclient_na_solicit[3],
  );
  assert.match(duidOf(m)!, /^00:01:00:01:(..:){4}02:00:00:66:00:01$/); // DUID-LLT of the client's MAC
  assert.equal(m.ias.length, 1);
  assert.deepEqual({ ...m.ias[0], layout: undefined }, {
    kind: "na",
    iaid: 0x00660001,
    t1: 3600,
    t2: 5400,
    addresses: [],
    prefixes: [],
    options: [],
    layout: undefined,
  });
  assert.deepEqual(m.options.map((o) => o.code), [Opt6.CLIENTID, Opt6.ORO, Opt6.ELAPSED_TIME]);
  assert.deepEqual([...m.options[1].data], [0, 23, 0, 24]);
});

Deno.test("Kea REPLY to the IA_NA REQUEST: address, lifetimes, T1/T2 from the config, server id, DNS servers", () => {
  const m = msg(decode6(captured.dhclient_na_reply));
  assert.equal(m.msgType, MsgType6.REPLY);
  const ia = m.ias[0];
  assert.equal(ia.kind, "na");
  assert.equal(ia.t1, 4);
  assert.equal(ia.t2, 8);
  assert.equal(ia.addresses.length, 1);
  assert.equal(formatIpv6(ia.addresses[0].address), "2001:db8:1::100");
  assert.equal(ia.addresses[0].preferred, 30);
  assert.equal(ia.addresses[0].valid, 60);
  assert.equal(ia.status, undefined);
  const sid = m.options.find((o) => o.code === Opt6.SERVERID)!;
  assert.equal(formatIpv6(m.options.find((o) => o.code === 23)!.data.subarray(16, 32)), "2001:db8:1::54");
  assert.deepEqual([...sid.data], [0, 1, 0, 1, 0x29, 0xb9, 0x27, 0x00, 2, 0, 0, 0x66, 0, 0]); // LLT, time 700000000
  const renew = msg(decode6(captured.dhclient_na_renew));
  assert.equal(renew.msgType, MsgType6.RENEW);
  assert.equal(formatIpv6(renew.ias[0].addresses[0].address), "2001:db8:1::100");
});

Deno.test("RELEASE reply: the IA's status is decoded, the message's summary status stays a raw option", () => {
  const m = msg(decode6(captured.release_na_reply));
  assert.deepEqual(m.ias[0].status, {
    code: Status6.Success,
    message: "Lease released. Thank you, please come again.",
  });
  assert.equal(m.ias[0].addresses.length, 0);
  const st = m.options.find((o) => o.code === Opt6.STATUS_CODE)!;
  assert.equal(text(st.data.subarray(2)), "Summary status for all processed IA_NAs");
});

Deno.test("IA_PD: dhclient -P gets a /56 from the pd-pool; perfdhcp -e address-and-prefix gets both IAs", () => {
  const m = msg(decode6(captured.dhclient_pd_reply));
  assert.equal(m.ias.length, 1);
  const ia = m.ias[0];
  assert.equal(ia.kind, "pd");
  assert.equal(ia.prefixes.length, 1);
  assert.equal(ia.prefixes[0].prefixLen, 56);
  assert.equal(formatIpv6(ia.prefixes[0].prefix), "2001:db8:8000::", "the first /56 of 2001:db8:8000::/48");
  assert.equal(ia.prefixes[0].valid, 60);
  const both = msg(decode6(captured.perfdhcp_pd_advertise));
  assert.deepEqual(both.ias.map((i) => [i.kind, i.addresses.length, i.prefixes.length]), [["na", 1, 0], ["pd", 0, 1]]);
  assert.deepEqual(both.layout, [1, 2, 3, 23, 24, 25]);
});

Deno.test("INFORMATION-REQUEST (DUID-LL) and dhcpcd's SOLICIT with a vendor-class option kept raw", () => {
  const m = msg(decode6(captured.dhclient_info_information_request));
  assert.equal(m.msgType, MsgType6.INFORMATION_REQUEST);
  assert.equal(duidOf(m), "00:03:00:01:02:00:00:66:00:01");
  assert.equal(m.ias.length, 0);
  const d = msg(decode6(captured.dhcpcd_solicit));
  assert.equal(d.options.find((o) => o.code === Opt6.VENDOR_CLASS)?.data.length, 60);
  assert.deepEqual([...d.options.find((o) => o.code === Opt6.ORO)!.data], [0, 23, 0, 24, 0, 82, 0, 83]);
});

Deno.test("dhcrelay RELAY-FORW: hop count, link/peer address, interface-id, the SOLICIT inside", () => {
  const r = decode6(captured.dhcrelay_relay_forw_solicit) as Relay6;
  assert.equal(r.kind, "relay");
  assert.equal(r.msgType, MsgType6.RELAY_FORW);
  assert.equal(r.hopCount, 0);
  assert.equal(formatIpv6(r.linkAddress), "2001:db8:2::1");
  assert.equal(formatIpv6(r.peerAddress), "fe80::ff:fe66:2");
  assert.deepEqual(r.options.map((o) => o.code), [Opt6.INTERFACE_ID]);
  assert.deepEqual(r.layout, [Opt6.INTERFACE_ID, Opt6.RELAY_MSG]);
  const inner = innermost(r);
  assert.equal(inner.msgType, MsgType6.SOLICIT);
  assert.match(duidOf(inner)!, /02:00:00:66:00:02$/);
  const repl = decode6(captured.dhcrelay_relay_repl_reply) as Relay6;
  assert.equal(repl.msgType, MsgType6.RELAY_REPL);
  assert.deepEqual(repl.options[0].data, r.options[0].data, "Kea echoes the interface-id");
  assert.equal(formatIpv6(innermost(repl).ias[0].addresses[0].address), "2001:db8:2::100");
});

// RFC 8415 §9.1 by hand: the captured dhclient SOLICIT inside two relays; the outer one was added by a second relay
const WRAPPED = () => {
  const s = captured.dhclient_na_solicit;
  return concat(
    hex`0c 01                                            # RELAY-FORW, hop-count 1 (second relay)
        20 01 0d b8 00 0b 00 00 00 00 00 00 00 00 00 01  # link-address 2001:db8:b::1
        20 01 0d b8 00 0a 00 00 00 00 00 00 00 00 00 fe  # peer-address 2001:db8:a::fe (the first relay)
        00 12 00 02 75 70                                # option 18 interface-id "up"`,
    u16(Opt6.RELAY_MSG), // option 9 relay-msg, length: the first relay's message
    u16(34 + 8 + 4 + s.length),
    hex`0c 00                                            # RELAY-FORW, hop-count 0 (first relay)
        20 01 0d b8 00 0a 00 00 00 00 00 00 00 00 00 01  # link-address 2001:db8:a::1
        fe 80 00 00 00 00 00 00 00 00 00 ff fe 66 00 01  # peer-address fe80::ff:fe66:1 (the client)
        00 12 00 04 65 74 68 31                          # option 18 interface-id "eth1"`,
    u16(Opt6.RELAY_MSG), // option 9 relay-msg, length: the SOLICIT
    u16(s.length),
    s,
  );
};
const u16 = (v: number) => new Uint8Array([v >> 8, v & 0xff]);
function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) out.set(p, (o += p.length) - p.length);
  return out;
}

Deno.test("a SOLICIT wrapped in two RELAY-FORWs by hand decodes layer by layer and re-encodes exactly", () => {
  const bytes = WRAPPED();
  const outer = decode6(bytes) as Relay6;
  assert.equal(outer.hopCount, 1);
  assert.equal(formatIpv6(outer.peerAddress), "2001:db8:a::fe");
  assert.equal(text(outer.options[0].data), "up");
  const first = outer.inner as Relay6;
  assert.equal(first.kind, "relay");
  assert.equal(first.hopCount, 0);
  assert.equal(text(first.options[0].data), "eth1");
  assert.deepEqual(innermost(outer), decode6(captured.dhclient_na_solicit));
  assert.deepEqual(encode6(outer), bytes);
  const relaysOnly = { ...outer, layout: undefined, inner: { ...first, layout: undefined } };
  assert.deepEqual(encode6(relaysOnly), bytes, "interface-id before RELAY_MSG is also Kea's order");
});

Deno.test("a packet built from scratch: options sorted by code, IA sub-options too, RELAY_MSG last", () => {
  const reply: Message6 = {
    kind: "message",
    msgType: MsgType6.REPLY,
    transactionId: 0xabcdef,
    options: [
      { code: 23, data: ip6("2001:db8::53") },
      { code: Opt6.SERVERID, data: new Uint8Array([0, 3, 0, 1, 1, 2, 3, 4, 5, 6]) },
      { code: Opt6.CLIENTID, data: new Uint8Array([0, 3, 0, 1, 9, 9, 9, 9, 9, 9]) },
    ],
    ias: [{
      kind: "na",
      iaid: 7,
      t1: 1000,
      t2: 2000,
      status: { code: Status6.NoAddrsAvail, message: "none" },
      addresses: [{ address: ip6("2001:db8::5"), preferred: 0, valid: 0, options: [] }],
      prefixes: [],
      options: [],
    }],
  };
  const b = encode6(reply);
  const back = msg(decode6(b));
  assert.deepEqual(back.layout, [Opt6.CLIENTID, Opt6.SERVERID, Opt6.IA_NA, 23]);
  assert.deepEqual(back.ias[0].layout, [Opt6.IAADDR, Opt6.STATUS_CODE]);
  assert.deepEqual(back.ias[0].status, { code: 2, message: "none" });
  assert.equal(b[1] << 16 | b[2] << 8 | b[3], 0xabcdef);
  const relay: Relay6 = {
    kind: "relay",
    msgType: 13,
    hopCount: 0,
    linkAddress: ip6("2001:db8:2::1"),
    peerAddress: ip6("fe80::1"),
    options: [{ code: Opt6.INTERFACE_ID, data: new Uint8Array([1]) }],
    inner: reply,
    layout: [Opt6.RELAY_MSG], // stale: does not list the interface-id
  };
  const rb = encode6(relay);
  assert.deepEqual((decode6(rb) as Relay6).layout, [Opt6.INTERFACE_ID, Opt6.RELAY_MSG]);
  assert.deepEqual(rb.subarray(rb.length - b.length), b);
  assert.throws(() => encode6({ ...reply, transactionId: 1 << 24 }), RangeError);
  assert.throws(() => encode6({ ...reply, options: [{ code: 99, data: new Uint8Array(70000) }] }), RangeError);
});

Deno.test("encodeStatus writes code + UTF-8 text; duidOf is undefined without a client id", () => {
  const s = encodeStatus(Status6.NoBinding, "no binding für dich");
  assert.equal(s.code, Opt6.STATUS_CODE);
  assert.deepEqual([...s.data.subarray(0, 2)], [0, 3]);
  assert.equal(text(s.data.subarray(2)), "no binding für dich");
  assert.equal(duidOf({ kind: "message", msgType: 1, transactionId: 0, ias: [], options: [] }), undefined);
});

/** Header of option `code` with length `len`, as hex text. */
const oh = (code: number, len: number) => [code >> 8, code & 255, len >> 8, len & 255];
const b = (...xs: (number | number[] | Uint8Array)[]) =>
  new Uint8Array(xs.flatMap((x) => typeof x === "number" ? [x] : [...x]));
const Z16 = new Array(16).fill(0);

const MALFORMED: [string, Uint8Array, number][] = [
  ["empty datagram", b(), 0],
  ["message header of 1 byte", b(1), 0],
  ["message header of 3 bytes", b(1, 0, 0), 0],
  ["option header of 1 byte", b(1, 0, 0, 1, 0), 4],
  ["option header of 3 bytes", b(1, 0, 0, 1, 0, 1, 0), 4],
  ["option longer than the message", b(1, 0, 0, 1, oh(1, 10), 1, 2, 3), 4],
  ["second option overlong", b(1, 0, 0, 1, oh(8, 2), 0, 0, oh(6, 4), 0, 23), 10],
  ["IA_NA shorter than 12", b(1, 0, 0, 1, oh(3, 8), new Array(8).fill(0)), 4],
  ["IA_PD shorter than 12", b(1, 0, 0, 1, oh(25, 11), new Array(11).fill(0)), 4],
  ["IA_NA sub-option overlong", b(1, 0, 0, 1, oh(3, 16), new Array(12).fill(0), oh(5, 24)), 20],
  ["IA_NA sub-option header cut", b(1, 0, 0, 1, oh(3, 14), new Array(12).fill(0), 0, 5), 20],
  ["IAADDR shorter than 24", b(1, 0, 0, 1, oh(3, 32), new Array(12).fill(0), oh(5, 16), Z16), 20],
  [
    "IAADDR sub-option overlong",
    b(1, 0, 0, 1, oh(3, 44), new Array(12).fill(0), oh(5, 28), Z16, new Array(8).fill(0), oh(13, 9)),
    48,
  ],
  ["IAPREFIX shorter than 25", b(1, 0, 0, 1, oh(25, 40), new Array(12).fill(0), oh(26, 24), new Array(24).fill(0)), 20],
  [
    "IAPREFIX length 129",
    b(1, 0, 0, 1, oh(25, 41), new Array(12).fill(0), oh(26, 25), new Array(8).fill(0), 129, Z16),
    32,
  ],
  ["IA status code of 1 byte", b(1, 0, 0, 1, oh(3, 17), new Array(12).fill(0), oh(13, 1), 0), 20],
  ["relay header of 1 byte", b(12), 0],
  ["relay header of 33 bytes", b(12, 0, Z16, new Array(15).fill(0)), 0],
  ["relay without RELAY_MSG", b(12, 0, Z16, Z16, oh(18, 1), 1), 0],
  ["relay with an empty RELAY_MSG", b(12, 0, Z16, Z16, oh(9, 0)), 38],
  ["relay with two RELAY_MSGs", b(12, 0, Z16, Z16, oh(9, 4), 1, 0, 0, 1, oh(9, 4), 1, 0, 0, 2), 42],
  ["RELAY_MSG overlong", b(12, 0, Z16, Z16, oh(9, 10), 1, 0, 0, 1), 34],
  ["truncated message inside RELAY_MSG", b(13, 0, Z16, Z16, oh(9, 2), 7, 0), 38],
  ["overlong option inside RELAY_MSG", b(13, 0, Z16, Z16, oh(9, 8), 7, 0, 0, 1, oh(2, 1)), 42],
  ["relay-repl without RELAY_MSG", b(13, 0, Z16, Z16), 0],
];

for (const [name, bytes, offset] of MALFORMED) {
  Deno.test(`malformed: ${name} → DecodeError at byte ${offset}`, () => {
    assert.throws(() => decode6(bytes), (e) => e instanceof DecodeError && e.offset === offset);
  });
}

Deno.test(`malformed: ${MAX_RELAY_DEPTH + 1} nested relays are refused, ${MAX_RELAY_DEPTH} are accepted`, () => {
  const nest = (n: number): Uint8Array => {
    let p = captured.dhclient_na_solicit;
    for (let i = 0; i < n; i++) p = concat(b(12, i, Z16, Z16), u16(9), u16(p.length), p);
    return p;
  };
  const ok = nest(MAX_RELAY_DEPTH);
  assert.deepEqual(encode6(decode6(ok)), ok);
  assert.throws(() => decode6(nest(MAX_RELAY_DEPTH + 1)), (e) => e instanceof DecodeError && /nested/.test(e.message));
});

Deno.test("fuzz: every truncation and 3000 random mutations of the fixtures decode or throw DecodeError only", () => {
  let seed = 0x6d2b79f5;
  const rand = () => { // mulberry32: deterministic, so a failure can be replayed
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const inputs: Uint8Array[] = [WRAPPED()];
  for (const [, x] of FIXTURES) for (let n = 0; n < x.length; n++) inputs.push(x.subarray(0, n));
  for (let i = 0; i < 3000; i++) {
    const x = FIXTURES[Math.floor(rand() * FIXTURES.length)][1].slice();
    for (let k = 1 + Math.floor(rand() * 3); k > 0; k--) x[Math.floor(rand() * x.length)] = Math.floor(rand() * 256);
    inputs.push(x);
  }
  let accepted = 0, refused = 0;
  for (const x of inputs) {
    let p: Packet6;
    try {
      p = decode6(x);
    } catch (e) {
      assert.ok(e instanceof DecodeError, `${(e as Error).name}: ${(e as Error).message}`);
      assert.ok(e.offset >= 0 && e.offset <= x.length, `offset ${e.offset} outside 0..${x.length}`);
      refused++;
      continue;
    }
    assert.deepEqual(encode6(p), x, "whatever is accepted re-encodes to the same bytes");
    accepted++;
  }
  assert.ok(accepted > 100 && refused > 100, `accepted ${accepted}, refused ${refused}`);
});
