/**
 * libdhcp_flex_option.so side by side with Kea 2.2 in the namespace lab: the same configuration runs on kea-dhcp4
 * 2.2 with ISC's hook and then on weka, and a real dhclient on LAN A takes a lease from each. The hook adds an
 * option the client did not ask for (tftp-server-name, a constant), supersedes domain-name from the client's own
 * host-name option, supersedes domain-name-servers from CSV text, removes the routers option for clients that send
 * a host name, leaves alone an `add` for an option the response already has, and adds a sub-option to option 43. The options dhclient writes in its
 * lease file must be the same from both servers, and what the hook did must be visible in them.
 * Needs root, iproute2, dhclient, kea-dhcp4 and its flex_option hook; skipped with a message otherwise.
 */
import assert from "node:assert/strict";
import { labConfig, labTest, startWeka, writeConfig } from "./weka_proc.ts";
import type { Lab, LabProcess } from "./lab.ts";

const KEA4 = "/usr/sbin/kea-dhcp4";
const HOOK = "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_flex_option.so";
const missing = Deno.uid() !== 0 ? ["root"] : [KEA4, HOOK, "/usr/sbin/dhclient"].filter((p) => {
  try {
    Deno.statSync(p);
    return false;
  } catch {
    return true;
  }
});
const why = missing.length ? `flex_option side by side needs ${missing.join(", ")}` : undefined;
if (why) console.log(`SKIP ${why}`);

const OPTIONS = [
  { name: "tftp-server-name", add: "'boot.lab.test'" },
  { code: 15, supersede: "ifelse(option[12].exists, concat(option[12].text, '.clients.lab.test'), '')" },
  { name: "domain-name-servers", "csv-format": true, supersede: "'198.18.0.53, 198.18.0.54'" },
  { name: "routers", remove: "option[12].exists" },
  { name: "subnet-mask", add: "0xffff0000" }, // already in the response: left as it is
  // a sub-option in option 43 (vendor-encapsulated-options-space), the container made since the response has none
  { code: 43, "sub-options": [{ code: 1, add: "concat('ztp/', option[12].text)" }] },
];

/** The `option …` lines of dhclient's lease file (the last lease), sorted. */
async function leaseOptions(path: string): Promise<string[]> {
  const text = await Deno.readTextFile(path);
  const last = text.slice(text.lastIndexOf("lease {"));
  return [...last.matchAll(/^\s*option ([a-z0-9-]+) (.*);$/gm)]
    .map((m) => `${m[1]} ${m[2]}`)
    .filter((l) => !l.startsWith("dhcp-lease-time") && !l.startsWith("dhcp-renewal") && !l.startsWith("dhcp-rebinding"))
    .sort();
}

async function session(lab: Lab, dir: string, tag: string, start: (cfg: string) => Promise<LabProcess>) {
  const out = `${dir}/${tag}`;
  await Deno.mkdir(out, { recursive: true });
  const base = labConfig(out) as { Dhcp4: Record<string, unknown> };
  base.Dhcp4["hooks-libraries"] = [{ library: HOOK, parameters: { options: OPTIONS } }];
  const cfg = await writeConfig(out, base, `${tag}.json`);
  const server = await start(cfg);
  try {
    const args = ["-pf", `${out}/c.pid`, "-lf", `${out}/c.leases`, "-1", "-v", "eth0"];
    const r = await lab.run("cli1", ["timeout", "30", "dhclient", "-4", ...args]);
    assert.match(r.stdout + r.stderr, /bound to 198\.18\./, `${tag}: dhclient bound\n${server.output.slice(-2000)}`);
    await lab.run("cli1", ["timeout", "20", "dhclient", "-4", "-r", ...args.filter((a) => a !== "-1")]);
    return await leaseOptions(`${out}/c.leases`);
  } finally {
    await server.stop("SIGTERM", 10_000);
  }
}

labTest(
  "flex_option: dhclient receives the same options from kea-dhcp4 2.2 and weka with the same flex_option entries",
  why,
  "fo",
  "weka-fo-",
  async (_t, lab, dir) => {
    const kea = await session(lab, dir, "kea", async (cfg) => {
      const p = lab.spawn("srv1", [KEA4, "-c", cfg], { env: { KEA_PIDFILE_DIR: dir, KEA_LOCKFILE_DIR: dir } });
      await p.waitFor(/DHCP4_STARTED/, 15_000);
      return p;
    });
    const weka = await session(lab, dir, "weka", (cfg) => startWeka(lab, "srv1", cfg));
    console.log(`kea-dhcp4 2.2: ${kea.join("; ")}\nweka:          ${weka.join("; ")}`);
    // what the hook did, in Kea's own answer first (so the comparison is not between two unedited replies)
    assert.ok(kea.includes('tftp-server-name "boot.lab.test"'), "added though not requested");
    assert.ok(kea.some((l) => /^domain-name ".+\.clients\.lab\.test"$/.test(l)), "superseded from host-name");
    assert.ok(kea.includes("domain-name-servers 198.18.0.53,198.18.0.54"), "superseded from CSV");
    assert.ok(!kea.some((l) => l.startsWith("routers ")), "removed");
    assert.ok(kea.includes("subnet-mask 255.255.0.0"), "add leaves an option already there alone");
    assert.ok(
      kea.some((l) => l.startsWith("vendor-encapsulated-options 1:6:7a:74:70:2f")),
      "sub-option 1 in option 43",
    );
    const differs = (l: string) => l.startsWith("dhcp-server-identifier");
    assert.deepEqual(weka.filter((l) => !differs(l)), kea.filter((l) => !differs(l)));
  },
);
