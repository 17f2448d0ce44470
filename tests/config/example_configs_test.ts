/** The example configurations shipped in config/ load, and say what the appliance promises. */
import assert from "node:assert/strict";
import { loadConfigFile } from "../../mod/config/load.ts";

const CONFIG = new URL("../../config/", import.meta.url).pathname;

Deno.test("config/weka.json: serves no interface, keeps leases in /var/lib/weka/leases4.kv", async () => {
  const c = await loadConfigFile(CONFIG + "weka.json");
  assert.deepEqual(c.warnings, []);
  const d = c.dhcp4!;
  assert.deepEqual(d.interfaces, []);
  assert.deepEqual(d.lease, { type: "kv", path: "/var/lib/weka/leases4.kv", persist: true });
  assert.equal(d.subnets.length, 1);
  assert.equal(d.subnets[0].options.size, 2);
});

Deno.test("config/demo.json: serves eth0 on the demo lab's LAN A (198.18.0.0/16) with a reservation", async () => {
  const c = await loadConfigFile(CONFIG + "demo.json");
  const d = c.dhcp4!;
  assert.deepEqual(d.interfaces, [{ name: "eth0" }]);
  const s = d.subnets[0];
  assert.equal(s.prefix, "198.18.0.0/16");
  assert.equal(s.reservations.get("02:00:00:00:00:10")?.ipAddress, 0xc612010a); // 198.18.1.10
  assert.equal(s.authoritative, true);
});

Deno.test("config/ha-server1.json and ha-server2.json: one hot-standby pair, differing only in who is who", async () => {
  const a = (await loadConfigFile(CONFIG + "ha-server1.json")).dhcp4!;
  const b = (await loadConfigFile(CONFIG + "ha-server2.json")).dhcp4!;
  assert.equal(a.ha?.thisServerName, "server1");
  assert.equal(b.ha?.thisServerName, "server2");
  assert.equal(a.ha?.mode, "hot-standby");
  assert.deepEqual(a.ha?.peers, b.ha?.peers);
  assert.deepEqual(a.ha?.peers.map((p) => [p.name, p.role, p.url]), [
    ["server1", "primary", "http://198.18.0.1:8001/"],
    ["server2", "standby", "http://198.18.0.2:8001/"],
  ]);
  assert.notEqual(a.lease.path, b.lease.path);
});

Deno.test("config/weka6.json: the DHCPv6 default serves no interface, with one subnet, pool and pd-pool", async () => {
  const c = await loadConfigFile(CONFIG + "weka6.json");
  assert.deepEqual(c.warnings, []);
  const d = c.dhcp6!;
  assert.deepEqual(d.interfaces, []);
  assert.equal(d.subnets.length, 1);
  assert.equal(d.subnets[0].pools.length, 1);
  assert.equal(d.subnets[0].pdPools[0].delegatedLen, 56);
});
