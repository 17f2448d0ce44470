// weka's own golden and behaviour tests of `weka migrate` (mod/migrate): failover → HA, zones/keys → D2,
// permits → pool classes, includes, error positions, -N placement, prefix6 splitting, the CLI and a 50 000-host run.
import assert from "node:assert/strict";
import { migrate } from "../../mod/migrate/migrate.ts";
import { runMigrate } from "../../mod/cli/migrate.ts";
import { parseConfigText } from "../../mod/config/load.ts";
import { keaAccepts as kea, migrateError as err } from "./migrate_helpers.ts";

const FIX = new URL("../fixtures/migrate/", import.meta.url).pathname;
const read = (p: string) => Deno.readTextFileSync(FIX + p);

Deno.test("migrate golden: failover, DDNS zones and keys, permits, includes (tests/fixtures/migrate/ha_ddns.conf)", () => {
  const r = migrate(read("ha_ddns.conf"), { v6: false, file: "ha_ddns.conf", readFile: (p) => read(p) });
  assert.deepEqual(r.config, JSON.parse(read("ha_ddns.expected.json")));
  assert.deepEqual(JSON.parse(r.d2Text!), JSON.parse(read("ha_ddns.expected-d2.json")));
  // the `on commit` statement and the token-ring host are commented out, each with its file:line
  assert.deepEqual(r.issues.map((i) => `${i.loc.file}:${i.loc.line}`), ["ha_ddns.conf:58", "hosts.inc:7"]);
  assert.match(r.text, /\/\/ {2}"statement": "on commit/);
  const ha = kea("kea-dhcp4", r.text);
  if (ha === undefined) console.log("kea-dhcp4 not installed: Kea check skipped");
  else assert.equal(ha, true, "kea-dhcp4 -t accepts the HA translation");
  const d2 = kea("kea-dhcp-ddns", r.d2Text!);
  if (d2 !== undefined) assert.equal(d2, true, "kea-dhcp-ddns -t accepts the D2 translation");
  // weka runs the same HA translation: its config-test compiles the relationship the failover peer described
  const loaded = parseConfigText(r.text, "ha_ddns.json", () => "");
  const rel = loaded.dhcp4!.ha!;
  assert.ok(rel, "weka compiled the HA relationship");
  assert.equal(rel.peers.length, 2);
  assert.equal(rel.mode, "load-balancing"); // the failover peer has a split
});

Deno.test("migrate: split 256 gives a hot-standby pair, the secondary names itself", () => {
  const conf = `failover peer "f" { secondary; address 10.0.0.2; peer address 10.0.0.1; split 256; mclt 60; }
subnet 10.0.0.0 netmask 255.255.255.0 { pool { failover peer "f"; range 10.0.0.10 10.0.0.20; } }`;
  const d = migrate(conf, { v6: false }).config.Dhcp4 as Record<string, unknown>;
  const hooks = d["hooks-libraries"] as { library: string; parameters?: Record<string, unknown> }[];
  assert.ok(hooks[0].library.endsWith("/libdhcp_lease_cmds.so"));
  const rel = (hooks[1].parameters!["high-availability"] as Record<string, unknown>[])[0];
  assert.equal(rel.mode, "hot-standby");
  assert.equal(rel["this-server-name"], "f-secondary");
  assert.deepEqual((rel.peers as Record<string, string>[]).map((p) => [p.role, p.url]), [
    ["primary", "http://10.0.0.1:8000/"],
    ["standby", "http://10.0.0.2:8000/"],
  ]);
});

Deno.test("migrate errors carry file:line:column and the token", () => {
  const e1 = err("# c\nsubnet 10.0.0.0 netmask 255.0.255.0 { }\n");
  assert.equal(e1.message, "t.conf:2:25: can't get a prefix from 10.0.0.0 mask 255.0.255.0 (at '255.0.255.0')");
  const e2 = err("subnet 10.0.0.0 netmask 255.255.255.0 {\n  range 10.0.0.1 10.0.0.9\n}\n");
  assert.equal(e2.loc.line, 3);
  assert.equal(e2.token, "}");
  const e3 = err('option routers "10.0.0.1";\n');
  assert.match(e3.message, /^t\.conf:1:16: .*expecting IP address or hostname/);
  const e4 = err("option space s;\noption s.x code 1 = text;\noption s.y 1;\n");
  assert.equal(e4.message, "t.conf:3:8: unknown option s.y (at 's.y')");
});

Deno.test("migrate -N puts reservations in their subnet and comments orphans out", () => {
  const conf = `subnet 10.0.0.0 netmask 255.255.255.0 { }
host a { hardware ethernet 00:00:00:00:00:01; fixed-address 10.0.0.5; }
host b { hardware ethernet 00:00:00:00:00:02; fixed-address 10.9.0.5; }`;
  const r = migrate(conf, { v6: false, subnetReservations: true });
  const d = r.config.Dhcp4 as Record<string, Record<string, unknown>[]>;
  assert.deepEqual(d.subnet4[0].reservations, [{
    hostname: "a",
    "hw-address": "00:00:00:00:00:01",
    "ip-address": "10.0.0.5",
  }]);
  assert.equal(r.issues.length, 1);
  assert.match(r.issues[0].message, /host b: orphan/);
});

Deno.test("migrate: a prefix6 range that is not one aligned block is split into aligned pd-pools", () => {
  const r = migrate("subnet6 2001:db8::/48 { prefix6 2001:db8:0:1:: 2001:db8:0:3:: /64; }", { v6: true });
  const s = (r.config.Dhcp6 as Record<string, Record<string, unknown>[]>).subnet6[0];
  assert.deepEqual(s["pd-pools"], [
    { prefix: "2001:db8:0:1::", "prefix-len": 64, "delegated-len": 64 },
    { prefix: "2001:db8:0:2::", "prefix-len": 63, "delegated-len": 64 },
  ]);
});

Deno.test("migrate: if becomes a client class; executable statements and unknown parameters are commented out and counted", () => {
  const r = migrate('default-lease-time 60;\nif exists host-name { log(info, "x"); }\nping-check true;\n', {
    v6: false,
  });
  // the if becomes a client class testing its condition; the log statement inside it has no Kea equivalent
  assert.deepEqual(r.config, {
    Dhcp4: { "valid-lifetime": 60, "client-classes": [{ name: "if#2#1", test: "option[12].exists" }] },
  });
  assert.equal(r.issues.length, 2);
  assert.match(r.text, /^\/\/ +"statement": "log \(info, \\"x\\"\);"/m);
  assert.match(r.text, /^ {4}\/\/\/ Kea 2\.2 does not ping/m);
});

Deno.test("weka migrate CLI: usage errors exit 2, the exit code counts untranslated items", async () => {
  assert.equal(await runMigrate(["-i", "x"]), 2);
  assert.equal(await runMigrate(["-4", "-r", "maybe"]), 2);
  const out = await Deno.makeTempFile({ suffix: ".json" });
  const d2 = await Deno.makeTempFile({ suffix: ".json" });
  const code = await runMigrate(["-4", "-i", FIX + "ha_ddns.conf", "-o", out, "--d2", d2, "-r", "pass"]);
  assert.equal(code, 2);
  assert.match(await Deno.readTextFile(out), /"this-server-name": "dhcp-failover-primary"/);
  assert.match(await Deno.readTextFile(d2), /"DhcpDdns"/);
  await Deno.remove(out);
  await Deno.remove(d2);
});

Deno.test("migrate: 50 000 host declarations in under 10 s, with progress", () => {
  const parts = ["subnet 10.0.0.0 netmask 255.255.0.0 { range 10.0.200.1 10.0.250.250; }\n"];
  for (let i = 0; i < 50000; i++) {
    const b = [(i >> 16) & 255, (i >> 8) & 255, i & 255].map((x) => x.toString(16).padStart(2, "0")).join(":");
    parts.push(
      `host h${i} {\n  hardware ethernet 02:00:${b}:01;\n  fixed-address 10.0.${(i >> 8) & 255}.${i & 255};\n}\n`,
    );
  }
  const progress: number[] = [];
  const t0 = performance.now();
  const r = migrate(parts.join(""), { v6: false, onProgress: (n) => progress.push(n) });
  const secs = (performance.now() - t0) / 1000;
  console.log(`50 000 hosts translated in ${secs.toFixed(2)} s`);
  assert.ok(secs < 10, `took ${secs} s`);
  assert.equal(r.counts.hosts, 50000);
  assert.equal((r.config.Dhcp4 as Record<string, unknown[]>).reservations.length, 50000);
  assert.deepEqual(progress, [10000, 20000, 30000, 40000, 50000]);
});

Deno.test("weka migrate CLI: a parse failure exits 255 (keama); --check runs weka's config-test on the output", async () => {
  const dir = await Deno.makeTempDir();
  const bad = `${dir}/bad.conf`, good = `${dir}/good.conf`, out = `${dir}/out.json`;
  await Deno.writeTextFile(bad, "subnet 10.0.0.0 netmask 255.255.255.0 {\n  range 10.0.0.1\n");
  assert.equal(await runMigrate(["-4", "-i", bad, "-o", out]), 255);
  // one untranslated item (ping-check) and an output that loads: the count is the exit code, the check passes
  await Deno.writeTextFile(
    good,
    "ping-check true;\nsubnet 10.0.0.0 netmask 255.255.255.0 { range 10.0.0.10 10.0.0.20; }\n",
  );
  const errs: string[] = [];
  const orig = console.error;
  console.error = (...a: unknown[]) => void errs.push(a.join(" "));
  try {
    assert.equal(await runMigrate(["-4", "-i", good, "-o", out, "--check"]), 1);
  } finally {
    console.error = orig;
  }
  assert.ok(
    errs.some((l) => /^check: .*out\.json: weka config-test: valid \(Dhcp4: 1 subnet\(s\)\)$/.test(l)),
    errs.join("\n"),
  );
  await Deno.remove(dir, { recursive: true });
});
