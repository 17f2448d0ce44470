// Conformance against keama's own test corpus (../shared/conformance/keama): every working input translates to a
// config that weka's config-test and Kea 2.2 (when installed) accept, and that configures at least what keama's .out
// does; every error input is refused, and the first line names the same problem as keama's .msg. Counts are printed.
import assert from "node:assert/strict";
import { migrate } from "../../mod/migrate/migrate.ts";
import { MigrateError } from "../../mod/migrate/lexer.ts";
import { facts, missing, parseKeamaOut } from "./keama_compare.ts";
import { parseConfigText } from "../../mod/config/load.ts";

const DIR = new URL("../../../shared/conformance/keama/", import.meta.url).pathname;
const present = (() => {
  try {
    return Deno.statSync(DIR).isDirectory;
  } catch {
    return false;
  }
})();

function which(cmd: string): boolean {
  try {
    return new Deno.Command("sh", { args: ["-c", `command -v ${cmd}`], stdout: "null", stderr: "null" }).outputSync()
      .success;
  } catch {
    return false;
  }
}

// the corpus names www.isc.org in one fixed-address; tests never resolve names on the network
const resolver = (n: string) => n === "www.isc.org" ? "151.101.122.217" : undefined;

interface Case {
  file: string;
  v6: boolean;
  ext: string;
}

function cases(): Case[] {
  return [...Deno.readDirSync(DIR)].map((e) => e.name).filter((f) => /\.in[46dDnNlL]$/.test(f)).sort().map((file) => {
    const ext = file.slice(file.lastIndexOf(".") + 1);
    return { file, ext, v6: ["in6", "inD", "inN", "inL"].includes(ext) };
  });
}

function run(c: Case, text: string) {
  return migrate(text, {
    v6: c.v6,
    file: c.file,
    defaults: /^in[dD]$/.test(c.ext),
    subnetReservations: /^in[nN]$/.test(c.ext),
    hooksDir: /^in[lL]$/.test(c.ext) ? "/path" : undefined,
    resolver,
  });
}

async function keaCheck(text: string, v6: boolean, dir: string, name: string): Promise<string | undefined> {
  // keama's README: "the en0 interface is supposed to exist (or replace en0 in all files)"
  const path = `${dir}/${name}.json`;
  await Deno.writeTextFile(path, text.replaceAll('"en0"', '"lo"'));
  const out = await new Deno.Command(v6 ? "kea-dhcp6" : "kea-dhcp4", {
    args: ["-t", path],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (out.success) return undefined;
  const log = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return log.split("\n").find((l) => /ERROR|error/.test(l)) ?? log.slice(0, 300);
}

Deno.test("migrate: keama working inputs translate, load in Kea 2.2 and match keama's .out in meaning", async () => {
  if (!present) {
    console.log("skipped: ../shared/conformance/keama is absent");
    return;
  }
  const kea = which("kea-dhcp4") && which("kea-dhcp6");
  if (!kea) console.log("kea-dhcp4/kea-dhcp6 not installed: Kea check skipped");
  const dir = await Deno.makeTempDir({ prefix: "weka-migrate-" });
  await Deno.mkdir("/run/kea", { recursive: true }).catch(() => {});
  let translated = 0, meaning = 0, keaOk = 0, keaRun = 0, wekaOk = 0, testsSame = 0, testsTotal = 0;
  const failures: string[] = [];
  const checks: Promise<void>[] = [];
  for (const c of cases()) {
    const text = await Deno.readTextFile(DIR + c.file);
    const r = run(c, text);
    translated++;
    assert.equal(typeof JSON.parse(JSON.stringify(r.config)), "object");
    const outName = c.file.replace(/\.in[46dDnN]$/, ".out").replace(/\.inl$/, ".outl");
    const want = facts(parseKeamaOut(await Deno.readTextFile(DIR + outName)));
    const got = facts(r.config);
    const miss = missing(want, got);
    if (miss.length === 0) meaning++;
    else failures.push(`${c.file}: missing ${miss.join("; ")}`);
    for (const t of want.tests) {
      testsTotal++;
      if (got.tests.has(t)) testsSame++;
    }
    try {
      parseConfigText(r.text, c.file, () => "");
      wekaOk++;
    } catch (e) {
      failures.push(`${c.file}: weka config-test refused: ${String((e as Error).message).split("\n")[0]}`);
    }
    if (kea && !/^in[lL]$/.test(c.ext)) {
      keaRun++;
      checks.push(
        keaCheck(r.text, c.v6, dir, c.file).then((err) => {
          if (err === undefined) keaOk++;
          else failures.push(`${c.file}: Kea refused: ${err}`);
        }),
      );
      if (checks.length >= 8) await Promise.all(checks.splice(0));
    }
  }
  await Promise.all(checks);
  await Deno.remove(dir, { recursive: true });
  console.log(
    `keama working inputs: ${translated} translated, ${meaning} match keama in meaning, ` +
      `Kea -t accepted ${keaOk}/${keaRun} (.inl needs the premium flex_id hook: not run), ` +
      `weka config-test accepted ${wekaOk}/${translated}, class tests identical to keama's ${testsSame}/${testsTotal}`,
  );
  assert.deepEqual(failures, []);
});

Deno.test("migrate: keama error inputs are refused with the same problem as keama's .msg", async () => {
  if (!present) {
    console.log("skipped: ../shared/conformance/keama is absent");
    return;
  }
  let refused = 0, sameLine = 0, sameText = 0, total = 0;
  const differ: string[] = [];
  for (const f of [...Deno.readDirSync(DIR)].map((e) => e.name).filter((f) => /\.err[46FP]?$/.test(f)).sort()) {
    total++;
    const ext = f.slice(f.lastIndexOf(".") + 1);
    const msg = (await Deno.readTextFile(DIR + f.replace(/\.err.?$/, ".msg"))).split("\n")[0];
    const m = /^\S+ line (\d+): (.*)$/.exec(msg)!;
    const text = await Deno.readTextFile(DIR + f);
    // .err is for both families; the server-duid cases only make sense for DHCPv6
    const v6 = ext === "err6" || (ext === "err" && /server-duid/.test(text));
    try {
      migrate(text, {
        v6,
        file: f,
        resolve: ext === "errF" ? "fatal" : ext === "errP" ? "pass" : "perform",
        resolver: () => undefined,
      });
      differ.push(`${f}: accepted`);
      continue;
    } catch (e) {
      if (!(e instanceof MigrateError)) throw e;
      refused++;
      assert.match(e.message, new RegExp(`^${f.replace(".", "\\.")}:\\d+:\\d+: `));
      const norm = (s: string) =>
        s.toLowerCase().replace(/\(\d+\)/g, "").replace(/[^a-z0-9 ]/g, "").replace(/\s+/g, " ").trim();
      const lineOk = e.loc.line === Number(m[1]);
      const textOk = norm(e.reason).includes(norm(m[2])) || norm(m[2]).includes(norm(e.reason));
      if (lineOk) sameLine++;
      if (textOk) sameText++;
      if (!lineOk || !textOk) differ.push(`${f}: got '${e.message}', keama '${msg}'`);
    }
  }
  console.log(
    `keama error inputs: ${refused}/${total} refused, ${sameLine} on keama's line, ${sameText} with keama's message`,
  );
  assert.deepEqual(differ, [], "every error input refused on keama's line with keama's problem");
});

Deno.test("migrate: dhcpd.conf.example from ISC dhcpd translates and loads in weka and in Kea", async () => {
  if (!present) {
    console.log("skipped: ../shared/conformance/keama is absent");
    return;
  }
  const text = await Deno.readTextFile(DIR + "dhcpd.conf.example");
  const r = migrate(text, { v6: false, file: "dhcpd.conf.example", resolver: () => undefined });
  const d = r.config.Dhcp4 as Record<string, unknown[]>;
  assert.ok(d.subnet4.length >= 4, "the example's subnets are translated");
  console.log(
    `dhcpd.conf.example: ${r.counts.subnets} subnets, ${r.counts.pools} pools, ${r.counts.hosts} hosts, ${r.counts.classes} classes, ${r.issues.length} untranslated`,
  );
  // weka's config-test accepts it as written (no interfaces-config: it would serve nothing until one is named)
  const loaded = parseConfigText(r.text, "dhcpd.conf.example.json", () => "");
  const nets = (d["shared-networks"] ?? []) as { subnet4: unknown[] }[];
  assert.equal(loaded.dhcp4!.subnets.length, d.subnet4.length + nets.reduce((n, s) => n + s.subnet4.length, 0));
  if (which("kea-dhcp4")) {
    const dir = await Deno.makeTempDir({ prefix: "weka-migrate-" });
    const err = await keaCheck(r.text, false, dir, "example");
    await Deno.remove(dir, { recursive: true });
    assert.equal(err, undefined);
  }
});
