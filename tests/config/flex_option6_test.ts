/**
 * libdhcp_flex_option.so in Dhcp6 (mod/config/flex_option4.ts with FLEX6): entries name options of the dhcp6 space
 * (16-bit codes), `csv-format` encodes with the DHCPv6 definitions, expressions resolve option names in dhcp6, and
 * Kea's refusals carry the Dhcp6 path. Before, Dhcp6 refused the hook as "DHCPv4 only".
 */
import assert from "node:assert/strict";
import { ConfigError, formatProblem } from "../../mod/config/errors.ts";
import { parseConfigText } from "../../mod/config/load.ts";
import { noIncludes } from "./load_helpers.ts";

const HOOK = "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_flex_option.so";
const doc = (options: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ Dhcp6: { "hooks-libraries": [{ library: HOOK, parameters: { options } }], ...extra } });
const load6 = (options: unknown, extra: Record<string, unknown> = {}) =>
  parseConfigText(doc(options, extra), "t.json", noIncludes).dhcp6!;
function refused(text: string): string[] {
  try {
    parseConfigText(text, "t.json", noIncludes);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map(formatProblem);
    throw e;
  }
  throw new Error(`accepted: ${text}`);
}

Deno.test("flex_option (Dhcp6): entries compile with dhcp6 names, 16-bit codes and DHCPv6 CSV encodings", () => {
  const c = load6([
    { name: "bootfile-url", add: "'tftp://[2001:db8::1]/boot'" },
    { code: 23, "csv-format": true, supersede: "'2001:db8::53, 2001:db8::54'", "client-class": "lab" },
    { code: 24, remove: "option[elapsed-time].exists" },
    { code: 65000, add: "'raw'" },
  ]);
  assert.deepEqual(c.flexOptions!.options.map((f) => [f.code, f.action, f.clientClass]), [
    [59, "add", undefined],
    [23, "supersede", "lab"],
    [24, "remove", undefined],
    [65000, "add", undefined],
  ]);
  const dns = c.flexOptions!.options[1];
  assert.ok(dns.action === "supersede" && dns.encode);
  const bytes = dns.encode("2001:db8::53, 2001:db8::54");
  assert.equal(bytes.length, 32, "two IPv6 addresses, dhcp6's dns-servers definition");
  assert.deepEqual([...bytes.subarray(0, 4), bytes[15], bytes[31]], [0x20, 0x01, 0x0d, 0xb8, 0x53, 0x54]);
});

Deno.test("flex_option (Dhcp6): sub-options of a container in a custom DHCPv6 space", () => {
  const c = load6([{
    name: "lab-container",
    "sub-options": [{ name: "greeting", add: "'hello'", "csv-format": true, "container-remove": false }],
  }], {
    "option-def": [
      { name: "lab-container", code: 65001, type: "empty", encapsulate: "lab6" },
      { name: "greeting", code: 300, type: "string", space: "lab6" },
    ],
  });
  assert.deepEqual(
    c.flexOptions!.subOptions.map((s) => [s.container, s.code, s.action, s.containerAdd, s.containerRemove]),
    [[65001, 300, "add", true, false]],
  );
});

Deno.test("flex_option (Dhcp6): Kea's refusals at the Dhcp6 path; the hook is no longer refused as DHCPv4 only", () => {
  const at = "Dhcp6.hooks-libraries[0].parameters.options";
  const p = refused(doc([
    { code: 70000, add: "'x'" },
    { name: "tftp-server-name", add: "'x'" },
    { code: 0, add: "'x'" },
    { name: "dns-servers", code: 24, add: "'x'" },
    { code: 23, add: "'x'", remove: "'a' == 'a'" },
    { code: 1, "sub-options": [{ code: 1, add: "'x'" }] },
  ]));
  const has = (s: string) => assert.ok(p.some((l) => l.endsWith(`${at}${s}`)), `${s}\n${p.join("\n")}`);
  has("[0].code: invalid 'code' value 70000 not in [0..65535]");
  has("[1].name: no known 'tftp-server-name' option in 'dhcp6' space");
  has("[2].code: invalid 'code' value 0: reserved");
  has("[3].code: option 'dns-servers' is defined as code: 23, not the specified code: 24");
  has("[4].remove: multiple actions: add, remove");
  has("[5].sub-options[0]: container does not encapsulate a space");
  assert.ok(!p.some((l) => l.includes("DHCPv4 only")), p.join("\n"));
});
