/**
 * Global host reservations (`Dhcp4.reservations`) and the reservation-mode flags: schema, inheritance of
 * reservations-global / -in-subnet / -out-of-pool global → subnet with Kea's defaults, Kea 2.2's deprecated
 * `reservation-mode` mapped onto the flags, and bad values refused with their JSON path and file:line:col.
 * Every accepted config here was also accepted by `kea-dhcp4 -t` (Kea 2.2.0); every refused one was refused by it.
 */
import assert from "node:assert/strict";
import { parseConfigText } from "../../mod/config/load.ts";
import type { Subnet4 } from "../../mod/config/model.ts";
import { stubCodec } from "./stub_codec.ts";
import { load4, noIncludes, refused } from "./load_helpers.ts";

const flags = (s: Subnet4) => [s.reservationsGlobal, s.reservationsInSubnet, s.reservationsOutOfPool];
const SUBNET = { id: 1, subnet: "192.0.2.0/24", pools: [{ pool: "192.0.2.100 - 192.0.2.200" }] };

Deno.test("global reservations: compiled by hw-address with address, hostname, options and boot fields", () => {
  const c = load4({
    "reservations-global": true,
    reservations: [
      {
        "hw-address": "AA:BB:CC:DD:EE:01",
        "ip-address": "192.0.2.10",
        hostname: "gl-one",
        "next-server": "192.0.2.2",
        "server-hostname": "boot",
        "boot-file-name": "pxe.0",
        "option-data": [{ name: "domain-name-servers", data: "192.0.2.53" }],
      },
      { "hw-address": "aa:bb:cc:dd:ee:02", "ip-address": "10.9.9.9" },
    ],
    subnet4: [SUBNET],
  });
  const g = c.globalReservations!;
  assert.deepEqual([...g.keys()], ["aa:bb:cc:dd:ee:01", "aa:bb:cc:dd:ee:02"]);
  const r = g.get("aa:bb:cc:dd:ee:01")!;
  assert.equal(r.ipAddress, 0xc000020a);
  assert.equal(r.hostname, "gl-one");
  assert.equal(r.nextServer, 0xc0000202);
  assert.equal(r.serverHostname, "boot");
  assert.equal(r.bootFileName, "pxe.0");
  assert.deepEqual([...r.options.get(6)!.data], [192, 0, 2, 53]);
  // a global address outside every subnet is accepted (Kea too); it is simply never assigned
  assert.equal(g.get("aa:bb:cc:dd:ee:02")!.ipAddress, 0x0a090909);
  // the subnet keeps the global address that lies inside it out of dynamic allocation, not the other one
  assert.deepEqual([...c.subnets[0].reservedAddresses], [[0xc000020a, "aa:bb:cc:dd:ee:01"]]);
});

Deno.test("reservation flags: Kea's defaults are global off, in-subnet on, out-of-pool off", () => {
  const c = load4({ subnet4: [SUBNET] });
  assert.deepEqual(flags(c.subnets[0]), [false, true, false]);
  assert.equal(c.globalReservations!.size, 0);
});

Deno.test("reservation flags: each flag inherits global → subnet on its own", () => {
  const c = load4({
    "reservations-global": true,
    "reservations-out-of-pool": true,
    subnet4: [SUBNET, { id: 2, subnet: "198.51.100.0/24", "reservations-in-subnet": false }],
  });
  assert.deepEqual(flags(c.subnets[0]), [true, true, true]);
  assert.deepEqual(flags(c.subnets[1]), [true, false, true]);
});

Deno.test("reservation flags: in-subnet off keeps the subnet's reserved addresses in the dynamic pool", () => {
  const res = [{ "hw-address": "aa:bb:cc:dd:ee:09", "ip-address": "192.0.2.150" }];
  const on = load4({ subnet4: [{ ...SUBNET, reservations: res }] });
  const off = load4({ subnet4: [{ ...SUBNET, reservations: res, "reservations-in-subnet": false }] });
  assert.equal(on.subnets[0].reservedAddresses.get(0xc0000296), "aa:bb:cc:dd:ee:09");
  assert.equal(off.subnets[0].reservedAddresses.size, 0);
  assert.equal(off.subnets[0].reservations.size, 1); // still listed, but the engine ignores it
});

Deno.test("reservation flags: global reservations count only where reservations-global is on", () => {
  const c = load4({
    reservations: [{ "hw-address": "aa:bb:cc:dd:ee:01", "ip-address": "192.0.2.10" }],
    subnet4: [SUBNET, { id: 2, subnet: "192.0.2.0/25", "reservations-global": true }],
  });
  assert.equal(c.subnets[0].reservedAddresses.size, 0);
  assert.equal(c.subnets[1].reservedAddresses.get(0xc000020a), "aa:bb:cc:dd:ee:01");
});

Deno.test("reservation-mode (Kea 2.2, deprecated) maps onto the three flags, with a warning", () => {
  const table: [string, boolean[]][] = [
    ["all", [false, true, false]],
    ["out-of-pool", [false, true, true]],
    ["global", [true, false, false]],
    ["disabled", [false, false, false]],
  ];
  for (const [mode, want] of table) {
    const text = JSON.stringify({ Dhcp4: { "reservation-mode": mode, subnet4: [SUBNET] } });
    const c = parseConfigText(text, "m.json", noIncludes, { codec: stubCodec });
    assert.deepEqual(flags(c.dhcp4!.subnets[0]), want, `global reservation-mode ${mode}`);
    assert.ok(c.warnings.some((w) => w.path === "Dhcp4.reservation-mode" && /deprecated/.test(w.message)), mode);
    // the same mode at the subnet scope beats the global flags
    const s = load4({ "reservations-global": true, subnet4: [{ ...SUBNET, "reservation-mode": mode }] });
    assert.deepEqual(flags(s.subnets[0]), want, `subnet reservation-mode ${mode}`);
  }
});

Deno.test("reservation-mode at the subnet scope overrides a global reservation-mode", () => {
  const c = load4({ "reservation-mode": "global", subnet4: [{ ...SUBNET, "reservation-mode": "out-of-pool" }] });
  assert.deepEqual(flags(c.subnets[0]), [false, true, true]);
});

Deno.test("bad values are refused with path and position", () => {
  const cases: [string, string][] = [
    [
      `{ "Dhcp4": {\n  "reservation-mode": "bogus"\n} }`,
      `g.json:2:23: Dhcp4.reservation-mode: must be "all", "out-of-pool", "global" or "disabled" (got "bogus")`,
    ],
    [
      `{ "Dhcp4": {\n  "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24",\n    "reservations-global": "yes" } ]\n} }`,
      `g.json:3:28: Dhcp4.subnet4[0].reservations-global: must be true or false (got "yes")`,
    ],
    [
      `{ "Dhcp4": {\n  "reservation-mode": "global",\n  "reservations-global": true\n} }`,
      `g.json:2:3: Dhcp4.reservation-mode: invalid use of both 'reservation-mode' and one of ` +
      `'reservations-global', 'reservations-in-subnet' or 'reservations-out-of-pool'`,
    ],
    [
      `{ "Dhcp4": {\n  "reservations": [\n    { "hw-address": "aa:bb:cc:dd:ee:zz" }\n  ]\n} }`,
      `g.json:3:21: Dhcp4.reservations[0].hw-address: 'aa:bb:cc:dd:ee:zz' is not a hardware address ` +
      `(expected e.g. aa:bb:cc:dd:ee:ff)`,
    ],
    [
      `{ "Dhcp4": {\n  "reservations": [\n    { "ip-address": "192.0.2.5" }\n  ]\n} }`,
      `g.json:3:5: Dhcp4.reservations[0]: one of the supported identifiers must be specified for host reservation: ` +
      `circuit-id, client-id, duid, flex-id, hw-address`,
    ],
    [
      `{ "Dhcp4": {\n  "reservations": [\n    { "hw-address": "aa:bb:cc:dd:ee:01" },\n` +
      `    { "hw-address": "AA:BB:CC:DD:EE:01" }\n  ]\n} }`,
      `g.json:4:21: Dhcp4.reservations[1].hw-address: hardware address aa:bb:cc:dd:ee:01 is already reserved ` +
      `by reservations[0]`,
    ],
    [
      `{ "Dhcp4": {\n  "reservations": [\n    { "hw-address": "aa:bb:cc:dd:ee:01", "ip-address": "192.0.2.10" },\n` +
      `    { "hw-address": "aa:bb:cc:dd:ee:02", "ip-address": "192.0.2.10" }\n  ]\n} }`,
      `g.json:4:56: Dhcp4.reservations[1].ip-address: address 192.0.2.10 is already reserved by reservations[0]`,
    ],
    [
      `{ "Dhcp4": {\n  "reservations": [\n    { "hw-address": "aa:bb:cc:dd:ee:01", "client-id": "01:02" }\n  ]\n} }`,
      `g.json:3:7: Dhcp4.reservations[0].hw-address: 'hw-address' and 'client-id' are mutually exclusive ` +
      `(a reservation has exactly one identifier)`,
    ],
    [
      `{ "Dhcp4": {\n  "reservations": { "hw-address": "aa:bb:cc:dd:ee:01" }\n} }`,
      `g.json:2:19: Dhcp4.reservations: must be a list (got Object)`,
    ],
  ];
  for (const [text, want] of cases) assert.deepEqual(refused(text, "g.json")[0], want, text);
});

Deno.test("a global reservation and a subnet reservation may name the same client and address (Kea ids 0 and N)", () => {
  const c = load4({
    "reservations-global": true,
    reservations: [{ "hw-address": "aa:bb:cc:dd:ee:01", "ip-address": "192.0.2.10" }],
    subnet4: [{ ...SUBNET, reservations: [{ "hw-address": "aa:bb:cc:dd:ee:02", "ip-address": "192.0.2.10" }] }],
  });
  // the subnet's own reservation wins the address for dynamic-allocation purposes
  assert.equal(c.subnets[0].reservedAddresses.get(0xc000020a), "aa:bb:cc:dd:ee:02");
});
