/**
 * libdhcp_run_script.so for DHCPv6 side by side with kea-dhcp6 2.2 in the namespace lab: the same configuration
 * (run_script with a script that records its argument and environment) runs first on kea-dhcp6 2.2 with ISC's hook,
 * then on `weka dhcp6`; a real `dhclient -6` on cli1 takes an address (SOLICIT/REQUEST), renews it at T1 (4 s) and
 * releases it. Each phase must fire the same hook points on both, every call must carry the same variable names,
 * and the values must be equal except those that name a moment or a transaction (CLTT, TXID).
 * Needs root, iproute2, dhclient and kea-dhcp6 with the hook; skipped with a message otherwise.
 */
import assert from "node:assert/strict";
import type { Lab, LabProcess } from "./lab.ts";
import { labTest, MAIN, until, writeConfig } from "./weka_proc.ts";
import { type Call, missingFor, RECORD_SCRIPT, settle } from "./script_record.ts";

const KEA6 = "/usr/sbin/kea-dhcp6";
const HOOK = "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_run_script.so";
const missing = missingFor([KEA6, HOOK, "/usr/sbin/dhclient"]);
const why = missing.length ? `run_script6 side by side needs ${missing.join(", ")}` : undefined;
if (why) console.log(`SKIP ${why}`);

/** The hook points each phase fires on kea-dhcp6 2.2 (sorted), so the comparison is never between two empties. */
const EXPECTED: Record<string, string[]> = {
  take: ["leases6_committed REQUEST"],
  renew: ["lease6_renew RENEW", "leases6_committed RENEW"],
  release: ["lease6_release RELEASE", "leases6_committed RELEASE"],
};

/** Values that name a moment or a transaction. */
const MAY_DIFFER = /_CLTT$|^QUERY6_TXID$/;

const key = (c: Call) => [c.hook, c.env.QUERY6_TYPE].join(" ").trim();

async function linkLocalReady(lab: Lab, host: string): Promise<void> {
  const ok = await until(async () => {
    const o = await lab.check(host, ["ip", "-6", "-o", "addr", "show", "dev", "eth0", "scope", "link"]);
    return /fe80::/.test(o) && !/tentative/.test(o);
  }, 15_000);
  assert.ok(ok, `${host}: eth0 has no usable link-local address`);
}

/** One dhclient -6 session against the server `start` runs; the calls of each phase. */
async function session(
  lab: Lab,
  dir: string,
  tag: string,
  start: (cfg: string) => Promise<LabProcess>,
  duidLine = "",
) {
  const out = `${dir}/${tag}`;
  await Deno.mkdir(out, { recursive: true });
  // the same client DUID for both servers (dhclient keeps it in its lease file as default-duid)
  await Deno.writeTextFile(`${out}/c.leases`, duidLine);
  await Deno.chmod(out, 0o777);
  const script = `${out}/hook.sh`;
  await Deno.writeTextFile(script, RECORD_SCRIPT(out));
  await Deno.chmod(script, 0o755);
  const cfg = await writeConfig(out, {
    Dhcp6: {
      "interfaces-config": { interfaces: ["eth0"] },
      "lease-database": { type: "memfile", name: `${out}/leases6.csv` },
      "data-directory": out,
      "preferred-lifetime": 200,
      "valid-lifetime": 300,
      "renew-timer": 4,
      "rebind-timer": 150,
      "hooks-libraries": [{ library: HOOK, parameters: { name: script, sync: false } }],
      subnet6: [{
        id: 1,
        subnet: "2001:db8:a::/64",
        interface: "eth0",
        pools: [{ pool: "2001:db8:a::1000 - 2001:db8:a::1fff" }],
      }],
      loggers: [{ name: "kea-dhcp6", "output_options": [{ output: "stdout" }], severity: "INFO" }],
    },
  }, `${tag}.json`);
  const server = await start(cfg);
  const phases: Record<string, Call[]> = {};
  const args = ["-pf", `${out}/c.pid`, "-lf", `${out}/c.leases`, "-v", "eth0"];
  try {
    // no -1: dhclient stays in the background and renews at T1 (4 s)
    const r = await lab.run("cli1", ["timeout", "30", "dhclient", "-6", ...args]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    phases.take = await settle(out, 1, key);
    phases.renew = await settle(out, 2, key);
    await lab.run("cli1", ["timeout", "30", "dhclient", "-6", "-r", ...args]);
    phases.release = await settle(out, 2, key);
  } finally {
    await lab.run("cli1", ["timeout", "10", "dhclient", "-6", "-x", ...args]).catch(() => {});
    await server.stop("SIGTERM", 10_000);
  }
  const leases = await Deno.readTextFile(`${out}/c.leases`).catch(() => "");
  return { phases, output: server.output, duidLine: /^default-duid .*$/m.exec(leases)?.[0] + "\n" };
}

labTest(
  "run_script6: kea-dhcp6 2.2 and weka dhcp6 fire the same hook points with the same variables for dhclient -6",
  why,
  "rs6",
  "weka-rs6-",
  async (t, lab, dir) => {
    await Deno.chmod(dir, 0o755);
    await Promise.all([linkLocalReady(lab, "srv1"), linkLocalReady(lab, "cli1")]);
    const kea = await session(lab, dir, "kea", async (cfg) => {
      const p = lab.spawn("srv1", [KEA6, "-c", cfg], { env: { KEA_PIDFILE_DIR: dir, KEA_LOCKFILE_DIR: dir } });
      await p.waitFor(/DHCP6_STARTED/, 15_000);
      return p;
    });
    const weka = await session(lab, dir, "weka", async (cfg) => {
      const p = lab.spawn("srv1", ["deno", "run", "-A", MAIN, "dhcp6", "-c", cfg]);
      await p.waitFor(/DHCP6_STARTED/, 30_000);
      return p;
    }, kea.duidLine);
    for (const phase of Object.keys(EXPECTED)) {
      await t.step(phase, () => {
        const k = kea.phases[phase], w = weka.phases[phase];
        // a client may retransmit: each distinct call once
        const firsts = (cs: Call[]) => cs.filter((c, i) => cs.findIndex((x) => key(x) === key(c)) === i);
        const hooks = (cs: Call[]) => firsts(cs).map(key);
        console.log(`${phase}: kea-dhcp6 ran the script for ${hooks(k).join(", ")}; weka for ${hooks(w).join(", ")}`);
        assert.deepEqual(hooks(k), EXPECTED[phase], `${phase}: what Kea 2.2 does\n${kea.output.slice(-3000)}`);
        assert.deepEqual(hooks(w), hooks(k), `${phase}: hook points\n--- weka:\n${weka.output.slice(-3000)}`);
        const wf = firsts(w);
        firsts(k).forEach((kc, i) => {
          const wc = wf[i];
          assert.deepEqual(Object.keys(wc.env).sort(), Object.keys(kc.env).sort(), `${phase} ${kc.hook}: names`);
          const differ = Object.entries(kc.env).filter(([n, v]) => !MAY_DIFFER.test(n) && wc.env[n] !== v)
            .map(([n, v]) => `${n}: kea ${JSON.stringify(v)}, weka ${JSON.stringify(wc.env[n])}`);
          assert.deepEqual(differ, [], `${phase} ${kc.hook}: values`);
        });
      });
    }
  },
);
