/**
 * Client text never raises in DHCPv6 (issue 9 item 5), through the real server edge and KV store: a client-id
 * shorter than 3 or longer than 128 octets is an RFC violation, dropped and counted as Kea's sanityCheckDUID does
 * (before: a 2 000-octet DUID became a lease the store refused, an ERROR and no reply — found by the fuzzer); a
 * relayed client link-layer address over 20 octets is passed over for the DUID's; a Client FQDN option (39) with
 * hostile text is answered without a trace of it in the log. Packets are annotated bytes.
 */
import assert from "node:assert/strict";
import { Dhcp6Server } from "../../mod/dhcp6/server6.ts";
import { decode6 } from "../../mod/packet6/codec.ts";
import { MsgType6 } from "../../mod/packet6/packet.ts";
import { KvLease6Store } from "../../mod/lease/kv_store6.ts";
import { IterativeAllocator6 } from "../../mod/dhcp6/engine/allocator6.ts";
import { Stats } from "../../mod/stats/stats.ts";
import type { Datagram6, Transport6 } from "../../mod/net/udp6.ts";
import { parseIpv6 } from "../../mod/wire/ipv6.ts";
import { memoryLog } from "../ddns/fixture.ts";
import { hex, inner, load6 } from "./fixtures6.ts";

const SERVER_DUID = hex("0002000009bf0102");
const RELAY = parseIpv6("2001:db8:1::1")!;

/** The TLV header of a DHCPv6 option: code and length, 2 octets each (RFC 8415 §21.1). */
const tl = (code: number, len: number) => [code, len].map((v) => v.toString(16).padStart(4, "0")).join("");

/** A SOLICIT (tid 0x0c0ffe) from `clientId` (hex) with an empty IA_NA, and `extra` options (hex) after it. */
function solicit(clientId: string, extra = ""): string {
  return [
    "010c0ffe", // msg-type 1 SOLICIT, transaction-id 0x0c0ffe
    tl(1, clientId.length / 2), // option 1 CLIENTID
    clientId,
    "000800020000", // option 8 ELAPSED_TIME, 2 bytes: 0
    "0003000c000000070000000000000000", // option 3 IA_NA, 12 bytes: IAID 7, T1 0, T2 0
    extra,
  ].join("");
}

/** Wraps `msg` (hex) in a RELAY-FORW from 2001:db8:1::1 (selects 2001:db8:1::/64) with `relayOpts` (hex) first. */
function relayed(msg: string, relayOpts = ""): Uint8Array {
  return hex([
    "0c", // msg-type 12 RELAY-FORW
    "00", // hop-count 0
    "20010db8000100000000000000000001", // link-address 2001:db8:1::1
    "fe80000000000000020000fffe000001", // peer-address fe80::200:ff:fe00:1
    relayOpts,
    tl(9, msg.length / 2), // option 9 RELAY_MSG
    msg,
  ].join(""));
}

/** DUID-LL (type 3), htype 1, MAC 02:00:00:00:00:07 — 10 octets. */
const DUID_LL = "0003" + "0001" + "020000000007";

class Recording implements Transport6 {
  sent: Uint8Array[] = [];
  recvBatch(): Promise<Datagram6[]> {
    return new Promise(() => {});
  }
  send(_a: Datagram6, data: Uint8Array): void {
    this.sent.push(data.slice());
  }
  endpoints(): string[] {
    return [];
  }
  close(): void {}
}

async function serve(data: Uint8Array) {
  const kv = await KvLease6Store.open(":memory:");
  const transport = new Recording();
  const log = memoryLog();
  const stats = new Stats();
  const server = new Dhcp6Server({
    config: load6(),
    transport,
    store: kv,
    allocator: new IterativeAllocator6(),
    stats,
    log,
    serverDuid: SERVER_DUID,
    ifaceAddrs: new Map(),
  });
  try {
    const d: Datagram6 = {
      data,
      iface: "",
      srcAddr: RELAY,
      srcPort: 547,
      dstAddr: parseIpv6("2001:db8:1::2")!,
      ifindex: 1,
      via: 0,
    };
    assert.doesNotThrow(() => server.process(d, 1_800_000_000));
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(log.lines.filter((l) => /^(ERROR|WARN)/.test(l)), [], "nothing at ERROR or WARN");
    for (const l of log.lines) assert.ok(l.length < 600, `a short log line: ${l.length}`);
    return { sent: transport.sent, stats, lines: log.lines };
  } finally {
    await kv.close();
  }
}

Deno.test("hostile6: a 200-octet client-id is an RFC violation (Kea: DUIDs are 3 to 128 octets), dropped", async () => {
  const r = await serve(relayed(solicit("0003" + "ab".repeat(198))));
  assert.equal(r.sent.length, 0);
  assert.equal(r.stats.get("pkt6-rfc-violation"), 1);
  assert.equal(r.stats.get("pkt6-receive-drop"), 1);
  const line = r.lines.find((l) => l.includes("DHCP6_PACKET_DROP_RFC_VIOLATION"));
  assert.match(line!, /SOLICIT carries a client-id of 200 byte\(s\) \(a DUID has 3 to 128\); dropping/);
  assert.match(line!, /duid=\[00:03:(ab:){61}ab\.\.\.\(200 bytes\)\]/, "the label shows 64 octets of it");
});

Deno.test("hostile6: a 2-octet client-id is dropped too; 128 octets are served", async () => {
  const short = await serve(relayed(solicit("0003")));
  assert.equal(short.sent.length, 0);
  assert.equal(short.stats.get("pkt6-rfc-violation"), 1);
  const longest = await serve(relayed(solicit("0004" + "cd".repeat(126))));
  assert.equal(longest.sent.length, 1);
  assert.equal(inner(decode6(longest.sent[0])).msgType, MsgType6.ADVERTISE);
});

Deno.test("hostile6: a relayed link-layer address of 300 octets is passed over; the DUID's MAC is used", async () => {
  // option 79 CLIENT_LINKLAYER_ADDR: link-layer type 1, then 300 octets (Kea's HWAddr holds at most 20)
  const lla = tl(79, 302) + "0001" + "ee".repeat(300);
  const r = await serve(relayed(solicit(DUID_LL), lla));
  assert.equal(r.sent.length, 1);
  assert.equal(inner(decode6(r.sent[0])).msgType, MsgType6.ADVERTISE);
  const line = r.lines.find((l) => l.includes("DHCP6_LEASE_ADVERT") || l.includes("hwaddr="));
  assert.ok(line, r.lines.join("\n"));
  assert.match(line, /\[hwaddr=02:00:00:00:00:07\]/);
});

Deno.test("hostile6: a Client FQDN option with a forged log line and a 70-octet label is answered, never logged", async () => {
  const name = "\r\nINFO  DHCP6_LEASE_ALLOC forged\x1b[2J" + "x".repeat(70);
  const bytes = [...new TextEncoder().encode(name)];
  // option 39 CLIENT_FQDN: flags S (0x01), then one wire label of `bytes.length` octets (over 63) and the root
  const fqdn = tl(39, bytes.length + 3) + "01" + bytes.length.toString(16).padStart(2, "0") +
    bytes.map((b) => b.toString(16).padStart(2, "0")).join("") + "00";
  const r = await serve(relayed(solicit(DUID_LL, fqdn)));
  assert.equal(r.sent.length, 1);
  // deno-lint-ignore no-control-regex
  for (const l of r.lines) assert.ok(!l.includes("forged") && !/[\r\n\x1b]/.test(l), l);
});

Deno.test("hostile6: a CONFIRM listing 300 off-link addresses is answered NotOnLink in one short log line", async () => {
  // IA_NA (IAID 7, T1 0, T2 0) holding 300 IAADDR options for 2001:db9::N, preferred and valid lifetime 0
  const addrs = Array.from(
    { length: 300 },
    (_, i) => tl(5, 24) + "20010db9000000000000000000" + i.toString(16).padStart(6, "0") + "00000000" + "00000000",
  ).join("");
  const confirm = [
    "040c0ffe", // msg-type 4 CONFIRM, transaction-id 0x0c0ffe
    tl(1, DUID_LL.length / 2), // option 1 CLIENTID
    DUID_LL,
    tl(3, 12 + addrs.length / 2), // option 3 IA_NA
    "000000070000000000000000",
    addrs,
  ].join("");
  const r = await serve(relayed(confirm));
  assert.equal(r.sent.length, 1);
  const line = r.lines.find((l) => l.includes("DHCP6_CONFIRM_NOT_ON_LINK"))!;
  assert.match(line, /2001:db9::7, \.\.\. \(300 in all\) not on link/);
});
