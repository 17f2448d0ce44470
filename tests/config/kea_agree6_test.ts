/**
 * weka and Kea 2.2 agree on the Dhcp6 fixtures of tests/fixtures/config6: each good_*.json loads, each bad_*.json
 * is refused with the expected first line. Where `kea-dhcp6` is installed, `kea-dhcp6 -t FILE` is run on the same
 * file and must give the same verdict (the comparison is skipped, with a message, when Kea is absent).
 */
import assert from "node:assert/strict";
import { ConfigError, formatProblem } from "../../mod/config/errors.ts";
import { loadConfigFile } from "../../mod/config/load.ts";

const DIR = new URL("../fixtures/config6/", import.meta.url).pathname;

/** bad fixture → "line:col path: message" of weka's first problem */
const BAD: Record<string, string> = {
  "bad_class_test6.json":
    "1:56 Dhcp6.client-classes[0].test: cannot parse the test of class 'a' at column 22: expected 'hex', 'text' or 'exists' after 'relay6[0].option[18].' but found 'txt' (in \"relay6[0].option[18].txt == 'x'\")",
  "bad_delegated6.json":
    "2:79 Dhcp6.subnet6[0].pd-pools[0].delegated-len: delegated-len (44) must be greater than or equal to prefix-len (48)",
  "bad_interface_id6.json":
    "1:99 Dhcp6.subnet6[0].interface-id: 'interface' (a directly reachable link) and 'interface-id' (a link behind relays) cannot both be set",
  "bad_pd_excluded6.json":
    "6:41 Dhcp6.subnet6[0].pd-pools[0].excluded-prefix: excluded prefix 2001:db8:2::/64 is not inside the delegated prefix 2001:db8:1::/56",
  "bad_pool_outside6.json":
    "3:75 Dhcp6.subnet6[0].pools[0].pool: pool 2001:db9::-2001:db9::ff is not inside subnet 2001:db8::/64",
  "bad_reservation_dup6.json":
    "7:48 Dhcp6.subnet6[0].reservations[1].ip-addresses[0]: address 2001:db8::1 is already reserved by reservations[0]",
  "bad_server_id6.json":
    "1:80 Dhcp6.server-id.identifier: identifier 'xyz' is not a valid string of hexadecimal digits",
  "bad_subnet_dup6.json": "1:87 Dhcp6.subnet6[1].subnet: subnet 2001:db8::/64 is already defined by Dhcp6.subnet6[0]",
  "bad_timers6.json": "1:79 Dhcp6.subnet6[0].renew-timer: renew-timer (900) is greater than rebind-timer (600)",
  "bad_unknown_key6.json": "1:64 Dhcp6.subnet6[0].pd-pool: unknown or unsupported key 'pd-pool'",
};

const KEA = (() => {
  try {
    return Deno.statSync("/usr/sbin/kea-dhcp6").isFile ? "/usr/sbin/kea-dhcp6" : undefined;
  } catch {
    return undefined;
  }
})();
if (!KEA) console.log("kea-dhcp6 is not installed: the fixtures are checked against weka's expectations only");

/** weka's verdict: undefined when the file loads, else the first problem as "line:col path: message". */
async function weka(name: string): Promise<string | undefined> {
  try {
    await loadConfigFile(DIR + name);
    return undefined;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const p = e.problems[0];
    assert.equal(p.file, DIR + name, formatProblem(p));
    return `${p.line}:${p.col} ${p.path}: ${p.message}`;
  }
}

/** Kea's verdict: true when `kea-dhcp6 -t` accepts the file. */
async function kea(name: string): Promise<boolean> {
  const out = await new Deno.Command(KEA!, { args: ["-t", DIR + name], stdout: "null", stderr: "null" }).output();
  return out.success;
}

const names = [...Deno.readDirSync(DIR)].map((e) => e.name).filter((n) => n.endsWith(".json")).sort();

Deno.test("kea agree 6: every bad fixture has an expectation, and there are good ones", () => {
  assert.deepEqual(names.filter((n) => n.startsWith("bad_")), Object.keys(BAD).sort());
  assert.ok(names.filter((n) => n.startsWith("good_")).length >= 2);
});

for (const name of names) {
  Deno.test(`kea agree 6: ${name}`, async () => {
    const verdict = await weka(name);
    if (name.startsWith("good_")) assert.equal(verdict, undefined, `${name}: ${verdict}`);
    else assert.equal(verdict, BAD[name]);
    if (KEA) assert.equal(await kea(name), name.startsWith("good_"), `kea-dhcp6 -t disagrees on ${name}`);
  });
}
