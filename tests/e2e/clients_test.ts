/**
 * End to end, in the project's own namespace lab, with real clients (issue 2 "Show"): dhclient on LAN A, dhcpcd on
 * LAN B (the arrival interface picks the subnet), udhcpc on LAN C behind ISC dhcrelay, a renewal that keeps the
 * address, a release that marks the lease released, and a SIGKILL + restart that loses no lease.
 * Needs root and the Debian packages iproute2, isc-dhcp-client, dhcpcd-base, udhcpc, isc-dhcp-relay.
 */
import assert from "node:assert/strict";
import { Lab } from "./lab.ts";
import { labConfig, type LeaseRow, leases, startWeka, until, writeConfig } from "./weka_proc.ts";
import { udhcpcOnce } from "./weka_proc.ts";

const why = Lab.available();
if (why) console.log(`SKIP e2e clients: ${why}`);

function inSubnet(addr: string, prefix: string): boolean {
  return addr.startsWith(prefix);
}

Deno.test({
  name: "e2e: dhclient, dhcpcd and udhcpc behind dhcrelay get leases from one weka; renew, release, SIGKILL restart",
  ignore: why !== undefined,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const dir = await Deno.makeTempDir({ prefix: "weka-e2e-" });
    const lab = await Lab.up("wke-");
    try {
      const cfg = await writeConfig(dir, labConfig(dir));
      let weka = await startWeka(lab, "srv1", cfg);
      const mac1 = await lab.mac("cli1", "eth0");
      const mac2 = await lab.mac("cli2", "eth0");
      const mac3 = await lab.mac("cli3", "eth0");
      const dhc = ["-pf", `${dir}/dhclient.pid`, "-lf", `${dir}/dhclient.leases`, "eth0"];
      let first: LeaseRow | undefined;

      await t.step("dhclient on LAN A gets a LAN A address, configured on its interface", async () => {
        const r = await lab.run("cli1", ["timeout", "30", "dhclient", "-4", "-v", "-1", ...dhc]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, /DHCPACK of 198\.18\.\d+\.\d+ from 198\.18\.0\.1/);
        const addrs = await lab.check("cli1", ["ip", "-4", "-o", "addr", "show", "eth0"]);
        assert.match(addrs, /inet 198\.18\.\d+\.\d+\/16/);
        first = (await leases(cfg)).find((l) => l.hwaddr === mac1);
        assert.ok(first, "the lease of dhclient's MAC is in the store");
        assert.equal(first.subnetId, 1);
        assert.ok(inSubnet(first.address, "198.18."));
        assert.equal(first.state, 0);
      });

      await t.step("dhcpcd on LAN B gets a LAN B address from the same weka (arrival interface decides)", async () => {
        const r = await lab.run("cli2", [
          "timeout",
          "40",
          "dhcpcd",
          "-4",
          "-1",
          "-w",
          "--noipv4ll",
          "--nohook",
          "resolv.conf",
          "-t",
          "30",
          "eth0",
        ]);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        const l = (await leases(cfg)).find((x) => x.hwaddr === mac2);
        assert.ok(l, "the lease of dhcpcd's MAC is in the store");
        assert.equal(l.subnetId, 2);
        assert.ok(inSubnet(l.address, "198.19.1."), l.address);
        assert.match(
          await lab.check("cli2", ["ip", "-4", "-o", "addr", "show", "eth0"]),
          new RegExp(`inet ${l.address}/16`),
        );
        await lab.run("cli2", ["dhcpcd", "-4", "-x", "eth0"]); // stop its daemon; the lease stays
      });

      await t.step("udhcpc on LAN C behind dhcrelay gets a LAN C address", async () => {
        const relay = lab.spawn("relay", [
          "dhcrelay",
          "-4",
          "-d",
          "--no-pid",
          "-id",
          "eth1",
          "-iu",
          "eth0",
          "198.18.0.1",
        ]);
        try {
          await new Promise((r) => setTimeout(r, 800));
          const r = await udhcpcOnce(lab, "cli3");
          assert.match(r, /lease of 198\.20\.1\.\d+ obtained/);
          const l = (await leases(cfg)).find((x) => x.hwaddr === mac3);
          assert.ok(l);
          assert.equal(l.subnetId, 3);
          assert.ok(inSubnet(l.address, "198.20.1."), l.address);
        } finally {
          await relay.stop();
        }
      });

      await t.step("a renewal (T1 = 6 s) keeps the address and moves the lease time", async () => {
        const renewed = await until(
          async () => {
            const l = (await leases(cfg)).find((x) => x.hwaddr === mac1);
            return l && l.cltt > first!.cltt ? l : undefined;
          },
          20_000,
          500,
        );
        assert.ok(renewed, "dhclient renewed within 20 s");
        assert.equal(renewed.address, first!.address);
        assert.equal(renewed.state, 0);
      });

      await t.step("a release marks the lease released (lease affinity keeps it)", async () => {
        const r = await lab.run("cli1", ["timeout", "20", "dhclient", "-4", "-v", "-r", ...dhc]);
        assert.equal(r.code, 0, r.stderr);
        const l = await until(async () => {
          const x = (await leases(cfg)).find((y) => y.hwaddr === mac1);
          return x?.state === 3 ? x : undefined;
        }, 5_000);
        assert.ok(l, "lease state becomes 3 (released)");
        assert.equal(l.address, first!.address);
        assert.equal(l.validLifetime, 0);
      });

      await t.step("weka killed with SIGKILL and restarted still has every lease", async () => {
        const before = await leases(cfg);
        assert.equal(before.length, 3);
        weka.kill("SIGKILL");
        await weka.status;
        weka = await startWeka(lab, "srv1", cfg);
        // startWeka may return as soon as the socket is bound, before the lease-database line is written
        const loaded = await until(() => Promise.resolve(/3 lease\(s\) loaded/.test(weka.output)), 10_000);
        assert.ok(loaded, weka.output);
        const after = await leases(cfg);
        assert.deepEqual(after, before);
        // and it still serves: udhcpc on LAN A
        const r = await udhcpcOnce(lab, "cli1");
        assert.match(r, /lease of 198\.18\.\d+\.\d+ obtained/);
      });
      await weka.stop();
    } finally {
      await lab.down();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
