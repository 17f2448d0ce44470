/**
 * Client classes in the configuration: `client-classes` compiled in order with parsed tests, class option-data
 * (custom option-def included), boot fields and lifetimes; subnet/pool guards in both spellings (Kea 2.2's
 * `client-class`, newer `client-classes`); Kea 2.2's refusals (duplicate names, a built-in class with a test,
 * member() of an undefined class, parse errors) reported with the JSON path, file:line:col and the column in the
 * expression. Accepted configs are also run through `kea-dhcp4 -t` when it is installed, and so are the refused
 * ones Kea 2.2 refuses too. Finally, keama's class cases (../shared/conformance/keama) translate to configs that
 * weka's loader accepts.
 */
import assert from "node:assert/strict";
import { ConfigError, formatProblem } from "../../mod/config/errors.ts";
import { parseConfigText } from "../../mod/config/load.ts";
import type { Dhcp4Config } from "../../mod/config/model.ts";
import { migrate } from "../../mod/migrate/migrate.ts";

const noIncludes = (p: string): string => {
  throw new Error(`unexpected include ${p}`);
};
const KEA = (() => {
  try {
    return Deno.statSync("/usr/sbin/kea-dhcp4").isFile;
  } catch {
    return false;
  }
})();

/** Runs `kea-dhcp4 -t` on the text; true when Kea accepts it (undefined when Kea is not installed). */
async function keaAccepts(text: string): Promise<boolean | undefined> {
  if (!KEA) return undefined;
  const path = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(path, text);
    const out = await new Deno.Command("kea-dhcp4", { args: ["-t", path], stdout: "null", stderr: "null" }).output();
    return out.success;
  } finally {
    await Deno.remove(path);
  }
}

const SUBNET = { id: 1, subnet: "192.0.2.0/24", pools: [{ pool: "192.0.2.10 - 192.0.2.20" }] };

function text4(dhcp4: Record<string, unknown>): string {
  return JSON.stringify({ Dhcp4: dhcp4 }, null, 2);
}

async function load4(dhcp4: Record<string, unknown>): Promise<Dhcp4Config> {
  const text = text4(dhcp4);
  const c = parseConfigText(text, "c.json", noIncludes);
  assert.ok(c.dhcp4);
  const kea = await keaAccepts(text);
  if (kea !== undefined) assert.equal(kea, true, "kea-dhcp4 -t refused a config weka accepts");
  return c.dhcp4;
}

/** The problems of a refused config, formatted `file:line:col: path: message`; checks Kea agrees when asked. */
async function refused(dhcp4: Record<string, unknown>, keaRefuses = true): Promise<string[]> {
  const text = text4(dhcp4);
  try {
    parseConfigText(text, "c.json", noIncludes);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    if (keaRefuses) {
      const kea = await keaAccepts(text);
      if (kea !== undefined) assert.equal(kea, false, "kea-dhcp4 -t accepted a config weka refuses");
    }
    return e.problems.map(formatProblem);
  }
  assert.fail("the configuration was accepted");
}

Deno.test("classes: compiled in order with option data (custom option-def), boot fields and lifetimes", async () => {
  const c = await load4({
    "option-def": [{ name: "myversion", code: 251, type: "uint16", space: "dhcp4" }],
    "client-classes": [
      {
        name: "foobar",
        test: "option[host-name].hex == 'version1'",
        "option-data": [{ name: "myversion", data: "1" }, { name: "domain-name-servers", data: "192.0.2.53" }],
        "next-server": "192.0.2.9",
        "server-hostname": "tftp",
        "boot-file-name": "pxe.0",
        "valid-lifetime": 600,
        "min-valid-lifetime": 300,
        "max-valid-lifetime": 900,
        comment: "a class",
      },
      { name: "parent" },
      { name: "after", test: "member('UNKNOWN') and member('foobar')" },
      { name: "late", test: "member('after')" },
      { name: "extra", test: "member('ALL')", "only-if-required": true },
    ],
    subnet4: [SUBNET],
  });
  const cl = c.clientClasses!;
  assert.deepEqual(cl.map((k) => k.name), ["foobar", "parent", "after", "late", "extra"]);
  assert.deepEqual([...cl[0].options.get(251)!.data], [0, 1]);
  assert.deepEqual([...cl[0].options.get(6)!.data], [192, 0, 2, 53]);
  assert.equal(cl[0].nextServer, 0xc0000209);
  assert.deepEqual([cl[0].serverHostname, cl[0].bootFileName], ["tftp", "pxe.0"]);
  assert.deepEqual([cl[0].validLifetime, cl[0].minValidLifetime, cl[0].maxValidLifetime], [600, 300, 900]);
  assert.equal(cl[0].test?.t, "eq");
  assert.equal(cl[1].test, undefined);
  assert.deepEqual(cl.map((k) => k.afterHost), [false, false, true, true, false]);
  assert.deepEqual(cl.map((k) => k.additional), [false, false, false, false, true]);
  // with classes, the subnet keeps its own options apart so class options can sit between subnet and global
  assert.ok(c.subnets[0].ownOptions);
});

Deno.test("classes: subnet and pool guards in Kea 2.2 and newer spellings; built-ins need no definition", async () => {
  const c = await load4({
    "client-classes": [{ name: "phones", test: "substring(option[60].hex,0,4) == 'SIP/'" }, { name: "ALL" }],
    subnet4: [
      { ...SUBNET, "client-class": "phones", pools: [{ pool: "192.0.2.10 - 192.0.2.20", "client-class": "KNOWN" }] },
      { id: 2, subnet: "198.51.100.0/24", pools: [{ pool: "198.51.100.10 - 198.51.100.20", "client-class": "" }] },
    ],
  });
  assert.deepEqual(c.subnets[0].clientClasses, ["phones"]);
  assert.deepEqual(c.subnets[0].pools[0].clientClasses, ["KNOWN"]);
  assert.equal(c.subnets[1].clientClasses, undefined);
  assert.equal(c.subnets[1].pools[0].clientClasses, undefined);
  // Kea ≥ 2.7 list spelling (not Kea 2.2 syntax, so weka only)
  const n = parseConfigText(
    text4({
      subnet4: [{
        ...SUBNET,
        "client-classes": ["a", "b"],
        pools: [{ pool: "192.0.2.10-192.0.2.20", "client-classes": ["c"] }],
      }],
    }),
    "n.json",
    noIncludes,
  );
  assert.deepEqual(n.dhcp4!.subnets[0].clientClasses, ["a", "b"]);
  assert.deepEqual(n.dhcp4!.subnets[0].pools[0].clientClasses, ["c"]);
  assert.ok(n.warnings.some((w) => /class 'a' is not defined/.test(w.message)));
});

Deno.test("classes: a config without classes keeps the model as before (no ownOptions, no clientClasses)", async () => {
  const c = await load4({ subnet4: [SUBNET] });
  assert.equal(c.clientClasses, undefined);
  assert.equal(c.subnets[0].ownOptions, undefined);
});

Deno.test("classes: refusals name the path, the file position and the column in the expression", async () => {
  const dup = await refused({ "client-classes": [{ name: "a" }, { name: "a" }], subnet4: [SUBNET] });
  assert.match(
    dup[0],
    /^c\.json:\d+:\d+: Dhcp4\.client-classes\[1\]\.name: client class 'a' has already been defined$/,
  );

  const known = await refused({ "client-classes": [{ name: "KNOWN", test: "option[12].exists" }] });
  assert.match(known[0], /Dhcp4\.client-classes\[0\]\.test: built-in class 'KNOWN' cannot have a test/);

  const undef = await refused({ "client-classes": [{ name: "a", test: "member('b')" }, { name: "b" }] });
  assert.match(undef[0], /client-classes\[0\]\.test: .*column 8: member\('b'\) names a class that is not defined/);

  const syntax = await refused({ "client-classes": [{ name: "a", test: "option[12].hex == 'x' and" }] });
  assert.match(
    syntax[0],
    /^c\.json:6:\d+: Dhcp4\.client-classes\[0\]\.test: cannot parse the test of class 'a' at column 26/,
  );

  const notBool = await refused({ "client-classes": [{ name: "a", test: "option[12].hex" }] });
  assert.match(notBool[0], /must be a boolean expression/);

  const opt = await refused({ "client-classes": [{ name: "a", test: "option[nosuch].exists" }] });
  assert.match(opt[0], /column 8: unknown option name 'nosuch'/);

  const empty = await refused({ "client-classes": [{ name: "a", test: "" }] });
  assert.match(empty[0], /client-classes\[0\]\.test: .*end of the expression/);

  const badData = await refused({ "client-classes": [{ name: "a", "option-data": [{ name: "routers", data: "x" }] }] });
  assert.match(badData[0], /client-classes\[0\]\.option-data\[0\]\.data/);
});

Deno.test("classes: unknown keys are refused by name; a test and a template-test together are refused", async () => {
  const unk = await refused({ "client-classes": [{ name: "a", colour: "red" }] });
  assert.match(unk[0], /Dhcp4\.client-classes\[0\]\.colour: unknown or unsupported key/);
  const both = await refused({ "client-classes": [{ name: "a", test: "true", "template-test": "'x'" }] });
  assert.match(
    both[0],
    /client-classes\[0\]\.template-test: class 'a' cannot have both a 'test' and a 'template-test'/,
  );
  const tmpl = await refused({ "client-classes": [{ name: "a", "template-test": "option[12].exists" }] });
  assert.match(tmpl[0], /client-classes\[0\]\.template-test: cannot parse the template-test of class 'a'/);
});

const KEAMA = new URL("../../../shared/conformance/keama/", import.meta.url).pathname;
const keamaPresent = (() => {
  try {
    return Deno.statSync(KEAMA).isDirectory;
  } catch {
    return false;
  }
})();
if (!keamaPresent) console.log(`skipping keama's class cases: ${KEAMA} is absent`);

Deno.test({
  name: "classes: keama's class cases translate to configs weka's config-test accepts",
  ignore: !keamaPresent,
  fn: async () => {
    const files = ["class4", "class4empty", "subclass4", "subclassguard4", "permitauth4"];
    for (const f of files) {
      const text = await Deno.readTextFile(`${KEAMA}${f}.in4`);
      const out = migrate(text, { v6: false, file: `${f}.in4`, resolver: () => undefined });
      let c;
      try {
        c = parseConfigText(out.text.replaceAll('"en0"', '"lo"'), `${f}.json`, noIncludes);
      } catch (e) {
        assert.fail(`${f}: ${e instanceof ConfigError ? e.format() : e}`);
      }
      assert.ok((c.dhcp4?.clientClasses?.length ?? 0) > 0, `${f}: no classes compiled`);
    }
  },
});
