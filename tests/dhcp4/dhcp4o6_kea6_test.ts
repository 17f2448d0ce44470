/**
 * DHCPv4-over-DHCPv6 (RFC 7341) with weka's DHCPv4 server behind a real kea-dhcp6 2.2 on Kea's 4o6 channel: a
 * relay (a UDP socket on ::1) sends kea-dhcp6 a RELAY-FORW holding the crafted DHCPV4-QUERY (real bytes, annotated
 * in tests/dhcp6/dhcp4o6_fixtures.ts); kea-dhcp6 hands it to weka over the channel; weka selects its subnet by the
 * relay's Interface-Id (`4o6-interface-id`), offers an address and answers with a DHCPV4-RESPONSE inside a
 * RELAY-REPL that kea-dhcp6 returns to the relay. Needs kea-dhcp6 (CI installs it); skipped with a message
 * otherwise.
 */
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { Buffer } from "node:buffer";
import { parseConfigText } from "../../mod/config/load.ts";
import { Endpoint4o6 } from "../../mod/dhcp4/dhcp4o6_4.ts";
import { openChannel4o6 } from "../../mod/net/dhcp4o6_channel.ts";
import { decode6, innermost } from "../../mod/packet6/codec.ts";
import { getOption6 } from "../../mod/packet6/packet.ts";
import { decode4 } from "../../mod/packet4/codec.ts";
import { Opt } from "../../mod/packet4/packet.ts";
import { formatIpv4 } from "../../mod/wire/addr.ts";
import { parseIpv6 } from "../../mod/wire/ipv6.ts";
import { QUERY, requestQuery } from "../dhcp6/dhcp4o6_fixtures.ts";
import { serverBed } from "./server_bed.ts";
import { nullLog } from "../../mod/log/logger.ts";

const KEA6 = "/usr/sbin/kea-dhcp6";
const missing = (() => {
  try {
    Deno.statSync(KEA6);
    return undefined;
  } catch {
    return `${KEA6} is not installed (apt-get install kea-dhcp6-server)`;
  }
})();
if (missing) console.log(`skipping the kea-dhcp6 4o6 test: ${missing}`);

/** RELAY-FORW (RFC 8415 §9.1) from 2001:db8:99::1 with Interface-Id "ifid-7" around the DHCPV4-QUERY. */
function relayed(q: Uint8Array): Uint8Array {
  return new Uint8Array([
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
    q.length & 0xff,
    ...q, // option 9 RELAY_MSG: the query
  ]);
}

Deno.test({
  name: "4o6: a real kea-dhcp6 2.2 hands DHCPV4-QUERY to weka's DHCPv4 server and returns weka's DHCPV4-RESPONSE",
  ignore: missing !== undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "wk-4o6-6-" });
    const port = 32000 + 2 * Math.floor(Math.random() * 8000);
    const [serverPort, relayPort] = [port + 1000, port + 1001];
    Deno.writeTextFileSync(
      `${dir}/kea6.json`,
      JSON.stringify({
        Dhcp6: {
          // a unicast socket on ::1 at a private port (-p); answers to the relay go to -P
          "interfaces-config": { interfaces: ["lo/::1"] },
          "lease-database": { type: "memfile", persist: false },
          "server-id": { type: "LLT", persist: false, htype: 1, identifier: "525400aabbcc", time: 1 },
          "dhcp4o6-port": port,
          subnet6: [{ id: 1, subnet: "2001:db8:1:1::/64", interface: "lo" }],
          loggers: [{ name: "kea-dhcp6", output_options: [{ output: `${dir}/kea6.log` }], severity: "DEBUG" }],
        },
      }),
    );
    const kea = new Deno.Command(KEA6, {
      args: ["-c", `${dir}/kea6.json`, "-p", String(serverPort), "-P", String(relayPort)],
      env: { KEA_PIDFILE_DIR: dir, KEA_LOCKFILE_DIR: dir },
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const config = parseConfigText(
      JSON.stringify({
        Dhcp4: {
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
        },
      }),
      "weka4.json",
      () => "",
    ).dhcp4!;
    const ifaceAddrs = new Map([["lo", [0x7f000001]]]);
    const endpoint = new Endpoint4o6({
      log: nullLog,
      ifaceAddrs: () => ifaceAddrs,
    });
    const bed = await serverBed(config, { ifaceAddrs, dhcp4o6: endpoint });
    endpoint.channel = await openChannel4o6(
      port,
      "v4",
      (b) => bed.server.process4o6(b, Math.floor(Date.now() / 1000)),
      () => {},
    );
    const relay = dgram.createSocket({ type: "udp6", ipv6Only: true });
    const answers: Uint8Array[] = [];
    relay.on("message", (m: Uint8Array) => void answers.push(new Uint8Array(m)));
    await new Promise<void>((r) => relay.bind(relayPort, "::1", () => r()));
    try {
      for (let i = 0; i < 40 && answers.length === 0; i++) {
        relay.send(Buffer.from(relayed(QUERY)), serverPort, "::1");
        for (let j = 0; j < 10 && answers.length === 0; j++) await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(answers.length > 0, `no answer through kea-dhcp6:\n${tail(`${dir}/kea6.log`)}`);
      const rr = decode6(answers[0]);
      assert.equal(rr.kind, "relay");
      assert.equal(rr.msgType, 13, "RELAY-REPL");
      assert.deepEqual(
        rr.options.find((o) => o.code === 18)?.data,
        new TextEncoder().encode("ifid-7"),
        "Interface-Id echoed",
      );
      const m = innermost(rr);
      assert.equal(m.msgType, 21, "DHCPV4-RESPONSE");
      assert.equal(m.options.find((o) => o.code === 17), undefined, "no ISC sub-options reach the relay");
      const offer = decode4(getOption6(m.options, 87)!);
      assert.equal(offer.xid, 0x4f6f6f01);
      assert.equal(offer.options.get(Opt.MESSAGE_TYPE)?.[0], 2, "DHCPOFFER");
      assert.match(formatIpv4(offer.yiaddr), /^10\.20\.20\.1\d\d$/, "subnet 200, chosen by 4o6-interface-id");
      assert.deepEqual([...offer.options.get(Opt.SERVER_ID)!], [127, 0, 0, 1], "answered from lo's address");

      // the DHCPREQUEST for the offered address: DHCPACK through kea-dhcp6, the lease in weka's store
      const n = answers.length;
      relay.send(Buffer.from(relayed(requestQuery(offer.yiaddr, 0x7f000001))), serverPort, "::1");
      for (let j = 0; j < 100 && answers.length === n; j++) await new Promise((r) => setTimeout(r, 20));
      const ack = decode4(getOption6(innermost(decode6(answers[n])).options, 87)!);
      assert.equal(ack.options.get(Opt.MESSAGE_TYPE)?.[0], 5, "DHCPACK");
      assert.equal(ack.yiaddr, offer.yiaddr);
      const lease = bed.store.byAddress(offer.yiaddr);
      assert.equal(lease?.subnetId, 200);
    } finally {
      relay.close();
      endpoint.channel?.close();
      await bed.close();
      try {
        kea.kill("SIGTERM");
      } catch { /* gone */ }
      await kea.status;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
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
