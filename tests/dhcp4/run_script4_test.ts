/**
 * libdhcp_run_script.so's variables for what the lab side-by-side test (tests/e2e/run_script_test.ts) cannot make a
 * dhclient send: a relayed query with relay agent information (option 82: QUERY4_OPTION_82 and its circuit-id and
 * remote-id sub-options, as Kea's Option::toHexString writes them), a client that moves to another address (the old
 * lease in DELETED_LEASES4), and the script runner's bound on a flood of lease events.
 */
import assert from "node:assert/strict";
import { decode4 } from "../../mod/packet4/codec.ts";
import { committedCalls, reclaimCalls } from "../../mod/dhcp4/run_script4.ts";
import { type Lease4, LeaseState } from "../../mod/lease/types.ts";
import { parseHex } from "../../mod/wire/addr.ts";
import { ScriptRunner } from "../../mod/cli/script_runner.ts";
import { nullLog } from "../../mod/log/logger.ts";

// A DHCPREQUEST relayed by 198.20.0.1 with option 82, as a relay sends it:
const RELAYED_REQUEST = parseHex(
  "01" + "01" + "06" + "01" + // op BOOTREQUEST, htype Ethernet, hlen 6, hops 1
    "12345678" + // xid 0x12345678
    "0003" + "0000" + // secs 3, flags 0
    "00000000" + "00000000" + "00000000" + // ciaddr, yiaddr, siaddr 0.0.0.0
    "c6140001" + // giaddr 198.20.0.1
    "020000000042" + "00".repeat(10) + // chaddr 02:00:00:00:00:42 + padding
    "00".repeat(64) + "00".repeat(128) + // sname, file
    "63825363" + // magic cookie
    "350103" + // option 53: DHCPREQUEST
    "3204c6140132" + // option 50: requested 198.20.1.50
    "36040a000001" + // option 54: server id 10.0.0.1
    "520e" + "0106" + "657468302f31" + "0204" + "0a0b0c0d" + // option 82: circuit-id "eth0/1", remote-id 0a0b0c0d
    "ff", // end
)!;

const lease = (address: number, extra: Partial<Lease4> = {}): Lease4 => ({
  address,
  hwaddr: "02:00:00:00:00:42",
  clientId: "",
  validLifetime: 4000,
  cltt: 1_790_000_000,
  subnetId: 3,
  fqdnFwd: false,
  fqdnRev: false,
  hostname: "",
  state: LeaseState.DEFAULT,
  ...extra,
});

Deno.test("run_script: a relayed REQUEST that moves the client: option 82, RELAYED, the old lease deleted", () => {
  const query = decode4(RELAYED_REQUEST);
  const now = 0xc6140132, old = 0xc6140120; // 198.20.1.50, and the client's previous 198.20.1.32
  const calls = committedCalls({
    query,
    arrival: {
      localAddr: 0x0a000001,
      localPort: 67,
      remoteAddr: 0xc6140001,
      remotePort: 67,
      ifaceIndex: 2,
      ifaceName: "eth0",
      ifaceMac: "02:aa:00:00:00:01",
    },
    mutations: [{ op: "del", address: old }, { op: "put", lease: lease(now) }],
    events: [{ kind: "alloc", address: now, subnetId: 3, hostname: "" }],
    before: new Map([[old, lease(old, { cltt: 1_789_000_000 })], [now, undefined]]),
    subnet: (id) => (id === 3 ? { id: 3, prefix: "198.20.0.0/16" } : undefined),
  });
  assert.deepEqual(calls.map((c) => c.args), [["leases4_committed"]]);
  const env = calls[0].env;
  assert.equal(env.QUERY4_TYPE, "DHCPREQUEST");
  assert.equal(env.QUERY4_TXID, String(0x12345678));
  assert.equal(env.QUERY4_HOPS, "1");
  assert.equal(env.QUERY4_SECS, "3");
  assert.equal(env.QUERY4_GIADDR, "198.20.0.1");
  assert.equal(env.QUERY4_RELAYED, "true");
  assert.equal(env.QUERY4_LOCAL_ADDR, "10.0.0.1");
  assert.equal(env.QUERY4_LOCAL_HWADDR, "02:aa:00:00:00:01");
  assert.equal(env.QUERY4_HWADDR, "02:00:00:00:00:42");
  assert.equal(env.QUERY4_OPTION_82, "0x0106657468302F3102040A0B0C0D");
  assert.equal(env.QUERY4_OPTION_82_SUB_OPTION_1, "0x657468302F31");
  assert.equal(env.QUERY4_OPTION_82_SUB_OPTION_2, "0x0A0B0C0D");
  assert.equal(env.LEASES4_SIZE, "1");
  assert.equal(env.LEASES4_AT0_ADDRESS, "198.20.1.50");
  assert.equal(env.DELETED_LEASES4_SIZE, "1");
  assert.equal(env.DELETED_LEASES4_AT0_ADDRESS, "198.20.1.32");
  assert.equal(env.DELETED_LEASES4_AT0_CLTT, "1789000000");
});

Deno.test("run_script: reclamation fires lease4_expire with REMOVE_LEASE, and lease4_recover for a declined lease", () => {
  const calls = reclaimCalls([
    { kind: "expired", lease: lease(1, { hostname: "pc.lab.test" }), removed: true },
    { kind: "declined-recovered", lease: lease(2, { hwaddr: "", state: LeaseState.DECLINED }), removed: true },
  ]);
  assert.deepEqual(calls.map((c) => c.args[0]), ["lease4_expire", "lease4_expire", "lease4_recover"]);
  assert.equal(calls[0].env.REMOVE_LEASE, "true");
  assert.equal(calls[0].env.LEASE4_HOSTNAME, "pc.lab.test");
  assert.equal(calls[1].env.LEASE4_STATE, "declined");
  assert.equal(calls[1].env.LEASE4_HWADDR, "");
  assert.equal(calls[1].env.LEASE4_HWADDR_TYPE, "1");
  assert.equal(calls[2].env.REMOVE_LEASE, undefined);
});

Deno.test("run_script: a flood of lease events runs at most maxRunning scripts at once and drops beyond the queue", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const script = `${dir}/hook.sh`;
    // records the concurrency it sees: one marker file per running script
    await Deno.writeTextFile(
      script,
      `#!/bin/sh\n/usr/bin/touch ${dir}/run.$$\n/usr/bin/ls ${dir} | /usr/bin/grep -c '^run' >> ${dir}/seen\n` +
        `/bin/sleep 0.3\n/bin/rm ${dir}/run.$$\n/usr/bin/env > ${dir}/env.$$\n`,
    );
    await Deno.chmod(script, 0o755);
    const runner = new ScriptRunner(script, nullLog, 2, 4);
    const call = { args: ["lease4_expire"] as [string], env: { LEASE4_ADDRESS: "198.18.1.1" } };
    runner.run(Array.from({ length: 10 }, () => call));
    assert.equal(runner.dropped, 4, "2 running + 4 queued of 10");
    await runner.close(10_000);
    assert.equal(runner.started, 6);
    const seen = (await Deno.readTextFile(`${dir}/seen`)).trim().split("\n").map(Number);
    assert.ok(Math.max(...seen) <= 2, `at most 2 at once: ${seen}`);
    const envFile = [...Deno.readDirSync(dir)].find((e) => e.name.startsWith("env."))!.name;
    // only the call's variables: no PATH, no HOME (Kea's ProcessSpawn passes nothing else)
    const env = (await Deno.readTextFile(`${dir}/${envFile}`)).split("\n").filter((l) =>
      l && !/^(PWD|SHLVL|_)=/.test(l)
    );
    assert.deepEqual(env, ["LEASE4_ADDRESS=198.18.1.1"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
