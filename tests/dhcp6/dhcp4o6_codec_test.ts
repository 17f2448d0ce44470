/**
 * DHCPv4-over-DHCPv6 on Kea's 4o6 channel (mod/packet6/dhcp4o6.ts): a client's DHCPV4-QUERY (RFC 7341), as real
 * bytes annotated field by field, gets Kea's ISC vendor option (17, enterprise 2495) with the interface, source
 * address and port sub-options (60000, 60001, 60002) in its innermost message — inside the relay layers of a
 * relayed query — and loses them again on the way back; a datagram missing one is refused with Kea's reason.
 */
import assert from "node:assert/strict";
import { decode6, encode6 } from "../../mod/packet6/codec.ts";
import { addMeta4o6, takeMeta4o6 } from "../../mod/packet6/dhcp4o6.ts";
import { DecodeError } from "../../mod/wire/errors.ts";
import { parseIpv6 } from "../../mod/wire/ipv6.ts";
import { hex, QUERY } from "./dhcp4o6_fixtures.ts";

/** What Kea's DHCPv6 server adds before sending the query to the DHCPv4 server (Dhcp4o6IpcBase::send). */
const ISC_VENDOR = hex(`
  00 11 00 26            # option 17 OPTION_VENDOR_OPTS, length 38
  00 00 09 bf            # enterprise number 2495 (ISC)
  ea 60 00 04 65 74 68 30                              # 60000 4o6-interface, length 4: "eth0"
  ea 61 00 10 20 01 0d b8 00 01 00 01 00 00 00 00 00 00 00 99   # 60001 4o6-source-address: 2001:db8:1:1::99
  ea 62 00 02 02 22                                    # 60002 4o6-source-port: 546
`);

const META = { iface: "eth0", srcAddr: parseIpv6("2001:db8:1:1::99")!, srcPort: 546 };

Deno.test("4o6 channel: a direct DHCPV4-QUERY gets the ISC vendor option, packed in Kea's order (17 before 87)", () => {
  const sent = encode6(addMeta4o6(decode6(QUERY), META));
  assert.deepEqual(sent, new Uint8Array([...QUERY.subarray(0, 4), ...ISC_VENDOR, ...QUERY.subarray(4)]));
  const back = takeMeta4o6(decode6(sent));
  assert.deepEqual(back.meta, META);
  assert.deepEqual(encode6(back.packet), QUERY);
});

Deno.test("4o6 channel: a relayed query carries the sub-options in the innermost message, relay layers kept", () => {
  const relayed = hex(`
    0c 00                                              # RELAY-FORW, hop count 0
    20 01 0d b8 00 01 00 01 00 00 00 00 00 00 00 01    # link-address 2001:db8:1:1::1
    fe 80 00 00 00 00 00 00 50 54 00 ff fe 12 34 56    # peer-address fe80::5054:ff:fe12:3456
    00 12 00 06 69 66 69 64 2d 37                      # option 18 Interface-Id, length 6: "ifid-7"
    00 09 00 fc                                        # option 9 RELAY_MSG, length 252: the query
    ${[...QUERY].map((b) => b.toString(16).padStart(2, "0")).join(" ")}
  `);
  const meta = { iface: "eth1", srcAddr: parseIpv6("2001:db8:99::1")!, srcPort: 547 };
  const sent = decode6(encode6(addMeta4o6(decode6(relayed), meta)));
  assert.equal(sent.kind, "relay");
  const back = takeMeta4o6(sent);
  assert.deepEqual(back.meta, meta);
  assert.deepEqual(encode6(back.packet), relayed);
});

Deno.test("4o6 channel: the client's own ISC sub-options stay; a datagram without the three is refused", () => {
  const own = { code: 17, data: hex("00 00 09 bf  00 01 00 01 aa") }; // ISC enterprise, sub-option 1 = aa
  const q = decode6(QUERY);
  if (q.kind !== "message") throw new Error("a message");
  const withOwn = { ...q, options: [...q.options, own], layout: undefined };
  const back = takeMeta4o6(decode6(encode6(addMeta4o6(withOwn, META))));
  const m = back.packet.kind === "message" ? back.packet : undefined;
  assert.deepEqual(m?.options.find((o) => o.code === 17)?.data, own.data);
  assert.throws(
    () => takeMeta4o6(decode6(QUERY)),
    (e) => e instanceof DecodeError && /no ISC vendor option/.test(e.message),
  );
  const noPort = hex(`00 11 00 20 00 00 09 bf ea 60 00 04 65 74 68 30
    ea 61 00 10 20 01 0d b8 00 01 00 01 00 00 00 00 00 00 00 99`);
  assert.throws(
    () => takeMeta4o6(decode6(new Uint8Array([...QUERY, ...noPort]))),
    /source port suboption missing/,
  );
});
