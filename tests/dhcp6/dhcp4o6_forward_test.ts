/**
 * weka's DHCPv6 server edge on Kea's 4o6 channel with a scripted DHCPv4 end (a real UDP socket on ::1 at
 * dhcp4o6-port + 1, as kea-dhcp4 binds it): the bytes that cross the channel are the client's DHCPV4-QUERY plus the
 * ISC vendor option; the DHCPv4 end's answer goes to the client's address from the datagram's socket; a reload to
 * port 0 closes the channel and DHCPV4-QUERY is dropped; a query with another server's identifier is dropped.
 */
import assert from "node:assert/strict";
import { Dhcp6Server } from "../../mod/dhcp6/server6.ts";
import { Forwarder4o6 } from "../../mod/dhcp6/dhcp4o6_6.ts";
import { Link4o6 } from "../../mod/cli/dhcp4o6_wiring.ts";
import { openChannel4o6 } from "../../mod/net/dhcp4o6_channel.ts";
import { KvLease6Store } from "../../mod/lease/kv_store6.ts";
import { IterativeAllocator6 } from "../../mod/dhcp6/engine/allocator6.ts";
import { Stats } from "../../mod/stats/stats.ts";
import { nullLog } from "../../mod/log/logger.ts";
import { parseConfigText } from "../../mod/config/load.ts";
import type { Datagram6, Transport6 } from "../../mod/net/udp6.ts";
import { decode6, encode6 } from "../../mod/packet6/codec.ts";
import { addMeta4o6, takeMeta4o6 } from "../../mod/packet6/dhcp4o6.ts";
import { formatIpv6, parseIpv6 } from "../../mod/wire/ipv6.ts";
import { hex, QUERY } from "./dhcp4o6_fixtures.ts";

class Captured implements Transport6 {
  sent: { data: Uint8Array; addr: string; port: number; via: number }[] = [];
  recvBatch(): Promise<Datagram6[]> {
    return new Promise(() => {});
  }
  send(a: Datagram6, data: Uint8Array, addr: Uint8Array, port: number): void {
    this.sent.push({ data: data.slice(), addr: formatIpv6(addr), port, via: a.via });
  }
  endpoints(): string[] {
    return [];
  }
  close(): void {}
}

const SERVER_DUID = new Uint8Array([0, 2, 0, 0, 9, 0xbf, 1, 2]);

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
}

Deno.test({
  name: "4o6 forwarder: query over the channel with the ISC sub-options, answer to the client, port 0 drops",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const port = 31000 + 2 * Math.floor(Math.random() * 9000);
    const loaded = parseConfigText(
      JSON.stringify({
        Dhcp6: {
          "lease-database": { type: "memfile", name: "/nonexistent/l.csv" },
          "dhcp4o6-port": port,
          subnet6: [{ id: 1, subnet: "2001:db8:1:1::/64" }],
        },
      }),
      "weka6.json",
      () => {
        throw new Error("no includes");
      },
    );
    const transport = new Captured();
    const stats = new Stats();
    const forwarder = new Forwarder4o6({ transport, stats, log: nullLog });
    const link = new Link4o6(forwarder, (b) => forwarder.receive(b), nullLog);
    const store = await KvLease6Store.open(":memory:");
    const got: Uint8Array[] = [];
    const v4 = await openChannel4o6(port, "v4", (b) => void got.push(b), () => {});
    try {
      await link.apply(loaded.dhcp6!.dhcp4o6Port);
      const server = new Dhcp6Server({
        config: loaded.dhcp6!,
        transport,
        store,
        allocator: new IterativeAllocator6(),
        stats,
        log: nullLog,
        serverDuid: SERVER_DUID,
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
        via: 3,
      };
      server.process(d, 0);
      await until(() => got.length > 0);
      // what crossed the channel: the query's header, Kea's vendor option (17, ISC 2495), then option 87 as sent
      assert.deepEqual(
        got[0],
        new Uint8Array([
          ...QUERY.subarray(0, 4),
          ...hex(`00 11 00 26  00 00 09 bf
            ea 60 00 04 65 74 68 30                                      # 60000: "eth0"
            ea 61 00 10 20 01 0d b8 00 01 00 01 00 00 00 00 00 00 00 99  # 60001: 2001:db8:1:1::99
            ea 62 00 02 02 22                                            # 60002: 546`),
          ...QUERY.subarray(4),
        ]),
      );
      // the DHCPv4 end answers with a DHCPV4-RESPONSE (21) carrying the same sub-options back
      const resp = hex(`15 00 00 00  00 57 00 04 de ad be ef`); // type 21, flags 0, option 87 (4 octets)
      const back = encode6(
        addMeta4o6(decode6(resp), takeMeta4o6(decode6(got[0])).meta),
      );
      v4.send(back);
      await until(() => transport.sent.length > 0);
      assert.deepEqual(transport.sent, [{ data: resp, addr: "2001:db8:1:1::99", port: 546, via: 3 }]);
      assert.equal(stats.get("pkt6-dhcpv4-response-sent"), 1);
      // another server's identifier: dropped, not forwarded
      const other = hex(`14 00 00 00  00 02 00 04 00 02 aa bb  00 57 00 04 01 02 03 04`);
      const drops = stats.get("pkt6-receive-drop");
      server.process({ ...d, data: other }, 0);
      assert.equal(stats.get("pkt6-receive-drop"), drops + 1);
      // a reload to port 0 closes the channel: the query is dropped
      await link.apply(0);
      assert.equal(forwarder.channel, undefined);
      server.process(d, 0);
      assert.equal(stats.get("pkt6-receive-drop"), drops + 2);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(got.length, 1, "nothing more crossed the channel");
    } finally {
      v4.close();
      await link.close();
      store.close();
    }
  },
});
