/**
 * DHCPv4-over-DHCPv6 (RFC 7341) between weka's two servers on Kea's 4o6 channel (real UDP on ::1): the DHCPv6
 * server forwards a client's DHCPV4-QUERY, the DHCPv4 server picks the subnet by `4o6-subnet` and offers, the
 * client gets the DHCPV4-RESPONSE on port 546. And what the DHCPv4 end refuses (Kea's DHCP4_DHCP4O6_BAD_PACKET):
 * no DHCPv4 Message option, two of them, an interface without an IPv4 address, no ISC sub-options.
 */
import assert from "node:assert/strict";
import { Dhcp6Server } from "../../mod/dhcp6/server6.ts";
import { Forwarder4o6 } from "../../mod/dhcp6/dhcp4o6_6.ts";
import { Endpoint4o6 } from "../../mod/dhcp4/dhcp4o6_4.ts";
import { Link4o6 } from "../../mod/cli/dhcp4o6_wiring.ts";
import { KvLease6Store } from "../../mod/lease/kv_store6.ts";
import { IterativeAllocator6 } from "../../mod/dhcp6/engine/allocator6.ts";
import { Stats } from "../../mod/stats/stats.ts";
import { nullLog } from "../../mod/log/logger.ts";
import { parseConfigText } from "../../mod/config/load.ts";
import type { Datagram6, Transport6 } from "../../mod/net/udp6.ts";
import { decode6, encode6, innermost } from "../../mod/packet6/codec.ts";
import { addMeta4o6 } from "../../mod/packet6/dhcp4o6.ts";
import { getOption6 } from "../../mod/packet6/packet.ts";
import { decode4 } from "../../mod/packet4/codec.ts";
import { Opt } from "../../mod/packet4/packet.ts";
import { formatIpv4 } from "../../mod/wire/addr.ts";
import { formatIpv6, parseIpv6 } from "../../mod/wire/ipv6.ts";
import { hex, QUERY } from "../dhcp6/dhcp4o6_fixtures.ts";
import { serverBed } from "./server_bed.ts";

class Captured implements Transport6 {
  sent: { data: Uint8Array; addr: string; port: number }[] = [];
  recvBatch(): Promise<Datagram6[]> {
    return new Promise(() => {});
  }
  send(_a: Datagram6, data: Uint8Array, addr: Uint8Array, port: number): void {
    this.sent.push({ data: data.slice(), addr: formatIpv6(addr), port });
  }
  endpoints(): string[] {
    return [];
  }
  close(): void {}
}

const load = (doc: Record<string, unknown>) => parseConfigText(JSON.stringify(doc), "w.json", () => "");

Deno.test({
  name: "4o6: weka's DHCPv6 server and weka's DHCPv4 server answer a DHCPV4-QUERY together",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const port = 33000 + 2 * Math.floor(Math.random() * 8000);
    const c6 = load({
      Dhcp6: {
        "lease-database": { type: "memfile", name: "/nonexistent/l.csv" },
        "dhcp4o6-port": port,
        subnet6: [{ id: 1, subnet: "2001:db8:1:1::/64" }],
      },
    }).dhcp6!;
    const c4 = load({
      Dhcp4: {
        "dhcp4o6-port": port,
        subnet4: [{
          id: 100,
          subnet: "10.10.10.0/24",
          "4o6-subnet": "2001:db8:1:1::/64",
          pools: [{ pool: "10.10.10.100 - 10.10.10.199" }],
        }],
      },
    }).dhcp4!;
    const transport = new Captured();
    const stats = new Stats();
    const forwarder = new Forwarder4o6({ transport, stats, log: nullLog });
    const link6 = new Link4o6(forwarder, (b) => forwarder.receive(b), nullLog);
    const ifaceAddrs = new Map([["eth0", [0xc0000201]]]);
    const endpoint = new Endpoint4o6({ log: nullLog, ifaceAddrs: () => ifaceAddrs });
    const bed = await serverBed(c4, { ifaceAddrs, dhcp4o6: endpoint });
    const link4 = new Link4o6(endpoint, (b) => bed.server.process4o6(b, 1_800_000_000), nullLog, "v4");
    const store6 = await KvLease6Store.open(":memory:");
    try {
      await link6.apply(c6.dhcp4o6Port);
      await link4.apply(c4.tuning!.dhcp4o6Port!);
      const server6 = new Dhcp6Server({
        config: c6,
        transport,
        store: store6,
        allocator: new IterativeAllocator6(),
        stats,
        log: nullLog,
        serverDuid: new Uint8Array([0, 2, 0, 0, 9, 0xbf, 1, 2]),
        ifaceAddrs: new Map(),
        dhcp4o6: forwarder,
      });
      const d: Datagram6 = {
        data: QUERY,
        iface: "eth0",
        ifindex: 2,
        srcAddr: parseIpv6("2001:db8:1:1::99")!,
        srcPort: 546,
        dstAddr: parseIpv6("ff02::1:2")!,
        via: 0,
      };
      server6.process(d, 0);
      for (let i = 0; i < 100 && transport.sent.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(transport.sent.length, 1);
      const { addr, port: to, data } = transport.sent[0];
      assert.deepEqual([addr, to], ["2001:db8:1:1::99", 546]);
      const m = innermost(decode6(data));
      assert.equal(m.msgType, 21);
      const offer = decode4(getOption6(m.options, 87)!);
      assert.equal(offer.options.get(Opt.MESSAGE_TYPE)?.[0], 2);
      assert.equal(formatIpv4(offer.yiaddr), "10.10.10.100");
      assert.deepEqual([...offer.options.get(Opt.SERVER_ID)!], [192, 0, 2, 1], "eth0's address");
      assert.equal(bed.stats.get("pkt4-offer-sent"), 1);
    } finally {
      await link6.close();
      await link4.close();
      store6.close();
      await bed.close();
    }
  },
});

Deno.test("4o6 DHCPv4 end: malformed channel datagrams are refused before the engine", () => {
  const ifaceAddrs = new Map([["eth0", [0xc0000201]], ["eth9", []]]);
  const endpoint = new Endpoint4o6({ log: nullLog, ifaceAddrs: () => ifaceAddrs });
  const meta = (iface: string) => ({ iface, srcAddr: parseIpv6("2001:db8:1:1::99")!, srcPort: 546 });
  const wire = (bytes: Uint8Array, iface = "eth0") => encode6(addMeta4o6(decode6(bytes), meta(iface)));
  const ok = endpoint.accept(wire(QUERY))!;
  assert.equal(ok.iface, "eth0");
  assert.equal(ok.localAddr, 0xc0000201);
  assert.equal(ok.data.length, 244, "the DHCPv4 message of option 87");
  assert.deepEqual(endpoint.arrival(ok)?.iface, "eth0");
  assert.equal(endpoint.accept(wire(hex("14 00 00 00  00 01 00 02 aa bb"))), undefined, "no option 87");
  assert.equal(
    endpoint.accept(wire(hex("14 00 00 00  00 57 00 01 01  00 57 00 01 02"))),
    undefined,
    "two option 87",
  );
  assert.equal(endpoint.accept(wire(QUERY, "eth9")), undefined, "an interface without an IPv4 address");
  assert.equal(endpoint.accept(QUERY), undefined, "no ISC sub-options");
});

Deno.test("4o6 DHCPv4 end: a DHCPINFORM without ciaddr is answered (Kea's acceptDirectRequest takes every 4o6 query)", async () => {
  const c4 = load({
    Dhcp4: { subnet4: [{ id: 100, subnet: "10.10.10.0/24", "4o6-subnet": "2001:db8:1:1::/64" }] },
  }).dhcp4!;
  const ifaceAddrs = new Map([["eth0", [0xc0000201]]]);
  const endpoint = new Endpoint4o6({ log: nullLog, ifaceAddrs: () => ifaceAddrs });
  const sent: Uint8Array[] = [];
  endpoint.channel = { port: 1, send: (b) => void sent.push(b), close: () => {} };
  const bed = await serverBed(c4, { ifaceAddrs, dhcp4o6: endpoint });
  try {
    // the DISCOVER of the fixture with option 53 = 8 (DHCPINFORM); ciaddr stays 0.0.0.0
    const inform = QUERY.slice();
    inform[8 + 240 + 2] = 8;
    bed.server.process4o6(
      encode6(addMeta4o6(decode6(inform), { iface: "eth0", srcAddr: parseIpv6("2001:db8:1:1::99")!, srcPort: 546 })),
      1_800_000_000,
    );
    assert.equal(sent.length, 1);
    const ack = decode4(getOption6(innermost(decode6(sent[0])).options, 87)!);
    assert.equal(ack.options.get(Opt.MESSAGE_TYPE)?.[0], 5, "DHCPACK to the DHCPINFORM");
  } finally {
    await bed.close();
  }
});
