/**
 * The dhcp-disable origins are bounded (issue 9 item 6): a partner or control user sending dhcp-disable with one
 * origin-id after another fills at most MAX_ORIGINS remote (or local) entries; the next new id is refused with
 * result 1 and changes nothing, an id already holding the service is still accepted, and room comes back with an
 * enable.
 */
import assert from "node:assert/strict";
import { buildRegistry } from "../../mod/control/channel.ts";
import { MAX_ORIGINS } from "../../mod/control/dhcp_state.ts";
import { testContext } from "./helpers.ts";

Deno.test("dhcp-disable: at most MAX_ORIGINS remote origin ids; the next is refused with result 1", async () => {
  const ctx = await testContext();
  try {
    const reg = buildRegistry(ctx);
    const disable = (id: number) => reg.dispatch({ command: "dhcp-disable", arguments: { "origin-id": id } });
    for (let i = 0; i < MAX_ORIGINS; i++) assert.equal((await disable(2000 + i)).result, 0);
    const refused = await disable(9999);
    assert.equal(refused.result, 1);
    assert.match(refused.text!, /64 remote origins already hold the DHCP service disabled; origin-id 9999 refused/);
    assert.equal((await disable(2005)).result, 0, "an origin already holding it may disable again");
    const report = ctx.dhcpState.report();
    assert.equal(report["disabled-by-remote-command"].length, MAX_ORIGINS);
    assert.ok(!report["disabled-by-remote-command"].includes(9999));
    await reg.dispatch({ command: "dhcp-enable", arguments: { "origin-id": 2000 } });
    assert.equal((await disable(9999)).result, 0, "room again after an enable");
    assert.equal((await disable(1500)).result, 0, "local origins have their own bound");
  } finally {
    await ctx.store.close();
  }
});
