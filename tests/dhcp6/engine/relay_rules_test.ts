/**
 * Relayed queries (RFC 8415 §19) and the acceptance rules of handle6 (RFC 8415 §16, Kea's `testUnicast`,
 * `sanityCheck`, `testServerID`): replies mirror two RELAY-FORW layers with the Interface-Id echoed, subnets are
 * selected by interface-id, relay address or link-address, server-id and unicast rules drop what they must.
 */
import assert from "node:assert/strict";
import type { Packet6, Relay6 } from "../../../mod/packet6/packet.ts";
import { receivedStat6 } from "../../../mod/dhcp6/engine/handle6.ts";
import { Bed, hexBytes, iaNa, ip6, load6, msg, Opt6, oro, relay, replyOf, sid, stat, T, text6 } from "./helpers.ts";

const CFG = load6({
  subnet6: [
    { id: 1, subnet: "2001:db8:1::/64", interface: "eth0", pools: [{ pool: "2001:db8:1::100 - 2001:db8:1::1ff" }] },
    {
      id: 2,
      subnet: "2001:db8:2::/64",
      "interface-id": "port-7",
      pools: [{ pool: "2001:db8:2::100 - 2001:db8:2::1ff" }],
    },
    {
      id: 3,
      subnet: "2001:db8:3::/64",
      relay: { "ip-addresses": ["2001:db8:ffff::3"] },
      pools: [{ pool: "2001:db8:3::100 - 2001:db8:3::1ff" }],
    },
    { id: 4, subnet: "2001:db8:4::/64", pools: [{ pool: "2001:db8:4::100 - 2001:db8:4::1ff" }] },
  ],
});

const RELAY_SRC = ip6("2001:db8:ffff::1");
const iid = (s: string) => ({ code: Opt6.INTERFACE_ID, data: new TextEncoder().encode(s) });

function relayedBed(): Bed {
  const bed = new Bed(CFG);
  bed.arrival = { ...bed.arrival, iface: "eth5", srcAddr: RELAY_SRC, dstAddr: ip6("2001:db8:ffff::53") };
  return bed;
}

Deno.test("two relay layers: the reply mirrors both, Interface-Id echoed, sent to the outer relay at 547", () => {
  const bed = relayedBed();
  const inner = relay(msg(T.SOLICIT, [iaNa(1)]), "::", "fe80::1", [iid("port-7"), {
    code: 37,
    data: hexBytes("00:00:00:09:01"),
  }]);
  const outer = relay(inner, "2001:db8:ffff::9", "2001:db8:ffff::2", [iid("uplink-1")], 1);
  const o = bed.run(outer);
  const { out, m } = replyOf(o);
  assert.deepEqual(out.dest, { addr: RELAY_SRC, port: 547 });
  const r1 = out.reply as Relay6;
  assert.equal(r1.kind, "relay");
  assert.equal(r1.msgType, 13);
  assert.equal(r1.hopCount, 1);
  assert.equal(text6(r1.linkAddress), "2001:db8:ffff::9");
  assert.equal(text6(r1.peerAddress), "2001:db8:ffff::2");
  assert.deepEqual(r1.options, [iid("uplink-1")]);
  const r2 = r1.inner as Relay6;
  assert.equal(r2.msgType, 13);
  assert.equal(r2.hopCount, 0);
  assert.equal(text6(r2.peerAddress), "fe80::1");
  assert.deepEqual(r2.options, [iid("port-7")]); // remote-id (37) is not echoed
  assert.equal(r2.inner, m);
  assert.equal(m.msgType, T.ADVERTISE);
  // the innermost Interface-Id "port-7" selects subnet 2
  assert.equal(text6(m.ias[0].addresses[0].address), "2001:db8:2::100");
});

Deno.test("subnet selection for relayed queries: interface-id, relay address, link-address, none", () => {
  const cases: [Packet6, string | undefined][] = [
    [relay(msg(T.SOLICIT, [iaNa(1)]), "2001:db8:4::1", "fe80::1", [iid("port-7")]), "2001:db8:2::100"],
    [relay(msg(T.SOLICIT, [iaNa(1)]), "2001:db8:ffff::3", "fe80::1"), "2001:db8:3::100"],
    [relay(msg(T.SOLICIT, [iaNa(1)]), "2001:db8:4::1", "fe80::1"), "2001:db8:4::100"],
    // outer relay's global link-address is used when the inner one is link-local
    [
      relay(relay(msg(T.SOLICIT, [iaNa(1)]), "fe80::7", "fe80::1"), "2001:db8:4::9", "fe80::7", [], 1),
      "2001:db8:4::100",
    ],
    [relay(msg(T.SOLICIT, [iaNa(1)]), "2001:db8:77::1", "fe80::1"), undefined],
  ];
  for (const [q, want] of cases) {
    const { m } = replyOf(relayedBed().run(q));
    const a = m.ias[0].addresses[0];
    assert.equal(a ? text6(a.address) : undefined, want);
  }
});

Deno.test("server-id rules: mismatch, missing and forbidden server-ids drop; our own is accepted", () => {
  const other = sid(hexBytes("00:02:00:00:00:01:99"));
  const cases: [number, boolean, "ours" | "other" | "none", string | undefined][] = [
    [T.REQUEST, true, "other", "server-id-mismatch"],
    [T.RENEW, true, "other", "server-id-mismatch"],
    [T.RELEASE, true, "other", "server-id-mismatch"],
    [T.DECLINE, true, "other", "server-id-mismatch"],
    [T.REQUEST, true, "none", "rfc-violation"],
    [T.RENEW, true, "none", "rfc-violation"],
    [T.REQUEST, true, "ours", undefined],
    [T.SOLICIT, true, "ours", "rfc-violation"],
    [T.CONFIRM, true, "ours", "rfc-violation"],
    [T.REBIND, true, "ours", "rfc-violation"],
    [T.SOLICIT, true, "none", undefined],
    [T.INFORMATION_REQUEST, false, "other", "server-id-mismatch"],
    [T.INFORMATION_REQUEST, false, "ours", undefined],
    [T.INFORMATION_REQUEST, false, "none", undefined],
  ];
  for (const [type, withIa, s, want] of cases) {
    const opts = s === "ours" ? [sid()] : s === "other" ? [other] : [];
    const o = new Bed(CFG).run(msg(type, withIa ? [iaNa(1, ["2001:db8:1::100"])] : [], opts));
    const label = `type ${type} server-id ${s}`;
    if (want === undefined) assert.equal(o.kind, "reply", label);
    else {
      assert.equal(o.kind, "drop", label);
      assert.equal(o.kind === "drop" && o.reason, want, label);
      assert.equal(stat(o, "pkt6-receive-drop"), 1, label);
    }
  }
});

Deno.test("client-id rules: missing or repeated client-id drops; INFORMATION-REQUEST may omit it", () => {
  assert.equal(new Bed(CFG).run(msg(T.SOLICIT, [iaNa(1)], [], null)).kind, "drop");
  const twice = msg(T.SOLICIT, [iaNa(1)], [{ code: Opt6.CLIENTID, data: hexBytes("00:03:00:01:01") }]);
  const o = new Bed(CFG).run(twice);
  assert.equal(o.kind, "drop");
  assert.equal(stat(o, "pkt6-rfc-violation"), 1);
  assert.equal(new Bed(CFG).run(msg(T.INFORMATION_REQUEST, [], [], null)).kind, "reply");
  assert.equal(new Bed(CFG).run(msg(T.INFORMATION_REQUEST, [iaNa(1)])).kind, "drop");
});

Deno.test("unicast SOLICIT, CONFIRM, REBIND, INFORMATION-REQUEST are dropped unless relayed", () => {
  for (const type of [T.SOLICIT, T.CONFIRM, T.REBIND, T.INFORMATION_REQUEST]) {
    const bed = new Bed(CFG);
    bed.arrival = { ...bed.arrival, dstAddr: ip6("2001:db8:1::1") };
    const o = bed.run(msg(type, type === T.INFORMATION_REQUEST ? [] : [iaNa(1, ["2001:db8:1::100"])]));
    assert.equal(o.kind === "drop" && o.reason, "unicast", `type ${type}`);
  }
  const bed = new Bed(CFG);
  bed.arrival = { ...bed.arrival, dstAddr: ip6("2001:db8:1::1") };
  assert.equal(bed.run(msg(T.REQUEST, [iaNa(1)], [sid()])).kind, "reply");
});

Deno.test("server-side message types and RELAY-REPL are dropped; receivedStat6 looks through relays", () => {
  for (const type of [T.ADVERTISE, T.REPLY, T.RECONFIGURE, 20]) {
    assert.equal(new Bed(CFG).run(msg(type, [])).kind, "drop", `type ${type}`);
  }
  const repl: Packet6 = { ...relay(msg(T.SOLICIT), "::", "fe80::1"), msgType: 13 };
  assert.equal(new Bed(CFG).run(repl).kind, "drop");
  assert.equal(receivedStat6(relay(relay(msg(T.RENEW), "::", "fe80::1"), "::", "fe80::2")), "pkt6-renew-received");
  assert.equal(receivedStat6(msg(T.INFORMATION_REQUEST)), "pkt6-infrequest-received");
  assert.equal(receivedStat6(msg(99)), "pkt6-unknown-received");
});

Deno.test("INFORMATION-REQUEST: REPLY with requested options only, global ones when no subnet fits", () => {
  const cfg = load6({
    "option-data": [{ name: "dns-servers", data: "2001:db8::53" }, { name: "domain-search", data: "example.org" }],
    subnet6: [{
      id: 1,
      subnet: "2001:db8:1::/64",
      interface: "eth0",
      "option-data": [{ name: "dns-servers", data: "2001:db8:1::53" }],
    }],
  });
  const bed = new Bed(cfg);
  const { m, out } = replyOf(bed.run(msg(T.INFORMATION_REQUEST, [], [oro(23, 24)])));
  assert.deepEqual(m.options.map((x) => x.code), [Opt6.CLIENTID, Opt6.SERVERID, 23, 24]);
  assert.equal(text6(m.options[2].data), "2001:db8:1::53");
  assert.deepEqual(m.ias, []);
  assert.deepEqual(out.mutations, []);
  bed.arrival = { ...bed.arrival, iface: "eth3" };
  const g = replyOf(bed.run(msg(T.INFORMATION_REQUEST, [], [oro(23)]))).m;
  assert.equal(text6(g.options[2].data), "2001:db8::53");
});
