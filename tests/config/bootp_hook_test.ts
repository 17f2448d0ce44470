// libdhcp_bootp.so is built in (mod/dhcp4/engine/bootp.ts): a Dhcp4 map naming it loads (parameters or not, as Kea
// 2.2 takes any), and the compiled model lists it so the engine answers BOOTP; in Dhcp6 it loads with a warning, as
// kea-dhcp6 2.2 loads it and never calls it.
import assert from "node:assert/strict";
import { parseConfigText } from "../../mod/config/load.ts";
import { bootpEnabled } from "../../mod/dhcp4/engine/bootp.ts";

const LIB = "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_bootp.so";

Deno.test("config: libdhcp_bootp.so switches on the built-in BOOTP support of Dhcp4", () => {
  const on = parseConfigText(
    JSON.stringify({ Dhcp4: { "hooks-libraries": [{ library: LIB, parameters: {} }], subnet4: [] } }),
    "bootp.json",
    () => "",
  );
  assert.deepEqual(on.warnings, []);
  assert.equal(bootpEnabled(on.dhcp4!), true);
  const off = parseConfigText(JSON.stringify({ Dhcp4: { subnet4: [] } }), "plain.json", () => "");
  assert.equal(bootpEnabled(off.dhcp4!), false);
});

Deno.test("config: libdhcp_bootp.so in Dhcp6 loads with a warning (BOOTP is DHCPv4 only)", () => {
  const r = parseConfigText(
    JSON.stringify({ Dhcp6: { "hooks-libraries": [{ library: LIB }], subnet6: [] } }),
    "bootp6.json",
    () => "",
  );
  assert.ok(r.dhcp6);
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0].message, /does nothing in Dhcp6: BOOTP is DHCPv4 only/);
  assert.match(r.warnings[0].message, /libdhcp_bootp\.so/);
});
