/** Kea's `service` rule per daemon: each registry accepts its own daemon name and refuses the others. */
import assert from "node:assert/strict";
import { CommandRegistry } from "../../mod/control/registry.ts";
import { ok } from "../../mod/control/answer.ts";

Deno.test("registry: 'service' names the daemon — dhcp4, dhcp6 and d2 each accept only their own", async () => {
  for (const own of ["dhcp4", "dhcp6", "d2"]) {
    const reg = new CommandRegistry(own);
    reg.register("ping", () => ok("pong"));
    assert.equal((await reg.dispatch({ command: "ping", service: [own] })).result, 0);
    assert.equal((await reg.dispatch({ command: "ping" })).result, 0);
    for (const other of ["dhcp4", "dhcp6", "d2"].filter((o) => o !== own)) {
      const a = await reg.dispatch({ command: "ping", service: [other] });
      assert.deepEqual([a.result, a.text], [1, `unsupported service '${other}'`]);
    }
  }
});
