/**
 * `ip-reservations-unique: false` (Kea 2.2, the wired + wireless laptop pattern): one address reserved for two
 * hosts. weka's config-test accepts it only with the flag (Kea refuses the second host otherwise: "There's already a
 * reservation for this address"); the engine offers the address to whichever host asks while it is free, gives the
 * other host a dynamic address while the first holds it, and the reserved address again once it is released.
 */
import assert from "node:assert/strict";
import { parseConfigText } from "../../../mod/config/load.ts";
import type { Dhcp4Config } from "../../../mod/config/model.ts";
import { lease, MAC_A, MAC_B, MsgType, query } from "./builders.ts";
import { type Row, runRow } from "./table.ts";

const D = MsgType.DISCOVER;
const NO_INCLUDES = (p: string): string => {
  throw new Error(`unexpected include ${p}`);
};

function cfg(unique: boolean | undefined, global = false): Dhcp4Config {
  const res = [
    { "hw-address": MAC_A, "ip-address": "192.0.2.10", hostname: "laptop-wired" },
    { "hw-address": MAC_B, "ip-address": "192.0.2.10", hostname: "laptop-wifi" },
  ];
  const subnet = { id: 1, subnet: "192.0.2.0/24", pools: [{ pool: "192.0.2.100 - 192.0.2.102" }] };
  const d = {
    ...(unique === undefined ? {} : { "ip-reservations-unique": unique }),
    ...(global ? { reservations: res, subnet4: [subnet] } : { subnet4: [{ ...subnet, reservations: res }] }),
  };
  return parseConfigText(JSON.stringify({ Dhcp4: d }), "t.json", NO_INCLUDES).dhcp4!;
}

Deno.test("config: one address for two hosts is refused by default and accepted with ip-reservations-unique false", () => {
  for (const unique of [undefined, true]) {
    assert.throws(() => cfg(unique), /192\.0\.2\.10 is already reserved by reservations\[0\]/);
  }
  const c = cfg(false);
  assert.equal(c.subnets[0].reservations.size, 2);
  assert.equal(c.subnets[0].reservedAddresses.get(0xc000020a), MAC_A);
  assert.deepEqual(c.subnets[0].sharedReservedAddresses?.get(0xc000020a), [MAC_B]);
  // the identifier stays unique whatever the flag (Kea CfgHosts refuses a second host with the same MAC)
  const d = {
    "ip-reservations-unique": false,
    subnet4: [{
      id: 1,
      subnet: "192.0.2.0/24",
      reservations: [
        { "hw-address": MAC_A, "ip-address": "192.0.2.10" },
        { "hw-address": MAC_A, "ip-address": "192.0.2.11" },
      ],
    }],
  };
  assert.throws(() => parseConfigText(JSON.stringify({ Dhcp4: d }), "t.json", NO_INCLUDES), /already reserved/);
});

const rows: Row[] = [
  {
    name: "the wired host is offered the shared reserved address",
    setup: (w) => (w.config = cfg(false)),
    query: query(D, { mac: MAC_A }),
    expect: { kind: "reply", type: MsgType.OFFER, yiaddr: "192.0.2.10" },
  },
  {
    name: "the wireless host is offered the same reserved address while it is free",
    setup: (w) => (w.config = cfg(false)),
    query: query(D, { mac: MAC_B }),
    expect: { kind: "reply", type: MsgType.OFFER, yiaddr: "192.0.2.10" },
  },
  {
    name: "while the wired host holds it, the wireless host gets a dynamic address",
    setup: (w) => {
      w.config = cfg(false);
      w.leases.put(lease("192.0.2.10", { hwaddr: MAC_A }));
    },
    query: query(D, { mac: MAC_B }),
    expect: { kind: "reply", type: MsgType.OFFER, yiaddr: "192.0.2.100" },
  },
  {
    name: "a host with no reservation never gets the shared reserved address",
    setup: (w) => (w.config = cfg(false)),
    query: query(D, { mac: "aa:bb:cc:00:00:09" }),
    expect: { kind: "reply", type: MsgType.OFFER, yiaddr: "192.0.2.100" },
  },
  {
    name: "global reservations share an address the same way",
    setup: (w) => {
      w.config = cfg(false, true);
      w.leases.put(lease("192.0.2.10", { hwaddr: MAC_B }));
    },
    query: query(D, { mac: MAC_A }),
    expect: { kind: "reply", type: MsgType.OFFER, yiaddr: "192.0.2.100" },
  },
];

for (const row of rows) Deno.test(`ip-reservations-unique false: ${row.name}`, () => void runRow(row));
