/**
 * End to end, in the project's own namespace lab (prefix `wkh-`), with real clients: host reservations by
 * identifier. ISC dhclient sending a configured `dhcp-client-identifier` gets the address reserved for that
 * client-id; busybox udhcpc sending a host name (option 12) gets the address reserved by flex-id, computed by the
 * built-in flex-id hook from `option[12].hex`; a client matching no reservation gets a pool address.
 * Needs root and the Debian packages iproute2, isc-dhcp-client, udhcpc.
 */
import assert from "node:assert/strict";
import { Lab } from "./lab.ts";
import { labConfig, labTest, leases, startWeka, udhcpcOnce, writeConfig } from "./weka_proc.ts";

const why = Lab.available();
if (why) console.log(`SKIP e2e host identifiers: ${why}`);

const CLIENT_ID = "01:aa:bb:cc:dd:ee:01";

/** The lab config plus host-reservation-identifiers, the flex-id hook and one reservation per identifier. */
function config(dir: string): Record<string, unknown> {
  const base = labConfig(dir) as { Dhcp4: { subnet4: Record<string, unknown>[] } };
  base.Dhcp4.subnet4[0].reservations = [{ "client-id": CLIENT_ID, "ip-address": "198.18.0.50", hostname: "by-cid" }];
  base.Dhcp4.subnet4[1].reservations = [{ "flex-id": "'kiosk-17'", "ip-address": "198.19.0.77" }];
  return {
    Dhcp4: {
      ...base.Dhcp4,
      "host-reservation-identifiers": ["hw-address", "duid", "circuit-id", "client-id", "flex-id"],
      "hooks-libraries": [{
        library: "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_flex_id.so",
        parameters: { "identifier-expression": "option[12].hex" },
      }],
    },
  };
}

labTest(
  "e2e: reservations by client-id (dhclient) and by flex-id from option 12 (udhcpc); others get pool addresses",
  why,
  "wkh-",
  "weka-wkh-",
  async (t, lab, dir) => {
    const cfg = await writeConfig(dir, config(dir));
    const weka = await startWeka(lab, "srv1", cfg);
    try {
      await t.step("dhclient sending a dhcp-client-identifier gets its client-id reservation", async () => {
        await Deno.writeTextFile(`${dir}/dhclient.conf`, `send dhcp-client-identifier ${CLIENT_ID};\n`);
        const args = ["-cf", `${dir}/dhclient.conf`, "-pf", `${dir}/dhclient.pid`, "-lf", `${dir}/dhclient.leases`];
        const r = await lab.run("cli1", ["timeout", "30", "dhclient", "-4", "-v", "-1", ...args, "eth0"]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, /DHCPACK of 198\.18\.0\.50 from 198\.18\.0\.1/);
        assert.match(await lab.check("cli1", ["ip", "-4", "-o", "addr", "show", "eth0"]), /inet 198\.18\.0\.50\//);
        const l = (await leases(cfg)).find((x) => x.address === "198.18.0.50");
        assert.ok(l, "the reserved address is leased");
        assert.equal(l.clientId, CLIENT_ID);
        assert.equal(l.hostname, "by-cid");
        await lab.run("cli1", ["timeout", "20", "dhclient", "-4", "-r", ...args, "eth0"]);
      });

      await t.step("udhcpc sending host name kiosk-17 gets the address reserved by flex-id", async () => {
        const out = await udhcpcOnce(lab, "cli2", ["-x", "hostname:kiosk-17"]);
        assert.match(out, /lease of 198\.19\.0\.77 obtained/);
        const l = (await leases(cfg)).find((x) => x.address === "198.19.0.77");
        assert.ok(l, "the flex-id reserved address is leased");
        assert.equal(l.hwaddr, await lab.mac("cli2", "eth0"));
        assert.equal(l.subnetId, 2);
      });

      await t.step(
        "a client matching no reservation gets a pool address (another host name, another id)",
        async () => {
          const out = await udhcpcOnce(lab, "cli1", ["-x", "hostname:kiosk-18"]);
          const m = /lease of (198\.18\.\d+\.\d+) obtained/.exec(out);
          assert.ok(m, out);
          assert.notEqual(m[1], "198.18.0.50");
          assert.match(m[1], /^198\.18\.([1-9]\d*)\.\d+$/, "an address of the pool 198.18.1.0-198.18.255.250");
        },
      );
    } finally {
      await weka.stop();
    }
  },
);
