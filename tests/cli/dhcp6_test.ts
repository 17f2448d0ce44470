/**
 * `weka dhcp6 -p PORT` (loopback test mode) answers a relayed SOLICIT on [::1] and keeps its server DUID across a
 * restart; `weka run` with Dhcp4 and Dhcp6 maps starts both roles in one process and stops both on SIGTERM.
 */
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { Buffer } from "node:buffer";
import { decode6 } from "../../mod/packet6/codec.ts";
import { getOption6, MsgType6, Opt6 } from "../../mod/packet6/packet.ts";
import { duidText } from "../../mod/dhcp6/server_duid.ts";
import { inner, RELAYED_SOLICIT } from "../dhcp6/fixtures6.ts";
import { buildRequest, sendUnix } from "../../mod/control/client.ts";
import { startCli, withTempDir } from "./cli_helpers.ts";

/** Sends `query` from [::1] to [::1]:port and waits (up to 5 s) for one answer. */
function exchange(port: number, query: Uint8Array): Promise<Uint8Array> {
  const s = dgram.createSocket("udp6");
  return new Promise<Uint8Array>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("no answer within 5 s")), 5000);
    s.on("message", (m: Uint8Array) => {
      clearTimeout(t);
      resolve(new Uint8Array(m));
    });
    s.bind(0, "::1", () => s.send(Buffer.from(query), port, "::1"));
  }).finally(() => s.close());
}

Deno.test("cli: weka dhcp6 -p PORT answers a relayed SOLICIT on [::1] and keeps its server DUID across a restart", () =>
  withTempDir("weka-dhcp6-cli-", async (dir) => {
    const cfg = `${dir}/weka6.json`;
    await Deno.writeTextFile(
      cfg,
      JSON.stringify({
        Dhcp6: {
          "lease-database": { type: "memfile", name: `${dir}/kea-leases6.csv` },
          subnet6: [{ id: 1, subnet: "2001:db8:1::/64", pools: [{ pool: "2001:db8:1::100 - 2001:db8:1::1ff" }] }],
        },
      }),
    );
    const port = 20000 + Math.floor(Math.random() * 20000);
    const sids: string[] = [];
    for (let run = 0; run < 2; run++) {
      const w = await startCli(["dhcp6", "-c", cfg, "-p", String(port)], /DHCP6_STARTED/);
      try {
        const r = decode6(await exchange(port, RELAYED_SOLICIT));
        assert.equal(r.msgType, MsgType6.RELAY_REPL);
        const m = inner(r);
        assert.equal(m.msgType, MsgType6.ADVERTISE);
        assert.equal(m.transactionId, 0xabcdef);
        sids.push(duidText(getOption6(m.options, Opt6.SERVERID)!));
      } finally {
        assert.equal(await w.stop(), 0, w.output());
      }
      assert.match(w.output(), /DHCP6_SHUTDOWN .*pkt6-advertise-sent=1/);
    }
    assert.equal(sids[0], sids[1], "the same server DUID after a restart");
    assert.equal((await Deno.readTextFile(`${dir}/kea-dhcp6-serverid`)).trim(), sids[0]);
  }));

Deno.test("cli: weka run with Dhcp4 and Dhcp6 maps serves both roles in one process and stops both on SIGTERM", () =>
  withTempDir("weka-run46-", async (dir) => {
    const cfg = `${dir}/weka.json`;
    await Deno.writeTextFile(
      cfg,
      JSON.stringify({
        Dhcp4: {
          "interfaces-config": { interfaces: [] },
          "lease-database": { type: "memfile", name: `${dir}/kea-leases4.csv` },
          "control-socket": { "socket-type": "unix", "socket-name": `${dir}/ctrl4.sock` },
          subnet4: [{ id: 1, subnet: "198.18.0.0/16", pools: [{ pool: "198.18.1.0 - 198.18.1.200" }] }],
        },
        Dhcp6: {
          "interfaces-config": { interfaces: [] },
          "lease-database": { type: "memfile", name: `${dir}/kea-leases6.csv` },
          "control-socket": { "socket-type": "unix", "socket-name": `${dir}/ctrl6.sock` },
          subnet6: [{ id: 1, subnet: "2001:db8:1::/64", pools: [{ pool: "2001:db8:1::100 - 2001:db8:1::1ff" }] }],
        },
      }),
    );
    const w = await startCli(["run", "-c", cfg], /DHCP4_STARTED[^]*DHCP6_STARTED|DHCP6_STARTED[^]*DHCP4_STARTED/);
    try {
      // each role answers on its own control socket with its own configuration
      const get = async (sock: string) =>
        JSON.parse(await sendUnix(sock, JSON.stringify(buildRequest("config-get")))).arguments;
      assert.ok((await get(`${dir}/ctrl4.sock`)).Dhcp4);
      assert.ok((await get(`${dir}/ctrl6.sock`)).Dhcp6);
    } finally {
      assert.equal(await w.stop(), 0, w.output());
    }
    assert.match(w.output(), /DHCP4_SHUTDOWN/);
    assert.match(w.output(), /DHCP6_SHUTDOWN/);
    await Deno.stat(`${dir}/kea-dhcp6-serverid`);
  }));

Deno.test("cli: weka dhcp6 reloads its file on SIGHUP, and keeps serving the old configuration when the new one is bad", () =>
  withTempDir("weka-dhcp6-hup-", async (dir) => {
    const cfg = `${dir}/weka6.json`;
    const doc = (pool: string) =>
      JSON.stringify({
        Dhcp6: {
          "lease-database": { type: "memfile", name: `${dir}/kea-leases6.csv` },
          subnet6: [{ id: 1, subnet: "2001:db8:1::/64", pools: [{ pool }] }],
        },
      });
    await Deno.writeTextFile(cfg, doc("2001:db8:1::100 - 2001:db8:1::1ff"));
    const port = 20000 + Math.floor(Math.random() * 20000);
    const w = await startCli(["dhcp6", "-c", cfg, "-p", String(port)], /DHCP6_STARTED/);
    const offered = async () => {
      const m = inner(decode6(await exchange(port, RELAYED_SOLICIT)));
      return m.ias[0].addresses[0]?.address[14];
    };
    try {
      assert.equal(await offered(), 0x01, "from 2001:db8:1::100-1ff");
      await Deno.writeTextFile(cfg, doc("2001:db8:1::500 - 2001:db8:1::5ff"));
      w.signal("SIGHUP");
      await w.waitFor(/DHCP6_CONFIG_COMPLETE/);
      assert.equal(await offered(), 0x05, "from the reloaded pool 2001:db8:1::500-5ff");
      await Deno.writeTextFile(cfg, doc("2001:db8:2::1 - 2001:db8:2::ff")); // outside its subnet: refused
      w.signal("SIGHUP");
      await w.waitFor(/DHCP6_DYNAMIC_RECONFIGURATION_FAIL reload refused, the previous configuration keeps serving/);
      assert.equal(await offered(), 0x05, "still the previous configuration");
    } finally {
      assert.equal(await w.stop(), 0, w.output());
    }
  }));

Deno.test("cli: weka dhcp6's GET /metrics speaks the Stork agent's kea_dhcp6_* names", () =>
  withTempDir("weka-dhcp6-metrics-", async (dir) => {
    const cfg = `${dir}/weka6.json`;
    const http = 20000 + Math.floor(Math.random() * 12000); // below the ephemeral range (32768+)
    await Deno.writeTextFile(
      cfg,
      JSON.stringify({
        Dhcp6: {
          "lease-database": { type: "memfile", name: `${dir}/kea-leases6.csv` },
          "control-socket": { "socket-type": "http", "socket-address": "127.0.0.1", "socket-port": http },
          subnet6: [{ id: 1, subnet: "2001:db8:1::/64", pools: [{ pool: "2001:db8:1::100 - 2001:db8:1::1ff" }] }],
        },
      }),
    );
    const port = http + 1;
    const w = await startCli(["dhcp6", "-c", cfg, "-p", String(port)], /DHCP6_STARTED/);
    try {
      assert.equal(inner(decode6(await exchange(port, RELAYED_SOLICIT))).msgType, MsgType6.ADVERTISE);
      const text = await (await fetch(`http://127.0.0.1:${http}/metrics`)).text();
      assert.match(text, /^kea_dhcp6_packets_received_total\{operation="solicit"\} 1$/m);
      assert.match(text, /^kea_dhcp6_packets_sent_total\{operation="advertise"\} 1$/m);
      assert.match(text, /^kea_dhcp6_na_total\{subnet="1",subnet_id="1",prefix="2001:db8:1::\/64"\} 256$/m);
      assert.match(text, /^kea_dhcp6_na_assigned_total\{subnet="1",subnet_id="1",prefix="2001:db8:1::\/64"\} 0$/m);
      assert.match(text, /^kea_dhcp6_pd_assigned_total\{subnet="1"/m);
      assert.match(text, /^kea_dhcp6_cumulative_nas_assigned_total\{subnet="1"/m);
      assert.match(text, /^kea_dhcp6_pkt6_rfc_violation 0$/m, "a statistic without a Stork name keeps its own");
      assert.doesNotMatch(text, /kea_dhcp4|pkt6.*kea_dhcp4|kea_dhcp4_pkt6/);
    } finally {
      assert.equal(await w.stop(), 0, w.output());
    }
  }));

Deno.test("cli: weka run with libdhcp_ha.so in both Dhcp4 and Dhcp6 runs one HA relationship per family", () =>
  withTempDir("weka-run-ha46-", async (dir) => {
    // below the ephemeral range (32768+), where other tests' outgoing connections would hold a port
    const base = 20000 + Math.floor(Math.random() * 12000);
    const ha = (me: number, partner: number) => [
      { library: "/usr/lib/kea/hooks/libdhcp_lease_cmds.so" },
      {
        library: "/usr/lib/kea/hooks/libdhcp_ha.so",
        parameters: {
          "high-availability": [{
            "this-server-name": "server1",
            mode: "hot-standby",
            "heartbeat-delay": 500,
            peers: [
              { name: "server1", url: `http://127.0.0.1:${me}/`, role: "primary" },
              { name: "server2", url: `http://127.0.0.1:${partner}/`, role: "standby" },
            ],
          }],
        },
      },
    ];
    const cfg = `${dir}/weka.json`;
    await Deno.writeTextFile(
      cfg,
      JSON.stringify({
        Dhcp4: {
          "interfaces-config": { interfaces: [] },
          "lease-database": { type: "kv", name: `${dir}/l4.kv` },
          "hooks-libraries": ha(base, base + 1),
          subnet4: [{ id: 1, subnet: "198.18.0.0/16", pools: [{ pool: "198.18.1.0 - 198.18.1.200" }] }],
        },
        Dhcp6: {
          "interfaces-config": { interfaces: [] },
          "lease-database": { type: "kv", name: `${dir}/l6.kv` },
          "hooks-libraries": ha(base + 2, base + 3),
          subnet6: [{ id: 1, subnet: "2001:db8:1::/64", pools: [{ pool: "2001:db8:1::100 - 2001:db8:1::1ff" }] }],
        },
      }),
    );
    const w = await startCli(["run", "-c", cfg], /HA_LISTENER_STARTED[^]*HA_LISTENER_STARTED/, 30_000);
    try {
      const hb = async (port: number, service: string) => {
        const r = await fetch(`http://127.0.0.1:${port}/`, {
          method: "POST",
          body: JSON.stringify({ command: "ha-heartbeat", service: [service] }),
        });
        return (await r.json())[0];
      };
      const [h4, h6] = [await hb(base, "dhcp4"), await hb(base + 2, "dhcp6")];
      assert.equal(h4.result, 0);
      assert.equal(h6.result, 0);
      // each relationship runs its own machine: its partner is unreachable, so neither serves yet
      assert.ok(["waiting", "partner-down"].includes(h4.arguments.state), h4.arguments.state);
      assert.ok(["waiting", "partner-down"].includes(h6.arguments.state), h6.arguments.state);
      assert.match(w.output(), /HA_SERVICE_STARTED[^]*HA_SERVICE_STARTED/);
      // the DHCPv6 listener accepts what a kea-dhcp6 partner sends, and refuses a DHCPv4 lease update
      const post = (command: string, args: unknown) =>
        fetch(`http://127.0.0.1:${base + 2}/`, { method: "POST", body: JSON.stringify({ command, arguments: args }) })
          .then((r) => r.json()).then((a) => a[0]);
      assert.equal((await post("lease6-bulk-apply", { leases: [] })).result, 3);
      assert.equal((await post("lease4-update", {})).result, 2);
    } finally {
      assert.equal(await w.stop(), 0, w.output().slice(-3000));
    }
  }));
