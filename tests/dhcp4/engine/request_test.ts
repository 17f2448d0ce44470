/**
 * DHCPREQUEST in every RFC 2131 client state (§4.3.2: SELECTING, INIT-REBOOT, RENEWING, REBINDING) and
 * every NAK rule Kea applies, table-driven.
 */
import assert from "node:assert/strict";
import { FLAG_BROADCAST } from "../../../mod/packet4/packet.ts";
import { LeaseState } from "../../../mod/lease/types.ts";
import { arrival, config4, ip, lab, lease, MAC_A, MAC_B, MsgType, NOW, o, Opt, query, subnet4 } from "./builders.ts";
import { type Row, runRow } from "./table.ts";

const R = MsgType.REQUEST;
const OURS = o.addr(Opt.SERVER_ID, "192.0.2.1");
const want = (a: string) => o.addr(Opt.REQUESTED_ADDRESS, a);
/** arrival of a unicast from a configured client */
const fromClient = (src: string) => arrival({ srcAddr: ip(src), dstAddr: ip("192.0.2.1") });
/** a NAK carries no address and no lease options */
const bareNak = (out: import("../../../mod/dhcp4/engine/types.ts").Outcome) => {
  assert.ok(out.kind === "reply");
  assert.equal(out.reply.yiaddr, 0);
  assert.deepEqual(out.mutations, []);
  for (const c of [Opt.LEASE_TIME, Opt.SUBNET_MASK, Opt.RENEWAL_TIME, Opt.ROUTERS]) {
    assert.ok(!out.reply.options.has(c), `NAK must not carry option ${c}`);
  }
  assert.ok(out.reply.options.has(Opt.SERVER_ID));
};

const rows: Row[] = [
  // SELECTING / REQUESTING
  {
    name: "SELECTING: the offered address is ACKed and the lease committed",
    setup: (w) => w.offers.add("hw:aabbcc000001", 1, ip("192.0.2.101")),
    query: query(R, { options: [OURS, want("192.0.2.101")] }),
    expect: {
      kind: "reply",
      type: MsgType.ACK,
      yiaddr: "192.0.2.101",
      dest: "link 192.0.2.101",
      stats: {
        "pkt4-request-received": 1,
        "pkt4-ack-sent": 1,
        "assigned-addresses": 1,
        "subnet[1].assigned-addresses": 1,
        "cumulative-assigned-addresses": 1,
        "subnet[1].cumulative-assigned-addresses": 1,
      },
      logIds: ["DHCP4_LEASE_ALLOC"],
      check: (out) => {
        assert.ok(out.kind === "reply");
        assert.equal(out.forgetOffer, "hw:aabbcc000001");
        assert.deepEqual(out.mutations, [{
          op: "put",
          lease: {
            address: ip("192.0.2.101"),
            hwaddr: MAC_A,
            clientId: "",
            validLifetime: 7200,
            cltt: NOW,
            subnetId: 1,
            fqdnFwd: false,
            fqdnRev: false,
            hostname: "",
            state: LeaseState.DEFAULT,
          },
        }]);
        assert.deepEqual(out.events, [{ kind: "alloc", address: ip("192.0.2.101"), subnetId: 1, hostname: "" }]);
      },
    },
  },
  {
    name: "SELECTING another server: dropped as pkt4-not-for-us and the offer forgotten",
    setup: (w) => w.offers.add("hw:aabbcc000001", 1, ip("192.0.2.101")),
    query: query(R, { options: [o.addr(Opt.SERVER_ID, "192.0.2.254"), want("192.0.2.101")] }),
    expect: {
      kind: "drop",
      reason: "pkt4-not-for-us",
      stats: { "pkt4-not-for-us": 1, "pkt4-receive-drop": 1, "pkt4-request-received": 1 },
      check: (out) => assert.ok(out.kind === "drop" && out.forgetOffer === "hw:aabbcc000001"),
    },
  },
  {
    name: "SELECTING through a relay whose RAI server-id-override (sub-option 11) names option 54: accepted",
    query: query(R, {
      giaddr: "10.9.9.9",
      options: [o.addr(Opt.SERVER_ID, "10.9.9.1"), want("198.51.100.10"), o.rai([11, new Uint8Array([10, 9, 9, 1])])],
    }),
    expect: {
      kind: "reply",
      type: MsgType.ACK,
      yiaddr: "198.51.100.10",
      dest: "unicast 10.9.9.9:67",
      check: (out) => assert.ok(out.kind === "reply" && out.reply.options.has(Opt.RELAY_AGENT_INFO)),
    },
  },
  {
    name: "SELECTING an address another client holds: NAK (DHCP4_PACKET_NAK_0004), broadcast",
    setup: (w) => w.leases.put(lease("192.0.2.101", { hwaddr: MAC_B })),
    query: query(R, { options: [OURS, want("192.0.2.101")] }),
    expect: {
      kind: "reply",
      type: MsgType.NAK,
      dest: "broadcast",
      stats: { "pkt4-nak-sent": 1, "pkt4-ack-sent": 0, "assigned-addresses": 0 },
      logIds: ["DHCP4_PACKET_NAK_0004"],
      check: bareNak,
    },
  },
  {
    name: "SELECTING an address reserved for another client: NAK",
    setup: (w) => (w.config = config4([subnet4({
      id: 1,
      prefix: "192.0.2.0/24",
      iface: "eth0",
      pools: [["192.0.2.100", "192.0.2.102"]],
      reservations: [{ hw: MAC_B, ip: "192.0.2.101" }],
    })])),
    query: query(R, { options: [OURS, want("192.0.2.101")] }),
    expect: { kind: "reply", type: MsgType.NAK, logIds: ["DHCP4_PACKET_NAK_0004"] },
  },
  {
    name: "SELECTING an address only offered to another client: ACK (Kea 2.2 holds nothing at OFFER)",
    setup: (w) => w.offers.add("hw:aabbcc000002", 1, ip("192.0.2.101")),
    query: query(R, { options: [OURS, want("192.0.2.101")] }),
    expect: { kind: "reply", type: MsgType.ACK, yiaddr: "192.0.2.101", stats: { "assigned-addresses": 1 } },
  },
  {
    name: "SELECTING an address an offer-lifetime hold keeps for another client: NAK",
    setup: (w) => w.offers.add("hw:aabbcc000002", 1, ip("192.0.2.101"), 30),
    query: query(R, { options: [OURS, want("192.0.2.101")] }),
    expect: { kind: "reply", type: MsgType.NAK, logIds: ["DHCP4_PACKET_NAK_0004"] },
  },
  {
    name: "SELECTING an address whose offer-lifetime hold for another client has ended: ACK",
    setup: (w) => w.offers.add("hw:aabbcc000002", 1, ip("192.0.2.101"), 30, NOW - 30),
    query: query(R, { options: [OURS, want("192.0.2.101")] }),
    expect: { kind: "reply", type: MsgType.ACK, yiaddr: "192.0.2.101" },
  },
  {
    name: "SELECTING the address its own offer-lifetime hold keeps: ACK",
    setup: (w) => w.offers.add("hw:aabbcc000001", 1, ip("192.0.2.101"), 30),
    query: query(R, { options: [OURS, want("192.0.2.101")] }),
    expect: { kind: "reply", type: MsgType.ACK, yiaddr: "192.0.2.101" },
  },
  {
    name: "SELECTING an address outside every pool: dropped silently (Kea: DHCP4_UNKNOWN_ADDRESS_REQUESTED)",
    query: query(R, { options: [OURS, want("192.0.2.7")] }),
    expect: {
      kind: "drop",
      stats: { "pkt4-nak-sent": 0, "pkt4-receive-drop": 1 },
      logIds: ["DHCP4_UNKNOWN_ADDRESS_REQUESTED"],
    },
  },
  {
    name: "SELECTING an address outside every subnet: dropped silently (DHCP4_UNKNOWN_ADDRESS_REQUESTED)",
    query: query(R, { options: [OURS, want("10.0.0.5")] }),
    expect: { kind: "drop", stats: { "pkt4-nak-sent": 0 }, logIds: ["DHCP4_UNKNOWN_ADDRESS_REQUESTED"] },
  },
  {
    name: "SELECTING an address in no pool of an authoritative subnet: still silence (Kea 2.2, measured)",
    setup: (
      w,
    ) => (w.arrival = arrival({ iface: "eth1", localAddr: ip("203.0.113.1"), ifaceAddrs: [ip("203.0.113.1")] })),
    query: query(R, { options: [o.addr(Opt.SERVER_ID, "203.0.113.1"), want("203.0.113.7")] }),
    expect: { kind: "drop", stats: { "pkt4-nak-sent": 0 }, logIds: ["DHCP4_UNKNOWN_ADDRESS_REQUESTED"] },
  },
  {
    name: "SELECTING a new address while holding another lease: the old lease is deleted",
    setup: (w) => {
      w.leases.put(lease("192.0.2.102"));
      w.offers.add("hw:aabbcc000001", 1, ip("192.0.2.101"));
    },
    query: query(R, { options: [OURS, want("192.0.2.101")] }),
    expect: {
      kind: "reply",
      type: MsgType.ACK,
      yiaddr: "192.0.2.101",
      stats: { "assigned-addresses": 0, "subnet[1].assigned-addresses": 0, "cumulative-assigned-addresses": 1 },
      check: (out) => {
        assert.ok(out.kind === "reply");
        assert.deepEqual(out.mutations.map((m) => m.op), ["put", "del"]);
        assert.deepEqual(out.mutations[1], { op: "del", address: ip("192.0.2.102") });
      },
    },
  },
  {
    name: "reusing a declined address after probation: declined-addresses falls, assigned stays",
    setup: (w) =>
      w.leases.put(
        lease("192.0.2.101", { hwaddr: "", state: LeaseState.DECLINED, validLifetime: 86400, cltt: NOW - 90_000 }),
      ),
    query: query(R, { options: [OURS, want("192.0.2.101")] }),
    expect: {
      kind: "reply",
      type: MsgType.ACK,
      stats: {
        "declined-addresses": -1,
        "subnet[1].declined-addresses": -1,
        "assigned-addresses": 0,
        // Kea 2.2 reclaims the declined lease before reusing it (reuseExpiredLease4 → reclaimDeclined)
        "reclaimed-leases": 1,
        "subnet[1].reclaimed-leases": 1,
        "reclaimed-declined-addresses": 1,
        "subnet[1].reclaimed-declined-addresses": 1,
      },
    },
  },
  {
    name: "reusing another client's expired lease never reclaimed: counted as reclaimed (Kea's reuseExpiredLease4)",
    setup: (w) =>
      w.leases.put(lease("192.0.2.101", { hwaddr: "aa:bb:cc:00:00:77", validLifetime: 3600, cltt: NOW - 7200 })),
    query: query(R, { options: [OURS, want("192.0.2.101")] }),
    expect: {
      kind: "reply",
      type: MsgType.ACK,
      yiaddr: "192.0.2.101",
      stats: {
        "assigned-addresses": 0,
        "cumulative-assigned-addresses": 1,
        "reclaimed-leases": 1,
        "subnet[1].reclaimed-leases": 1,
        "reclaimed-declined-addresses": 0,
      },
    },
  },
  {
    name: "an address whose lease was already reclaimed: no second reclamation is counted",
    setup: (w) =>
      w.leases.put(
        lease("192.0.2.101", {
          hwaddr: "aa:bb:cc:00:00:77",
          state: LeaseState.EXPIRED_RECLAIMED,
          validLifetime: 3600,
          cltt: NOW - 7200,
        }),
      ),
    query: query(R, { options: [OURS, want("192.0.2.101")] }),
    expect: {
      kind: "reply",
      type: MsgType.ACK,
      stats: { "assigned-addresses": 1, "reclaimed-leases": 0, "subnet[1].reclaimed-leases": 0 },
    },
  },
  {
    name: "reservation: a client asking for another address than its reserved one is NAKed",
    query: query(R, { mac: "aa:bb:cc:00:00:99", options: [OURS, want("192.0.2.100")] }),
    expect: { kind: "reply", type: MsgType.NAK },
  },
  {
    name: "reservation: the reserved out-of-pool address is ACKed with the reserved hostname",
    query: query(R, { mac: "aa:bb:cc:00:00:99", options: [OURS, want("192.0.2.50")] }),
    expect: {
      kind: "reply",
      type: MsgType.ACK,
      yiaddr: "192.0.2.50",
      check: (out) => {
        assert.ok(out.kind === "reply" && out.mutations[0].op === "put");
        assert.equal(out.mutations[0].lease.hostname, "printer");
      },
    },
  },
  {
    name: "host name from option 12 is stored and echoed",
    query: query(R, { options: [OURS, want("192.0.2.100"), o.text(Opt.HOST_NAME, "Laptop")] }),
    expect: {
      kind: "reply",
      type: MsgType.ACK,
      check: (out) => {
        assert.ok(out.kind === "reply" && out.mutations[0].op === "put");
        assert.equal(out.mutations[0].lease.hostname, "laptop");
        assert.equal(new TextDecoder().decode(out.reply.options.get(Opt.HOST_NAME)), "laptop");
      },
    },
  },
  // INIT-REBOOT
  {
    name: "INIT-REBOOT: known client confirming its address is ACKed (a renewal: counters unchanged)",
    setup: (w) => w.leases.put(lease("192.0.2.101")),
    query: query(R, { options: [want("192.0.2.101")] }),
    expect: {
      kind: "reply",
      type: MsgType.ACK,
      yiaddr: "192.0.2.101",
      stats: { "assigned-addresses": 0, "cumulative-assigned-addresses": 0 },
      check: (out) => assert.ok(out.kind === "reply" && out.events[0].kind === "renew"),
    },
  },
  {
    name: "INIT-REBOOT: known client with a different address is NAKed (DHCP4_PACKET_NAK_0002)",
    setup: (w) => w.leases.put(lease("192.0.2.101")),
    query: query(R, { options: [want("192.0.2.102")] }),
    expect: { kind: "reply", type: MsgType.NAK, dest: "broadcast", logIds: ["DHCP4_PACKET_NAK_0002"], check: bareNak },
  },
  {
    name: "NAK to a client without ciaddr is broadcast even when the query had a source address",
    setup: (w) => {
      w.leases.put(lease("192.0.2.101"));
      w.arrival = arrival({ srcAddr: ip("192.0.2.101") });
    },
    query: query(R, { options: [want("192.0.2.102")] }),
    expect: { kind: "reply", type: MsgType.NAK, dest: "broadcast" },
  },
  {
    name: "INIT-REBOOT: known client back from another network is NAKed",
    setup: (w) => w.leases.put(lease("192.0.2.101")),
    query: query(R, { options: [want("10.0.0.5")] }),
    expect: { kind: "reply", type: MsgType.NAK, logIds: ["DHCP4_PACKET_NAK_0002"] },
  },
  {
    name: "INIT-REBOOT: unknown client, non-authoritative subnet: silence",
    query: query(R, { options: [want("192.0.2.101")] }),
    expect: { kind: "drop", stats: { "pkt4-nak-sent": 0 }, logIds: ["DHCP4_NO_LEASE_INIT_REBOOT"] },
  },
  {
    name: "INIT-REBOOT: unknown client, authoritative subnet: NAK",
    setup: (
      w,
    ) => (w.arrival = arrival({ iface: "eth1", localAddr: ip("203.0.113.1"), ifaceAddrs: [ip("203.0.113.1")] })),
    query: query(R, { options: [want("203.0.113.55")] }),
    expect: { kind: "reply", type: MsgType.NAK, dest: "broadcast", logIds: ["DHCP4_PACKET_NAK_0002"] },
  },
  // No subnet (Kea 2.2, tests/e2e/request_rules_test.ts): direct broadcast dropped, else NAK_0001, authoritative or not
  {
    name: "INIT-REBOOT broadcast on a link with no subnet: silence (DHCP4_PACKET_DROP_0002)",
    setup: (w) => (w.arrival = arrival({ iface: "eth9", localAddr: ip("10.0.0.1"), ifaceAddrs: [ip("10.0.0.1")] })),
    query: query(R, { options: [want("10.0.0.5")] }),
    expect: {
      kind: "drop",
      stats: { "pkt4-nak-sent": 0, "pkt4-receive-drop": 1 },
      logIds: ["DHCP4_PACKET_DROP_0002"],
    },
  },
  {
    name: "INIT-REBOOT broadcast on a link with no subnet, authoritative globally: still silence (DROP_0002)",
    setup: (w) => {
      w.config = config4(lab(), { raw: { authoritative: true } });
      w.arrival = arrival({ iface: "eth9", localAddr: ip("10.0.0.1"), ifaceAddrs: [ip("10.0.0.1")] });
    },
    query: query(R, { options: [want("10.0.0.5")] }),
    expect: { kind: "drop", stats: { "pkt4-nak-sent": 0 }, logIds: ["DHCP4_PACKET_DROP_0002"] },
  },
  {
    name: "SELECTING broadcast on a link with no subnet: silence (DHCP4_PACKET_DROP_0002)",
    setup: (w) => (w.arrival = arrival({ iface: "eth9", localAddr: ip("10.0.0.1"), ifaceAddrs: [ip("10.0.0.1")] })),
    query: query(R, { options: [o.addr(Opt.SERVER_ID, "10.0.0.1"), want("10.0.0.5")] }),
    expect: { kind: "drop", stats: { "pkt4-nak-sent": 0 }, logIds: ["DHCP4_PACKET_DROP_0002"] },
  },
  {
    name: "INIT-REBOOT relayed from a relay in no subnet, not authoritative: NAK to the relay (NAK_0001)",
    query: query(R, { giaddr: "10.7.7.7", options: [want("192.0.2.101")] }),
    expect: {
      kind: "reply",
      type: MsgType.NAK,
      dest: "unicast 10.7.7.7:67",
      logIds: ["DHCP4_PACKET_NAK_0001"],
      check: bareNak,
    },
  },
  {
    name: "SELECTING relayed from a relay in no subnet: NAK to the relay (DHCP4_PACKET_NAK_0001)",
    query: query(R, { giaddr: "10.7.7.7", options: [OURS, want("192.0.2.101")] }),
    expect: { kind: "reply", type: MsgType.NAK, dest: "unicast 10.7.7.7:67", logIds: ["DHCP4_PACKET_NAK_0001"] },
  },
  {
    name: "INIT-REBOOT relayed and wrong: NAK to giaddr:67 with the broadcast flag set",
    setup: (w) => w.leases.put(lease("198.51.100.12", { subnetId: 2 })),
    query: query(R, { giaddr: "10.9.9.9", options: [want("198.51.100.13")] }),
    expect: {
      kind: "reply",
      type: MsgType.NAK,
      dest: "unicast 10.9.9.9:67",
      check: (out) => assert.ok(out.kind === "reply" && (out.reply.flags & FLAG_BROADCAST) !== 0),
    },
  },
  // RENEWING (unicast, ciaddr)
  {
    name: "RENEWING: a unicast renewal extends the lease; ACK unicast to ciaddr:68 with ciaddr set",
    setup: (w) => {
      w.leases.put(lease("192.0.2.101", { cltt: NOW - 3600 }));
      w.arrival = fromClient("192.0.2.101");
    },
    query: query(R, { ciaddr: "192.0.2.101" }),
    expect: {
      kind: "reply",
      type: MsgType.ACK,
      yiaddr: "192.0.2.101",
      dest: "unicast 192.0.2.101:68",
      stats: { "assigned-addresses": 0, "cumulative-assigned-addresses": 0 },
      check: (out) => {
        assert.ok(out.kind === "reply" && out.mutations[0].op === "put");
        assert.equal(out.mutations[0].lease.cltt, NOW);
        assert.equal(out.reply.ciaddr, ip("192.0.2.101"));
        assert.equal(out.events[0].kind, "renew");
      },
    },
  },
  {
    name: "RENEWING an address leased to another client: NAK unicast to ciaddr",
    setup: (w) => {
      w.leases.put(lease("192.0.2.101", { hwaddr: MAC_B }));
      w.arrival = fromClient("192.0.2.101");
    },
    query: query(R, { ciaddr: "192.0.2.101" }),
    expect: { kind: "reply", type: MsgType.NAK, dest: "unicast 192.0.2.101:68", logIds: ["DHCP4_PACKET_NAK_0004"] },
  },
  {
    name: "RENEWING a lease the server lost: the free address is granted again (as Kea does)",
    setup: (w) => (w.arrival = fromClient("192.0.2.101")),
    query: query(R, { ciaddr: "192.0.2.101" }),
    expect: { kind: "reply", type: MsgType.ACK, yiaddr: "192.0.2.101", stats: { "assigned-addresses": 1 } },
  },
  {
    name: "RENEWING an address in no pool without a lease: silence (DHCP4_UNKNOWN_ADDRESS_REQUESTED)",
    setup: (w) => (w.arrival = fromClient("192.0.2.7")),
    query: query(R, { ciaddr: "192.0.2.7" }),
    expect: { kind: "drop", stats: { "pkt4-nak-sent": 0 }, logIds: ["DHCP4_UNKNOWN_ADDRESS_REQUESTED"] },
  },
  {
    name: "RENEWING from an address in no subnet: NAK (DHCP4_PACKET_NAK_0001)",
    setup: (w) => (w.arrival = fromClient("10.0.0.5")),
    query: query(R, { ciaddr: "10.0.0.5" }),
    expect: { kind: "reply", type: MsgType.NAK, dest: "unicast 10.0.0.5:68", logIds: ["DHCP4_PACKET_NAK_0001"] },
  },
  // REBINDING (broadcast, ciaddr)
  {
    name: "REBINDING: a broadcast rebind extends the lease; ACK to ciaddr",
    setup: (w) => {
      w.leases.put(lease("192.0.2.101", { cltt: NOW - 6500 }));
      w.arrival = arrival({ srcAddr: ip("192.0.2.101") });
    },
    query: query(R, { ciaddr: "192.0.2.101" }),
    expect: { kind: "reply", type: MsgType.ACK, yiaddr: "192.0.2.101", dest: "unicast 192.0.2.101:68" },
  },
  {
    name: "REBINDING relayed: ACK to the relay",
    setup: (w) => w.leases.put(lease("198.51.100.12", { subnetId: 2 })),
    query: query(R, { giaddr: "10.9.9.9", ciaddr: "198.51.100.12" }),
    expect: { kind: "reply", type: MsgType.ACK, yiaddr: "198.51.100.12", dest: "unicast 10.9.9.9:67" },
  },
  {
    name: "REBINDING broadcast with no subnet: silence (DHCP4_PACKET_DROP_0002)",
    setup: (w) => (w.arrival = arrival({ iface: "eth9", localAddr: ip("10.0.0.1"), ifaceAddrs: [ip("10.0.0.1")] })),
    query: query(R, { ciaddr: "10.0.0.5" }),
    expect: { kind: "drop", stats: { "pkt4-nak-sent": 0 }, logIds: ["DHCP4_PACKET_DROP_0002"] },
  },
  // Neither ciaddr nor option 50
  {
    name: "REQUEST with neither ciaddr nor option 50 is ACKed (Kea's documented RFC violation)",
    query: query(R),
    expect: { kind: "reply", type: MsgType.ACK, yiaddr: "192.0.2.100", stats: { "assigned-addresses": 1 } },
  },
  {
    name: "REQUEST with neither, pool exhausted: NAK with allocation-failure statistics",
    setup: (w) =>
      w.leases.put(
        lease("192.0.2.100", { hwaddr: MAC_B }),
        lease("192.0.2.101", { hwaddr: "aa:bb:cc:00:00:03" }),
        lease("192.0.2.102", { hwaddr: "aa:bb:cc:00:00:04" }),
      ),
    query: query(R),
    expect: { kind: "reply", type: MsgType.NAK, stats: { "v4-allocation-fail": 1, "pkt4-nak-sent": 1 } },
  },
];

for (const row of rows) Deno.test(`REQUEST: ${row.name}`, () => void runRow(row));
