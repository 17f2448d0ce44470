/** DHCPDISCOVER → DHCPOFFER: the INIT state of RFC 2131 §4.4.1, table-driven. */
import assert from "node:assert/strict";
import { handle4 } from "../../../mod/dhcp4/engine/handle4.ts";
import { FLAG_BROADCAST } from "../../../mod/packet4/packet.ts";
import { LeaseState } from "../../../mod/lease/types.ts";
import { apply, config4, ctxOf, ip, lab, lease, MAC_B, MsgType, NOW, o, Opt, query, world } from "./builders.ts";
import { type Row, runRow } from "./table.ts";

const D = MsgType.DISCOVER;

const rows: Row[] = [
  {
    name: "INIT: a new client gets the first free pool address, sent at link layer (raw sockets)",
    query: query(D),
    expect: {
      kind: "reply",
      type: MsgType.OFFER,
      yiaddr: "192.0.2.100",
      dest: "link 192.0.2.100",
      stats: { "pkt4-discover-received": 1, "pkt4-offer-sent": 1, "assigned-addresses": 0 },
      logIds: ["DHCP4_LEASE_OFFER"],
      check: (out) => {
        assert(out.kind === "reply");
        assert.deepEqual(out.mutations, []);
        assert.deepEqual(out.offer, { clientKey: "hw:aabbcc000001", subnetId: 1, address: ip("192.0.2.100") });
      },
    },
  },
  {
    name: "INIT with the broadcast flag: OFFER is broadcast",
    query: query(D, { flags: FLAG_BROADCAST }),
    expect: { kind: "reply", type: MsgType.OFFER, yiaddr: "192.0.2.100", dest: "broadcast" },
  },
  {
    name: "INIT on UDP sockets: OFFER is broadcast (no unicast to an unconfigured client)",
    setup: (w) => (w.config = config4(lab(), { socketType: "udp" })),
    query: query(D),
    expect: { kind: "reply", type: MsgType.OFFER, dest: "broadcast" },
  },
  {
    name: "requested address (option 50) inside a pool and free is offered",
    query: query(D, { options: [o.addr(Opt.REQUESTED_ADDRESS, "192.0.2.102")] }),
    expect: { kind: "reply", yiaddr: "192.0.2.102" },
  },
  {
    name: "requested address outside every pool is ignored",
    query: query(D, { options: [o.addr(Opt.REQUESTED_ADDRESS, "192.0.2.7")] }),
    expect: { kind: "reply", yiaddr: "192.0.2.100" },
  },
  {
    name: "requested address held by another client's live lease is not offered",
    setup: (w) => w.leases.put(lease("192.0.2.100", { hwaddr: MAC_B })),
    query: query(D, { options: [o.addr(Opt.REQUESTED_ADDRESS, "192.0.2.100")] }),
    expect: { kind: "reply", yiaddr: "192.0.2.101" },
  },
  {
    name: "another client's expired lease does not hold its address",
    setup: (w) => w.leases.put(lease("192.0.2.100", { hwaddr: MAC_B, cltt: NOW - 10_000 })),
    query: query(D),
    expect: { kind: "reply", yiaddr: "192.0.2.100" },
  },
  {
    name: "lease affinity: the client's expired lease address is offered again",
    setup: (w) => w.leases.put(lease("192.0.2.102", { cltt: NOW - 10_000 })),
    query: query(D),
    expect: { kind: "reply", yiaddr: "192.0.2.102" },
  },
  {
    name: "lease affinity: the client's released lease address is offered again",
    setup: (w) => w.leases.put(lease("192.0.2.101", { state: LeaseState.RELEASED, validLifetime: 0 })),
    query: query(D),
    expect: { kind: "reply", yiaddr: "192.0.2.101" },
  },
  {
    name: "a pending offer for this client is repeated",
    setup: (w) => w.offers.add("hw:aabbcc000001", 1, ip("192.0.2.101")),
    query: query(D, { options: [o.addr(Opt.REQUESTED_ADDRESS, "192.0.2.102")] }),
    expect: { kind: "reply", yiaddr: "192.0.2.101" },
  },
  {
    name: "an address offered to another client is not offered while others are free (even when asked for)",
    setup: (w) => w.offers.add("hw:aabbcc000002", 1, ip("192.0.2.100")),
    query: query(D, { options: [o.addr(Opt.REQUESTED_ADDRESS, "192.0.2.100")] }),
    expect: { kind: "reply", yiaddr: "192.0.2.101" },
  },
  {
    name: "every free address offered to others: the one offered longest ago is offered (Kea holds nothing)",
    setup: (w) =>
      w.offers
        .add("hw:aabbcc000002", 1, ip("192.0.2.100"), 0, NOW - 5)
        .add("hw:aabbcc000003", 1, ip("192.0.2.101"), 0, NOW - 20)
        .add("hw:aabbcc000004", 1, ip("192.0.2.102"), 0, NOW - 10),
    query: query(D),
    expect: { kind: "reply", type: MsgType.OFFER, yiaddr: "192.0.2.101", stats: { "v4-allocation-fail": 0 } },
  },
  {
    name: "every free address held for others by offer-lifetime: allocation fails (Kea 2.6 offer leases)",
    setup: (w) =>
      w.offers
        .add("hw:aabbcc000002", 1, ip("192.0.2.100"), 60)
        .add("hw:aabbcc000003", 1, ip("192.0.2.101"), 60)
        .add("hw:aabbcc000004", 1, ip("192.0.2.102"), 60),
    query: query(D),
    expect: { kind: "drop", stats: { "v4-allocation-fail": 1, "v4-allocation-fail-subnet": 1 } },
  },
  {
    name: "an address held for another client by offer-lifetime is not offered even when asked for",
    setup: (w) => w.offers.add("hw:aabbcc000002", 1, ip("192.0.2.102"), 60),
    query: query(D, { options: [o.addr(Opt.REQUESTED_ADDRESS, "192.0.2.102")] }),
    expect: { kind: "reply", yiaddr: "192.0.2.100" },
  },
  {
    name: "reservation: the reserved address and hostname win (hostname lower-cased, option 12 sent)",
    query: query(D, { mac: "aa:bb:cc:00:00:99", options: [o.addr(Opt.REQUESTED_ADDRESS, "192.0.2.100")] }),
    expect: {
      kind: "reply",
      yiaddr: "192.0.2.50",
      check: (out) => {
        assert(out.kind === "reply");
        assert.deepEqual(new TextDecoder().decode(out.reply.options.get(Opt.HOST_NAME)), "printer");
      },
    },
  },
  {
    name: "relayed: giaddr matching relay.ip-addresses selects subnet 2; OFFER goes to giaddr:67",
    query: query(D, { giaddr: "10.9.9.9" }),
    expect: { kind: "reply", yiaddr: "198.51.100.10", dest: "unicast 10.9.9.9:67" },
  },
  {
    name: "relayed: giaddr inside subnet 2's prefix selects it",
    query: query(D, { giaddr: "198.51.100.1", flags: FLAG_BROADCAST }),
    expect: { kind: "reply", yiaddr: "198.51.100.10", dest: "unicast 198.51.100.1:67" },
  },
  {
    name: "relayed with RAI relay-port (sub-option 19): reply to the relay's source port",
    setup: (w) => (w.arrival.srcPort = 3067),
    query: query(D, { giaddr: "10.9.9.9", options: [o.rai([19, new Uint8Array(0)])] }),
    expect: { kind: "reply", dest: "unicast 10.9.9.9:3067" },
  },
  {
    name: "arrival interface eth1 selects subnet 3 by its interface name",
    setup: (
      w,
    ) => (w.arrival = { ...w.arrival, iface: "eth1", localAddr: ip("10.1.1.1"), ifaceAddrs: [ip("10.1.1.1")] }),
    query: query(D),
    expect: { kind: "reply", yiaddr: "203.0.113.50" },
  },
  {
    name: "arrival address selects the subnet when no subnet names the interface",
    setup: (
      w,
    ) => (w.arrival = { ...w.arrival, iface: "ens5", localAddr: ip("203.0.113.1"), ifaceAddrs: [ip("203.0.113.1")] }),
    query: query(D),
    expect: { kind: "reply", yiaddr: "203.0.113.50" },
  },
  {
    name: "option 118 selects the subnet and is echoed",
    query: query(D, { options: [o.addr(Opt.SUBNET_SELECTION, "203.0.113.0")] }),
    expect: {
      kind: "reply",
      yiaddr: "203.0.113.50",
      check: (out) => assert(out.kind === "reply" && out.reply.options.has(Opt.SUBNET_SELECTION)),
    },
  },
  {
    name: "RAI link-selection (sub-option 5) beats option 118 and giaddr",
    query: query(D, {
      giaddr: "10.9.9.9",
      options: [o.addr(Opt.SUBNET_SELECTION, "192.0.2.0"), o.rai([5, new Uint8Array([203, 0, 113, 0])])],
    }),
    expect: { kind: "reply", yiaddr: "203.0.113.50", dest: "unicast 10.9.9.9:67" },
  },
  {
    name: "no subnet for the arrival interface: dropped",
    setup: (
      w,
    ) => (w.arrival = { ...w.arrival, iface: "eth9", localAddr: ip("10.0.0.1"), ifaceAddrs: [ip("10.0.0.1")] }),
    query: query(D),
    expect: {
      kind: "drop",
      reason: "pkt4-receive-drop",
      stats: { "pkt4-receive-drop": 1, "pkt4-discover-received": 1 },
      logIds: ["DHCP4_SUBNET_SELECTION_FAILED"],
    },
  },
  {
    name: "pool exhausted: dropped with Kea's allocation-failure statistics and a message naming the pool",
    setup: (w) =>
      w.leases.put(
        lease("192.0.2.100", { hwaddr: MAC_B }),
        lease("192.0.2.101", { hwaddr: "aa:bb:cc:00:00:03" }),
        lease("192.0.2.102", { hwaddr: "aa:bb:cc:00:00:04" }),
      ),
    query: query(D),
    expect: {
      kind: "drop",
      reason: "v4-allocation-fail",
      stats: {
        "pkt4-receive-drop": 1,
        "v4-allocation-fail": 1,
        "subnet[1].v4-allocation-fail": 1,
        "v4-allocation-fail-subnet": 1,
        "subnet[1].v4-allocation-fail-subnet": 1,
      },
      check: (out) => assert(out.log.some((l) => l.text.includes("pool 192.0.2.100-192.0.2.102 is exhausted"))),
    },
  },
  {
    name: "client identifier keys the offer when match-client-id is on",
    query: query(D, { options: [o.cid("01:aa:bb:cc:00:00:01")] }),
    expect: {
      kind: "reply",
      check: (out) => assert(out.kind === "reply" && out.offer?.clientKey === "cid:01aabbcc000001"),
    },
  },
];

for (const row of rows) Deno.test(`DISCOVER: ${row.name}`, () => void runRow(row));

Deno.test("DISCOVER: repeated DISCOVERs from one client get the same address", () => {
  const w = world();
  const first = handle4(query(D), ctxOf(w));
  apply(w, first);
  const second = handle4(query(D, { xid: 2 }), ctxOf(w));
  assert(first.kind === "reply" && second.kind === "reply");
  assert.deepEqual(second.reply.yiaddr, first.reply.yiaddr);
  // and another client is not offered the same address meanwhile
  const other = handle4(query(D, { mac: MAC_B }), ctxOf(w));
  assert(other.kind === "reply");
  assert.deepEqual(other.reply.yiaddr, ip("192.0.2.101"));
});
