/**
 * Kea's `store-extended-info` through the engines, over configs compiled by the real loader: a DHCPv4 lease granted
 * to a relayed client keeps the relay agent information (option 82) in its user context as Kea 2.2 writes it
 * (`ISC.relay-agent-info`, upper-case hex), only in subnets that ask for it; a DHCPv6 lease keeps the relay chain
 * (`ISC.relays`: hop, link, peer, options).
 */
import assert from "node:assert/strict";
import { handle4 } from "../../../mod/dhcp4/engine/handle4.ts";
import { parseConfigText } from "../../../mod/config/load.ts";
import { ctxOf, MsgType, o, Opt, query, world } from "./builders.ts";
import { ipv4Bytes, parseIpv4 } from "../../../mod/wire/addr.ts";

const ipBytes = (s: string) => ipv4Bytes(parseIpv4(s)!);
import { Bed, iaNa, load6, msg, relay, sid, T } from "../../dhcp6/engine/helpers.ts";

const CONFIG = {
  Dhcp4: {
    subnet4: [
      { id: 1, subnet: "192.0.2.0/24", "store-extended-info": true, pools: [{ pool: "192.0.2.10 - 192.0.2.20" }] },
      { id: 2, subnet: "198.51.100.0/24", pools: [{ pool: "198.51.100.10 - 198.51.100.20" }] },
    ],
  },
};

function ack(giaddr: string) {
  const w = world({ config: parseConfigText(JSON.stringify(CONFIG), "x.json", () => "").dhcp4! });
  // SELECTING: option 54 names this server (RAI sub-option 11, server-id-override, as a relay sets it)
  const sid = giaddr.replace(/\.1$/, ".2");
  const out = handle4(
    query(MsgType.REQUEST, {
      giaddr,
      options: [
        o.addr(Opt.SERVER_ID, sid),
        o.addr(Opt.REQUESTED_ADDRESS, giaddr.replace(/\.1$/, ".10")),
        o.rai([1, new TextEncoder().encode("eth0/1")], [2, Uint8Array.of(0xde, 0xad)], [11, ipBytes(sid)]),
      ],
    }),
    ctxOf(w),
  );

  assert(out.kind === "reply");
  const put = out.mutations.find((m) => m.op === "put");
  assert(put && put.op === "put");
  return put.lease;
}

Deno.test("store-extended-info (v4): the relay agent information is kept in the lease's user context", () => {
  const lease = ack("192.0.2.1");
  assert.deepEqual(lease.userContext, { ISC: { "relay-agent-info": "0x0106657468302F310202DEAD0B04C0000202" } });
  assert.equal(ack("198.51.100.1").userContext, undefined, "a subnet without the key keeps nothing");
});

Deno.test("store-extended-info (v6): the relay chain is kept in the lease's user context", () => {
  const bed = new Bed(load6({
    "store-extended-info": true,
    subnet6: [{ id: 1, subnet: "2001:db8:1::/64", pools: [{ pool: "2001:db8:1::10 - 2001:db8:1::20" }] }],
  }));
  const inner = msg(T.REQUEST, [iaNa(1)], [sid()]);
  const out = bed.run(relay(inner, "2001:db8:1::1", "fe80::1", [{ code: 18, data: Uint8Array.of(0x61) }]));
  assert(out.kind === "reply");
  const put = out.mutations.find((m) => m.op === "put");
  assert(put && put.op === "put");
  assert.deepEqual(put.lease.userContext, {
    ISC: { relays: [{ hop: 0, link: "2001:db8:1::1", peer: "fe80::1", options: "0x0012000161" }] },
  });
});
