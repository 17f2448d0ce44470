/**
 * What the DHCPv6 edge re-reads from a shared (SQL) lease database before the engine runs (mod/dhcp6/prefetch6.ts):
 * the client DUIDs and the addresses and prefixes of the IAs of a batch, through relay layers; datagrams that do
 * not decode add nothing; and what it fetches from Kea's host databases: each query's host keys as the engine builds
 * them (host-reservation-identifiers order) and its IA addresses. The queries are encoded by the codec from messages
 * built field by field.
 */
import assert from "node:assert/strict";
import { hostKeys6, prefetchKeys6 } from "../../mod/dhcp6/prefetch6.ts";
import { encode6 } from "../../mod/packet6/codec.ts";
import { MsgType6 } from "../../mod/packet6/packet.ts";
import { CLIENT_DUID, iaNa, iaPd, ip6, msg, Opt6, relay } from "./engine/helpers.ts";

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

Deno.test("hostKeys6: each query's DUID and hardware address keys, in identifier order, and its IA addresses", () => {
  const src = ip6("fe80::1");
  // the hardware address from the relay's client link-layer option (RFC 6939): type 1, 52:54:00:00:00:07
  const lla = { code: Opt6.CLIENT_LINKLAYER_ADDR, data: Uint8Array.of(0, 1, 0x52, 0x54, 0, 0, 0, 7) };
  const relayed = relay(
    msg(MsgType6.REQUEST, [iaNa(1, ["2001:db8:1::10"])], [], "00:02:00:00:00:09:aa"),
    "2001:db8:1::1",
    "fe80::9",
    [lla],
  );
  const direct = msg(MsgType6.SOLICIT, [iaPd(2, ["2001:db8:8000:100::/56"])]); // CLIENT_DUID is a DUID-LLT
  const batch = [{ data: encode6(relayed), srcAddr: src }, { data: encode6(direct), srcAddr: src }, {
    data: new Uint8Array([1]),
    srcAddr: src,
  }];
  const k = hostKeys6(batch, ["hw-address", "duid"]);
  assert.deepEqual(k.ids, [
    { key: "hw-address=52:54:00:00:00:07", value: "52:54:00:00:00:07" },
    { key: "duid=00:02:00:00:00:09:aa", value: "00:02:00:00:00:09:aa" },
    { key: "hw-address=52:54:00:aa:bb:cc", value: "52:54:00:aa:bb:cc" }, // from the DUID-LLT
    { key: `duid=${CLIENT_DUID}`, value: CLIENT_DUID },
  ]);
  assert.deepEqual(k.addresses, [0x20010db8000100000000000000000010n, 0x20010db8800001000000000000000000n]);
  assert.deepEqual(hostKeys6(batch, ["duid"]).ids.map((i) => i.key), [
    "duid=00:02:00:00:00:09:aa",
    `duid=${CLIENT_DUID}`,
  ]);
});
