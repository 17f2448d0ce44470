/**
 * The engine's shared payloads and precomputed names (the hot path allocates nothing for them): u32 option
 * payloads (RFC 2132 §9.2, §9.11, §9.12), message-type payloads (§9.6), the empty RAI map (RFC 3046), Kea's
 * per-subnet statistic names, the offer keys and the no-hardware-address check of identifyClient.
 */
import assert, { deepStrictEqual, equal } from "node:assert/strict";
import { msgTypePayload, parseRai, u32Payload } from "../../../mod/dhcp4/engine/payload.ts";
import { subnetStat } from "../../../mod/dhcp4/engine/outcome.ts";
import { clientKey, identifyClient, noHwAddr } from "../../../mod/dhcp4/engine/client.ts";
import { MsgType } from "../../../mod/packet4/packet.ts";
import type { Subnet4 } from "../../../mod/config/model.ts";
import { o, query } from "./builders.ts";

Deno.test("u32Payload: big-endian bytes, one shared payload per value", () => {
  deepStrictEqual([...u32Payload(3600)], [0, 0, 0x0e, 0x10]);
  deepStrictEqual([...u32Payload(0xffffffff)], [255, 255, 255, 255]);
  deepStrictEqual([...u32Payload(-1)], [255, 255, 255, 255], "taken as u32");
  equal(u32Payload(3600), u32Payload(3600), "the same object each time");
  for (let v = 0; v < 600; v++) deepStrictEqual([...u32Payload(v)], [0, 0, v >> 8, v & 255]); // past the cache size
});

Deno.test("msgTypePayload: the one-byte option 53 payload, shared per type", () => {
  deepStrictEqual([...msgTypePayload(MsgType.OFFER)], [2]);
  deepStrictEqual([...msgTypePayload(MsgType.NAK)], [6]);
  equal(msgTypePayload(MsgType.ACK), msgTypePayload(MsgType.ACK));
});

Deno.test("parseRai: no option 82 gives an empty map; a real one is parsed", () => {
  equal(parseRai(undefined).size, 0);
  equal(parseRai(new Uint8Array(0)).size, 0);
  const rai = parseRai(Uint8Array.of(1, 2, 0xab, 0xcd, 5, 4, 198, 18, 0, 0));
  deepStrictEqual([...rai.get(1)!], [0xab, 0xcd]);
  deepStrictEqual([...rai.get(5)!], [198, 18, 0, 0]);
});

Deno.test("subnetStat: Kea's subnet[ID].NAME, built once", () => {
  equal(subnetStat(7, "assigned-addresses"), "subnet[7].assigned-addresses");
  equal(subnetStat(12, "assigned-addresses"), "subnet[12].assigned-addresses");
  equal(subnetStat(7, "declined-addresses"), "subnet[7].declined-addresses");
});

Deno.test("identifyClient: precomputed offer keys equal the ones clientKey derives from the text forms", () => {
  const q = query(MsgType.DISCOVER, { options: [o.cid("01:aa:bb:0c")] });
  const c = identifyClient(q);
  equal(c.hwKey, "hw:" + c.hwaddr.replaceAll(":", ""));
  equal(c.cidKey, "cid:01aabb0c");
  const subnet = { matchClientId: true } as Subnet4;
  equal(clientKey(c, subnet), "cid:01aabb0c");
  equal(clientKey(c, { matchClientId: false } as Subnet4), c.hwKey);
  // a ClientInfo without the precomputed keys (built elsewhere) still gets the same keys
  equal(clientKey({ hwaddr: c.hwaddr, clientId: c.clientId, label: "" }, subnet), "cid:01aabb0c");
  equal(identifyClient(query(MsgType.DISCOVER)).cidKey, undefined);
});

Deno.test("noHwAddr: true only for hlen 0 or an all-zero chaddr prefix", () => {
  const q = query(MsgType.DISCOVER);
  assert.ok(!noHwAddr(q));
  const zero = { ...q, chaddr: new Uint8Array(16) };
  assert.ok(noHwAddr(zero));
  const tail = new Uint8Array(16);
  tail[10] = 1; // beyond hlen (6): does not count
  assert.ok(noHwAddr({ ...q, chaddr: tail }));
  assert.ok(noHwAddr({ ...q, hlen: 0 }));
  const last = new Uint8Array(16);
  last[5] = 0x10; // the last byte within hlen
  assert.ok(!noHwAddr({ ...q, chaddr: last }));
});
