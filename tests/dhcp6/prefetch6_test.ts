/**
 * What the DHCPv6 edge re-reads from a shared (SQL) lease database before the engine runs (mod/dhcp6/prefetch6.ts):
 * the client DUIDs and the addresses and prefixes of the IAs of a batch, through relay layers; datagrams that do
 * not decode add nothing. The queries are encoded by the codec from messages built field by field.
 */
import assert from "node:assert/strict";
import { prefetchKeys6 } from "../../mod/dhcp6/prefetch6.ts";
import { encode6 } from "../../mod/packet6/codec.ts";
import { MsgType6 } from "../../mod/packet6/packet.ts";
import { CLIENT_DUID, iaNa, iaPd, msg, relay } from "./engine/helpers.ts";

const d = (data: Uint8Array) => ({ data });

Deno.test("prefetchKeys6: DUIDs and the IA addresses and prefixes, through a relay, each once", () => {
  const renew = msg(MsgType6.RENEW, [iaNa(1, ["2001:db8:1::10"]), iaPd(2, ["2001:db8:8000:100::/56"])]);
  const other = msg(MsgType6.SOLICIT, [iaNa(7)], [], "00:03:00:01:02:00:00:00:00:07");
  const k = prefetchKeys6([
    d(encode6(relay(renew, "2001:db8:1::1", "fe80::1"))),
    d(encode6(other)),
    d(encode6(renew)),
    d(new Uint8Array([1, 2, 3])), // too short to decode
  ]);
  assert.deepEqual(k.duids, [CLIENT_DUID, "00:03:00:01:02:00:00:00:00:07"]);
  assert.deepEqual(k.addresses, [0x20010db8000100000000000000000010n, 0x20010db8800001000000000000000000n]);
});
