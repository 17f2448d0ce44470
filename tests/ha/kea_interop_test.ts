/**
 * Interoperability of weka's HA partner protocol with a real Kea 2.2 (kea-dhcp4 with libdhcp_lease_cmds.so and
 * libdhcp_ha.so in hot-standby, behind kea-ctrl-agent on 127.0.0.1:8000, as Kea 2.2 without multi-threading takes
 * HA commands). Kea runs in a network namespace `wkp-<pid>` (loopback only) with its sockets, pid and lease files
 * in a temporary directory. The protocol side runs inside the namespace too: this file re-runs itself there with
 * `deno run` (WKP_KEA_URL set), drives Kea with PeerClient and prints what it saw as JSON; the test asserts on that.
 * Needs root, `ip`, kea-dhcp4, kea-ctrl-agent and the two hooks; otherwise it is skipped with a message. The
 * namespace and the processes are removed even when the test fails.
 */
import assert from "node:assert/strict";
import { leaseDeleteArgs, leaseFromPartnerJson, leaseUpdateArgs } from "../../mod/ha/lease_updates.ts";
import { PeerClient } from "../../mod/ha/peer_client.ts";
import { syncFromPartner } from "../../mod/ha/sync.ts";
import { HA_STATES, type HaState } from "../../mod/config/model_ha.ts";
import { KvLeaseStore } from "../../mod/lease/kv_store.ts";
import type { Lease4 } from "../../mod/lease/types.ts";
import { formatIpv4, parseIpv4 } from "../../mod/wire/addr.ts";

const HOOKS = "/usr/lib/x86_64-linux-gnu/kea/hooks";
const BINS = ["/usr/sbin/kea-dhcp4", "/usr/sbin/kea-ctrl-agent"];

function exists(p: string): boolean {
  try {
    Deno.statSync(p);
    return true;
  } catch {
    return false;
  }
}

function whySkip(): string | undefined {
  if (Deno.build.os !== "linux") return "not Linux";
  if (Deno.uid() !== 0) return "not root (network namespaces need root)";
  for (const p of [...BINS, `${HOOKS}/libdhcp_ha.so`, `${HOOKS}/libdhcp_lease_cmds.so`]) {
    if (!exists(p)) return `${p} is not installed (apt-get install kea-dhcp4-server kea-ctrl-agent)`;
  }
  return undefined;
}

const lease = (ip: string, hw: string, cltt: number): Lease4 => ({
  address: parseIpv4(ip)!,
  hwaddr: hw,
  clientId: "01:" + hw,
  validLifetime: 600,
  cltt,
  subnetId: 1,
  fqdnFwd: false,
  fqdnRev: false,
  hostname: "client.example.org",
  state: 0,
  userContext: { weka: true },
});

/** Inside the namespace: drives Kea through its Control Agent and reports what it saw. */
async function inner(url: string): Promise<Record<string, unknown>> {
  const kea = new PeerClient({ name: "kea1", url, role: "primary", autoFailover: true }, { timeoutMs: 5000 });
  const out: Record<string, unknown> = {};
  let hb;
  for (let i = 0;; i++) {
    try {
      hb = await kea.send("ha-heartbeat", { "server-name": "kea1" });
      break;
    } catch (e) {
      if (i > 100) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  out.heartbeat = hb;
  const now = Math.floor(Date.now() / 1000);
  const leases = [
    lease("198.18.1.100", "aa:bb:cc:00:00:01", now - 100),
    lease("198.18.1.101", "aa:bb:cc:00:00:02", now - 50),
    lease("198.18.1.102", "aa:bb:cc:00:00:03", now - 10),
  ];
  out.sentUpdate = leaseUpdateArgs(leases[0]);
  out.updates = [];
  for (const l of leases) (out.updates as unknown[]).push(await kea.send("lease4-update", leaseUpdateArgs(l)));
  out.updateAgain = await kea.send("lease4-update", leaseUpdateArgs({ ...leases[0], hostname: "renamed.example.org" }));
  const got = await kea.send("lease4-get", { "ip-address": "198.18.1.100" });
  out.get = got;
  out.getParsed = got.arguments ? { ...leaseFromPartnerJson(got.arguments), address: "198.18.1.100" } : null;
  out.expectedLease = { ...leases[0], hostname: "renamed.example.org", address: "198.18.1.100" };
  const p1 = await kea.send("lease4-get-page", { from: "start", limit: 2 });
  const p2 = await kea.send("lease4-get-page", { from: "198.18.1.101", limit: 2 });
  const p3 = await kea.send("lease4-get-page", { from: "198.18.1.102", limit: 2 });
  out.pages = [p1, p2, p3].map((p) => ({
    result: p.result,
    count: p.arguments?.count,
    ips: (p.arguments?.leases as { "ip-address": string }[] | undefined)?.map((l) => l["ip-address"]),
  }));
  // a full synchronisation from Kea into a local store that already holds a newer and an older lease
  const store = await KvLeaseStore.open(":memory:");
  try {
    await store.apply([
      { op: "put", lease: { ...leases[1], hwaddr: "aa:bb:cc:00:00:99", cltt: now } }, // newer here: kept
      { op: "put", lease: { ...leases[2], hwaddr: "aa:bb:cc:00:00:98", cltt: now - 1000 } }, // older: replaced
    ]);
    const log: string[] = [];
    out.sync = await syncFromPartner(kea, store, {
      pageLimit: 2,
      originId: 2001,
      maxPeriodSec: 30,
      serverName: "kea1",
      log: (id, text) => log.push(`${id}: ${text}`),
    });
    out.syncLog = log;
    out.syncedHw = [...store.all()].map((l) => [formatIpv4(l.address), l.hwaddr]);
  } finally {
    await store.close();
  }
  out.disable = await kea.send("dhcp-disable", { "origin-id": 2002, origin: "ha-partner", "max-period": 10 });
  out.notify = await kea.send("ha-sync-complete-notify", {
    "server-name": "kea1",
    "origin-id": 2002,
    origin: "ha-partner",
  });
  out.enable = await kea.send("dhcp-enable", { "origin-id": 2002, origin: "ha-partner" });
  out.del = await kea.send("lease4-del", leaseDeleteArgs(leases[0]));
  out.getAfterDel = await kea.send("lease4-get", { "ip-address": "198.18.1.100" });
  const st = await kea.send("status-get");
  out.statusHa = st.arguments?.["high-availability"];
  return out;
}

function keaConfigs(dir: string): { d4: unknown; ca: unknown } {
  const log = (name: string) => [{ name, output_options: [{ output: "stdout" }], severity: "INFO" }];
  const d4 = {
    Dhcp4: {
      "interfaces-config": { interfaces: [] },
      "control-socket": { "socket-type": "unix", "socket-name": `${dir}/kea4.sock` },
      "lease-database": { type: "memfile", persist: true, name: `${dir}/leases4.csv`, "lfc-interval": 0 },
      "valid-lifetime": 600,
      subnet4: [{ id: 1, subnet: "198.18.0.0/16", pools: [{ pool: "198.18.1.100 - 198.18.1.199" }] }],
      "hooks-libraries": [
        { library: `${HOOKS}/libdhcp_lease_cmds.so` },
        {
          library: `${HOOKS}/libdhcp_ha.so`,
          parameters: {
            "high-availability": [{
              "this-server-name": "kea1",
              mode: "hot-standby",
              "heartbeat-delay": 1000,
              "max-response-delay": 3000,
              "max-ack-delay": 1000,
              "max-unacked-clients": 0,
              peers: [
                { name: "kea1", url: "http://127.0.0.1:8000/", role: "primary" },
                // nothing listens there: Kea's own heartbeats fail, which does not disturb the commands
                { name: "weka1", url: "http://127.0.0.2:8000/", role: "standby" },
              ],
            }],
          },
        },
      ],
      loggers: log("kea-dhcp4"),
    },
  };
  const ca = {
    "Control-agent": {
      "http-host": "127.0.0.1",
      "http-port": 8000,
      "control-sockets": { dhcp4: { "socket-type": "unix", "socket-name": `${dir}/kea4.sock` } },
      loggers: log("kea-ctrl-agent"),
    },
  };
  return { d4, ca };
}

async function ip(...args: string[]): Promise<void> {
  const r = await new Deno.Command("ip", { args, stdout: "null", stderr: "piped" }).output();
  if (!r.success) throw new Error(`ip ${args.join(" ")} failed: ${new TextDecoder().decode(r.stderr)}`);
}

async function stop(p: Deno.ChildProcess): Promise<void> {
  try {
    p.kill("SIGTERM");
  } catch { /* already gone */ }
  const t = setTimeout(() => {
    try {
      p.kill("SIGKILL");
    } catch { /* gone */ }
  }, 3000);
  await p.status;
  clearTimeout(t);
}

function tail(path: string): string {
  try {
    return Deno.readTextFileSync(path).split("\n").slice(-15).join("\n");
  } catch {
    return "(no log)";
  }
}

async function outer(): Promise<Record<string, unknown>> {
  const dir = await Deno.makeTempDir({ prefix: "wkp-kea-" });
  const ns = `wkp-${Deno.pid}`;
  const procs: Deno.ChildProcess[] = [];
  let nsMade = false;
  try {
    await ip("netns", "add", ns);
    nsMade = true;
    await ip("-n", ns, "link", "set", "lo", "up");
    const { d4, ca } = keaConfigs(dir);
    Deno.writeTextFileSync(`${dir}/dhcp4.json`, JSON.stringify(d4));
    Deno.writeTextFileSync(`${dir}/ca.json`, JSON.stringify(ca));
    const env = { KEA_PIDFILE_DIR: dir, KEA_LOCKFILE_DIR: dir };
    const start = async (bin: string, conf: string, logName: string) => {
      const logFile = await Deno.open(`${dir}/${logName}`, { write: true, create: true });
      const p = new Deno.Command("ip", {
        args: ["netns", "exec", ns, bin, "-c", `${dir}/${conf}`],
        env,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      procs.push(p);
      p.stdout.pipeTo(logFile.writable).catch(() => {});
      p.stderr.pipeTo(new WritableStream()).catch(() => {});
    };
    await start(BINS[0], "dhcp4.json", "dhcp4.log");
    await start(BINS[1], "ca.json", "ca.log");
    const self = new URL(import.meta.url).pathname;
    const config = new URL("../../deno.json", import.meta.url).pathname;
    const r = await new Deno.Command("ip", {
      args: ["netns", "exec", ns, Deno.execPath(), "run", "-A", "--config", config, self],
      env: { WKP_KEA_URL: "http://127.0.0.1:8000/" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(r.stdout);
    if (!r.success) {
      throw new Error(
        `the protocol driver failed in ${ns}:\n${new TextDecoder().decode(r.stderr)}\n--- kea-dhcp4:\n` +
          `${tail(`${dir}/dhcp4.log`)}\n--- kea-ctrl-agent:\n${tail(`${dir}/ca.log`)}`,
      );
    }
    return JSON.parse(stdout.trim().split("\n").at(-1)!);
  } finally {
    for (const p of procs) await stop(p);
    if (nsMade) await ip("netns", "del", ns).catch((e) => console.error(e.message));
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main && Deno.env.get("WKP_KEA_URL")) {
  console.log(JSON.stringify(await inner(Deno.env.get("WKP_KEA_URL")!)));
} else {
  const skip = whySkip();
  if (skip) console.log(`kea_interop_test: skipped: ${skip}`);
  Deno.test({
    name: "HA partner protocol against real Kea 2.2 (kea-dhcp4 + HA + lease_cmds via kea-ctrl-agent)",
    ignore: !!skip,
  }, async () => {
    const o = await outer();
    if (Deno.env.get("WKP_DEBUG")) console.log(JSON.stringify(o, null, 1));
    // ha-heartbeat: Kea's status answer parses as weka expects it
    const hb = o.heartbeat as { result: number; text: string; arguments: Record<string, unknown> };
    assert.equal(hb.result, 0);
    assert.equal(hb.text, "HA peer status returned.");
    assert.ok(HA_STATES.includes(hb.arguments.state as HaState), `state ${hb.arguments.state}`);
    assert.ok(Array.isArray(hb.arguments.scopes));
    assert.ok(Math.abs(Date.parse(hb.arguments["date-time"] as string) - Date.now()) < 60_000);
    assert.match(
      hb.arguments["date-time"] as string,
      /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/,
    );
    assert.equal(typeof hb.arguments["unsent-update-count"], "number");
    // lease4-update with weka's update arguments: accepted, added then updated, and read back identically
    assert.deepEqual(o.updates, [0, 1, 2].map(() => ({ result: 0, text: "IPv4 lease added." })));
    assert.deepEqual(o.updateAgain, { result: 0, text: "IPv4 lease updated." });
    assert.equal((o.get as { result: number }).result, 0);
    assert.deepEqual(o.getParsed, o.expectedLease);
    // paging as Kea pages: 2 + 1, then an empty page with result 3
    assert.deepEqual(o.pages, [
      { result: 0, count: 2, ips: ["198.18.1.100", "198.18.1.101"] },
      { result: 0, count: 1, ips: ["198.18.1.102"] },
      { result: 3, count: 0, ips: [] },
    ]);
    // a whole sync from Kea (dhcp-disable, pages, ha-sync-complete-notify) with the merge rules
    assert.deepEqual(o.sync, { fetched: 3, applied: 2, pages: 2 });
    assert.deepEqual(o.syncedHw, [
      ["198.18.1.100", "aa:bb:cc:00:00:01"],
      ["198.18.1.101", "aa:bb:cc:00:00:99"],
      ["198.18.1.102", "aa:bb:cc:00:00:03"],
    ]);
    assert.ok(!(o.syncLog as string[]).some((l) => l.includes("UNSUPPORTED")), "Kea 2.2 knows ha-sync-complete-notify");
    assert.equal((o.disable as { result: number }).result, 0);
    assert.deepEqual(o.notify, {
      result: 0,
      text: "Server successfully notified about the synchronization completion.",
    });
    assert.equal((o.enable as { result: number }).result, 0);
    assert.deepEqual(o.del, { result: 0, text: "IPv4 lease deleted." });
    assert.equal((o.getAfterDel as { result: number }).result, 3);
    const ha = o.statusHa as { "ha-mode": string; "ha-servers": { local: { role: string } } }[];
    assert.equal(ha[0]["ha-mode"], "hot-standby");
    assert.equal(ha[0]["ha-servers"].local.role, "primary");
  });
}
