/**
 * libdhcp_flex_option.so's parameters (mod/config/flex_option4.ts), refused as Kea 2.2's flex_option.cc refuses
 * them (its messages, at the entry's path), and what is accepted compiles to the entries the engine applies.
 */
import assert from "node:assert/strict";
import { ConfigError, formatProblem } from "../../mod/config/errors.ts";
import { parseConfigText } from "../../mod/config/load.ts";
import { noIncludes } from "./load_helpers.ts";

/** Loads with the real option tables (standard names such as tftp-server-name). */
const load4 = (dhcp4: Record<string, unknown>) =>
  parseConfigText(JSON.stringify({ Dhcp4: dhcp4 }), "t.json", noIncludes).dhcp4!;
function refused(text: string, file: string): string[] {
  try {
    parseConfigText(text, file, noIncludes);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map(formatProblem);
    throw e;
  }
  throw new Error(`accepted: ${text}`);
}

const HOOK = "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_flex_option.so";
const doc = (options: unknown) =>
  JSON.stringify({ Dhcp4: { "hooks-libraries": [{ library: HOOK, parameters: { options } }] } });

Deno.test("flex_option: entries compile with their code, action and class", () => {
  const c = load4({
    "hooks-libraries": [{
      library: HOOK,
      parameters: {
        options: [
          { name: "tftp-server-name", add: "'boot'" },
          { code: 6, "csv-format": true, supersede: "'10.0.0.1, 10.0.0.2'", "client-class": "lab" },
          { code: 3, remove: "option[12].exists" },
        ],
      },
    }],
  });
  assert.deepEqual(c.flexOptions!.options.map((f) => [f.code, f.action, f.clientClass]), [
    [66, "add", undefined],
    [6, "supersede", "lab"],
    [3, "remove", undefined],
  ]);
  const dns = c.flexOptions!.options[1];
  assert.ok(dns.action === "supersede" && dns.encode);
  assert.deepEqual([...dns.encode("10.0.0.1, 10.0.0.2")], [10, 0, 0, 1, 10, 0, 0, 2]);
});

Deno.test("flex_option: sub-options of an encapsulating option compile with their container's class and flags", () => {
  const c = load4({
    "option-def": [{ name: "config-file-name", code: 1, type: "string", space: "vendor-encapsulated-options-space" }],
    "hooks-libraries": [{
      library: HOOK,
      parameters: {
        options: [{
          code: 43,
          "client-class": "Juniper",
          "sub-options": [
            { name: "config-file-name", add: "'ztp/' + hexstring(pkt4.mac, '-')", "csv-format": true },
            { code: 2, remove: "option[60].exists", "container-remove": false },
          ],
        }],
      },
    }],
  });
  assert.deepEqual(
    c.flexOptions!.subOptions.map((
      f,
    ) => [f.container, f.code, f.action, f.containerClass, f.containerAdd, f.containerRemove]),
    [[43, 1, "add", "Juniper", true, true], [43, 2, "remove", "Juniper", true, false]],
  );
});

Deno.test("flex_option: Kea's refusals, each at its entry", () => {
  const one = (options: unknown) => refused(doc(options), "f.json").map((l) => l.replace(/^f\.json:\d+:\d+: /, ""));
  const at = "Dhcp4.hooks-libraries[0].parameters.options[0]";
  assert.deepEqual(one([{ code: 66 }]), [`${at}: no action: give one of 'add', 'supersede' or 'remove'`]);
  assert.deepEqual(one([{ code: 66, add: "'a'", remove: "true" }]), [`${at}.remove: multiple actions: add, remove`]);
  assert.deepEqual(one([{ add: "'a'" }]), [`${at}: 'code' or 'name' must be specified`]);
  assert.deepEqual(one([{ code: 255, add: "'a'" }]), [`${at}.code: invalid 'code' value 255: reserved for END`]);
  assert.deepEqual(one([{ name: "routers", code: 6, add: "'a'" }]), [
    `${at}.code: option 'routers' is defined as code: 3, not the specified code: 6`,
  ]);
  assert.deepEqual(one([{ name: "no-such", add: "'a'" }]), [`${at}.name: no known 'no-such' option in 'dhcp4' space`]);
  assert.deepEqual(one([{ code: 66, add: "" }]), [`${at}.add: 'add' must not be empty`]);
  assert.deepEqual(one([{ code: 66, adds: "'a'" }]), [`${at}.adds: unknown parameter 'adds'`]);
  assert.match(
    one([{ code: 66, add: "concat('a'" }])[0],
    /options\[0\]\.add: can't parse add expression \[concat\('a'\] error: at column/,
  );
  assert.match(one([{ code: 3, remove: "'not a test'" }])[0], /options\[0\]\.remove: can't parse remove expression/);
  assert.deepEqual(one([{ code: 43, add: "'x'", "sub-options": [{ code: 1, add: "'x'" }] }]), [
    `${at}.sub-options: 'sub-options' and 'add' are incompatible in the same entry`,
  ]);
  assert.deepEqual(one([{ code: 43, "sub-options": [{ code: 1, add: "'x'", "sub-options": [] }] }]), [
    `${at}.sub-options[0].sub-options: unknown parameter 'sub-options'`,
  ]);
  assert.deepEqual(one([{ code: 224, "sub-options": [{ code: 1, add: "'x'" }] }]), [
    `${at}.sub-options[0]: container is not defined: can't get space`,
  ]);
  assert.deepEqual(one([{ code: 3, "sub-options": [{ code: 1, add: "'x'" }] }]), [
    `${at}.sub-options[0]: container does not encapsulate a space`,
  ]);
  assert.deepEqual(one([{ code: 125, "sub-options": [{ code: 1, space: "vendor-4491", add: "'x'" }] }]), [
    `${at}.sub-options[0].space: flex_option sub-options of the vendor space 'vendor-4491' are not built into weka yet`,
  ]);
  assert.deepEqual(refused(JSON.stringify({ Dhcp4: { "hooks-libraries": [{ library: HOOK }] } }), "f.json"), [
    "f.json:1:30: Dhcp4.hooks-libraries[0].parameters: 'options' parameter is mandatory",
  ]);
});
