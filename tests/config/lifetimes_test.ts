import assert from "node:assert/strict";
import { parseConfigText } from "../../mod/config/load.ts";
import { ConfigError } from "../../mod/config/errors.ts";

const load = (d: Record<string, unknown>) => parseConfigText(JSON.stringify({ Dhcp4: d }), "t.json", () => "");

Deno.test("a subnet's shorter valid-lifetime is fine when min/max were never configured (Kea defaults them per scope)", () => {
  const c = load({ subnet4: [{ id: 1, subnet: "10.0.0.0/24", "valid-lifetime": 1800 }] });
  const t = c.dhcp4!.subnets[0].timers;
  assert.deepEqual([t.validLifetime, t.minValidLifetime, t.maxValidLifetime], [1800, 1800, 1800]);
});

Deno.test("an explicit global min-valid-lifetime above a subnet's valid-lifetime is refused, as Kea 2.2 refuses it", () => {
  assert.throws(
    () => load({ "min-valid-lifetime": 3000, subnet4: [{ id: 1, subnet: "10.0.0.0/24", "valid-lifetime": 1800 }] }),
    (e: unknown) =>
      e instanceof ConfigError &&
      /subnet4\[0\]: min-valid-lifetime \(3000\) is greater than valid-lifetime \(1800\)/.test(e.format()),
  );
});
