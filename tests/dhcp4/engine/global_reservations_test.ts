/**
 * Global host reservations and the reservation flags in the engine, table-driven over configs compiled from
 * Kea JSON (each accepted by `kea-dhcp4 -t`): a global reservation applies where reservations-global is on, its
 * address only inside the selected subnet; reservations-in-subnet off hides the subnet's reservations; reserved
 * addresses stay out of dynamic allocation.
 */
import assert from "node:assert/strict";
import { parseConfigText } from "../../../mod/config/load.ts";
import type { Dhcp4Config } from "../../../mod/config/model.ts";
import type { Outcome } from "../../../mod/dhcp4/engine/types.ts";
import { ip, lease, MAC_A, MAC_B, MsgType, o, Opt, query } from "./builders.ts";
import { type Row, runRow } from "./table.ts";

const D = MsgType.DISCOVER;
const POOL = [{ pool: "192.0.2.100 - 192.0.2.102" }];
const NO_INCLUDES = (p: string): string => {
  throw new Error(`unexpected include ${p}`);
};

/** A compiled config: one subnet 192.0.2.0/24 (pool .100-.102) plus the given global and subnet keys. */
function cfg(global: Record<string, unknown>, subnet: Record<string, unknown> = {}): Dhcp4Config {
  const dhcp4 = { ...global, subnet4: [{ id: 1, subnet: "192.0.2.0/24", pools: POOL, ...subnet }] };
  return parseConfigText(JSON.stringify({ Dhcp4: dhcp4 }), "t.json", NO_INCLUDES).dhcp4!;
}

/** The global reservation of MAC_A used by most rows. */
const GLOBAL_A = (addr: string) => ({
  "hw-address": MAC_A,
  "ip-address": addr,
  hostname: "gl-one",
  "option-data": [{ name: "domain-name-servers", data: "192.0.2.77" }],
});

const text = (b: Uint8Array | undefined) => (b ? new TextDecoder().decode(b) : undefined);

/** The reply carries the global reservation's hostname (option 12) and DNS server (option 6). */
function carriesGlobalHost(out: Outcome): void {
  assert.ok(out.kind === "reply");
  assert.equal(text(out.reply.options.get(Opt.HOST_NAME)), "gl-one");
  assert.deepEqual([...out.reply.options.get(Opt.DNS_SERVERS)!], [192, 0, 2, 77]);
}

const PRL = o.prl(Opt.SUBNET_MASK, Opt.ROUTERS, Opt.DNS_SERVERS, Opt.HOST_NAME);

const rows: Row[] = [
  {
    name: "global reservation wins over the pool: its out-of-pool address, hostname and options are offered",
    setup: (w) => (w.config = cfg({ "reservations-global": true, reservations: [GLOBAL_A("192.0.2.10")] })),
    query: query(D, { options: [PRL] }),
    expect: { kind: "reply", type: MsgType.OFFER, yiaddr: "192.0.2.10", check: carriesGlobalHost },
  },
  {
    name: "global reservation wins over the client's existing dynamic lease",
    setup: (w) => {
      w.config = cfg({ "reservations-global": true, reservations: [GLOBAL_A("192.0.2.10")] });
      w.leases.put(lease("192.0.2.101"));
    },
    query: query(D, { options: [PRL] }),
    expect: { kind: "reply", type: MsgType.OFFER, yiaddr: "192.0.2.10" },
  },
  {
    name: "SELECTING for the globally reserved address outside the pool is ACKed",
    setup: (w) => {
      w.config = cfg({ "reservations-global": true, reservations: [GLOBAL_A("192.0.2.10")] });
      w.offers.add("hw:aabbcc000001", 1, ip("192.0.2.10"));
    },
    query: query(MsgType.REQUEST, {
      options: [o.addr(Opt.SERVER_ID, "192.0.2.1"), o.addr(Opt.REQUESTED_ADDRESS, "192.0.2.10"), PRL],
    }),
    expect: {
      kind: "reply",
      type: MsgType.ACK,
      yiaddr: "192.0.2.10",
      check: (out) => {
        carriesGlobalHost(out);
        assert.ok(out.kind === "reply");
        assert.equal(out.mutations.length, 1);
      },
    },
  },
  {
    name: 'Kea 2.2 reservation-mode "global" turns global reservations on',
    setup: (w) => (w.config = cfg({ "reservation-mode": "global", reservations: [GLOBAL_A("192.0.2.10")] })),
    query: query(D, { options: [PRL] }),
    expect: { kind: "reply", type: MsgType.OFFER, yiaddr: "192.0.2.10", check: carriesGlobalHost },
  },
  {
    name: "global reservation outside the selected subnet: address not assigned, hostname and options still apply",
    setup: (w) => (w.config = cfg({ "reservations-global": true, reservations: [GLOBAL_A("10.9.9.9")] })),
    query: query(D, { options: [PRL] }),
    expect: { kind: "reply", type: MsgType.OFFER, yiaddr: "192.0.2.100", check: carriesGlobalHost },
  },
  {
    name: "INIT-REBOOT for a global address outside the subnet is NAKed (authoritative server)",
    setup: (
      w,
    ) => (w.config = cfg({ authoritative: true, "reservations-global": true, reservations: [GLOBAL_A("10.9.9.9")] })),
    query: query(MsgType.REQUEST, { options: [o.addr(Opt.REQUESTED_ADDRESS, "10.9.9.9")] }),
    expect: {
      kind: "reply",
      type: MsgType.NAK,
      check: (out) => assert.ok(out.kind === "reply" && out.mutations.length === 0),
    },
  },
  {
    name: "reservations-global off (Kea's default): the global reservation is ignored",
    setup: (w) => (w.config = cfg({ reservations: [GLOBAL_A("192.0.2.10")] })),
    query: query(D, { options: [PRL] }),
    expect: {
      kind: "reply",
      yiaddr: "192.0.2.100",
      check: (out) => assert.ok(out.kind === "reply" && !out.reply.options.has(Opt.HOST_NAME)),
    },
  },
  {
    name: "a globally reserved pool address is kept from other clients",
    setup: (w) => (w.config = cfg({ "reservations-global": true, reservations: [GLOBAL_A("192.0.2.100")] })),
    query: query(D, { mac: MAC_B }),
    expect: { kind: "reply", yiaddr: "192.0.2.101" },
  },
  {
    name: "reservations-in-subnet off: the subnet's reservation is ignored and its address is dynamic again",
    setup: (w) => (w.config = cfg({}, {
      "reservations-in-subnet": false,
      reservations: [{ "hw-address": MAC_B, "ip-address": "192.0.2.100" }],
    })),
    query: query(D, { mac: MAC_B }),
    expect: {
      kind: "reply",
      yiaddr: "192.0.2.100",
      check: (out) => assert.ok(out.kind === "reply" && out.offer?.address === ip("192.0.2.100")),
    },
  },
  {
    name: "reservations-in-subnet off: a subnet reservation for another client no longer blocks its address",
    setup: (w) => (w.config = cfg({}, {
      "reservations-in-subnet": false,
      reservations: [{ "hw-address": MAC_B, "ip-address": "192.0.2.100" }],
    })),
    query: query(D),
    expect: { kind: "reply", yiaddr: "192.0.2.100" },
  },
  {
    name: "reservations-in-subnet on (default): the subnet reservation holds its address for its owner",
    setup: (w) => (w.config = cfg({}, { reservations: [{ "hw-address": MAC_B, "ip-address": "192.0.2.100" }] })),
    query: query(D),
    expect: { kind: "reply", yiaddr: "192.0.2.101" },
  },
  {
    name: 'reservation-mode "disabled" at the subnet: neither global nor subnet reservations apply',
    setup: (w) => (w.config = cfg({ reservations: [GLOBAL_A("192.0.2.10")] }, {
      "reservation-mode": "disabled",
      reservations: [{ "hw-address": MAC_A, "ip-address": "192.0.2.20" }],
    })),
    query: query(D),
    expect: { kind: "reply", yiaddr: "192.0.2.100" },
  },
  {
    name: "both flags on and both match: the subnet's reservation is the client's host (Kea currentHost())",
    setup: (w) => (w.config = cfg({ "reservations-global": true, reservations: [GLOBAL_A("192.0.2.10")] }, {
      reservations: [{ "hw-address": MAC_A, "ip-address": "192.0.2.20", hostname: "sub-one" }],
    })),
    query: query(D, { options: [PRL] }),
    expect: {
      kind: "reply",
      yiaddr: "192.0.2.20",
      check: (out) => assert.ok(out.kind === "reply" && text(out.reply.options.get(Opt.HOST_NAME)) === "sub-one"),
    },
  },
  {
    name: "INFORM: the global reservation's options are returned",
    setup: (w) => (w.config = cfg({ "reservations-global": true, reservations: [GLOBAL_A("192.0.2.10")] })),
    query: query(MsgType.INFORM, { ciaddr: "192.0.2.10", options: [o.prl(Opt.DNS_SERVERS)] }),
    expect: {
      kind: "reply",
      type: MsgType.ACK,
      check: (out) => {
        assert.ok(out.kind === "reply");
        assert.deepEqual([...out.reply.options.get(Opt.DNS_SERVERS)!], [192, 0, 2, 77]);
      },
    },
  },
];

for (const row of rows) Deno.test(`global reservations: ${row.name}`, () => void runRow(row));
