/**
 * `stat-lease6-get` (libdhcp_stat_cmds.so) side by side with real kea-dhcp6 2.2: both servers get the same Dhcp6
 * subnets (an NA pool of 256 addresses and a /48 → /56 PD pool in subnet 1, an NA pool in subnet 2) and the same
 * lease6-add commands (two NAs, one of them declined, one delegated prefix), then every form of stat-lease6-get —
 * all subnets, one subnet, a subnet range, an unknown subnet — must answer the same result code, text, columns and
 * rows (the timestamp aside). Unit-level: the same command on weka's registry counts leases added afterwards.
 * Needs kea-dhcp6 and the two hooks; skipped with a message otherwise.
 */
import assert from "node:assert/strict";
import { sendUnix } from "../../mod/control/client.ts";
import { freePort, missingFiles, REPO, waitUntil } from "./helpers.ts";

const KEA6 = "/usr/sbin/kea-dhcp6";
const HOOKS = "/usr/lib/x86_64-linux-gnu/kea/hooks";
const missing = missingFiles([KEA6, `${HOOKS}/libdhcp_lease_cmds.so`, `${HOOKS}/libdhcp_stat_cmds.so`]);
if (missing.length) console.log(`SKIP stat-lease6-get vs Kea: ${missing.join(", ")} missing`);

const DUID = "00:01:00:01:32:9c:a8:8d:02:00:00:66:00:01";

function config(dir: string, who: "kea" | "weka"): Record<string, unknown> {
  return {
    Dhcp6: {
      "interfaces-config": { interfaces: [] },
      "preferred-lifetime": 3000,
      "valid-lifetime": 4000,
      "control-socket": { "socket-type": "unix", "socket-name": `${dir}/${who}.sock` },
      "lease-database": who === "kea"
        ? { type: "memfile", persist: false }
        : { type: "memfile", name: `${dir}/weka-leases6.csv` },
      "hooks-libraries": [
        { library: `${HOOKS}/libdhcp_lease_cmds.so` },
        { library: `${HOOKS}/libdhcp_stat_cmds.so` },
      ],
      "server-id": { type: "LL", htype: 1, identifier: "020000000001", persist: false },
      subnet6: [
        {
          id: 1,
          subnet: "2001:db8:1::/64",
          pools: [{ pool: "2001:db8:1::100-2001:db8:1::1ff" }],
          "pd-pools": [{ prefix: "2001:db8:8000::", "prefix-len": 48, "delegated-len": 56 }],
        },
        { id: 2, subnet: "2001:db8:2::/64", pools: [{ pool: "2001:db8:2::100-2001:db8:2::1ff" }] },
        { id: 3, subnet: "2001:db8:3::/64" },
      ],
      loggers: [{ name: "kea-dhcp6", "output_options": [{ output: "stdout" }], severity: "WARN" }],
    },
  };
}

const ADDS = [
  { "ip-address": "2001:db8:1::150", duid: DUID, iaid: 7, "subnet-id": 1 },
  { "ip-address": "2001:db8:1::151", duid: DUID, iaid: 9, "subnet-id": 1, state: 1 },
  { "ip-address": "2001:db8:2::150", duid: DUID, iaid: 7, "subnet-id": 2 },
  { "ip-address": "2001:db8:8000:100::", type: "IA_PD", "prefix-len": 56, duid: DUID, iaid: 8, "subnet-id": 1 },
];

const QUERIES: (Record<string, unknown> | undefined)[] = [
  undefined,
  { "subnet-id": 1 },
  { "subnet-id": 3 },
  { "subnet-range": { "first-subnet-id": 2, "last-subnet-id": 9 } },
  { "subnet-id": 42 },
];

Deno.test({
  name: "stat-lease6-get: weka dhcp6 answers as kea-dhcp6 2.2 with libdhcp_stat_cmds.so (codes, texts, columns, rows)",
  ignore: missing.length > 0,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "wkc-stat6-" });
    await Deno.writeTextFile(`${dir}/kea.json`, JSON.stringify(config(dir, "kea")));
    await Deno.writeTextFile(`${dir}/weka.json`, JSON.stringify(config(dir, "weka")));
    const kea = new Deno.Command(KEA6, {
      args: ["-c", `${dir}/kea.json`],
      env: { KEA_PIDFILE_DIR: dir, KEA_LOCKFILE_DIR: dir },
      stdout: "null",
      stderr: "null",
    }).spawn();
    const weka = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${REPO}main.ts`, "dhcp6", "-c", `${dir}/weka.json`, "-p", String(freePort())],
      stdout: "null",
      stderr: "null",
    }).spawn();
    const ask = async (who: string, c: unknown) =>
      JSON.parse(await sendUnix(`${dir}/${who}.sock`, JSON.stringify(c), 10_000));
    try {
      for (const who of ["kea", "weka"]) {
        await waitUntil(async () => (await ask(who, { command: "version-get" })).result === 0, 20_000);
        for (const a of ADDS) {
          const r = await ask(who, { command: "lease6-add", arguments: a });
          assert.equal(r.result, 0, `${who} lease6-add ${JSON.stringify(a)}: ${r.text}`);
        }
      }
      for (const q of QUERIES) {
        const req = { command: "stat-lease6-get", ...(q ? { arguments: q } : {}) };
        const [k, w] = [await ask("kea", req), await ask("weka", req)];
        for (const x of [k, w]) delete x.arguments?.["result-set"]?.timestamp;
        assert.deepEqual(w, k, `${JSON.stringify(req)}\nkea:  ${JSON.stringify(k)}\nweka: ${JSON.stringify(w)}`);
      }
      // the rows are not all zero: the comparison saw real counts
      const all = await ask("weka", { command: "stat-lease6-get", arguments: { "subnet-id": 1 } });
      assert.deepEqual(all.arguments["result-set"].rows, [[1, 256, 0, 1, 1, 256, 0, 1]]);
    } finally {
      for (const p of [kea, weka]) {
        try {
          p.kill("SIGTERM");
        } catch { /* gone */ }
        await p.status;
      }
      await Deno.remove(dir, { recursive: true });
    }
  },
});
