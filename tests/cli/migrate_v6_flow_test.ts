/**
 * The operator's path for a DHCPv6 site, through the real CLI (`deno run -A main.ts`, the entry point and flags of
 * `deno task compile`): `weka migrate -6` turns a dhcpd.conf into a Dhcp6 config, `weka config-test` checks it
 * (exit 0, a Dhcp6 summary line), and `weka run` starts the DHCPv6 role on it (DHCP6_STARTED) and stops cleanly on
 * SIGTERM (DHCP6_SHUTDOWN, exit 0), keeping its server DUID in kea-dhcp6-serverid next to the lease file.
 */
import assert from "node:assert/strict";
import { MAIN, startCli, withTempDir } from "./cli_helpers.ts";

async function weka(args: string[], stdin?: string): Promise<{ code: number; out: string; err: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  const o = await child.output();
  const dec = new TextDecoder();
  return { code: o.code, out: dec.decode(o.stdout), err: dec.decode(o.stderr) };
}

/** `weka run -c cfg` until it logs DHCP6_STARTED (30 s at most), then SIGTERM; its exit code and output. */
async function runUntilStarted(cfg: string): Promise<{ code: number; out: string }> {
  const w = await startCli(["run", "-c", cfg], /DHCP6_STARTED/, 30_000);
  const code = await w.stop();
  return { code, out: w.output() };
}

const DHCPD6 = `# a small dhcpd -6 site
default-lease-time 7200;
preferred-lifetime 3600;
option dhcp6.name-servers 2001:db8:0:1::53, 2001:db8:0:1::54;
option dhcp6.domain-search "lab.test";
subnet6 2001:db8:0:1::/64 {
  range6 2001:db8:0:1::100 2001:db8:0:1::1ff;
  prefix6 2001:db8:100:: 2001:db8:1ff:: /56;
}
host printer {
  host-identifier option dhcp6.client-id 00:01:00:01:2a:2b:2c:2d:00:11:22:33:44:55;
  fixed-address6 2001:db8:0:1::10;
}
`;

Deno.test("cli: migrate -6 → config-test accepts the Dhcp6 map → run serves it and stops on SIGTERM", () =>
  withTempDir("weka-v6flow-", async (dir) => {
    const conf = `${dir}/dhcpd6.conf`, json = `${dir}/weka6.json`;
    await Deno.writeTextFile(conf, DHCPD6);
    const m = await weka(["migrate", "-6", "-i", conf, "-o", json]);
    assert.equal(m.code, 0, m.err);
    const doc = JSON.parse((await Deno.readTextFile(json)).replace(/^\s*\/\/.*$/gm, ""));
    assert.equal(doc.Dhcp6.subnet6[0].subnet, "2001:db8:0:1::/64");

    const t = await weka(["config-test", "-c", json]);
    assert.equal(t.code, 0, t.err);
    assert.match(t.out, /configuration is valid/);
    // the prefix6 range 2001:db8:100:: – 2001:db8:1ff:: /56 is not one CIDR block: it becomes 9 pd-pools (as keama)
    assert.match(t.out, /Dhcp6: 1 subnet\(s\), 1 pool\(s\), 9 pd-pool\(s\)/);

    // the migrated file keeps Kea's default lease file (/var/lib/kea); this run keeps it in the test directory
    doc.Dhcp6["lease-database"] = { type: "memfile", name: `${dir}/kea-leases6.csv` };
    const json2 = `${dir}/weka6-run.json`;
    await Deno.writeTextFile(json2, JSON.stringify(doc));
    const r = await runUntilStarted(json2);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /DHCP6_STARTED .*DHCPv6 server started/);
    assert.match(r.out, /DHCP6_SHUTDOWN /);
    assert.match(await Deno.readTextFile(`${dir}/kea-dhcp6-serverid`), /^00:01:00:01(:[0-9a-f]{2})+\n$/);
  }));

Deno.test("cli: config-test refuses a bad Dhcp6 map with file:line:col and the JSON path, exit 1", () =>
  withTempDir("weka-v6flow-", async (dir) => {
    const json = `${dir}/bad6.json`;
    await Deno.writeTextFile(
      json,
      `{
  "Dhcp6": {
    "subnet6": [
      { "id": 1, "subnet": "2001:db8:1::/64",
        "pools": [ { "pool": "2001:db8:2::1 - 2001:db8:2::ff" } ] }
    ]
  }
}
`,
    );
    const t = await weka(["config-test", "-c", json]);
    assert.equal(t.code, 1);
    assert.match(t.err, new RegExp(`^${json}:5:\\d+: Dhcp6\\.subnet6\\[0\\]\\.pools\\[0\\]`, "m"));
  }));
