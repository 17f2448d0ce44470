/**
 * Shared networks in the DHCPv4 engine (Kea's allocation engine walking a network's subnets), table-driven over a
 * configuration compiled by the real loader: one link (eth0) holding a one-address subnet, a second subnet with a
 * reservation, and a third subnet guarded by a class. Covers allocation falling through an exhausted subnet, lease
 * affinity and renewals in a sibling subnet, requests for sibling addresses, NAKs for addresses outside the
 * network, the class guard of a member, reservations in a sibling subnet and per-subnet statistics.
 */
import assert from "node:assert/strict";
import { parseConfigText } from "../../../mod/config/load.ts";
import type { Outcome } from "../../../mod/dhcp4/engine/types.ts";
import { handle4 } from "../../../mod/dhcp4/engine/handle4.ts";
import { formatIpv4 } from "../../../mod/wire/addr.ts";
import {
  apply,
  arrival,
  ctxOf,
  ip,
  lease,
  MAC_A,
  MAC_B,
  MsgType,
  NOW,
  o,
  Opt,
  query,
  stat,
  world,
} from "./builders.ts";
import { type Row, runRow } from "./table.ts";

const MAC_R = "aa:bb:cc:00:00:77";

const CONFIG = {
  Dhcp4: {
    "client-classes": [{ name: "voip", test: "substring(option[60].hex,0,4) == 'voip'" }],
    subnet4: [{ id: 9, subnet: "203.0.113.0/24", interface: "eth1", pools: [{ pool: "203.0.113.10 - 203.0.113.19" }] }],
    "shared-networks": [{
      name: "lan",
      interface: "eth0",
      authoritative: true,
      "valid-lifetime": 3600,
      "option-data": [{ name: "domain-name", data: "lan.example" }],
      subnet4: [
        {
          id: 1,
          subnet: "192.0.2.0/24",
          pools: [{ pool: "192.0.2.100 - 192.0.2.100" }],
          "option-data": [{ name: "routers", data: "192.0.2.1" }],
        },
        {
          id: 2,
          subnet: "10.77.0.0/24",
          pools: [{ pool: "10.77.0.10 - 10.77.0.19" }],
          "option-data": [{ name: "routers", data: "10.77.0.1" }],
          reservations: [{ "hw-address": MAC_R, "ip-address": "10.77.0.50", hostname: "desk" }],
        },
        { id: 3, subnet: "10.88.0.0/24", "client-class": "voip", pools: [{ pool: "10.88.0.10 - 10.88.0.19" }] },
      ],
    }],
  },
};

const CONFIG4 = parseConfigText(JSON.stringify(CONFIG), "shared.json", () => "").dhcp4!;

const D = MsgType.DISCOVER;
const R = MsgType.REQUEST;
const OURS = o.addr(Opt.SERVER_ID, "192.0.2.1");
const want = (a: string) => o.addr(Opt.REQUESTED_ADDRESS, a);
const voip = o.text(Opt.VENDOR_CLASS_ID, "voip-phone");
/** another client holds the only address of subnet 1 */
const firstFull = () => lease("192.0.2.100", { hwaddr: MAC_B, subnetId: 1 });
/** a unicast from a configured client at `src` to the server */
const fromClient = (src: string) => arrival({ srcAddr: ip(src), dstAddr: ip("192.0.2.1") });
const routers = (out: Outcome) => {
  assert.ok(out.kind === "reply");
  const r = out.reply.options.get(Opt.ROUTERS);
  return r ? formatIpv4(((r[0] << 24) | (r[1] << 16) | (r[2] << 8) | r[3]) >>> 0) : undefined;
};
/** the lease put by an ACK */
const putLease = (out: Outcome) => {
  assert.ok(out.kind === "reply" && out.mutations[0]?.op === "put");
  return out.mutations[0].lease;
};

const rows: Row[] = [
  {
    name: "DISCOVER: the selected subnet's pool is tried first",
    query: query(D),
    expect: {
      kind: "reply",
      type: MsgType.OFFER,
      yiaddr: "192.0.2.100",
      check: (out) => {
        assert.ok(out.kind === "reply" && out.offer?.subnetId === 1);
        assert.equal(routers(out), "192.0.2.1");
      },
    },
  },
  {
    name: "DISCOVER: the first subnet exhausted, the second subnet of the network offers, with its own options",
    setup: (w) => w.leases.put(firstFull()),
    query: query(D),
    expect: {
      kind: "reply",
      type: MsgType.OFFER,
      yiaddr: "10.77.0.10",
      check: (out) => {
        assert.ok(out.kind === "reply");
        assert.deepEqual(out.offer, { clientKey: "hw:aabbcc000001", subnetId: 2, address: ip("10.77.0.10") });
        assert.equal(routers(out), "10.77.0.1");
        assert.deepEqual([...out.reply.options.get(Opt.SUBNET_MASK)!], [255, 255, 255, 0]);
        assert.equal(new TextDecoder().decode(out.reply.options.get(Opt.DOMAIN_NAME)), "lan.example");
        assert.deepEqual([...out.reply.options.get(Opt.LEASE_TIME)!], [0, 0, 0x0e, 0x10]);
      },
    },
  },
  {
    name: "DISCOVER: a client holding a lease in the second subnet is offered it again (lease affinity)",
    setup: (w) => w.leases.put(lease("10.77.0.13", { subnetId: 2 })),
    query: query(D),
    expect: { kind: "reply", type: MsgType.OFFER, yiaddr: "10.77.0.13" },
  },
  {
    name: "DISCOVER: a reservation in a sibling subnet wins over the selected subnet's free pool",
    query: query(D, { mac: MAC_R }),
    expect: {
      kind: "reply",
      type: MsgType.OFFER,
      yiaddr: "10.77.0.50",
      check: (out) => {
        assert.ok(out.kind === "reply" && out.offer?.subnetId === 2);
        assert.equal(new TextDecoder().decode(out.reply.options.get(Opt.HOST_NAME)), "desk");
      },
    },
  },
  {
    name: "DISCOVER: with both open subnets full, a client outside the guard's class fails on the whole network",
    setup: (w) => {
      w.leases.put(firstFull());
      for (let i = 10; i <= 19; i++) w.leases.put(lease(`10.77.0.${i}`, { hwaddr: MAC_B, subnetId: 2 }));
    },
    query: query(D),
    expect: {
      kind: "drop",
      reason: "v4-allocation-fail",
      stats: {
        "v4-allocation-fail": 1,
        "v4-allocation-fail-shared-network": 1,
        "subnet[1].v4-allocation-fail-shared-network": 1,
        "v4-allocation-fail-subnet": 0,
      },
      logIds: ["ALLOC_ENGINE_V4_ALLOC_FAIL_SHARED_NETWORK"],
      check: (out) =>
        assert.match(out.log[0].text, /shared network 'lan'.*192\.0\.2\.100-192\.0\.2\.100, 10\.77\.0\.10/),
    },
  },
  {
    name: "DISCOVER: with both open subnets full, a member of the guard's class gets the guarded subnet",
    setup: (w) => {
      w.leases.put(firstFull());
      for (let i = 10; i <= 19; i++) w.leases.put(lease(`10.77.0.${i}`, { hwaddr: MAC_B, subnetId: 2 }));
    },
    query: query(D, { options: [voip] }),
    expect: { kind: "reply", type: MsgType.OFFER, yiaddr: "10.88.0.10" },
  },
  {
    name: "REQUEST (SELECTING): the address offered in the second subnet is ACKed there; statistics of subnet 2",
    setup: (w) => {
      w.leases.put(firstFull());
      w.offers.add("hw:aabbcc000001", 2, ip("10.77.0.10"));
    },
    query: query(R, { options: [OURS, want("10.77.0.10")] }),
    expect: {
      kind: "reply",
      type: MsgType.ACK,
      yiaddr: "10.77.0.10",
      stats: {
        "subnet[2].assigned-addresses": 1,
        "subnet[1].assigned-addresses": 0,
        "subnet[2].cumulative-assigned-addresses": 1,
      },
      check: (out) => {
        const l = putLease(out);
        assert.deepEqual([l.subnetId, l.validLifetime], [2, 3600]);
        assert.equal(routers(out), "10.77.0.1");
      },
    },
  },
  {
    name: "REQUEST (SELECTING): a free address of the sibling subnet is ACKed, not NAKed",
    query: query(R, { options: [OURS, want("10.77.0.15")] }),
    expect: {
      kind: "reply",
      type: MsgType.ACK,
      yiaddr: "10.77.0.15",
      check: (out) => assert.equal(putLease(out).subnetId, 2),
    },
  },
  {
    name: "REQUEST (RENEWING): a lease in the second subnet is renewed, counters unchanged",
    setup: (w) => {
      w.leases.put(lease("10.77.0.12", { subnetId: 2 }));
      w.arrival = fromClient("10.77.0.12");
    },
    query: query(R, { ciaddr: "10.77.0.12" }),
    expect: {
      kind: "reply",
      type: MsgType.ACK,
      yiaddr: "10.77.0.12",
      dest: "unicast 10.77.0.12:68",
      stats: { "subnet[2].assigned-addresses": 0, "assigned-addresses": 0, "cumulative-assigned-addresses": 0 },
      check: (out) => {
        assert.ok(out.kind === "reply" && out.events[0].kind === "renew");
        assert.deepEqual([putLease(out).subnetId, putLease(out).cltt], [2, NOW]);
      },
    },
  },
  {
    name: "REQUEST (REBINDING, broadcast on eth0): the lease in the second subnet is found through the network",
    setup: (w) => w.leases.put(lease("10.77.0.12", { subnetId: 2 })),
    query: query(R, { ciaddr: "10.77.0.12" }),
    expect: { kind: "reply", type: MsgType.ACK, yiaddr: "10.77.0.12" },
  },
  {
    name: "REQUEST (INIT-REBOOT on eth0): the client's lease in the second subnet is confirmed",
    setup: (w) => w.leases.put(lease("10.77.0.12", { subnetId: 2 })),
    query: query(R, { options: [want("10.77.0.12")] }),
    expect: {
      kind: "reply",
      type: MsgType.ACK,
      yiaddr: "10.77.0.12",
      check: (out) => assert.equal(putLease(out).subnetId, 2),
    },
  },
  {
    name: "REQUEST (INIT-REBOOT): an address outside the network is NAKed (authoritative network)",
    setup: (w) => w.leases.put(lease("10.77.0.12", { subnetId: 2 })),
    query: query(R, { options: [want("172.16.0.5")] }),
    expect: { kind: "reply", type: MsgType.NAK, logIds: ["DHCP4_PACKET_NAK_0002"] },
  },
  {
    name: "REQUEST (INIT-REBOOT): an unknown client asking for an address outside the network is NAKed",
    query: query(R, { options: [want("172.16.0.5")] }),
    expect: { kind: "reply", type: MsgType.NAK, logIds: ["DHCP4_PACKET_NAK_0002"] },
  },
  {
    name: "REQUEST (RENEWING): an address outside every subnet is NAKed (no subnet selected)",
    setup: (w) => (w.arrival = fromClient("172.16.0.5")),
    query: query(R, { ciaddr: "172.16.0.5" }),
    expect: { kind: "reply", type: MsgType.NAK, logIds: ["DHCP4_PACKET_NAK_0001"] },
  },
  {
    name: "REQUEST (SELECTING): an address of the sibling subnet held by another client is NAKed",
    setup: (w) => w.leases.put(lease("10.77.0.15", { hwaddr: MAC_B, subnetId: 2 })),
    query: query(R, { options: [OURS, want("10.77.0.15")] }),
    expect: { kind: "reply", type: MsgType.NAK, logIds: ["DHCP4_PACKET_NAK_0004"] },
  },
  {
    name: "REQUEST (SELECTING): the guarded subnet's address is not granted to a client outside its class",
    query: query(R, { options: [OURS, want("10.88.0.12")] }),
    expect: {
      kind: "drop",
      stats: { "pkt4-ack-sent": 0 },
      logIds: ["DHCP4_UNKNOWN_ADDRESS_REQUESTED"],
    },
  },
  {
    name: "REQUEST (SELECTING): the guarded subnet's address is granted to a member of its class",
    query: query(R, { options: [OURS, want("10.88.0.12"), voip] }),
    expect: {
      kind: "reply",
      type: MsgType.ACK,
      yiaddr: "10.88.0.12",
      check: (out) => assert.equal(putLease(out).subnetId, 3),
    },
  },
  {
    name: "REQUEST (SELECTING): a client with a reservation in the sibling subnet asking for another address: NAK",
    query: query(R, { mac: MAC_R, options: [OURS, want("192.0.2.100")] }),
    expect: { kind: "reply", type: MsgType.NAK, logIds: ["DHCP4_PACKET_NAK_0004"] },
  },
  {
    name: "a subnet outside the network is not used when the network is full",
    setup: (w) => {
      w.leases.put(firstFull());
      for (let i = 10; i <= 19; i++) w.leases.put(lease(`10.77.0.${i}`, { hwaddr: MAC_B, subnetId: 2 }));
    },
    query: query(D, { mac: MAC_A }),
    expect: {
      kind: "drop",
      check: (out) => assert.ok(!out.log.some((l) => l.text.includes("203.0.113"))),
    },
  },
];

for (const row of rows) {
  Deno.test(`shared network: ${row.name}`, () => {
    const setup = row.setup;
    runRow({
      ...row,
      setup: (w) => {
        w.config = CONFIG4;
        setup?.(w);
      },
    });
  });
}

Deno.test("shared network: two clients fill the one-address subnet, then the second subnet, and both renew", () => {
  const w = world({ config: CONFIG4 });
  const got: string[] = [];
  for (const mac of [MAC_A, MAC_B]) {
    const offer = handle4(query(D, { mac }), ctxOf(w));
    assert.ok(offer.kind === "reply", JSON.stringify(offer.log));
    apply(w, offer);
    const yiaddr = formatIpv4(offer.reply.yiaddr);
    const ack = handle4(query(R, { mac, options: [OURS, want(yiaddr)] }), ctxOf(w));
    assert.ok(ack.kind === "reply" && ack.reply.options.get(Opt.MESSAGE_TYPE)![0] === MsgType.ACK);
    apply(w, ack);
    got.push(yiaddr);
  }
  assert.deepEqual(got, ["192.0.2.100", "10.77.0.10"]);
  assert.deepEqual([...w.leases.byAddr.values()].map((l) => [formatIpv4(l.address), l.subnetId]), [
    ["192.0.2.100", 1],
    ["10.77.0.10", 2],
  ]);
  for (const [mac, addr] of [[MAC_A, "192.0.2.100"], [MAC_B, "10.77.0.10"]]) {
    w.arrival = fromClient(addr);
    const renew = handle4(query(R, { mac, ciaddr: addr }), ctxOf(w, NOW + 1800));
    assert.ok(renew.kind === "reply" && formatIpv4(renew.reply.yiaddr) === addr, JSON.stringify(renew.log));
    assert.equal(stat(renew.stats, "pkt4-ack-sent"), 1);
    assert.equal(renew.events[0].kind, "renew");
  }
});
