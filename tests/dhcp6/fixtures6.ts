/**
 * Shared fixtures of the DHCPv6 server and CLI tests: an annotated relayed SOLICIT (real bytes), the small Dhcp6
 * configuration it is served with, and helpers to read replies.
 */
import assert from "node:assert/strict";
import type { Message6, Packet6 } from "../../mod/packet6/packet.ts";
import type { Datagram6, Transport6 } from "../../mod/net/udp6.ts";
import { parseConfigText } from "../../mod/config/load.ts";
import type { Dhcp6Config } from "../../mod/config/model6.ts";

export const hex = (s: string) => Uint8Array.from(s.replace(/\s+/g, "").match(/../g)!.map((x) => parseInt(x, 16)));

/** A RELAY-FORW carrying a SOLICIT, as a relay on 2001:db8:1::1 sends it (RFC 8415 §9, §16.2). */
export const RELAYED_SOLICIT = hex([
  "0c", // msg-type 12 RELAY-FORW
  "00", // hop-count 0
  "20010db8000100000000000000000001", // link-address 2001:db8:1::1 (selects subnet 2001:db8:1::/64)
  "fe80000000000000020000fffe000001", // peer-address fe80::200:ff:fe00:1 (the client)
  "0009002c", // option 9 RELAY_MSG, 44 bytes:
  "01abcdef", //   msg-type 1 SOLICIT, transaction-id 0xabcdef
  "0001000e", //   option 1 CLIENTID, 14 bytes:
  "000100012a000001525400aabbcc", //     DUID-LLT, htype 1, time 0x2a000001, MAC 52:54:00:aa:bb:cc
  "000800020000", //   option 8 ELAPSED_TIME, 2 bytes: 0
  "0003000c000000010000000000000000", //   option 3 IA_NA, 12 bytes: IAID 1, T1 0, T2 0, no IAADDR
].join(""));

export function load6(): Dhcp6Config {
  const r = parseConfigText(
    JSON.stringify({
      Dhcp6: {
        "preferred-lifetime": 3000,
        "valid-lifetime": 4000,
        subnet6: [{
          id: 1,
          subnet: "2001:db8:1::/64",
          pools: [{ pool: "2001:db8:1::100 - 2001:db8:1::1ff" }],
          "pd-pools": [{ prefix: "2001:db8:100::", "prefix-len": 48, "delegated-len": 56 }],
        }],
      },
    }),
    "t.json",
    () => {
      throw new Error("no includes");
    },
  );
  assert.ok(r.dhcp6);
  return r.dhcp6;
}

/** The client/server message inside any relay layers. */
export function inner(p: Packet6): Message6 {
  while (p.kind === "relay") p = p.inner;
  return p;
}

/** A transport that receives nothing and records what the server sends (the datagram, where, through which socket). */
export class FakeTransport6 implements Transport6 {
  sent: { data: Uint8Array; addr: Uint8Array; port: number; via: number }[] = [];
  recvBatch(): Promise<Datagram6[]> {
    return new Promise(() => {});
  }
  send(arrival: Datagram6, data: Uint8Array, addr: Uint8Array, port: number): void {
    this.sent.push({ data: data.slice(), addr, port, via: arrival.via });
  }
  endpoints(): string[] {
    return [];
  }
  close(): void {}
}
