/**
 * DHCPv4-over-DHCPv6 (RFC 7341) with weka's DHCPv6 server in front of a real kea-dhcp4 2.2 on Kea's 4o6 channel
 * (UDP on ::1: weka on dhcp4o6-port, Kea on the next port): crafted DHCPV4-QUERY messages (real bytes, annotated in
 * dhcp4o6_codec_test.ts) enter weka's server edge as datagrams; weka forwards them with the ISC sub-options, Kea
 * selects its subnet by `4o6-subnet` (the client's source address) or `4o6-interface-id` (the relay's
 * Interface-Id) and answers; weka sends Kea's DHCPV4-RESPONSE to the client (546) or RELAY-REPL to the relay (547)
 * and counts it. Needs kea-dhcp4 (CI installs it); skipped with a message otherwise.
 */
import assert from "node:assert/strict";
import { Dhcp6Server } from "../../mod/dhcp6/server6.ts";
import { Forwarder4o6 } from "../../mod/dhcp6/dhcp4o6_6.ts";
import { Link4o6 } from "../../mod/cli/dhcp4o6_wiring.ts";
import { KvLease6Store } from "../../mod/lease/kv_store6.ts";
import { IterativeAllocator6 } from "../../mod/dhcp6/engine/allocator6.ts";
import { Stats } from "../../mod/stats/stats.ts";
import { nullLog } from "../../mod/log/logger.ts";
import { parseConfigText } from "../../mod/config/load.ts";
import type { Datagram6, Transport6 } from "../../mod/net/udp6.ts";
import { decode6, innermost } from "../../mod/packet6/codec.ts";
import { getOption6 } from "../../mod/packet6/packet.ts";
import { formatIpv6, parseIpv6 } from "../../mod/wire/ipv6.ts";
import { decode4 } from "../../mod/packet4/codec.ts";
import { formatIpv4 } from "../../mod/wire/addr.ts";
import { QUERY } from "./dhcp4o6_fixtures.ts";

const KEA = "/usr/sbin/kea-dhcp4";
const missing = (() => {
  try {
    Deno.statSync(KEA);
    return undefined;
  } catch {
    return `${KEA} is not installed (apt-get install kea-dhcp4-server)`;
  }
})();
if (missing) console.log(`skipping the kea-dhcp4 4o6 test: ${missing}`);

class Captured implements Transport6 {
  sent: { data: Uint8Array; addr: string; port: number; via: string }[] = [];
  recvBatch(): Promise<Datagram6[]> {
    return new Promise(() => {});
  }
  send(a: Datagram6, data: Uint8Array, addr: Uint8Array, port: number): void {
    this.sent.push({ data: data.slice(), addr: formatIpv6(addr), port, via: a.iface });
  }
  endpoints(): string[] {
    return [];
  }
  close(): void {}
}

function dgram(data: Uint8Array, src: string, srcPort: number, dst: string): Datagram6 {
  return { data, iface: "lo", ifindex: 1, srcAddr: parseIpv6(src)!, srcPort, dstAddr: parseIpv6(dst)!, via: 0 };
}

/** The query wrapped by a relay whose Interface-Id is "ifid-7" (relay source 2001:db8:99::1, not in 4o6-subnet). */
function relayed(q: Uint8Array): Uint8Array {
  const head = [
    0x0c,
    0x00, // RELAY-FORW, hop count 0
    ...parseIpv6("2001:db8:99::1")!, // link-address
    ...parseIpv6("fe80::5054:ff:fe12:3456")!, // peer-address: the client
    0x00,
    0x12,
    0x00,
    0x06,
    ...new TextEncoder().encode("ifid-7"), // option 18 Interface-Id "ifid-7"
    0x00,
    0x09,
    q.length >> 8,
    q.length & 0xff, // option 9 RELAY_MSG
  ];
  return new Uint8Array([...head, ...q]);
}

async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end && !cond();) await new Promise((r) => setTimeout(r, 20));
}

Deno.test({
  name: "4o6: weka's DHCPv6 server forwards DHCPV4-QUERY to a real kea-dhcp4 2.2 and returns its DHCPV4-RESPONSE",
  ignore: missing !== undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "wk-4o6-" });
    const port = 30000 + 2 * Math.floor(Math.random() * 10000);
    Deno.writeTextFileSync(
      `${dir}/kea4.json`,
      JSON.stringify({
        Dhcp4: {
          // Kea answers a 4o6 query from the address of an IPv4 socket on the interface the query names: a UDP
          // socket on lo, on a private server port (-p) so that nothing else on the host is disturbed
          "interfaces-config": { interfaces: ["lo"], "dhcp-socket-type": "udp" },
          "lease-database": { type: "memfile", persist: false },
          "valid-lifetime": 4000,
          "dhcp4o6-port": port,
          subnet4: [
            {
              id: 100,
              subnet: "10.10.10.0/24",
              "4o6-subnet": "2001:db8:1:1::/64",
              pools: [{ pool: "10.10.10.100 - 10.10.10.199" }],
            },
            {
              id: 200,
              subnet: "10.20.20.0/24",
              "4o6-interface-id": "ifid-7",
              pools: [{ pool: "10.20.20.100 - 10.20.20.199" }],
            },
          ],
          loggers: [{
            name: "kea-dhcp4",
            output_options: [{ output: `${dir}/kea4.log` }],
            severity: "DEBUG",
            debuglevel: 50,
          }],
        },
      }),
    );
    const kea = new Deno.Command(KEA, {
      args: ["-c", `${dir}/kea4.json`, "-p", String(port + 1000)],
      env: { KEA_PIDFILE_DIR: dir, KEA_LOCKFILE_DIR: dir },
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const loaded = parseConfigText(
      JSON.stringify({
        Dhcp6: {
          "lease-database": { type: "memfile", name: "/nonexistent/l.csv" },
          "dhcp4o6-port": port,
          subnet6: [{ id: 1, subnet: "2001:db8:1:1::/64", pools: [{ pool: "2001:db8:1:1::1:0/112" }] }],
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
    try {
      await link.apply(loaded.dhcp6!.dhcp4o6Port);
      assert.ok(forwarder.channel, "the 4o6 channel is open");
      const server = new Dhcp6Server({
        config: loaded.dhcp6!,
        transport,
        store,
        allocator: new IterativeAllocator6(),
        stats,
        log: nullLog,
        serverDuid: new Uint8Array([0, 2, 0, 0, 9, 0xbf, 1, 2]),
        ifaceAddrs: new Map(),
        dhcp4o6: forwarder,
      });
      // Kea needs a moment to bind [::1]:port+1: send the direct query until its answer comes
      const direct = dgram(QUERY, "2001:db8:1:1::99", 546, "ff02::1:2");
      for (let i = 0; i < 50 && transport.sent.length === 0; i++) {
        server.process(direct, Math.floor(Date.now() / 1000));
        await waitFor(() => transport.sent.length > 0, 200);
      }
      assert.equal(transport.sent.length, 1, `no answer from kea-dhcp4:\n${tail(`${dir}/kea4.log`)}`);
      const a = transport.sent[0];
      assert.deepEqual([a.addr, a.port, a.via], ["2001:db8:1:1::99", 546, "lo"]);
      const resp = decode6(a.data);
      assert.equal(resp.kind, "message");
      const m = innermost(resp);
      assert.equal(m.msgType, 21, "DHCPV4-RESPONSE");
      assert.equal(m.transactionId, 0, "the query's flags echoed");
      assert.equal(m.options.find((o) => o.code === 17), undefined, "the ISC sub-options are taken out");
      const offer = decode4(getOption6(m.options, 87)!);
      assert.equal(offer.xid, 0x4f6f6f01);
      assert.match(formatIpv4(offer.yiaddr), /^10\.10\.10\.1\d\d$/, "subnet 100, chosen by 4o6-subnet");
      assert.equal(stats.get("pkt6-dhcpv4-response-sent"), 1);

      // relayed: Kea chooses subnet 200 by the relay's Interface-Id; weka answers the relay on 547
      const n = transport.sent.length;
      server.process(dgram(relayed(QUERY), "2001:db8:99::1", 547, "2001:db8:1:1::1"), Math.floor(Date.now() / 1000));
      await waitFor(() => transport.sent.length > n, 3000);
      const r = transport.sent[n];
      assert.ok(r, `no relayed answer:\n${tail(`${dir}/kea4.log`)}`);
      assert.deepEqual([r.addr, r.port], ["2001:db8:99::1", 547]);
      const rr = decode6(r.data);
      assert.equal(rr.kind, "relay");
      assert.equal(rr.msgType, 13, "RELAY-REPL");
      const inner = innermost(rr);
      assert.equal(inner.msgType, 21);
      assert.match(
        formatIpv4(decode4(getOption6(inner.options, 87)!).yiaddr),
        /^10\.20\.20\.1\d\d$/,
        "subnet 200 by interface-id",
      );

      // without option 87 nothing is forwarded (Kea's processDhcp4Query), and it is counted as dropped
      const before = stats.get("pkt6-receive-drop");
      server.process(dgram(new Uint8Array([0x14, 0, 0, 0]), "2001:db8:1:1::99", 546, "ff02::1:2"), 0);
      assert.equal(stats.get("pkt6-receive-drop"), before + 1);
    } finally {
      await link.close();
      store.close();
      try {
        kea.kill("SIGTERM");
      } catch { /* gone */ }
      await kea.status;
      if (!Deno.env.get("KEEP4O6")) await Deno.remove(dir, { recursive: true }).catch(() => {});
      else console.log(dir);
    }
  },
});

function tail(path: string): string {
  try {
    return Deno.readTextFileSync(path).split("\n").slice(-12).join("\n");
  } catch {
    return "(no log)";
  }
}
