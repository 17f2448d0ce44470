/**
 * libdhcp_flex_option.so for DHCPv6 side by side with Kea 2.2 in the namespace lab: the same Dhcp6 configuration
 * runs on kea-dhcp6 2.2 with ISC's hook and then on `weka dhcp6`, both on srv1's eth0, and a real `dhclient -6` on
 * cli1 takes an address from each. The hook adds bootfile-url (not asked for), supersedes dns-servers from CSV
 * text, adds domain-search from CSV, and removes sntp-servers (sent always) when the query carries an elapsed-time
 * option. The options dhclient writes in its lease file must be the same from both servers, and what the hook did
 * must be visible in them. Needs root, iproute2, dhclient, kea-dhcp6 and its flex_option hook; skipped otherwise.
 */
import assert from "node:assert/strict";
import { labTest, linkLocalReady, MAIN, writeConfig } from "./weka_proc.ts";
import type { Lab, LabProcess } from "./lab.ts";

const KEA6 = "/usr/sbin/kea-dhcp6";
const HOOK = "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_flex_option.so";
const missing = Deno.uid() !== 0 ? ["root"] : [KEA6, HOOK, "/usr/sbin/dhclient"].filter((p) => {
  try {
    Deno.statSync(p);
    return false;
  } catch {
    return true;
  }
});
const why = missing.length ? `flex_option (DHCPv6) side by side needs ${missing.join(", ")}` : undefined;
if (why) console.log(`SKIP ${why}`);

const OPTIONS = [
  { name: "bootfile-url", add: "'tftp://[2001:db8:a::1]/boot.efi'" },
  { name: "dns-servers", "csv-format": true, supersede: "'2001:db8:a::53, 2001:db8:a::54'" },
  { name: "domain-search", "csv-format": true, add: "'clients.lab.test'" },
  { name: "sntp-servers", remove: "option[8].exists" },
];

function config(dir: string, who: string): Record<string, unknown> {
  return {
    Dhcp6: {
      "interfaces-config": { interfaces: ["eth0"] },
      "lease-database": who === "kea"
        ? { type: "memfile", persist: false }
        : { type: "memfile", name: `${dir}/weka-leases6.csv` },
      "server-id": { type: "LL", htype: 1, identifier: "020000000601", persist: false },
      "option-data": [
        { name: "dns-servers", data: "2001:db8:a::1" },
        { name: "sntp-servers", data: "2001:db8:a::123", "always-send": true },
      ],
      "hooks-libraries": [{ library: HOOK, parameters: { options: OPTIONS } }],
      subnet6: [{
        id: 1,
        subnet: "2001:db8:a::/64",
        interface: "eth0",
        pools: [{ pool: "2001:db8:a::1000 - 2001:db8:a::1fff" }],
      }],
      loggers: [{ name: "kea-dhcp6", output_options: [{ output: "stdout" }], severity: "INFO" }],
    },
  };
}

/**
 * The `option dhcp6.…` lines of dhclient's lease file (the last lease), sorted, without the server id and the
 * client id (each session's fresh lease file makes dhclient create a new DUID-LLT).
 */
async function leaseOptions(path: string): Promise<string[]> {
  const text = await Deno.readTextFile(path);
  const last = text.slice(text.lastIndexOf("lease6 {"));
  return [...last.matchAll(/^\s*option (dhcp6\.[a-z0-9-]+) (.*);$/gm)]
    .map((m) => `${m[1]} ${m[2]}`)
    .filter((l) => !l.startsWith("dhcp6.server-id") && !l.startsWith("dhcp6.client-id"))
    .sort();
}

async function session(lab: Lab, dir: string, who: string, start: (cfg: string) => LabProcess): Promise<string[]> {
  const out = `${dir}/${who}`;
  await Deno.mkdir(out, { recursive: true });
  const server = start(await writeConfig(out, config(out, who), `${who}.json`));
  try {
    await server.waitFor(/DHCP6_STARTED/, 30_000);
    const args = ["-pf", `${out}/c.pid`, "-lf", `${out}/c.leases`, "-v", "eth0"];
    const r = await lab.run("cli1", ["timeout", "30", "dhclient", "-6", "-1", ...args]);
    assert.match(r.stdout + r.stderr, /Bound to lease|bound/i, `${who}: dhclient bound\n${server.output.slice(-2000)}`);
    await lab.run("cli1", ["timeout", "20", "dhclient", "-6", "-r", ...args]);
    return await leaseOptions(`${out}/c.leases`);
  } finally {
    await server.stop("SIGTERM", 10_000);
  }
}

labTest(
  "flex_option (DHCPv6): dhclient -6 receives the same options from kea-dhcp6 2.2 and weka with the same entries",
  why,
  "fo6",
  "weka-fo6-",
  async (_t, lab, dir) => {
    await Promise.all([linkLocalReady(lab, "srv1"), linkLocalReady(lab, "cli1")]);
    const env = { KEA_PIDFILE_DIR: dir, KEA_LOCKFILE_DIR: dir };
    const kea = await session(lab, dir, "kea", (cfg) => lab.spawn("srv1", [KEA6, "-c", cfg], { env }));
    const weka = await session(
      lab,
      dir,
      "weka",
      (cfg) => lab.spawn("srv1", ["deno", "run", "-A", MAIN, "dhcp6", "-c", cfg]),
    );
    console.log(`kea-dhcp6 2.2: ${kea.join("; ")}\nweka:          ${weka.join("; ")}`);
    // what the hook did, in Kea's own answer first (so the comparison is not between two unedited replies)
    assert.ok(kea.some((l) => l.startsWith("dhcp6.bootfile-url ")), "added though not requested");
    assert.ok(kea.includes("dhcp6.name-servers 2001:db8:a::53,2001:db8:a::54"), "superseded from CSV");
    assert.ok(kea.some((l) => l.includes("clients.lab.test")), "domain-search added from CSV");
    assert.ok(!kea.some((l) => l.startsWith("dhcp6.sntp-servers ")), "removed");
    assert.deepEqual(weka, kea);
  },
);
