/**
 * Reply contents (RFC 2131 §4.3.1 table 3, RFC 2132, Kea's option rules), lease timers and lifetimes, and
 * the validation drops of handle4().
 */
import assert from "node:assert/strict";
import { handle4 } from "../../../mod/dhcp4/engine/handle4.ts";
import { teeTimes, validLifetime } from "../../../mod/dhcp4/engine/timers.ts";
import { identifyClient } from "../../../mod/dhcp4/engine/client.ts";
import type { Outcome } from "../../../mod/dhcp4/engine/types.ts";
import type { Packet4 } from "../../../mod/packet4/packet.ts";
import { ipv4Bytes } from "../../../mod/wire/addr.ts";
import { readU32 } from "../../../mod/dhcp4/engine/payload.ts";
import {
  config4,
  ctxOf,
  ip,
  lab,
  MsgType,
  o,
  Opt,
  optVal,
  query,
  subnet4,
  type SubnetSpec,
  world,
} from "./builders.ts";
import { type Row, runRow } from "./table.ts";

const base: SubnetSpec = { id: 1, prefix: "192.0.2.0/24", iface: "eth0", pools: [["192.0.2.100", "192.0.2.102"]] };
const T = subnet4(base).timers;

function offerWith(spec: Partial<SubnetSpec>, q: Packet4 = query(MsgType.DISCOVER)): Packet4 {
  const w = world({ config: config4([subnet4({ ...base, ...spec })]) });
  const out = handle4(q, ctxOf(w));
  assert.ok(out.kind === "reply", JSON.stringify(out.log));
  return out.reply;
}

Deno.test("validLifetime() clamps the client's option 51 into [min, max] and defaults to valid-lifetime", () => {
  const table: [number | undefined, number][] = [[undefined, 7200], [100, 3600], [5000, 5000], [999_999, 10800]];
  for (const [hint, want] of table) {
    const q = query(MsgType.REQUEST, { options: hint === undefined ? [] : [o.u32(Opt.LEASE_TIME, hint)] });
    assert.equal(validLifetime(q, T), want, `hint ${hint}`);
  }
});

Deno.test("teeTimes() follows Kea: nothing by default, explicit timers win, sane values only", () => {
  const table: [string, Partial<typeof T>, number, { t1?: number; t2?: number }][] = [
    ["default: no T1/T2", {}, 7200, {}],
    ["calculate-tee-times 50% / 87.5%", { calculateTeeTimes: true }, 7200, { t1: 3600, t2: 6300 }],
    ["explicit renew/rebind", { renewTimer: 1000, rebindTimer: 2000 }, 7200, { t1: 1000, t2: 2000 }],
    ["explicit beats calculated", { calculateTeeTimes: true, renewTimer: 1000 }, 7200, { t1: 1000, t2: 6300 }],
    ["T2 >= valid is not sent; T1 < valid still is", { renewTimer: 1000, rebindTimer: 7200 }, 7200, { t1: 1000 }],
    ["T1 >= T2 is not sent", { renewTimer: 3000, rebindTimer: 2000 }, 7200, { t2: 2000 }],
    ["rounded percentages", { calculateTeeTimes: true, t1Percent: 0.333 }, 1000, { t1: 333, t2: 875 }],
  ];
  for (const [name, over, valid, want] of table) assert.deepEqual(teeTimes(valid, { ...T, ...over }), want, name);
});

Deno.test("OFFER carries 51, subnet mask, T1/T2 and copies the BOOTP fields from the query", () => {
  const q = query(MsgType.DISCOVER, { xid: 0xdeadbeef, options: [o.u32(Opt.LEASE_TIME, 4000)] });
  const r = offerWith({ timers: { calculateTeeTimes: true }, nextServer: "192.0.2.9", bootFileName: "pxe.0" }, q);
  assert.equal(r.op, 2);
  assert.equal(r.xid, 0xdeadbeef);
  assert.equal(r.secs, 0);
  assert.deepEqual(r.chaddr, q.chaddr);
  assert.equal(r.siaddr, ip("192.0.2.9"));
  assert.equal(r.file, "pxe.0");
  assert.equal(readU32(r.options.get(Opt.LEASE_TIME)), 4000);
  assert.deepEqual(r.options.get(Opt.SUBNET_MASK), ipv4Bytes(ip("255.255.255.0")));
  assert.equal(readU32(r.options.get(Opt.RENEWAL_TIME)), 2000);
  assert.equal(readU32(r.options.get(Opt.REBINDING_TIME)), 3500);
  assert.deepEqual(r.options.get(Opt.SERVER_ID), ipv4Bytes(ip("192.0.2.1")));
  assert.equal([...r.options.keys()][0], Opt.MESSAGE_TYPE);
});

Deno.test("configured options: asked-for ones, Kea's always-returned set, always-send and never-send", () => {
  const routers = optVal(Opt.ROUTERS, ipv4Bytes(ip("192.0.2.1")));
  const ntp = optVal(42, ipv4Bytes(ip("192.0.2.123")));
  const table: [string, Partial<SubnetSpec>, [number, Uint8Array][], number[], number[]][] = [
    ["routers is returned unasked; NTP only when asked", { options: [routers, ntp] }, [], [3], [42]],
    ["NTP asked in option 55", { options: [routers, ntp] }, [o.prl(42)], [3, 42], []],
    ["always-send adds an option nobody asked for", { options: [{ ...ntp, alwaysSend: true }] }, [], [42], []],
    ["never-send removes even a basic option", { options: [{ ...routers, neverSend: true }] }, [o.prl(3)], [], [3]],
  ];
  for (const [name, spec, opts, present, absent] of table) {
    const r = offerWith(spec, query(MsgType.DISCOVER, { options: opts }));
    for (const c of present) assert.ok(r.options.has(c), `${name}: option ${c} missing`);
    for (const c of absent) assert.ok(!r.options.has(c), `${name}: option ${c} must be absent`);
  }
});

Deno.test("option precedence: reservation > pool > subnet", () => {
  const dns = (a: string) => optVal(Opt.DNS_SERVERS, ipv4Bytes(ip(a)));
  const r1 = offerWith({ options: [dns("1.1.1.1")], poolOptions: [[dns("2.2.2.2")]] });
  assert.deepEqual(r1.options.get(Opt.DNS_SERVERS), ipv4Bytes(ip("2.2.2.2")));
  const r2 = offerWith(
    {
      options: [dns("1.1.1.1")],
      poolOptions: [[dns("2.2.2.2")]],
      reservations: [{
        hw: "aa:bb:cc:00:00:01",
        ip: "192.0.2.101",
        options: [dns("3.3.3.3")],
        nextServer: "192.0.2.8",
      }],
    },
  );
  assert.deepEqual(r2.options.get(Opt.DNS_SERVERS), ipv4Bytes(ip("3.3.3.3")));
  assert.equal(r2.yiaddr, ip("192.0.2.101"));
  assert.equal(r2.siaddr, ip("192.0.2.8"));
});

Deno.test("a configured option 54 is the server identifier", () => {
  const r = offerWith({ options: [optVal(Opt.SERVER_ID, ipv4Bytes(ip("192.0.2.250")))] });
  assert.deepEqual(r.options.get(Opt.SERVER_ID), ipv4Bytes(ip("192.0.2.250")));
});

Deno.test("echoes: client id (unless echo-client-id is false), RAI as the last option", () => {
  const q = query(MsgType.DISCOVER, {
    giaddr: "10.9.9.9",
    options: [o.cid("01:aa:bb:cc:00:00:01"), o.rai([1, new Uint8Array([7])])],
  });
  const on = handle4(q, ctxOf(world()));
  assert.ok(on.kind === "reply");
  assert.deepEqual(on.reply.options.get(Opt.CLIENT_ID), q.options.get(Opt.CLIENT_ID));
  const keys = [...on.reply.options.keys()];
  assert.equal(keys[keys.length - 1], Opt.RELAY_AGENT_INFO);
  const off = handle4(q, ctxOf(world({ config: config4(lab(), { echoClientId: false }) })));
  assert.ok(off.kind === "reply" && !off.reply.options.has(Opt.CLIENT_ID));
});

Deno.test("identifyClient() builds Kea's client label", () => {
  const c = identifyClient(query(MsgType.DISCOVER, { options: [o.cid("01:aa:bb")] }));
  assert.equal(c.label, "[hwtype=1 aa:bb:cc:00:00:01], cid=[01:aa:bb], tid=0x1234abcd");
  assert.equal(
    identifyClient(query(MsgType.DISCOVER)).label,
    "[hwtype=1 aa:bb:cc:00:00:01], cid=[no info], tid=0x1234abcd",
  );
});

const D = MsgType.DISCOVER;
const drops: Row[] = [
  {
    name: "a BOOTREPLY is dropped",
    query: query(D, { op: 2 }),
    expect: { kind: "drop", reason: "pkt4-rfc-violation" },
  },
  {
    name: "hlen over 16 is dropped",
    query: query(D, { hlen: 20 }),
    expect: { kind: "drop", reason: "pkt4-rfc-violation" },
  },
  {
    name: "no message type (a BOOTP query, no bootp hook): dropped as kea-dhcp4 2.2 drops it, counted as unknown",
    query: query(D, { noType: true }),
    expect: {
      kind: "drop",
      reason: "pkt4-receive-drop",
      stats: { "pkt4-unknown-received": 1, "pkt4-receive-drop": 1, "pkt4-rfc-violation": 0 },
      logIds: ["DHCP4_PACKET_DROP_0009"],
    },
  },
  {
    name: "unknown message type 99: dropped, counted as unknown",
    query: query(99),
    expect: { kind: "drop", stats: { "pkt4-unknown-received": 1 }, logIds: ["DHCP4_PACKET_DROP_0005"] },
  },
  {
    name: "an OFFER sent to the server is dropped",
    query: query(MsgType.OFFER),
    expect: { kind: "drop", stats: { "pkt4-offer-received": 1, "pkt4-receive-drop": 1 } },
  },
  {
    name: "no hardware address and no client id: dropped",
    query: query(D, { mac: "" }),
    expect: { kind: "drop", reason: "pkt4-rfc-violation" },
  },
  {
    name: "DISCOVER naming this server in option 54: RFC violation",
    query: query(D, { options: [o.addr(Opt.SERVER_ID, "192.0.2.1")] }),
    expect: { kind: "drop", reason: "pkt4-rfc-violation" },
  },
  {
    name: "DISCOVER naming another server: not for us",
    query: query(D, { options: [o.addr(Opt.SERVER_ID, "192.0.2.200")] }),
    expect: { kind: "drop", reason: "pkt4-not-for-us", stats: { "pkt4-not-for-us": 1, "pkt4-receive-drop": 1 } },
  },
  {
    name: "INFORM with no ciaddr, no relay and no source address: dropped",
    query: query(MsgType.INFORM),
    expect: { kind: "drop" },
  },
];
for (const row of drops) Deno.test(`handle4(): ${row.name}`, () => void runRow(row));

Deno.test("handle4() never mutates the query", () => {
  const q = query(MsgType.REQUEST, { options: [o.addr(Opt.REQUESTED_ADDRESS, "192.0.2.100")] });
  const before = structuredClone(q);
  const out: Outcome = handle4(q, ctxOf(world()));
  assert.ok(out.kind !== "drop" || out.reason !== "");
  assert.deepEqual(q, before);
});
