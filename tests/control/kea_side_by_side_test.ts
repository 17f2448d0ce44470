/**
 * The control API side by side with real Kea: the same list of commands goes to kea-dhcp4 2.2 (its unix control
 * socket, with libdhcp_lease_cmds.so and libdhcp_stat_cmds.so) and to weka dhcp4 (its unix control socket, the same
 * subnet and hooks), in the same order so both databases evolve alike, and every answer must carry the same result
 * code and the same argument names (the shape of `arguments`: map keys, recursively, and the element shape of
 * lists). Scripts written for Kea test these. Needs kea-dhcp4 and the two hooks; skipped with a message otherwise.
 */
import assert from "node:assert/strict";
import { sendUnix } from "../../mod/control/client.ts";
import { freePort, missingFiles, waitUntil, WekaProcess } from "./helpers.ts";

const KEA4 = "/usr/sbin/kea-dhcp4";
const HOOKS = "/usr/lib/x86_64-linux-gnu/kea/hooks";
const missing = missingFiles([KEA4, `${HOOKS}/libdhcp_lease_cmds.so`, `${HOOKS}/libdhcp_stat_cmds.so`]);
if (missing.length) {
  console.log(`SKIP kea side by side: ${missing.join(", ")} missing (apt-get install kea-dhcp4-server)`);
}

/** The shape of an answer's arguments: names and kinds, values left out. */
export function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? [shape(v[0])] : [];
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, shape((v as Record<string, unknown>)[k])]));
  }
  return v === null ? "null" : typeof v;
}

const lease = (ip: string, mac: string, extra: Record<string, unknown> = {}) => ({
  "ip-address": ip,
  "hw-address": mac,
  ...extra,
});

/** The commands, in order; `args: false` = compare the result code only (texts and values differ by design). */
const COMMANDS: { command: string; arguments?: unknown; service?: unknown; args?: false }[] = [
  { command: "version-get", args: false },
  { command: "version-get", service: ["dhcp4", "dhcp6"], args: false },
  { command: "version-get", service: ["dhcp6"], args: false },
  { command: "no-such-command" },
  { command: "status-get", args: false },
  { command: "server-tag-get" },
  { command: "libreload" },
  { command: "lease4-add", arguments: lease("198.18.1.10", "02:00:00:00:00:10") },
  { command: "lease4-add", arguments: lease("198.18.1.10", "02:00:00:00:00:10") },
  { command: "lease4-add", arguments: lease("198.18.1.11", "02:00:00:00:00:11", { "client-id": "01:02:03" }) },
  { command: "lease4-add", arguments: lease("10.9.9.9", "02:00:00:00:00:12") },
  { command: "lease4-add", arguments: { "ip-address": "198.18.1.12" } },
  { command: "lease4-get", arguments: { "ip-address": "198.18.1.10" } },
  { command: "lease4-get", arguments: { "ip-address": "198.18.1.99" } },
  {
    command: "lease4-get",
    arguments: { "identifier-type": "hw-address", identifier: "02:00:00:00:00:10", "subnet-id": 1 },
  },
  { command: "lease4-get-all" },
  { command: "lease4-get-all", arguments: { subnets: [1] } },
  { command: "lease4-get-all", arguments: { subnets: [7] } },
  { command: "lease4-get-page", arguments: { from: "start", limit: 1 } },
  { command: "lease4-get-page", arguments: { from: "198.18.1.11", limit: 10 } },
  { command: "lease4-get-page", arguments: { from: "start", limit: 0 } },
  { command: "lease4-get-by-hw-address", arguments: { "hw-address": "02:00:00:00:00:10" } },
  { command: "lease4-get-by-client-id", arguments: { "client-id": "01:02:03" } },
  { command: "lease4-get-by-hostname", arguments: { hostname: "nobody" } },
  { command: "lease4-update", arguments: lease("198.18.1.10", "02:00:00:00:00:10", { hostname: "pc10" }) },
  { command: "lease4-update", arguments: lease("198.18.1.13", "02:00:00:00:00:13") },
  { command: "lease4-update", arguments: lease("198.18.1.13", "02:00:00:00:00:13", { "force-create": true }) },
  { command: "lease4-resend-ddns", arguments: { "ip-address": "198.18.1.10" } },
  { command: "lease4-del", arguments: { "ip-address": "198.18.1.13" } },
  { command: "lease4-del", arguments: { "ip-address": "198.18.1.13" } },
  { command: "lease4-wipe", arguments: { "subnet-id": 7 } },
  { command: "stat-lease4-get" },
  { command: "stat-lease4-get", arguments: { "subnet-id": 1 } },
  { command: "stat-lease4-get", arguments: { "subnet-id": 9 } },
  { command: "statistic-get", arguments: { name: "pkt4-received" } },
  { command: "statistic-get", arguments: { name: "no-such-statistic" } },
  { command: "statistic-sample-age-set", arguments: { name: "pkt4-received", duration: 1200 } },
  { command: "statistic-sample-count-set", arguments: { name: "pkt4-received", "max-samples": 5 } },
  { command: "statistic-sample-age-set-all", arguments: { duration: 1200 } },
  { command: "statistic-sample-count-set-all", arguments: { "max-samples": 7 } },
  { command: "statistic-reset", arguments: { name: "pkt4-received" } },
  { command: "statistic-remove", arguments: { name: "pkt4-ack-sent" } },
  { command: "lease4-wipe", arguments: { "subnet-id": 1 } },
  { command: "lease4-get-all" },
  { command: "dhcp-disable", arguments: { "max-period": 30 } },
  { command: "dhcp-enable" },
  { command: "leases-reclaim", arguments: { remove: true } },
  { command: "config-test", arguments: { Dhcp4: { "valid-lifetime": "x" } } },
];

function configs(dir: string) {
  const base = {
    "valid-lifetime": 4000,
    subnet4: [{ id: 1, subnet: "198.18.0.0/16", pools: [{ pool: "198.18.1.1 - 198.18.1.250" }] }],
  };
  const kea = {
    Dhcp4: {
      ...base,
      "interfaces-config": { interfaces: [] },
      "control-socket": { "socket-type": "unix", "socket-name": `${dir}/kea.sock` },
      "lease-database": { type: "memfile", persist: false },
      "hooks-libraries": [
        { library: `${HOOKS}/libdhcp_lease_cmds.so` },
        { library: `${HOOKS}/libdhcp_stat_cmds.so` },
      ],
      loggers: [{ name: "kea-dhcp4", output_options: [{ output: "stdout" }], severity: "WARN" }],
    },
  };
  const weka = {
    Dhcp4: {
      ...base,
      "interfaces-config": { interfaces: ["lo"] },
      "control-socket": { "socket-type": "unix", "socket-name": `${dir}/weka.sock` },
      "lease-database": { type: "memfile", name: `${dir}/weka-leases4.csv` },
      "hooks-libraries": [{ library: "libdhcp_lease_cmds.so" }, { library: "libdhcp_stat_cmds.so" }],
      loggers: [{ name: "kea-dhcp4", "output-options": [{ output: "stdout" }], severity: "WARN" }],
    },
  };
  return { kea, weka };
}

Deno.test({
  name: "control API side by side with kea-dhcp4 2.2: same result codes and argument names for every command",
  ignore: missing.length > 0,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "wkc-kss-" });
    const { kea, weka } = configs(dir);
    await Deno.writeTextFile(`${dir}/kea.json`, JSON.stringify(kea));
    await Deno.writeTextFile(`${dir}/weka.json`, JSON.stringify(weka));
    const keaProc = new Deno.Command(KEA4, {
      args: ["-c", `${dir}/kea.json`],
      env: { KEA_PIDFILE_DIR: dir, KEA_LOCKFILE_DIR: dir },
      stdout: "null",
      stderr: "null",
    }).spawn();
    const wekaProc = new WekaProcess(`${dir}/weka.json`, freePort());
    const ask = async (sock: string, c: unknown) => JSON.parse(await sendUnix(sock, JSON.stringify(c), 10_000));
    try {
      await waitUntil(async () => (await ask(`${dir}/kea.sock`, { command: "version-get" })).result === 0, 15_000);
      await waitUntil(async () => (await ask(`${dir}/weka.sock`, { command: "version-get" })).result === 0, 15_000);
      const diffs: string[] = [];
      for (const c of COMMANDS) {
        const req = {
          command: c.command,
          ...(c.arguments ? { arguments: c.arguments } : {}),
          ...(c.service ? { service: c.service } : {}),
        };
        const [k, w] = [await ask(`${dir}/kea.sock`, req), await ask(`${dir}/weka.sock`, req)];
        const what = JSON.stringify(req);
        if (k.result !== w.result) {
          diffs.push(`${what}: result kea ${k.result} (${k.text}) weka ${w.result} (${w.text})`);
        } else if (c.args !== false && JSON.stringify(shape(k.arguments)) !== JSON.stringify(shape(w.arguments))) {
          diffs.push(
            `${what}: arguments kea ${JSON.stringify(shape(k.arguments))} weka ${JSON.stringify(shape(w.arguments))}`,
          );
        }
      }
      assert.deepEqual(diffs, [], `\n${diffs.join("\n")}`);
    } finally {
      try {
        keaProc.kill("SIGTERM");
      } catch { /* gone */ }
      await keaProc.status;
      await wekaProc.stop("SIGTERM");
      await Deno.remove(dir, { recursive: true });
    }
  },
});
