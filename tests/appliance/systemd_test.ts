/**
 * The systemd units of config/systemd/ (weka.service for `weka run`, one per role): `systemd-analyze verify` passes
 * for each without a single warning (offline, in a scratch root holding the system's units and the weka wrapper,
 * so no unit is installed on this machine), and verify is shown to catch a misspelt directive. Each unit reloads
 * with SIGHUP after a config-test, runs as the weka user with only the capabilities its role needs, and the
 * directories systemd makes writable under ProtectSystem=strict are the ones the example configurations use.
 * Needs systemd-analyze (Debian package systemd); else skipped.
 */
import assert from "node:assert/strict";
import { loadConfigFile } from "../../mod/config/load.ts";

const REPO = new URL("../../", import.meta.url).pathname;
const DIR = `${REPO}config/systemd`;
const ANALYZE = "/usr/bin/systemd-analyze";
const why = (() => {
  try {
    Deno.statSync(ANALYZE);
    return undefined;
  } catch {
    return "systemd-analyze is not installed (apt-get install systemd)";
  }
})();
if (why) console.log(`SKIP systemd units: ${why}`);

const units = [...Deno.readDirSync(DIR)].map((e) => e.name).filter((n) => n.endsWith(".service")).sort();

/** A scratch root with the system's units, /usr/local/bin/weka and /bin/kill; `extra` units go to etc. */
async function scratchRoot(extra: Record<string, string>): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "wkunit-" });
  for (const d of ["usr/local/bin", "bin", "etc/systemd/system", "usr/lib/systemd"]) {
    await Deno.mkdir(`${root}/${d}`, { recursive: true });
  }
  await Deno.copyFile(`${REPO}config/image/weka`, `${root}/usr/local/bin/weka`);
  await Deno.chmod(`${root}/usr/local/bin/weka`, 0o755);
  await Deno.copyFile("/bin/kill", `${root}/bin/kill`);
  await Deno.chmod(`${root}/bin/kill`, 0o755);
  const cp = await new Deno.Command("cp", { args: ["-a", "/usr/lib/systemd/system", `${root}/usr/lib/systemd/`] })
    .output();
  assert.ok(cp.success, "copying the system's units");
  for (const [name, text] of Object.entries(extra)) {
    await Deno.writeTextFile(`${root}/etc/systemd/system/${name}`, text);
  }
  return root;
}

async function verify(root: string, unit: string): Promise<{ code: number; text: string }> {
  const o = await new Deno.Command(ANALYZE, {
    args: ["verify", `--root=${root}`, `${root}/etc/systemd/system/${unit}`],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: o.code, text: (dec.decode(o.stdout) + dec.decode(o.stderr)).trim() };
}

Deno.test({
  name: "systemd: systemd-analyze verify passes for every unit of config/systemd, without a warning",
  ignore: why !== undefined,
  fn: async () => {
    assert.deepEqual(units, ["weka-ddns.service", "weka-dhcp4.service", "weka-dhcp6.service", "weka.service"]);
    const texts = Object.fromEntries(units.map((u) => [u, Deno.readTextFileSync(`${DIR}/${u}`)]));
    const typo = texts["weka.service"].replace("ProtectSystem=strict", "ProtectSytem=strict");
    const root = await scratchRoot({ ...texts, "weka-typo.service": typo });
    try {
      for (const u of units) {
        const r = await verify(root, u);
        assert.equal(r.code, 0, `${u}: ${r.text}`);
        assert.equal(r.text, "", `${u} verified with warnings:\n${r.text}`);
      }
      const bad = await verify(root, "weka-typo.service");
      assert.match(bad.text, /Unknown key (name )?'ProtectSytem'/, "verify reads the directives");
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test("systemd: reload, user, capabilities per role, hardening, and the directories the configs use", async () => {
  const caps: Record<string, string> = {
    "weka.service": "CAP_NET_BIND_SERVICE CAP_NET_RAW",
    "weka-dhcp4.service": "CAP_NET_BIND_SERVICE CAP_NET_RAW",
    "weka-dhcp6.service": "CAP_NET_BIND_SERVICE",
    "weka-ddns.service": "",
  };
  for (const u of units) {
    const t = Deno.readTextFileSync(`${DIR}/${u}`);
    const key = (k: string) => [...t.matchAll(new RegExp(`^${k}=(.*)$`, "gm"))].map((m) => m[1]);
    assert.deepEqual(key("ExecReload").at(-1), "/bin/kill -HUP $MAINPID", u);
    assert.deepEqual(key("AmbientCapabilities"), [caps[u]], u);
    assert.deepEqual(key("CapabilityBoundingSet"), [caps[u]], u);
    for (
      const [k, v] of [
        ["User", "weka"],
        ["ProtectSystem", "strict"],
        ["StateDirectory", "weka"],
        [
          "RuntimeDirectory",
          "weka",
        ],
        ["NoNewPrivileges", "yes"],
        ["PrivateTmp", "yes"],
      ]
    ) {
      assert.deepEqual(key(k), [v], `${u}: ${k}`);
    }
    assert.equal(key("MemoryDenyWriteExecute").length, 0, "V8 needs writable executable memory");
    // the configuration the unit runs keeps its state where systemd lets it write
    const cfg = /-c (\S+)/.exec(key("ExecStart")[0])![1].replace("/etc/weka/", `${REPO}config/`);
    const loaded = await loadConfigFile(cfg);
    const section = loaded.dhcp4 ?? loaded.dhcp6;
    if (section) {
      assert.match(section.lease.path, /^\/var\/lib\/weka\//, `${u}: lease database`);
      for (const s of section.controlSockets) if (s.type === "unix") assert.match(s.name!, /^\/run\/weka\//, u);
    }
  }
});
