/**
 * mod/config/load_role.ts (issue 16 item 5): a role's loader imports only the sections of the maps its file holds,
 * and gives what the full loader (load.ts) gives for every file — the same compiled roles, warnings and notices
 * for the good ones, the same problems for the bad ones (every configuration under config/ and tests/fixtures).
 */
import assert from "node:assert/strict";
import { ConfigError, formatProblem } from "../../mod/config/errors.ts";
import { loadConfigFile } from "../../mod/config/load.ts";
import { loadRoleConfigFile } from "../../mod/config/load_role.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

function configFiles(): string[] {
  const out: string[] = [];
  for (const dir of ["config", "tests/fixtures/config", "tests/fixtures/config6", "tests/fixtures/ddns"]) {
    try {
      for (const e of Deno.readDirSync(`${ROOT}${dir}`)) {
        if (e.name.endsWith(".json")) out.push(`${ROOT}${dir}/${e.name}`);
      }
    } catch { /* absent */ }
  }
  return out.sort();
}

/** What a load gives, comparable: the roles' models as JSON (Maps as entries), or the formatted problems. */
async function outcome(load: () => Promise<unknown>): Promise<string> {
  try {
    const l = await load() as Record<string, unknown>;
    return JSON.stringify(
      { ...l, locate: undefined },
      (_k, v) => v instanceof Map ? [...v.entries()] : v instanceof Set ? [...v] : typeof v === "bigint" ? `${v}n` : v,
    );
  } catch (e) {
    return e instanceof ConfigError ? e.problems.map(formatProblem).join("\n") : `error: ${(e as Error).message}`;
  }
}

Deno.test("load_role: the same outcome as the full loader for every configuration of the tree", async () => {
  const files = configFiles();
  assert.ok(files.length >= 20, `only ${files.length} configuration files found`);
  let refused = 0;
  for (const f of files) {
    const full = await outcome(() => loadConfigFile(f));
    if (!full.startsWith("{")) refused++;
    assert.equal(await outcome(() => loadRoleConfigFile(f)), full, f);
  }
  assert.ok(refused > 0 && refused < files.length, "both accepted and refused files are compared");
});

Deno.test("load_role: a Dhcp4-only file imports the Dhcp4 section alone; a file with Dhcp6 adds its section", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const only4 = `${dir}/only4.json`, both = `${dir}/both.json`;
    const d4 = { subnet4: [{ id: 1, subnet: "192.0.2.0/24" }] };
    await Deno.writeTextFile(only4, JSON.stringify({ Dhcp4: d4 }));
    await Deno.writeTextFile(
      both,
      JSON.stringify({ Dhcp4: d4, Dhcp6: { subnet6: [{ id: 1, subnet: "2001:db8::/64" }] } }),
    );
    // a fresh process: this one has imported every section already
    const code = `
      import { loadRoleConfigFile, loadSections } from "${ROOT}mod/config/load_role.ts";
      await loadRoleConfigFile(${JSON.stringify(only4)});
      const a = Object.keys(await loadSections([]));
      const l = await loadRoleConfigFile(${JSON.stringify(both)});
      console.log(JSON.stringify([a, Object.keys(await loadSections([])), !!l.dhcp4, !!l.dhcp6]));`;
    const out = await new Deno.Command(Deno.execPath(), { args: ["eval", "--ext=ts", code], cwd: ROOT }).output();
    assert.equal(out.success, true, new TextDecoder().decode(out.stderr));
    assert.deepEqual(JSON.parse(new TextDecoder().decode(out.stdout)), [["Dhcp4"], ["Dhcp4", "Dhcp6"], true, true]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
