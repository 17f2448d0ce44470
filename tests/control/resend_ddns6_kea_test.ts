/**
 * `lease6-resend-ddns` side by side with real kea-dhcp6 2.2 (libdhcp_lease_cmds.so): the same leases added to both
 * servers, then the same commands — a lease with a name and DNS directions (an NCR), without a name, with no
 * direction, an unknown address, a bad address — must answer the same result code and text; the NCRs both servers
 * send to a UDP listener (Kea's NCR wire form: a 2-byte length, then JSON) must be equal field for field. With DDNS
 * off both answer 1 "DDNS updating is not enabled". Needs kea-dhcp6 and the hook; skipped with a message otherwise.
 */
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { sendUnix } from "../../mod/control/client.ts";
import { freePort, missingFiles, REPO, waitUntil } from "./helpers.ts";

const KEA6 = "/usr/sbin/kea-dhcp6";
const HOOKS = "/usr/lib/x86_64-linux-gnu/kea/hooks";
const missing = missingFiles([KEA6, `${HOOKS}/libdhcp_lease_cmds.so`]);
if (missing.length) console.log(`SKIP lease6-resend-ddns vs Kea: ${missing.join(", ")} missing`);

const DUID = "00:01:00:01:32:9c:a8:8d:02:00:00:66:00:01";

function config(dir: string, who: string, ncrPort: number | undefined): Record<string, unknown> {
  return {
    Dhcp6: {
      "interfaces-config": { interfaces: [] },
      "control-socket": { "socket-type": "unix", "socket-name": `${dir}/${who}.sock` },
      "lease-database": who.startsWith("kea")
        ? { type: "memfile", persist: false }
        : { type: "memfile", name: `${dir}/${who}-leases6.csv` },
      "hooks-libraries": [{ library: `${HOOKS}/libdhcp_lease_cmds.so` }],
      "server-id": { type: "LL", htype: 1, identifier: "020000000001", persist: false },
      ...(ncrPort
        ? {
          "dhcp-ddns": { "enable-updates": true, "server-ip": "127.0.0.1", "server-port": ncrPort },
          "ddns-qualifying-suffix": "lab.test.",
        }
        : {}),
      subnet6: [{ id: 1, subnet: "2001:db8:1::/64", pools: [{ pool: "2001:db8:1::100-2001:db8:1::1ff" }] }],
      loggers: [{ name: "kea-dhcp6", "output_options": [{ output: "stdout" }], severity: "WARN" }],
    },
  };
}

const lease = (ip: string, iaid: number, extra: Record<string, unknown> = {}) => ({
  "ip-address": ip,
  duid: DUID,
  iaid,
  "subnet-id": 1,
  "valid-lft": 4000,
  expire: 1_900_000_000,
  ...extra,
});
const ADDS = [
  lease("2001:db8:1::150", 1, { hostname: "host-a.lab.test.", "fqdn-fwd": true, "fqdn-rev": true }),
  lease("2001:db8:1::151", 2),
  lease("2001:db8:1::152", 3, { hostname: "host-c.lab.test.", "fqdn-fwd": false, "fqdn-rev": false }),
  lease("2001:db8:1::153", 4, { hostname: "host-d.lab.test.", "fqdn-fwd": true, "fqdn-rev": false }),
];
const ASKS = ["2001:db8:1::150", "2001:db8:1::151", "2001:db8:1::152", "2001:db8:1::153", "2001:db8:1::1ff", "nope"];

/** A UDP listener collecting NCRs (Kea's wire form: 2-byte length + JSON). */
function ncrListener(): Promise<{ port: number; ncrs: Record<string, unknown>[]; close(): void }> {
  const sock = dgram.createSocket("udp4");
  const ncrs: Record<string, unknown>[] = [];
  sock.on("message", (m: Uint8Array) => {
    const len = (m[0] << 8) | m[1];
    ncrs.push(JSON.parse(new TextDecoder().decode(m.subarray(2, 2 + len))));
  });
  return new Promise((res) =>
    sock.bind(0, "127.0.0.1", () => res({ port: sock.address().port, ncrs, close: () => sock.close() }))
  );
}

function spawn(who: string, dir: string): Deno.ChildProcess {
  const args = who.startsWith("kea")
    ? [KEA6, "-c", `${dir}/${who}.json`]
    : [Deno.execPath(), "run", "-A", `${REPO}main.ts`, "dhcp6", "-c", `${dir}/${who}.json`, "-p", String(freePort())];
  return new Deno.Command(args[0], {
    args: args.slice(1),
    env: { KEA_PIDFILE_DIR: dir, KEA_LOCKFILE_DIR: dir },
    stdout: "null",
    stderr: "null",
  }).spawn();
}

Deno.test({
  name: "lease6-resend-ddns: weka dhcp6 answers and sends NCRs as kea-dhcp6 2.2 does",
  ignore: missing.length > 0,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "wkc-resend6-" });
    const keaNcr = await ncrListener(), wekaNcr = await ncrListener();
    const ports: Record<string, number | undefined> = {
      kea: keaNcr.port,
      weka: wekaNcr.port,
      "kea-off": undefined,
      "weka-off": undefined,
    };
    const procs: Deno.ChildProcess[] = [];
    const ask = async (who: string, c: unknown) =>
      JSON.parse(await sendUnix(`${dir}/${who}.sock`, JSON.stringify(c), 10_000));
    try {
      for (const [who, port] of Object.entries(ports)) {
        await Deno.writeTextFile(`${dir}/${who}.json`, JSON.stringify(config(dir, who, port)));
        procs.push(spawn(who, dir));
      }
      for (const who of Object.keys(ports)) {
        await waitUntil(async () => (await ask(who, { command: "version-get" })).result === 0, 20_000);
        for (const a of ADDS) {
          const r = await ask(who, { command: "lease6-add", arguments: a });
          assert.equal(r.result, 0, `${who} lease6-add ${JSON.stringify(a)}: ${r.text}`);
        }
      }
      for (const [k, w] of [["kea", "weka"], ["kea-off", "weka-off"]]) {
        for (const ip of ASKS) {
          const req = { command: "lease6-resend-ddns", arguments: { "ip-address": ip } };
          const [a, b] = [await ask(k, req), await ask(w, req)];
          assert.equal(b.result, a.result, `${w} ${ip}: kea ${JSON.stringify(a)} weka ${JSON.stringify(b)}`);
          if (ip !== "nope") assert.equal(b.text, a.text, `${w} ${ip}`);
        }
      }
      await waitUntil(() => Promise.resolve(keaNcr.ncrs.length >= 2 && wekaNcr.ncrs.length >= 2), 5_000);
      assert.equal(keaNcr.ncrs.length, 2, "Kea sent an NCR for host-a and host-d");
      assert.deepEqual(wekaNcr.ncrs, keaNcr.ncrs);
      assert.equal(wekaNcr.ncrs[0].fqdn, "host-a.lab.test.");
      assert.equal(wekaNcr.ncrs[0]["change-type"], 0);
    } finally {
      for (const p of procs) {
        try {
          p.kill("SIGTERM");
        } catch { /* gone */ }
        await p.status;
      }
      keaNcr.close();
      wekaNcr.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
