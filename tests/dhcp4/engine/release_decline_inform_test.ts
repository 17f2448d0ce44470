/** DHCPRELEASE, DHCPDECLINE and DHCPINFORM (RFC 2131 §4.3.3–§4.3.5), table-driven. */
import assert from "node:assert/strict";
import { FLAG_BROADCAST } from "../../../mod/packet4/packet.ts";
import { LeaseState } from "../../../mod/lease/types.ts";
import { arrival, config4, ip, lab, lease, MAC_B, MsgType, NOW, o, Opt, query } from "./builders.ts";
import { type Row, runRow } from "./table.ts";

const fromClient = (src: string) => arrival({ srcAddr: ip(src), dstAddr: ip("192.0.2.1") });

const rows: Row[] = [
  {
    name: "RELEASE with lease affinity (Kea default): lease kept as released, lifetime 0",
    setup: (w) => w.leases.put(lease("192.0.2.101", { hostname: "pc" })),
    query: query(MsgType.RELEASE, { ciaddr: "192.0.2.101" }),
    expect: {
      kind: "none",
      stats: { "pkt4-release-received": 1, "assigned-addresses": -1, "subnet[1].assigned-addresses": -1 },
      logIds: ["DHCP4_RELEASE"],
      check: (out) => {
        assert.ok(out.kind === "none");
        assert.deepEqual(out.mutations, [{
          op: "put",
          lease: {
            ...lease("192.0.2.101", { hostname: "pc" }),
            state: LeaseState.RELEASED,
            validLifetime: 0,
            cltt: NOW,
          },
        }]);
        assert.deepEqual(out.events, [{ kind: "release", address: ip("192.0.2.101"), subnetId: 1, hostname: "pc" }]);
      },
    },
  },
  {
    name: "RELEASE without lease affinity (hold-reclaimed-time 0): lease deleted",
    setup: (w) => {
      w.leases.put(lease("192.0.2.101"));
      w.config = config4(lab(), {
        expired: {
          reclaimTimerWaitTime: 10,
          flushReclaimedTimerWaitTime: 25,
          holdReclaimedTime: 0,
          maxReclaimLeases: 100,
          maxReclaimTime: 250,
          unwarnedReclaimCycles: 5,
        },
      });
    },
    query: query(MsgType.RELEASE, { ciaddr: "192.0.2.101" }),
    expect: {
      kind: "none",
      stats: { "assigned-addresses": -1 },
      check: (out) =>
        assert.deepEqual(out.kind === "none" && out.mutations, [{ op: "del", address: ip("192.0.2.101") }]),
    },
  },
  {
    name: "RELEASE matched by client identifier although chaddr differs",
    setup: (w) => w.leases.put(lease("192.0.2.101", { clientId: "01:aa:bb:cc:00:00:01" })),
    query: query(MsgType.RELEASE, { mac: MAC_B, ciaddr: "192.0.2.101", options: [o.cid("01:aa:bb:cc:00:00:01")] }),
    expect: { kind: "none", stats: { "assigned-addresses": -1 } },
  },
  {
    name: "RELEASE of another client's lease: ignored",
    setup: (w) => w.leases.put(lease("192.0.2.101", { hwaddr: MAC_B })),
    query: query(MsgType.RELEASE, { ciaddr: "192.0.2.101" }),
    expect: {
      kind: "none",
      stats: { "assigned-addresses": 0 },
      logIds: ["DHCP4_RELEASE_FAIL_WRONG_CLIENT"],
      check: (out) => assert.deepEqual(out.kind === "none" && out.mutations, []),
    },
  },
  {
    name: "RELEASE of an address with no lease: ignored",
    query: query(MsgType.RELEASE, { ciaddr: "192.0.2.101" }),
    expect: { kind: "none", stats: { "assigned-addresses": 0 }, logIds: ["DHCP4_RELEASE_FAIL_NO_LEASE"] },
  },
  {
    name: "RELEASE twice: the second one changes nothing",
    setup: (w) => w.leases.put(lease("192.0.2.101", { state: LeaseState.RELEASED, validLifetime: 0 })),
    query: query(MsgType.RELEASE, { ciaddr: "192.0.2.101" }),
    expect: { kind: "none", stats: { "assigned-addresses": 0 } },
  },
  {
    name: "DECLINE: the lease goes on probation without identity",
    setup: (w) => w.leases.put(lease("192.0.2.101", { hostname: "pc", clientId: "01:aa" })),
    query: query(MsgType.DECLINE, { options: [o.addr(Opt.REQUESTED_ADDRESS, "192.0.2.101"), o.cid("01:aa")] }),
    expect: {
      kind: "none",
      // Kea keeps the address in assigned-addresses until reclamation (dhcp4_srv.cc declineLease)
      stats: {
        "pkt4-decline-received": 1,
        "declined-addresses": 1,
        "subnet[1].declined-addresses": 1,
        "assigned-addresses": 0,
      },
      logIds: ["DHCP4_DECLINE_LEASE"],
      check: (out) => {
        assert.ok(out.kind === "none" && out.mutations[0].op === "put");
        const l = out.mutations[0].lease;
        assert.deepEqual(
          [l.state, l.hwaddr, l.clientId, l.hostname, l.validLifetime, l.cltt],
          [LeaseState.DECLINED, "", "", "", 86400, NOW],
        );
        assert.equal(out.events[0].kind, "decline");
      },
    },
  },
  {
    name: "DECLINE of another client's lease: ignored with a warning",
    setup: (w) => w.leases.put(lease("192.0.2.101", { hwaddr: MAC_B })),
    query: query(MsgType.DECLINE, { options: [o.addr(Opt.REQUESTED_ADDRESS, "192.0.2.101")] }),
    expect: { kind: "none", stats: { "declined-addresses": 0 }, logIds: ["DHCP4_DECLINE_LEASE_MISMATCH"] },
  },
  {
    name: "DECLINE of an unknown address: ignored",
    query: query(MsgType.DECLINE, { options: [o.addr(Opt.REQUESTED_ADDRESS, "192.0.2.101")] }),
    expect: { kind: "none", logIds: ["DHCP4_DECLINE_LEASE_NOT_FOUND"] },
  },
  {
    name: "DECLINE without option 50: dropped as an RFC violation",
    setup: (w) => w.leases.put(lease("192.0.2.101")),
    query: query(MsgType.DECLINE, { ciaddr: "192.0.2.101" }),
    expect: { kind: "drop", reason: "pkt4-rfc-violation", stats: { "pkt4-receive-drop": 1 } },
  },
  {
    name: "INFORM from a configured client: ACK to ciaddr:68 with options only",
    setup: (w) => (w.arrival = fromClient("192.0.2.77")),
    query: query(MsgType.INFORM, { ciaddr: "192.0.2.77", options: [o.prl(Opt.DNS_SERVERS, 42)] }),
    expect: {
      kind: "reply",
      type: MsgType.ACK,
      yiaddr: "0.0.0.0",
      dest: "unicast 192.0.2.77:68",
      stats: { "pkt4-inform-received": 1, "pkt4-ack-sent": 1, "assigned-addresses": 0 },
      check: (out) => {
        assert.ok(out.kind === "reply");
        assert.deepEqual(out.mutations, []);
        const codes = [...out.reply.options.keys()].sort((a, b) => a - b);
        assert.deepEqual(codes, [Opt.ROUTERS, Opt.DNS_SERVERS, 42, Opt.MESSAGE_TYPE, Opt.SERVER_ID]);
        assert.equal(out.reply.ciaddr, ip("192.0.2.77"));
      },
    },
  },
  {
    name: "INFORM relayed without ciaddr: to the relay with the broadcast flag",
    query: query(MsgType.INFORM, { giaddr: "10.9.9.9" }),
    expect: {
      kind: "reply",
      type: MsgType.ACK,
      dest: "unicast 10.9.9.9:67",
      check: (out) => assert.ok(out.kind === "reply" && (out.reply.flags & FLAG_BROADCAST) !== 0),
    },
  },
  {
    name: "INFORM relayed with ciaddr: straight to the client, giaddr/hops cleared, RAI removed",
    query: query(MsgType.INFORM, {
      giaddr: "10.9.9.9",
      ciaddr: "198.51.100.77",
      options: [o.rai([1, new Uint8Array([1, 2])])],
    }),
    expect: {
      kind: "reply",
      dest: "unicast 198.51.100.77:68",
      logIds: ["DHCP4_INFORM_DIRECT_REPLY"],
      check: (out) => {
        assert.ok(out.kind === "reply");
        assert.deepEqual([out.reply.giaddr, out.reply.hops], [0, 0]);
        assert.ok(!out.reply.options.has(Opt.RELAY_AGENT_INFO));
      },
    },
  },
  {
    name: "INFORM without ciaddr, not relayed: to the source address",
    setup: (w) => (w.arrival = fromClient("192.0.2.88")),
    query: query(MsgType.INFORM),
    expect: { kind: "reply", dest: "unicast 192.0.2.88:68" },
  },
];

for (const row of rows) Deno.test(`${row.name}`, () => void runRow(row));
