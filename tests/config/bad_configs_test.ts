/**
 * Every bad configuration in tests/fixtures/config/bad_*.json is refused with the expected first line:
 * file:line:col, JSON path and message. Positions were checked by hand against each fixture.
 */
import assert from "node:assert/strict";
import { ConfigError, formatProblem } from "../../mod/config/errors.ts";
import { loadConfigFile } from "../../mod/config/load.ts";
import { stubCodec } from "./stub_codec.ts";

const DIR = new URL("../fixtures/config/", import.meta.url).pathname;

/** fixture → [line, col, "path: message"] of its first problem */
const EXPECTED: Record<string, [number, number, string]> = {
  "bad_unknown_key.json": [7, 9, "Dhcp4.subnet4[0].valid-lifetme: unknown or unsupported key 'valid-lifetme'"],
  "bad_not_supported.json": [
    4,
    28,
    "Dhcp4.stash-agent-options: 'stash-agent-options: true' is not supported by weka yet: a renewal sent straight to the server is classified without the relay agent options of the lease (false, Kea's default)",
  ],
  "bad_dhcp6.json": [
    3,
    68,
    "Dhcp6.min-preferred-lifetime: min-preferred-lifetime (4000) is greater than preferred-lifetime (3000)",
  ],
  "bad_syntax_comma.json": [4, 5, "syntax error: expected ',' (a comma is missing)"],
  "bad_duplicate_key.json": [
    5,
    5,
    "duplicate 'valid-lifetime' entries in one map (previous at DIR/bad_duplicate_key.json:3:5)",
  ],
  "bad_subnet_id_dup.json": [5, 15, "Dhcp4.subnet4[1].id: subnet id 7 is already used by Dhcp4.subnet4[0]"],
  "bad_subnet_id_range.json": [4, 15, "Dhcp4.subnet4[0].id: subnet id 4294967295 is out of range (1..4294967294)"],
  "bad_subnet_cidr.json": [
    4,
    28,
    "Dhcp4.subnet4[0].subnet: '192.0.2.300/24' is not an IPv4 prefix (expected A.B.C.D/N)",
  ],
  "bad_pool_outside.json": [
    7,
    30,
    "Dhcp4.subnet4[0].pools[0].pool: pool 192.0.3.10-192.0.3.20 is not inside subnet 192.0.2.0/24",
  ],
  "bad_pool_reversed.json": [
    8,
    21,
    "Dhcp4.subnet4[0].pools[0].pool: pool start 192.0.2.50 is after its end 192.0.2.10",
  ],
  "bad_pool_overlap.json": [
    9,
    21,
    "Dhcp4.subnet4[0].pools[1].pool: pool 192.0.2.64-192.0.2.127 overlaps pool 192.0.2.10-192.0.2.100",
  ],
  "bad_pool_syntax.json": [
    4,
    65,
    `Dhcp4.subnet4[0].pools[0].pool: '192.0.2.10 to 192.0.2.20' is not a pool (expected "A.B.C.D - E.F.G.H" or "A.B.C.D/N")`,
  ],
  "bad_reservation_mac.json": [
    8,
    27,
    "Dhcp4.subnet4[0].reservations[0].hw-address: 'aa:bb:cc:dd:ee:zz' is not a hardware address (expected e.g. aa:bb:cc:dd:ee:ff)",
  ],
  "bad_reservation_outside.json": [
    10,
    27,
    "Dhcp4.subnet4[0].reservations[0].ip-address: reserved address 203.0.113.5 is not inside subnet 192.0.2.0/24",
  ],
  "bad_lifetimes.json": [
    4,
    27,
    "Dhcp4.min-valid-lifetime: min-valid-lifetime (900) is greater than valid-lifetime (600)",
  ],
  "bad_timers.json": [5, 59, "Dhcp4.subnet4[0].renew-timer: renew-timer (2000) is greater than rebind-timer (1000)"],
  "bad_option_name.json": [4, 17, "Dhcp4.option-data[0].name: unknown option 'foo-bar' in space 'dhcp4'"],
  "bad_option_data.json": [
    7,
    55,
    "Dhcp4.subnet4[0].option-data[0].data: option 'routers' (code 3): '192.0.2.300' is not an IPv4 address",
  ],
  "bad_hook.json": [
    5,
    20,
    "Dhcp4.hooks-libraries[1].library: hook library 'libdhcp_radius.so' is ISC's premium RADIUS hook, which weka does not offer: remove this entry",
  ],
  "bad_lease_type.json": [
    3,
    33,
    `Dhcp4.lease-database.type: lease database type 'cql' is not supported by weka (use "memfile", "kv", "postgresql" or "mysql")`,
  ],
  "bad_ddns_key.json": [
    3,
    33,
    "Dhcp4.ddns-replace-client-name: boolean values for the replace-client-name are no longer supported",
  ],
  "bad_socket_type.json": [3, 74, `Dhcp4.interfaces-config.dhcp-socket-type: must be "raw" or "udp" (got "packet")`],
  "bad_type.json": [3, 23, `Dhcp4.valid-lifetime: must be a number (got "4000")`],
  "bad_missing_subnet.json": [4, 7, "Dhcp4.subnet4[0]: missing required key 'subnet'"],
};

async function firstProblem(name: string): Promise<string> {
  try {
    await loadConfigFile(DIR + name, { codec: stubCodec });
  } catch (e) {
    assert.ok(e instanceof ConfigError, `${name}: expected a ConfigError, got ${e}`);
    return formatProblem(e.problems[0]);
  }
  throw new Error(`${name} was accepted`);
}

for (const [name, [line, col, text]] of Object.entries(EXPECTED)) {
  Deno.test(`config: ${name} is refused at ${line}:${col}`, async () => {
    assert.equal(await firstProblem(name), `${DIR}${name}:${line}:${col}: ${text.replace("DIR/", DIR)}`);
  });
}

Deno.test("config: every bad_*.json fixture has an expectation", () => {
  const names = [...Deno.readDirSync(DIR)].map((e) => e.name).filter((n) => n.startsWith("bad_")).sort();
  assert.deepEqual(names, [...Object.keys(EXPECTED), "bad_include_cycle.json"].sort());
});

Deno.test("config: an include cycle is refused with the chain of files, at the directive", async () => {
  const first = await firstProblem("bad_include_cycle.json");
  assert.equal(
    first,
    `${DIR}inc_cycle_part.json:2:1: include cycle: ${DIR}bad_include_cycle.json -> ${DIR}inc_cycle_part.json -> ${DIR}inc_cycle_part.json`,
  );
});

Deno.test("config: a missing file is a ConfigError naming it", async () => {
  await assert.rejects(
    () => loadConfigFile(DIR + "no_such_file.json", { codec: stubCodec }),
    (e: unknown) =>
      e instanceof ConfigError && /no_such_file\.json:0:0: cannot read the configuration/.test(e.format()),
  );
});
