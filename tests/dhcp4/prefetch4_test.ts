/**
 * What the DHCPv4 edge fetches from the SQL databases before the engine runs (mod/dhcp4/prefetch4.ts,
 * flex_prefetch.ts): the lease keys and the host identifiers read from raw datagrams, encoded by the codec from
 * queries built field by field (chaddr, option 61 as RFC 4361's type 255 + IAID + DUID, option 82 with a
 * circuit-id, option 50, ciaddr); truncated input yields what could be read.
 */
import assert from "node:assert/strict";
import { hostKeys4, prefetchKeys4 } from "../../mod/dhcp4/prefetch4.ts";
import { flexIdKeys } from "../../mod/dhcp4/flex_prefetch.ts";
import { encode4 } from "../../mod/packet4/codec.ts";
import { parseStringExpr } from "../../mod/classify/expr/parser.ts";
import type { Datagram } from "../../mod/dhcp4/server_ports.ts";
import { ip, MAC_B, MsgType, o, Opt, query } from "./engine/builders.ts";

function datagram(data: Uint8Array): Datagram {
  return { data, iface: "eth0", srcAddr: 0, srcPort: 68, dstAddr: 0xffffffff, localAddr: 0 } as Datagram;
}

const cid4361 = "ff" + "00000007" + "000100012a2b2c2d020000000001"; // type 255, IAID 7, DUID-LLT
const relayed = encode4(query(MsgType.REQUEST, {
  ciaddr: "198.18.7.9",
  options: [
    o.cid(cid4361),
    o.addr(Opt.REQUESTED_ADDRESS, "198.18.7.10"),
    o.rai([1, new TextEncoder().encode("eth0/1")], [2, new Uint8Array([9, 9])]),
  ],
}));
const plain = encode4(query(MsgType.DISCOVER, { mac: MAC_B }));

Deno.test("prefetchKeys4: chaddr, client identifier, option 50 and ciaddr, each once", () => {
  const k = prefetchKeys4([datagram(relayed), datagram(plain), datagram(relayed)]);
  assert.deepEqual(k.hwaddrs, ["aa:bb:cc:00:00:01", MAC_B]);
  assert.deepEqual(k.clientIds, [cid4361.replace(/(..)(?!$)/g, "$1:")]);
  assert.deepEqual(k.addresses.sort(), [ip("198.18.7.9"), ip("198.18.7.10")].sort());
});

Deno.test("hostKeys4: Kea's four identifier types with their host keys, and the requested addresses", () => {
  const k = hostKeys4([datagram(relayed), datagram(plain)]);
  const colon = (h: string) => h.replace(/(..)(?!$)/g, "$1:");
  assert.deepEqual(k.ids, [
    { key: "aa:bb:cc:00:00:01", value: "aa:bb:cc:00:00:01" },
    { key: `client-id=${colon(cid4361)}`, value: colon(cid4361) },
    { key: "duid=00:01:00:01:2a:2b:2c:2d:02:00:00:00:00:01", value: "00:01:00:01:2a:2b:2c:2d:02:00:00:00:00:01" },
    { key: "circuit-id=65:74:68:30:2f:31", value: "65:74:68:30:2f:31" },
    { key: MAC_B, value: MAC_B },
  ]);
  assert.deepEqual(k.addresses.sort(), [ip("198.18.7.9"), ip("198.18.7.10")].sort());
});

Deno.test("truncated and foreign datagrams yield what could be read, never an exception", () => {
  for (let n = 0; n <= relayed.length; n += 7) {
    const d = datagram(relayed.subarray(0, n));
    prefetchKeys4([d]);
    hostKeys4([d]);
  }
  const reply = relayed.slice();
  reply[0] = 2; // a BOOTREPLY is not a query
  assert.deepEqual(hostKeys4([datagram(reply)]).ids, []);
});

Deno.test("flexIdKeys: the identifier-expression's value per query; empty or undecodable adds nothing", () => {
  const expr = parseStringExpr("relay4[1].hex");
  assert.deepEqual(flexIdKeys([datagram(relayed), datagram(plain), datagram(new Uint8Array(10))], expr), [
    { key: "flex-id=65:74:68:30:2f:31", value: "65:74:68:30:2f:31" },
  ]);
});
