/** The command registry: request parsing (with comments), Kea's refusals and result codes. */
import assert from "node:assert/strict";
import { CommandRegistry, parseRequest } from "../../mod/control/registry.ts";
import { badArgs, ok, Result } from "../../mod/control/answer.ts";

function registry(): CommandRegistry {
  const reg = new CommandRegistry();
  reg.register("echo", (args) => ok("echo", args));
  reg.register("needs-x", (args) => {
    if (typeof args?.x !== "number") badArgs("needs-x: missing mandatory 'x' parameter");
    return ok();
  });
  reg.register("boom", () => {
    throw new Error("disk on fire");
  });
  return reg;
}

Deno.test("a request with #, // and /* */ comments is accepted, as Kea accepts it", async () => {
  const text = `# a shell-style comment
  { // the command
    "command": "echo", /* the arguments */ "arguments": { "a": "x#y" } }`;
  const a = await registry().dispatch(text);
  assert.deepEqual(a, { result: 0, text: "echo", arguments: { a: "x#y" } });
});

Deno.test("an unknown command answers 2 with Kea's text", async () => {
  const a = await registry().dispatch('{"command": "no-such-thing"}');
  assert.equal(a.result, Result.UNSUPPORTED);
  assert.equal(a.text, "'no-such-thing' command not supported.");
});

Deno.test("malformed JSON answers 1 and says where", async () => {
  const a = await registry().dispatch('{"command": "echo", "arguments": {');
  assert.equal(a.result, Result.ERROR);
  assert.match(a.text!, /invalid JSON in the request at line 1/);
  assert.throws(() => parseRequest("{,}"), /invalid JSON/);
});

Deno.test("a request without 'command', or not a map, answers 1", async () => {
  assert.match((await registry().dispatch('{"arguments": {}}')).text!, /mandatory 'command'/);
  assert.match((await registry().dispatch("[1, 2]")).text!, /must be a JSON map/);
  assert.equal((await registry().dispatch('{"command": 5}')).result, 1);
});

Deno.test("'arguments' that are not a map reach the handler as none, as Kea's handlers see them", async () => {
  const a = await registry().dispatch('{"command": "needs-x", "arguments": [1]}');
  assert.deepEqual(a, { result: 1, text: "needs-x: missing mandatory 'x' parameter" });
  assert.equal((await registry().dispatch('{"command": "echo", "arguments": [1]}')).result, 0);
});

Deno.test("service is ignored on a daemon's own socket, whatever it holds, as kea-dhcp4 2.2 ignores it", async () => {
  const reg = registry();
  for (const service of [[], ["dhcp4"], ["dhcp6"], ["dhcp4", "dhcp6"], "dhcp4", [1]]) {
    assert.equal((await reg.dispatch({ command: "echo", service })).result, 0, JSON.stringify(service));
  }
});

Deno.test("a handler's CommandError becomes its answer; any other failure answers 1 with the reason", async () => {
  const reg = registry();
  assert.deepEqual(await reg.dispatch({ command: "needs-x" }), {
    result: 1,
    text: "needs-x: missing mandatory 'x' parameter",
  });
  const boom = await reg.dispatch({ command: "boom" });
  assert.equal(boom.result, 1);
  assert.match(boom.text!, /disk on fire/);
});

Deno.test("names are sorted and unregister removes a command", () => {
  const reg = registry();
  assert.deepEqual(reg.names(), ["boom", "echo", "needs-x"]);
  reg.unregister("boom");
  assert.equal(reg.has("boom"), false);
});
