/**
 * Host reservations by every DHCPv4 identifier Kea 2.2 knows (hw-address, duid, circuit-id, client-id, flex-id),
 * `host-reservation-identifiers`, and the built-in flex-id hook (libdhcp_flex_id.so): how each identifier form
 * compiles into the model's host keys, and bad ones refused with their exact message, JSON path and
 * file:line:col.
 */
import assert from "node:assert/strict";
import { load4WithWarnings as load, refused } from "./load_helpers.ts";

const FLEX = {
  library: "/usr/lib/kea/hooks/libdhcp_flex_id.so",
  parameters: { "identifier-expression": "option[12].hex" },
};
const subnet = (reservations: unknown[]) => ({ id: 1, subnet: "192.0.2.0/24", reservations });

Deno.test("each identifier form compiles to its host key; reserved addresses point at that key", () => {
  const { c } = load({
    "host-reservation-identifiers": ["circuit-id", "hw-address", "duid", "client-id", "flex-id"],
    "hooks-libraries": [FLEX],
    subnet4: [subnet([
      { "hw-address": "1A:1B:1C:1D:1E:1F", "ip-address": "192.0.2.201" },
      { "client-id": "01:11:22:33:44:55:66", "ip-address": "192.0.2.202", hostname: "special-snowflake" },
      { duid: "01:02:03:04:05", "ip-address": "192.0.2.203" },
      { "circuit-id": "'eth0/1'", "ip-address": "192.0.2.204" },
      { "circuit-id": "0x0102ff" },
      { "flex-id": "'s0mEVaLue'", "ip-address": "192.0.2.206" },
      { "flex-id": "66 6f 6f" },
    ])],
  });
  const s = c.subnets[0];
  assert.deepEqual([...s.reservations.keys()], [
    "1a:1b:1c:1d:1e:1f",
    "client-id=01:11:22:33:44:55:66",
    "duid=01:02:03:04:05",
    "circuit-id=65:74:68:30:2f:31",
    "circuit-id=01:02:ff",
    "flex-id=73:30:6d:45:56:61:4c:75:65",
    "flex-id=66:6f:6f",
  ]);
  const cid = s.reservations.get("client-id=01:11:22:33:44:55:66")!;
  assert.equal(cid.hwaddr, "");
  assert.equal(cid.idType, "client-id");
  assert.equal(cid.id, "01:11:22:33:44:55:66");
  assert.equal(cid.hostname, "special-snowflake");
  assert.equal(s.reservations.get("1a:1b:1c:1d:1e:1f")!.hwaddr, "1a:1b:1c:1d:1e:1f");
  assert.equal(s.reservations.get("1a:1b:1c:1d:1e:1f")!.idType, undefined);
  assert.deepEqual([...s.reservedAddresses], [
    [0xc00002c9, "1a:1b:1c:1d:1e:1f"],
    [0xc00002ca, "client-id=01:11:22:33:44:55:66"],
    [0xc00002cb, "duid=01:02:03:04:05"],
    [0xc00002cc, "circuit-id=65:74:68:30:2f:31"],
    [0xc00002ce, "flex-id=73:30:6d:45:56:61:4c:75:65"],
  ]);
  assert.deepEqual(c.hostIdentifiers, ["circuit-id", "hw-address", "duid", "client-id", "flex-id"]);
  assert.deepEqual(c.flexId?.expr, { t: "option", code: 12, repr: "hex" });
  assert.ok(c.hooks.includes("libdhcp_flex_id.so"));
});

Deno.test("host-reservation-identifiers: absent means Kea's default order; global client-id reservations compile", () => {
  const { c, warnings } = load({
    "reservations-global": true,
    reservations: [{ "client-id": "01:aa:bb:cc:dd:ee:ff", "ip-address": "192.0.2.9" }],
    subnet4: [subnet([{ "client-id": "01:aa:bb:cc:dd:ee:ff", "ip-address": "192.0.2.10" }])],
  });
  assert.equal(c.hostIdentifiers, undefined);
  assert.equal(c.flexId, undefined);
  assert.deepEqual([...c.globalReservations!.keys()], ["client-id=01:aa:bb:cc:dd:ee:ff"]);
  // the subnet's own reservation wins the clash over the global one (same client, Kea ids N and 0)
  assert.equal(c.subnets[0].reservedAddresses.get(0xc000020a), "client-id=01:aa:bb:cc:dd:ee:ff");
  assert.equal(c.subnets[0].reservedAddresses.get(0xc0000209), "client-id=01:aa:bb:cc:dd:ee:ff");
  assert.deepEqual(warnings, []);
});

Deno.test("the flex-id hook loads from any directory; its optional parameters and odd ones give warnings", () => {
  const quiet = load({
    "host-reservation-identifiers": ["flex-id"],
    "hooks-libraries": [{
      library: "libdhcp_flex_id.so",
      parameters: { "identifier-expression": "substring(option[60].hex,0,4)", "replace-client-id": false },
    }],
  });
  assert.deepEqual(quiet.warnings, []);
  assert.equal(quiet.c.flexId?.replaceClientId, false);
  const replacing = load({
    "hooks-libraries": [{
      library: "libdhcp_flex_id.so",
      parameters: { "identifier-expression": "option[60].hex", "replace-client-id": true },
    }],
  });
  assert.equal(replacing.c.flexId?.replaceClientId, true);
  assert.deepEqual(quiet.c.flexId?.expr, {
    t: "substring",
    str: { t: "option", code: 60, repr: "hex" },
    start: 0,
    len: 4,
  });
  const odd = load({
    "hooks-libraries": [{ library: "/opt/libdhcp_flex_id.so", parameters: { "ignore-iaid": true, colour: "red" } }],
    subnet4: [subnet([{ "flex-id": "'x'" }])],
  });
  assert.equal(odd.c.flexId?.expr, undefined);
  assert.deepEqual(odd.warnings, [
    "Dhcp4.hooks-libraries[0].parameters: no 'identifier-expression': the flex-id hook will compute no identifier",
    "Dhcp4.hooks-libraries[0].parameters.ignore-iaid: ignored: 'ignore-iaid' applies to DHCPv6 only",
    "Dhcp4.hooks-libraries[0].parameters.colour: ignored: the flex-id hook has no parameter 'colour'",
    "Dhcp4.subnet4[0].reservations[0].flex-id: 'flex-id' is not in host-reservation-identifiers " +
    "(hw-address, duid, circuit-id, client-id); this reservation is never used",
  ]);
});

Deno.test("a reservation whose identifier type is not listed loads with a warning (Kea accepts and never matches it)", () => {
  const { warnings } = load({
    "host-reservation-identifiers": ["hw-address"],
    subnet4: [subnet([{ "client-id": "01:02:03" }, { "hw-address": "02:00:00:00:00:01" }])],
  });
  assert.deepEqual(warnings, [
    "Dhcp4.subnet4[0].reservations[0].client-id: 'client-id' is not in host-reservation-identifiers (hw-address); " +
    "this reservation is never used",
  ]);
});

Deno.test("flex-id listed, or a flex-id reservation, without the hook loads as in Kea, with a warning each", () => {
  const { c, warnings } = load({
    "host-reservation-identifiers": ["hw-address", "flex-id"],
    reservations: [{ "flex-id": "'abc'", "ip-address": "192.0.2.9" }],
    subnet4: [subnet([])],
  });
  assert.equal(c.flexId, undefined);
  assert.deepEqual(warnings, [
    "Dhcp4.host-reservation-identifiers[1]: hook library libdhcp_flex_id.so is not loaded: no flex-id is computed " +
    "and flex-id reservations never match",
    "Dhcp4.reservations[0].flex-id: hook library libdhcp_flex_id.so is not loaded: this flex-id reservation is " +
    "never used",
  ]);
});

Deno.test("the same identifier value under two types, or in two subnets, is not a duplicate", () => {
  const { c } = load({
    subnet4: [
      subnet([{ "client-id": "01:02:03" }, { "circuit-id": "01:02:03" }, { duid: "01:02:03" }]),
      { id: 2, subnet: "198.51.100.0/24", reservations: [{ "client-id": "01:02:03" }] },
    ],
  });
  assert.equal(c.subnets[0].reservations.size, 3);
  assert.equal(c.subnets[1].reservations.size, 1);
});

/** [config text, the first problem]: exact message and position. */
const BAD: [string, string][] = [
  [
    `{ "Dhcp4": {\n  "host-reservation-identifiers": [ ]\n} }`,
    `h.json:2:35: Dhcp4.host-reservation-identifiers: 'host-reservation-identifiers' requires at least one ` +
    `identifier to be specified`,
  ],
  [
    `{ "Dhcp4": {\n  "host-reservation-identifiers": [ "hw-address", "duid", "hw-address" ]\n} }`,
    `h.json:2:59: Dhcp4.host-reservation-identifiers[2]: duplicate host identifier 'hw-address'`,
  ],
  [
    `{ "Dhcp4": {\n  "host-reservation-identifiers": [ "auto" ]\n} }`,
    `h.json:2:37: Dhcp4.host-reservation-identifiers[0]: must be "hw-address", "duid", "circuit-id", "client-id" ` +
    `or "flex-id" (got "auto")`,
  ],
  [
    `{ "Dhcp4": {\n  "hooks-libraries": [ { "library": "/x/libdhcp_flex_id.so",\n` +
    `    "parameters": { "identifier-expression": "option[12].hex +" } } ]\n} }`,
    `h.json:3:46: Dhcp4.hooks-libraries[0].parameters.identifier-expression: cannot parse the ` +
    `identifier-expression at column 17: unexpected end of the expression: an operand is missing ` +
    `(in "option[12].hex +")`,
  ],
  [
    `{ "Dhcp4": {\n  "hooks-libraries": [ { "library": "/x/libdhcp_flex_id.so",\n` +
    `    "parameters": { "identifier-expression": "option[12].exists" } } ]\n} }`,
    `h.json:3:46: Dhcp4.hooks-libraries[0].parameters.identifier-expression: cannot parse the ` +
    `identifier-expression at column 1: an identifier expression must be a string expression, not a boolean one ` +
    `(in "option[12].exists")`,
  ],
  [
    `{ "Dhcp4": {\n  "hooks-libraries": [ { "library": "/x/libdhcp_flex_id.so",\n` +
    `    "parameters": { "identifier-expression": 12 } } ]\n} }`,
    `h.json:3:46: Dhcp4.hooks-libraries[0].parameters.identifier-expression: must be a string (got integer)`,
  ],
  [
    `{ "Dhcp4": {\n  "hooks-libraries": [ { "library": "/x/libdhcp_flex_id.so",\n` +
    `    "parameters": { "identifier-expression": "option[12].hex", "cid-as-rfc4361-duid": true } } ]\n} }`,
    `h.json:3:87: Dhcp4.hooks-libraries[0].parameters.cid-as-rfc4361-duid: 'cid-as-rfc4361-duid: true' is not ` +
    `supported by weka yet (a replaced client identifier is 0x00 + flex-id, as in Kea 2.2); remove it or set it ` +
    `to false`,
  ],
  [
    `{ "Dhcp4": {\n  "hooks-libraries": [ { "library": "/x/libdhcp_flex_id.so",\n` +
    `    "parameters": { "replace-client-id": "yes" } } ]\n} }`,
    `h.json:3:42: Dhcp4.hooks-libraries[0].parameters.replace-client-id: must be true or false (got string)`,
  ],
  [
    `{ "Dhcp4": {\n  "reservations": [\n    { "hw-address": "aa:bb:cc:dd:ee:01", "duid": "01:02" }\n  ]\n} }`,
    `h.json:3:7: Dhcp4.reservations[0].hw-address: 'hw-address' and 'duid' are mutually exclusive ` +
    `(a reservation has exactly one identifier)`,
  ],
  [
    `{ "Dhcp4": {\n  "reservations": [\n    { "duid": "01:zz:03" }\n  ]\n} }`,
    `h.json:3:15: Dhcp4.reservations[0].duid: "01:zz:03" is not a valid duid (expected hex or a quoted string, ` +
    `e.g. 00:01:02:03:04:05)`,
  ],
  [
    `{ "Dhcp4": {\n  "reservations": [\n    { "client-id": "" }\n  ]\n} }`,
    `h.json:3:20: Dhcp4.reservations[0].client-id: empty host identifier`,
  ],
  [
    `{ "Dhcp4": {\n  "reservations": [\n    { "circuit-id": "''" }\n  ]\n} }`,
    `h.json:3:21: Dhcp4.reservations[0].circuit-id: "''" is not a valid circuit-id (expected hex or a quoted ` +
    `string, e.g. 'eth0/1' or 65:74:68:30)`,
  ],
  [
    `{ "Dhcp4": {\n  "reservations": [\n    { "hw-address": "${"01:".repeat(20)}02" }\n  ]\n} }`,
    `h.json:3:21: Dhcp4.reservations[0].hw-address: hw-address '${"01:".repeat(20)}02' is 21 bytes long; Kea ` +
    `allows at most 20`,
  ],
  [
    `{ "Dhcp4": {\n  "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", "reservations": [\n` +
    `    { "client-id": "01:AA:bb" },\n    { "client-id": "01aabb" } ] } ]\n} }`,
    `h.json:4:20: Dhcp4.subnet4[0].reservations[1].client-id: client-id 01:aa:bb is already reserved by ` +
    `reservations[0]`,
  ],
  [
    `{ "Dhcp4": {\n  "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", "reservations": [\n` +
    `    { "circuit-id": "'ab'" },\n    { "circuit-id": "61:62" } ] } ]\n} }`,
    `h.json:4:21: Dhcp4.subnet4[0].reservations[1].circuit-id: circuit-id 61:62 is already reserved by ` +
    `reservations[0]`,
  ],
];

Deno.test("bad identifiers, lists and flex-id parameters are refused with path and position", () => {
  for (const [text, want] of BAD) assert.deepEqual(refused(text, "h.json")[0], want, text);
});
