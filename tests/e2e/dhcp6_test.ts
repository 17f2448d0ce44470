/**
 * End to end, DHCPv6 in the project's own namespace lab (prefix `wk6e-`): `weka dhcp6` on srv1's eth0 serves LAN A
 * (2001:db8:a::/64) to a real ISC `dhclient -6` on cli1: (a) an address from the pool, configured on cli1's eth0
 * and present in weka's lease store (lease6-get-all on the control socket); (b) a delegated prefix with `-P`;
 * (c) a RENEW after T1 keeps the address; (d) `dhclient -6 -r` releases it; (e) after SIGKILL and a restart the
 * leases are still there and the server DUID is the same (kea-dhcp6-serverid); (f) a client on LAN C behind ISC
 * `dhcrelay -6` gets a LAN C address through weka's eth0 socket (sent to 2001:db8:a::1); (g) dhcpcd -6 on LAN B
 * (srv1's eth1) gets an address and a /56 of LAN B's subnet, chosen by the arrival interface of its multicast.
 * The sockets are weka's FFI sockets, one per interface joined to ff02::1:2 there (mod/net/udp6.ts).
 * Needs root and the Debian packages iproute2, isc-dhcp-client, dhcpcd-base and isc-dhcp-relay.
 */
import assert from "node:assert/strict";
import { Lab, type LabProcess } from "./lab.ts";
import { MAIN, until, writeConfig } from "./weka_proc.ts";
import { buildRequest, sendUnix } from "../../mod/control/client.ts";

const why = Lab.available();
if (why) console.log(`SKIP e2e dhcp6: ${why}`);

interface Lease6Row {
  "ip-address": string;
  "prefix-len": number;
  type: string;
  duid: string;
  iaid: number;
  "subnet-id": number;
  state: number;
}

function config6(dir: string): Record<string, unknown> {
  return {
    Dhcp6: {
      "interfaces-config": { interfaces: ["eth0", "eth1"] },
      "lease-database": { type: "memfile", name: `${dir}/kea-leases6.csv` },
      "control-socket": { "socket-type": "unix", "socket-name": `${dir}/kea6-ctrl.sock` },
      "preferred-lifetime": 200,
      "valid-lifetime": 300,
      "renew-timer": 4,
      "rebind-timer": 150,
      subnet6: [{
        id: 1,
        subnet: "2001:db8:a::/64",
        interface: "eth0",
        pools: [{ pool: "2001:db8:a::1000 - 2001:db8:a::1fff" }],
        "pd-pools": [{ prefix: "2001:db8:a100::", "prefix-len": 40, "delegated-len": 56 }],
        "option-data": [{ name: "dns-servers", data: "2001:db8:a::53" }],
      }, {
        // LAN B, srv1's eth1: selected by the arrival interface of dhcpcd's multicast SOLICIT
        id: 2,
        subnet: "2001:db8:b::/64",
        interface: "eth1",
        pools: [{ pool: "2001:db8:b::2000 - 2001:db8:b::2fff" }],
        "pd-pools": [{ prefix: "2001:db8:b100::", "prefix-len": 40, "delegated-len": 56 }],
      }, {
        // LAN C, behind the relay host (dhcrelay -6): selected by the relay's link-address 2001:db8:c::1
        id: 3,
        subnet: "2001:db8:c::/64",
        pools: [{ pool: "2001:db8:c::3000 - 2001:db8:c::3fff" }],
      }],
      loggers: [{ name: "kea-dhcp6", "output_options": [{ output: "stdout" }], severity: "INFO" }],
    },
  };
}

async function startWeka6(lab: Lab, cfg: string): Promise<LabProcess> {
  const p = lab.spawn("srv1", ["deno", "run", "-A", MAIN, "dhcp6", "-c", cfg]);
  await p.waitFor(/DHCP6_STARTED/, 30_000);
  return p;
}

async function command(dir: string, cmd: string, args?: unknown): Promise<{ result: number; arguments?: unknown }> {
  const text = await sendUnix(`${dir}/kea6-ctrl.sock`, JSON.stringify(buildRequest(cmd, args)));
  return JSON.parse(text);
}

async function leases6(dir: string): Promise<Lease6Row[]> {
  const a = await command(dir, "lease6-get-all");
  return ((a.arguments as { leases?: Lease6Row[] } | undefined)?.leases) ?? [];
}

async function stat(dir: string, name: string): Promise<number> {
  const a = await command(dir, "statistic-get", { name });
  const samples = (a.arguments as Record<string, [number, string][]>)[name];
  return samples?.[0]?.[0] ?? 0;
}

/** Waits until `iface` of `host` has a link-local address that is no longer tentative (DAD done). */
async function linkLocalReady(lab: Lab, host: string, iface = "eth0"): Promise<void> {
  const ok = await until(async () => {
    const out = await lab.check(host, ["ip", "-6", "-o", "addr", "show", "dev", iface, "scope", "link"]);
    return /fe80::/.test(out) && !/tentative/.test(out);
  }, 15_000);
  assert.ok(ok, `${host}: ${iface} has no usable link-local address`);
}

function serverDuidLine(output: string): string {
  const m = /DHCP6_SERVERID server DUID ([0-9a-f:]+)/.exec(output);
  assert.ok(m, `no DHCP6_SERVERID line in:\n${output.slice(-2000)}`);
  return m[1];
}

Deno.test({
  name: "e2e dhcp6: dhclient -6 gets an address and a prefix, renews, releases; leases and DUID survive SIGKILL",
  ignore: why !== undefined,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const dir = await Deno.makeTempDir({ prefix: "weka-e2e6-" });
    const lab = await Lab.up("wk6e-");
    try {
      await Promise.all([linkLocalReady(lab, "srv1"), linkLocalReady(lab, "cli1")]);
      const cfg = await writeConfig(dir, config6(dir));
      let weka = await startWeka6(lab, cfg);
      const duid1 = serverDuidLine(weka.output);
      const na = ["-pf", `${dir}/dhc6-na.pid`, "-lf", `${dir}/dhc6-na.leases`, "eth0"];
      const pd = ["-pf", `${dir}/dhc6-pd.pid`, "-lf", `${dir}/dhc6-pd.leases`, "eth0"];
      let address = "";
      let prefix = "";

      await t.step("(a) dhclient -6 gets a pool address, configured on cli1 and in weka's store", async () => {
        // no -1: dhclient stays in the background (pid file) so that it renews at T1
        const r = await lab.run("cli1", ["timeout", "30", "dhclient", "-6", "-v", ...na]);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        const addrs = await lab.check("cli1", ["ip", "-6", "-o", "addr", "show", "dev", "eth0", "scope", "global"]);
        const m = /inet6 (2001:db8:a::1[0-9a-f]{3})\//.exec(addrs);
        assert.ok(m, `no pool address on cli1 eth0:\n${addrs}\n${r.stderr}`);
        address = m[1];
        const l = (await leases6(dir)).find((x) => x["ip-address"] === address);
        assert.ok(l, `lease ${address} is in weka's store`);
        assert.equal(l.type, "IA_NA");
        assert.equal(l["subnet-id"], 1);
        assert.equal(l.state, 0);
        assert.equal(await stat(dir, "subnet[1].assigned-nas"), 1);
        assert.ok(await stat(dir, "pkt6-reply-sent") >= 1);
      });

      await t.step("(b) dhclient -6 -P gets a /56 from the pd-pool", async () => {
        const r = await lab.run("cli1", ["timeout", "30", "dhclient", "-6", "-P", "-1", "-v", ...pd]);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        const got = await until(async () => {
          const leases = await Deno.readTextFile(`${dir}/dhc6-pd.leases`).catch(() => "");
          return /iaprefix (2001:db8:a1[0-9a-f]{2}:[0-9a-f:]*\/56)/.exec(leases)?.[1];
        }, 5_000);
        assert.ok(got, "dhclient's lease file names the delegated prefix");
        prefix = got;
        const l = (await leases6(dir)).find((x) => x.type === "IA_PD");
        assert.ok(l, "the prefix lease is in weka's store");
        assert.equal(`${l["ip-address"]}/${l["prefix-len"]}`, prefix);
        assert.equal(await stat(dir, "subnet[1].assigned-pds"), 1);
      });

      await t.step("(c) the RENEW at T1 (4 s) keeps the address", async () => {
        const renewed = await until(async () => (await stat(dir, "pkt6-renew-received")) >= 1, 20_000);
        assert.ok(renewed, "weka received a RENEW");
        await until(async () => (await stat(dir, "pkt6-reply-sent")) >= 3, 5_000);
        const l = (await leases6(dir)).filter((x) => x.type === "IA_NA");
        assert.deepEqual(l.map((x) => x["ip-address"]), [address]);
        const addrs = await lab.check("cli1", ["ip", "-6", "-o", "addr", "show", "dev", "eth0", "scope", "global"]);
        assert.ok(addrs.includes(address), addrs);
      });

      await t.step("(d) dhclient -6 -r releases the address", async () => {
        const r = await lab.run("cli1", ["timeout", "30", "dhclient", "-6", "-r", "-v", ...na]);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.ok(await until(async () => (await stat(dir, "pkt6-release-received")) >= 1, 5_000));
        const held = (await leases6(dir)).filter((x) => x["ip-address"] === address && x.state === 0);
        assert.deepEqual(held, [], "no assigned lease left on the released address");
        // the gauge moves when the release's commit is durable, a moment after the lease changed in memory
        assert.ok(await until(async () => (await stat(dir, "subnet[1].assigned-nas")) === 0, 5_000));
      });

      await t.step("(e) SIGKILL + restart: the prefix lease survives and the server DUID is the same", async () => {
        const before = await leases6(dir);
        Deno.kill(weka.pid, "SIGKILL");
        await weka.status;
        assert.equal(await Deno.readTextFile(`${dir}/kea-dhcp6-serverid`).then((s) => s.trim()), duid1);
        weka = await startWeka6(lab, cfg);
        assert.equal(serverDuidLine(weka.output), duid1);
        const after = await leases6(dir);
        assert.deepEqual(after, before);
        assert.ok(after.some((x) => `${x["ip-address"]}/${x["prefix-len"]}` === prefix));
        // the client renews its prefix with the restarted server, which recognises its own DUID
        const r = await lab.run("cli1", ["timeout", "30", "dhclient", "-6", "-P", "-1", "-v", ...pd]);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.equal(await stat(dir, "pkt6-receive-drop"), 0, weka.output.slice(-2000));
        const again = (await leases6(dir)).filter((x) => x.type === "IA_PD");
        assert.deepEqual(again.map((x) => `${x["ip-address"]}/${x["prefix-len"]}`), [prefix]);
      });

      await t.step(
        "(f) dhclient -6 on LAN C behind ISC dhcrelay -6 gets a LAN C address (through eth0's socket)",
        async () => {
          await Promise.all([linkLocalReady(lab, "cli3"), linkLocalReady(lab, "relay", "eth1")]);
          const relay = lab.spawn("relay", ["dhcrelay", "-6", "-d", "-l", "eth1", "-u", "2001:db8:a::1%eth0"]);
          await new Promise((r) => setTimeout(r, 1000));
          const c3 = ["-pf", `${dir}/dhc6-c3.pid`, "-lf", `${dir}/dhc6-c3.leases`, "eth0"];
          const r = await lab.run("cli3", ["timeout", "30", "dhclient", "-6", "-1", "-v", ...c3]);
          assert.equal(r.code, 0, r.stdout + r.stderr + relay.output);
          const addrs = await lab.check("cli3", ["ip", "-6", "-o", "addr", "show", "dev", "eth0", "scope", "global"]);
          const m = /inet6 (2001:db8:c::3[0-9a-f]{3})\//.exec(addrs);
          assert.ok(m, `no LAN C pool address on cli3:\n${addrs}`);
          const l = (await leases6(dir)).find((x) => x["ip-address"] === m[1]);
          assert.ok(l, "the relayed client's lease is in the store");
          assert.equal(l["subnet-id"], 3);
          await relay.stop();
        },
      );

      await t.step(
        "(g) dhcpcd -6 on LAN B gets an address and a prefix of LAN B (arrival interface eth1)",
        async () => {
          await linkLocalReady(lab, "cli2");
          const conf = `${dir}/dhcpcd6.conf`;
          // no router advertisements in the lab: DHCPv6 straight away, one IA_NA and one IA_PD
          await Deno.writeTextFile(conf, "noipv6rs\nipv6only\nia_na 1\nia_pd 2\nnohook resolv.conf\n");
          const r = await lab.run("cli2", [
            "timeout",
            "40",
            "dhcpcd",
            "-6",
            "-1",
            "-w",
            "-f",
            conf,
            "-t",
            "30",
            "eth0",
          ]);
          assert.equal(r.code, 0, r.stdout + r.stderr);
          const mine = (await leases6(dir)).filter((x) => x["subnet-id"] === 2);
          const na = mine.find((x) => x.type === "IA_NA"), pd = mine.find((x) => x.type === "IA_PD");
          assert.ok(na && /^2001:db8:b::2[0-9a-f]{3}$/.test(na["ip-address"]), JSON.stringify(mine));
          assert.ok(pd && /^2001:db8:b1[0-9a-f]{2}::$/.test(pd["ip-address"]) && pd["prefix-len"] === 56);
          assert.equal(na.duid, pd.duid);
          const addrs = await lab.check("cli2", ["ip", "-6", "-o", "addr", "show", "dev", "eth0", "scope", "global"]);
          assert.ok(addrs.includes(na["ip-address"]), addrs);
          assert.match(r.stdout + r.stderr, new RegExp(`delegated prefix ${pd["ip-address"]}/56`));
          await lab.run("cli2", ["dhcpcd", "-6", "-x", "eth0"]);
        },
      );

      await weka.stop();
      assert.match(weka.output, /DHCP6_SHUTDOWN/);
    } finally {
      await lab.down();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
