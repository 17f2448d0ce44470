/**
 * `/metrics` of real weka servers with leases passes `promtool check metrics` (Prometheus's own linter, Debian
 * package `prometheus`): `weka dhcp4` in its loopback test mode leases two addresses to a relayed client and drops a
 * query addressed to another server (pkt4-not-for-us), `weka dhcp6` leases an address by Rapid Commit; each
 * exposition is fed to promtool, which must find nothing. The Stork families keep their names: counters are typed
 * `counter`, the levels that Stork names `…_total` (pool sizes, assigned and declined addresses) `untyped`.
 */
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { Buffer } from "node:buffer";
import { freePort, RelayClient } from "./helpers.ts";
import { startCli, withTempDir } from "../cli/cli_helpers.ts";
import { hex } from "../dhcp6/fixtures6.ts";
import { encode4 } from "../../mod/packet4/codec.ts";
import { MsgType, Opt } from "../../mod/packet4/packet.ts";
import { parseHex, parseIpv4 } from "../../mod/wire/addr.ts";

const PROMTOOL = "/usr/bin/promtool";

/** promtool's verdict on an exposition: its exit code and what it printed. */
async function promtool(text: string): Promise<{ code: number; out: string }> {
  const p = new Deno.Command(PROMTOOL, { args: ["check", "metrics"], stdin: "piped", stdout: "piped", stderr: "piped" })
    .spawn();
  const w = p.stdin.getWriter();
  await w.write(new TextEncoder().encode(text));
  await w.close();
  const r = await p.output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout) + dec.decode(r.stderr) };
}

async function metrics(port: number): Promise<string> {
  const r = await fetch(`http://127.0.0.1:${port}/metrics`);
  assert.equal(r.status, 200);
  return await r.text();
}

/** The TYPE of each family in an exposition. */
const types = (text: string) =>
  Object.fromEntries([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]));

const http = (port: number) => [{ "socket-type": "http", "socket-address": "127.0.0.1", "socket-port": port }];

Deno.test("promtool check metrics: weka dhcp4's /metrics with leases and a not-for-us drop is clean", () =>
  withTempDir("weka-prom4-", async (dir) => {
    const port = freePort(), cport = freePort();
    await Deno.writeTextFile(
      `${dir}/w.json`,
      JSON.stringify({
        Dhcp4: {
          "interfaces-config": { interfaces: ["lo"] },
          "lease-database": { type: "kv", name: `${dir}/leases.kv` },
          "control-sockets": http(cport),
          subnet4: [{ id: 1, subnet: "198.18.0.0/16", pools: [{ pool: "198.18.1.100 - 198.18.1.199" }] }],
        },
      }),
    );
    const w = await startCli(["dhcp4", "-c", `${dir}/w.json`, "--port", String(port)], /DHCP4_STARTED/);
    const client = await RelayClient.open(port);
    try {
      assert.ok(await client.dora("52:54:00:00:00:01"));
      assert.ok(await client.dora("52:54:00:00:00:02"));
      // a REQUEST naming another server (option 54): Kea counts it pkt4-not-for-us
      const s = dgram.createSocket("udp4");
      await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
      const req = encode4({
        op: 1,
        htype: 1,
        hlen: 6,
        hops: 1,
        xid: 0x51,
        secs: 0,
        flags: 0,
        ciaddr: 0,
        yiaddr: 0,
        siaddr: 0,
        giaddr: parseIpv4("198.18.0.254")!,
        chaddr: parseHex("52:54:00:00:00:03")!,
        sname: "",
        file: "",
        options: new Map([
          [Opt.MESSAGE_TYPE, Uint8Array.of(MsgType.REQUEST)],
          [Opt.SERVER_ID, Uint8Array.of(192, 0, 2, 250)],
          [Opt.REQUESTED_ADDRESS, Uint8Array.of(198, 18, 1, 150)],
        ]),
      });
      await new Promise<void>((r) => s.send(Buffer.from(req), port, "127.0.0.1", () => r()));
      s.close();
      let text = "";
      for (let i = 0; i < 50 && !/operation="not-for-us"\} [1-9]/.test(text); i++) {
        await new Promise((r) => setTimeout(r, 100));
        text = await metrics(cport);
      }
      assert.match(
        text,
        /^kea_dhcp4_addresses_assigned_total\{subnet="1",subnet_id="1",prefix="198\.18\.0\.0\/16"\} 2$/m,
      );
      assert.match(text, /^kea_dhcp4_packets_received_total\{operation="not-for-us"\} 1$/m);
      assert.doesNotMatch(text, /not_for_us/);
      const t = types(text);
      assert.equal(t.kea_dhcp4_packets_received_total, "counter");
      assert.equal(t.kea_dhcp4_cumulative_addresses_assigned_total, "counter");
      assert.equal(t.kea_dhcp4_addresses_assigned_total, "untyped");
      assert.equal(t.kea_dhcp4_addresses_total, "untyped");
      const v = await promtool(text);
      assert.deepEqual(v, { code: 0, out: "" }, v.out);
    } finally {
      client.close();
      assert.equal(await w.stop(), 0, w.output());
    }
  }));

/** A RELAY-FORW carrying a SOLICIT with Rapid Commit (RFC 8415 §18.3.1), from a relay on 2001:db8:1::1. */
const RAPID_SOLICIT = hex([
  "0c00", // RELAY-FORW, hop-count 0
  "20010db8000100000000000000000001", // link-address 2001:db8:1::1 (selects subnet 2001:db8:1::/64)
  "fe80000000000000020000fffe000001", // peer-address fe80::200:ff:fe00:1
  "00090030", // option 9 RELAY_MSG, 48 bytes:
  "01abcdef", //   SOLICIT, transaction-id 0xabcdef
  "0001000e000100012a000001525400aabbcc", //   CLIENTID: DUID-LLT 52:54:00:aa:bb:cc
  "000800020000", //   ELAPSED_TIME 0
  "000e0000", //   RAPID_COMMIT
  "0003000c000000010000000000000000", //   IA_NA IAID 1, T1 0, T2 0
].join(""));

Deno.test("promtool check metrics: weka dhcp6's /metrics with a lease is clean", () =>
  withTempDir("weka-prom6-", async (dir) => {
    const port = freePort(), cport = freePort();
    await Deno.writeTextFile(
      `${dir}/w6.json`,
      JSON.stringify({
        Dhcp6: {
          "lease-database": { type: "memfile", name: `${dir}/kea-leases6.csv` },
          "control-sockets": http(cport),
          subnet6: [{
            id: 1,
            subnet: "2001:db8:1::/64",
            "rapid-commit": true,
            pools: [{ pool: "2001:db8:1::100 - 2001:db8:1::1ff" }],
            "pd-pools": [{ prefix: "2001:db8:100::", "prefix-len": 48, "delegated-len": 56 }],
          }],
        },
      }),
    );
    const w = await startCli(["dhcp6", "-c", `${dir}/w6.json`, "-p", String(port)], /DHCP6_STARTED/);
    try {
      const s = dgram.createSocket("udp6");
      const answered = new Promise<void>((r) => s.on("message", () => r()));
      await new Promise<void>((r) => s.bind(0, "::1", () => r()));
      s.send(Buffer.from(RAPID_SOLICIT), port, "::1");
      await answered;
      s.close();
      const text = await metrics(cport);
      assert.match(text, /^kea_dhcp6_na_assigned_total\{subnet="1",subnet_id="1",prefix="2001:db8:1::\/64"\} 1$/m);
      assert.match(text, /^kea_dhcp6_packets_sent_total\{operation="reply"\} 1$/m);
      const t = types(text);
      assert.equal(t.kea_dhcp6_packets_sent_total, "counter");
      assert.equal(t.kea_dhcp6_na_total, "untyped");
      assert.equal(t.kea_dhcp6_pd_total, "untyped");
      const v = await promtool(text);
      assert.deepEqual(v, { code: 0, out: "" }, v.out);
    } finally {
      assert.equal(await w.stop(), 0, w.output());
    }
  }));
