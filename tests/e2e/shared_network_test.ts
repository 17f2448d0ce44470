/**
 * End to end, in the project's own namespace lab (prefix `wks-`), with real dhclient clients: one weka on srv1
 * serves a shared network on eth0 holding 198.18.0.0/16 with a pool of ONE address and 10.77.0.0/24. The first
 * client (cli1, no address) gets the single 198.18 address; the second (cli, LAN A's host with a static address)
 * finds that subnet exhausted and gets 10.77.0.x from the network's second subnet; both renew (T1 = 6 s).
 * srv1's eth0 also carries 10.77.0.1/24 so that replies to 10.77.0.x are on-link and the second client's router
 * (option 3) exists; subnet selection itself needs no address: both subnets inherit the network's `interface`.
 * Needs root and the Debian packages iproute2 and isc-dhcp-client.
 */
import assert from "node:assert/strict";
import { Lab } from "./lab.ts";
import { labTest, type LeaseRow, leases, startWeka, until, writeConfig } from "./weka_proc.ts";

const why = Lab.available();
if (why) console.log(`SKIP e2e shared network: ${why}`);

/** weka's configuration: one shared network on eth0 with the two subnets, short timers so renewals come soon. */
function sharedConfig(dir: string): Record<string, unknown> {
  return {
    Dhcp4: {
      "interfaces-config": { interfaces: ["eth0"] },
      "lease-database": { type: "memfile", name: `${dir}/kea-leases4.csv` },
      "valid-lifetime": 300,
      "renew-timer": 6,
      "rebind-timer": 200,
      "shared-networks": [{
        name: "lan-a",
        interface: "eth0",
        "option-data": [{ name: "domain-name-servers", data: "198.18.0.53" }],
        subnet4: [
          {
            id: 1,
            subnet: "198.18.0.0/16",
            pools: [{ pool: "198.18.1.10 - 198.18.1.10" }],
            "option-data": [{ name: "routers", data: "198.18.0.1" }],
          },
          {
            id: 2,
            subnet: "10.77.0.0/24",
            pools: [{ pool: "10.77.0.10 - 10.77.0.20" }],
            "option-data": [{ name: "routers", data: "10.77.0.1" }],
          },
        ],
      }],
      loggers: [{ name: "kea-dhcp4", "output_options": [{ output: "stdout" }], severity: "INFO" }],
    },
  };
}

labTest(
  "e2e: a shared network hands the second client an address of its second subnet; both clients renew",
  why,
  "wks-",
  "weka-e2e-shared-",
  async (t, lab, dir) => {
    await lab.check("srv1", ["ip", "addr", "add", "10.77.0.1/24", "dev", "eth0"]);
    const cfg = await writeConfig(dir, sharedConfig(dir));
    const weka = await startWeka(lab, "srv1", cfg);
    const clients = [
      { host: "cli1", mac: await lab.mac("cli1", "eth0"), subnetId: 1, addr: /^198\.18\.1\.10$/ },
      { host: "cli", mac: await lab.mac("cli", "eth0"), subnetId: 2, addr: /^10\.77\.0\.(1\d|20)$/ },
    ];
    const got = new Map<string, LeaseRow>();

    for (const c of clients) {
      await t.step(`dhclient on ${c.host} gets an address of subnet ${c.subnetId}`, async () => {
        const files = ["-pf", `${dir}/${c.host}.pid`, "-lf", `${dir}/${c.host}.leases`, "eth0"];
        const r = await lab.run(c.host, ["timeout", "30", "dhclient", "-4", "-v", "-1", ...files]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, /DHCPACK of \S+ from 198\.18\.0\.1/);
        const l = (await leases(cfg)).find((x) => x.hwaddr === c.mac);
        assert.ok(l, `the lease of ${c.host}'s MAC is in the store`);
        assert.equal(l.subnetId, c.subnetId);
        assert.match(l.address, c.addr);
        assert.equal(l.state, 0);
        const mask = c.subnetId === 1 ? 16 : 24;
        assert.match(
          await lab.check(c.host, ["ip", "-4", "-o", "addr", "show", "eth0"]),
          new RegExp(`inet ${l.address.replaceAll(".", "\\.")}/${mask}`),
        );
        got.set(c.host, l);
      });
    }

    await t.step("both clients renew (T1 = 6 s): same address, same subnet, later lease time", async () => {
      for (const c of clients) {
        const first = got.get(c.host)!;
        const renewed = await until(
          async () => {
            const l = (await leases(cfg)).find((x) => x.hwaddr === c.mac);
            return l && l.cltt > first.cltt ? l : undefined;
          },
          25_000,
          500,
        );
        assert.ok(renewed, `${c.host} renewed within 25 s`);
        assert.equal(renewed.address, first.address);
        assert.equal(renewed.subnetId, c.subnetId);
        assert.equal(renewed.state, 0);
      }
      assert.equal((await leases(cfg)).length, 2);
    });

    await weka.stop();
    assert.doesNotMatch(weka.output, /DHCP4_PACKET_NAK/, "no client was NAKed");
  },
);
