import assert, { equal } from "node:assert/strict";
import { AGENT_OPTION_DEFS, DHCP4_OPTION_DEFS, findOption4, listOptions4 } from "../../mod/options/mod.ts";

Deno.test("findOption4: by Kea name, by code, by numeric string", () => {
  equal(findOption4("routers")?.code, 3);
  equal(findOption4(3)?.name, "routers");
  equal(findOption4("6")?.name, "domain-name-servers");
  equal(findOption4("dhcp-server-identifier")?.code, 54);
  equal(findOption4("classless-static-route")?.type, "internal");
  equal(findOption4("domain-search")?.array, true);
  equal(findOption4("fqdn")?.recordTypes?.join(","), "uint8,uint8,uint8,fqdn");
  equal(findOption4(82)?.encapsulate, "dhcp-agent-options-space");
  equal(findOption4(143)?.tupleLength, 2);
  equal(findOption4("no-such-option"), undefined);
  equal(findOption4(250), undefined);
  equal(findOption4("routers", "no-such-space"), undefined);
});

Deno.test("findOption4: the relay agent sub-option space", () => {
  equal(findOption4("circuit-id", "dhcp-agent-options-space")?.code, 1);
  equal(findOption4(11, "dhcp-agent-options-space")?.name, "server-id-override");
  equal(findOption4("relay-port", "dhcp-agent-options-space")?.type, "uint16");
  equal(findOption4("circuit-id"), undefined); // not in "dhcp4"
});

Deno.test("tables: unique names and codes, valid codes, records have field types", () => {
  for (const defs of [DHCP4_OPTION_DEFS, AGENT_OPTION_DEFS]) {
    equal(new Set(defs.map((d) => d.name)).size, defs.length);
    equal(new Set(defs.map((d) => d.code)).size, defs.length);
    for (const d of defs) {
      assert(d.code >= 1 && d.code <= 254, `${d.name}: code ${d.code}`);
      assert((d.type === "record") === (d.recordTypes !== undefined), `${d.name}: recordTypes`);
      assert(Object.isFrozen(d));
    }
  }
  assert(DHCP4_OPTION_DEFS.length >= 120, `only ${DHCP4_OPTION_DEFS.length} dhcp4 definitions`);
  equal(listOptions4().length, DHCP4_OPTION_DEFS.length);
  equal(listOptions4("dhcp-agent-options-space").length, AGENT_OPTION_DEFS.length);
});
