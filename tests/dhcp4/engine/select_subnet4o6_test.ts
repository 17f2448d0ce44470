/**
 * DHCPv4-over-DHCPv6 subnet selection (RFC 7341; Kea's CfgSubnets4::selectSubnet4o6) over a loaded Dhcp4 map:
 * `4o6-subnet` by the DHCPv6 source address, then `4o6-interface-id` by the relay's Interface-Id, then
 * `4o6-interface` by the DHCPv6 server's interface, subnet by subnet in configuration order; subnets without a
 * selector and subnets whose class guard refuses the client are passed over.
 */
import assert from "node:assert/strict";
import { parseConfigText } from "../../../mod/config/load.ts";
import { selectSubnet4o6 } from "../../../mod/dhcp4/engine/select_subnet4o6.ts";
import { parseIpv6Big } from "../../../mod/config/addr6.ts";

const config = parseConfigText(
  JSON.stringify({
    Dhcp4: {
      subnet4: [
        { id: 1, subnet: "10.0.1.0/24" }, // no selector: never a 4o6 subnet
        { id: 2, subnet: "10.0.2.0/24", "4o6-subnet": "2001:db8:1:1::/64", "4o6-interface": "" },
        { id: 3, subnet: "10.0.3.0/24", "4o6-interface-id": "ifid-7" },
        { id: 4, subnet: "10.0.4.0/24", "4o6-interface": "eth1", "client-class": "KNOWN" },
        { id: 5, subnet: "10.0.5.0/24", "4o6-interface": "eth1" },
      ],
    },
  }),
  "c.json",
  () => "",
).dhcp4!;

const q = (remote: string, iface = "eth0", interfaceId?: string) => ({
  remote: parseIpv6Big(remote)!,
  iface,
  ...(interfaceId ? { interfaceId: new TextEncoder().encode(interfaceId) } : {}),
});

Deno.test("4o6 selection: the compiled selectors", () => {
  assert.equal(config.subnets[0].dhcp4o6, undefined);
  assert.deepEqual(config.subnets[1].dhcp4o6, { prefix: { network: parseIpv6Big("2001:db8:1:1::")!, len: 64 } });
  assert.deepEqual(config.subnets[2].dhcp4o6, { interfaceId: new TextEncoder().encode("ifid-7") });
});

Deno.test("4o6 selection: prefix, then interface-id, then interface; class guards and selector-less subnets skipped", () => {
  assert.equal(selectSubnet4o6(config, q("2001:db8:1:1::99"))?.id, 2);
  assert.equal(selectSubnet4o6(config, q("2001:db8:99::1", "eth0", "ifid-7"))?.id, 3);
  assert.equal(selectSubnet4o6(config, q("2001:db8:99::1", "eth0", "ifid-8")), undefined);
  // subnet 4 is guarded by KNOWN: an unknown client falls to subnet 5 on the same interface
  assert.equal(selectSubnet4o6(config, q("2001:db8:99::1", "eth1"), new Set(["ALL", "UNKNOWN"]))?.id, 5);
  assert.equal(selectSubnet4o6(config, q("2001:db8:99::1", "eth1"), new Set(["ALL", "KNOWN"]))?.id, 4);
  // in the prefix and with a matching interface-id: the earlier subnet wins (configuration order)
  assert.equal(selectSubnet4o6(config, q("2001:db8:1:1::5", "eth1", "ifid-7"))?.id, 2);
});
