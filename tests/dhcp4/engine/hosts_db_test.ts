/**
 * Host reservations from a host database in the engine (issue 15; Kea's HostMgr: the configuration's hosts first,
 * then the database's, which add to them), table-driven over configs compiled from Kea JSON with a HostView4 that
 * stands for what the edge fetched (mod/lease/host_cache4.ts, tested on real databases in tests/lease).
 */
import assert from "node:assert/strict";
import { parseConfigText } from "../../../mod/config/load.ts";
import type { Dhcp4Config, Reservation4 } from "../../../mod/config/model.ts";
import type { HostView4 } from "../../../mod/lease/types.ts";
import type { Outcome } from "../../../mod/dhcp4/engine/types.ts";
import { ip, MAC_A, MAC_B, MsgType, o, Opt, optVal, query } from "./builders.ts";
import { type Row, runRow } from "./table.ts";

const D = MsgType.DISCOVER;
const NO_INCLUDES = (p: string): string => {
  throw new Error(`unexpected include ${p}`);
};

/** One subnet 192.0.2.0/24 (pool .100-.102) and the given global and subnet keys. */
function cfg(global: Record<string, unknown> = {}, subnet: Record<string, unknown> = {}): Dhcp4Config {
  const dhcp4 = {
    ...global,
    subnet4: [{ id: 1, subnet: "192.0.2.0/24", pools: [{ pool: "192.0.2.100 - 192.0.2.102" }], ...subnet }],
  };
  return parseConfigText(JSON.stringify({ Dhcp4: dhcp4 }), "t.json", NO_INCLUDES).dhcp4!;
}

/** A host database holding `hosts`: [subnet id, host key, reservation]. */
function db(hosts: [number, string, Reservation4][]): HostView4 {
  return {
    get: (sid, key) => hosts.find(([s, k]) => s === sid && k === key)?.[2],
    reservedFor: (sid, a) => {
      const keys = hosts.filter(([s, , r]) => s === sid && r.ipAddress === a).map(([, k]) => k);
      return keys.length ? keys : undefined;
    },
  };
}

const hostA = (addr: string): Reservation4 => ({
  hwaddr: MAC_A,
  ipAddress: ip(addr),
  hostname: "db-host",
  options: new Map([[Opt.DNS_SERVERS, optVal(Opt.DNS_SERVERS, new Uint8Array([192, 0, 2, 77]))]]),
});

const PRL = o.prl(Opt.SUBNET_MASK, Opt.DNS_SERVERS, Opt.HOST_NAME);
const text = (b: Uint8Array | undefined) => (b ? new TextDecoder().decode(b) : undefined);

function carriesDbHost(out: Outcome): void {
  assert.ok(out.kind === "reply");
  assert.equal(text(out.reply.options.get(Opt.HOST_NAME)), "db-host");
  assert.deepEqual([...out.reply.options.get(Opt.DNS_SERVERS)!], [192, 0, 2, 77]);
}

const rows: Row[] = [
  {
    name: "a database host's address, hostname and options are offered",
    setup: (w) => (w.config = cfg(), w.hosts = db([[1, MAC_A, hostA("192.0.2.10")]])),
    query: query(D, { options: [PRL] }),
    expect: { kind: "reply", type: MsgType.OFFER, yiaddr: "192.0.2.10", check: carriesDbHost },
  },
  {
    name: "the configuration's reservation is searched first (Kea's HostMgr order)",
    setup: (w) => {
      w.config = cfg({}, { reservations: [{ "hw-address": MAC_A, "ip-address": "192.0.2.20" }] });
      w.hosts = db([[1, MAC_A, hostA("192.0.2.10")]]);
    },
    query: query(D),
    expect: { kind: "reply", yiaddr: "192.0.2.20" },
  },
  {
    name: "a pool address a database reserves for another client is kept from this one",
    setup: (w) => (w.config = cfg(), w.hosts = db([[1, MAC_B, { ...hostA("192.0.2.100"), hwaddr: MAC_B }]])),
    query: query(D),
    expect: { kind: "reply", yiaddr: "192.0.2.101" },
  },
  {
    name: "SELECTING an address a database reserves for another client is NAKed",
    setup: (w) => (w.config = cfg(), w.hosts = db([[1, MAC_B, { ...hostA("192.0.2.100"), hwaddr: MAC_B }]])),
    query: query(MsgType.REQUEST, {
      options: [o.addr(Opt.SERVER_ID, "192.0.2.1"), o.addr(Opt.REQUESTED_ADDRESS, "192.0.2.100")],
    }),
    expect: { kind: "reply", type: MsgType.NAK },
  },
  {
    name: "a host keyed by client-id is found without host-reservation-identifiers naming the database's types",
    setup: (w) => {
      w.config = cfg();
      w.hosts = db([[1, "client-id=01:aa:bb:cc:00:00:01", { ...hostA("192.0.2.11"), hwaddr: "" }]]);
    },
    query: query(D, { options: [o.cid("01aabbcc000001")] }),
    expect: { kind: "reply", yiaddr: "192.0.2.11" },
  },
  {
    name: "a global database host (subnet id 0) applies where reservations-global is on",
    setup: (w) => (w.config = cfg({ "reservations-global": true }), w.hosts = db([[0, MAC_A, hostA("192.0.2.12")]])),
    query: query(D, { options: [PRL] }),
    expect: { kind: "reply", yiaddr: "192.0.2.12", check: carriesDbHost },
  },
  {
    name: "a global database host is ignored where reservations-global is off (Kea's default)",
    setup: (w) => (w.config = cfg(), w.hosts = db([[0, MAC_A, hostA("192.0.2.12")]])),
    query: query(D),
    expect: { kind: "reply", yiaddr: "192.0.2.100" },
  },
];

for (const row of rows) Deno.test(`hosts database: ${row.name}`, () => void runRow(row));
