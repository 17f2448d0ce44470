/**
 * libdhcp_run_script.so side by side with Kea 2.2 in the namespace lab: the same configuration (run_script with a
 * script that records its argument and environment, lease commands, a control socket) runs first on kea-dhcp4 2.2
 * with ISC's hook, then on weka; a real dhclient session on LAN A (DORA, INIT-REBOOT renewal, release) and a
 * reclamation of an expired and a declined lease (added with lease4-add, then leases-reclaim) drive both. Each
 * phase must fire the same hook points, every call must carry the same variable names, and the values must be equal
 * except those that name a moment or a transaction (CLTT, TXID) or the Ethernet frame weka's UDP sockets do not see.
 * Needs root, iproute2, dhclient, socat, kea-dhcp4 and its two hooks; skipped with a message otherwise.
 */
import assert from "node:assert/strict";
import { labConfig, labTest, startWeka, writeConfig } from "./weka_proc.ts";
import type { Lab, LabProcess } from "./lab.ts";
import { fileURLToPath } from "node:url";
import { type Call, missingFor, RECORD_SCRIPT, settle } from "./script_record.ts";
import { encode4 } from "../../mod/packet4/codec.ts";
import { MsgType, Opt, type Packet4 } from "../../mod/packet4/packet.ts";
import { ipv4Bytes, parseHex, parseIpv4, toHex } from "../../mod/wire/addr.ts";

const PROBE = fileURLToPath(new URL("./dhcp4_probe.ts", import.meta.url));

/** A broadcast client message (BOOTREQUEST, Ethernet, the broadcast flag) with options 53, 50 and 54. */
function packet(type: number, mac: string, xid: number, o: { requested: string; server: string }): Uint8Array {
  const chaddr = new Uint8Array(16);
  chaddr.set(parseHex(mac)!);
  const p: Packet4 = {
    op: 1,
    htype: 1,
    hlen: 6,
    hops: 0,
    xid,
    secs: 0,
    flags: 0x8000,
    ciaddr: 0,
    yiaddr: 0,
    siaddr: 0,
    giaddr: 0,
    chaddr,
    sname: "",
    file: "",
    options: new Map([
      [Opt.MESSAGE_TYPE, Uint8Array.of(type)],
      [Opt.REQUESTED_ADDRESS, ipv4Bytes(parseIpv4(o.requested)!)],
      [Opt.SERVER_ID, ipv4Bytes(parseIpv4(o.server)!)],
    ]),
  };
  return encode4(p);
}

/** Sends the messages from the lab host `cli` (198.18.0.100, port 68) to the server 198.18.0.1:67, one after the other. */
async function sendFromCli(lab: Lab, dir: string, messages: Uint8Array[]): Promise<void> {
  const plan = { port: 68, waitMs: 1000, sends: messages.map((m) => ({ to: "198.18.0.1", hex: toHex(m) })) };
  await Deno.writeTextFile(`${dir}/plan.json`, JSON.stringify(plan));
  const r = await lab.run("cli", ["deno", "run", "-A", PROBE, `${dir}/plan.json`]);
  assert.equal(r.code, 0, r.stderr);
}

const KEA4 = "/usr/sbin/kea-dhcp4";
const HOOKS = "/usr/lib/x86_64-linux-gnu/kea/hooks";
const need = [KEA4, `${HOOKS}/libdhcp_run_script.so`, `${HOOKS}/libdhcp_lease_cmds.so`, "/usr/bin/socat"];
const missing = missingFor(need);
const why = missing.length ? `run_script side by side needs ${missing.join(", ")}` : undefined;
if (why) console.log(`SKIP ${why}`);

/** The hook points each phase fires on kea-dhcp4 2.2 (sorted), so the comparison is never between two empties. */
const EXPECTED: Record<string, string[]> = {
  dora: ["leases4_committed DHCPREQUEST"],
  renew: ["lease4_renew DHCPREQUEST", "leases4_committed DHCPREQUEST"],
  release: ["lease4_release DHCPRELEASE", "leases4_committed DHCPRELEASE"],
  decline: ["lease4_decline DHCPDECLINE", "leases4_committed DHCPDECLINE", "leases4_committed DHCPREQUEST"],
  reclaim: ["lease4_expire", "lease4_expire", "lease4_recover"],
};

/** Values that name a moment or a transaction, or the Ethernet header weka's UDP sockets do not see. */
const MAY_DIFFER = /_CLTT$|^QUERY4_TXID$/;

/** What tells two calls apart: the hook point, the query's type and the leases' addresses. */
function key(c: Call): string {
  const e = c.env;
  return [c.hook, e.QUERY4_TYPE, e.LEASE4_ADDRESS, e.LEASES4_AT0_ADDRESS, e.DELETED_LEASES4_AT0_ADDRESS].join(" ")
    .trim();
}

/** Runs the session against the server started by `start`; the calls of each phase. */
async function session(lab: Lab, dir: string, tag: string, start: (cfg: string) => Promise<LabProcess>) {
  const out = `${dir}/${tag}`;
  await Deno.mkdir(out, { recursive: true });
  await Deno.chmod(out, 0o777);
  const script = `${out}/hook.sh`;
  await Deno.writeTextFile(script, RECORD_SCRIPT(out));
  await Deno.chmod(script, 0o755);
  const base = labConfig(out) as { Dhcp4: Record<string, unknown> };
  base.Dhcp4["hooks-libraries"] = [
    { library: `${HOOKS}/libdhcp_run_script.so`, parameters: { name: script, sync: false } },
    { library: `${HOOKS}/libdhcp_lease_cmds.so` },
  ];
  base.Dhcp4["control-socket"] = { "socket-type": "unix", "socket-name": `${out}/ctrl.sock` };
  base.Dhcp4["renew-timer"] = 600;
  base.Dhcp4["rebind-timer"] = 900;
  base.Dhcp4["valid-lifetime"] = 1200;
  const cfg = await writeConfig(out, base, `${tag}.json`);
  const server = await start(cfg);
  const phases: Record<string, Call[]> = {};
  try {
    const args = ["-pf", `${out}/c.pid`, "-lf", `${out}/c.leases`, "-1", "-v", "eth0"];
    const dhclient = async (extra: string[]) => {
      const r = await lab.run("cli1", ["timeout", "30", "dhclient", "-4", ...extra, ...args]);
      return r.stdout + r.stderr;
    };
    // dhclient stays as a daemon once bound (renewing after renew-timer, set long here); -x stops it without a
    // release, and a new dhclient then asks for its lease again (INIT-REBOOT): a renewal of the same lease
    const stop = () => lab.run("cli1", ["timeout", "20", "dhclient", "-4", "-x", ...args.filter((a) => a !== "-1")]);
    assert.match(await dhclient([]), /bound to 198\.18\./, "DORA");
    phases.dora = await settle(out, 1, key);
    await stop();
    assert.match(await dhclient([]), /bound to 198\.18\./, "INIT-REBOOT");
    phases.renew = await settle(out, 2, key);
    await lab.run("cli1", ["timeout", "20", "dhclient", "-4", "-r", ...args.filter((a) => a !== "-1")]);
    phases.release = await settle(out, 2, key);
    // a client that takes 198.18.1.50 (a REQUEST in SELECTING state) and declines it
    const mac = "02:00:00:00:00:50";
    const selecting = packet(MsgType.REQUEST, mac, 0x5001, { requested: "198.18.1.50", server: "198.18.0.1" });
    const decline = packet(MsgType.DECLINE, mac, 0x5002, { requested: "198.18.1.50", server: "198.18.0.1" });
    await sendFromCli(lab, out, [selecting, decline]);
    phases.decline = await settle(out, 3, key);
    const now = Math.floor(Date.now() / 1000);
    const send = (c: unknown) =>
      lab.run("srv1", ["sh", "-c", `echo '${JSON.stringify(c)}' | socat -t 5 - UNIX-CONNECT:${out}/ctrl.sock`]);
    const expired = (ip: string, mac: string, extra: Record<string, unknown>) => ({
      command: "lease4-add",
      arguments: { "ip-address": ip, "hw-address": mac, "valid-lft": 10, expire: now - 5, ...extra },
    });
    await send(expired("198.18.1.77", "02:00:00:00:00:77", { hostname: "exp.lab.test" }));
    await send(expired("198.18.1.78", "02:00:00:00:00:78", { state: 1 }));
    await send({ command: "leases-reclaim", arguments: { remove: false } });
    phases.reclaim = await settle(out, 3, key);
  } finally {
    await server.stop("SIGTERM", 10_000);
  }
  return { phases, output: server.output };
}

labTest(
  "run_script: Kea 2.2 and weka fire the same hook points with the same variables for a dhclient session",
  why,
  "rs",
  "weka-rs-",
  async (t, lab, dir) => {
    await Deno.chmod(dir, 0o755);
    const kea = await session(lab, dir, "kea", async (cfg) => {
      const p = lab.spawn("srv1", [KEA4, "-c", cfg], { env: { KEA_PIDFILE_DIR: dir, KEA_LOCKFILE_DIR: dir } });
      await p.waitFor(/DHCP4_STARTED/, 15_000);
      return p;
    });
    const weka = await session(lab, dir, "weka", (cfg) => startWeka(lab, "srv1", cfg));
    for (const phase of ["dora", "renew", "release", "decline", "reclaim"]) {
      await t.step(phase, () => {
        const k = kea.phases[phase], w = weka.phases[phase];
        // a client may retransmit (dhclient's INIT-REBOOT did, against both servers): each distinct call once
        const firsts = (cs: Call[]) => cs.filter((c, i) => cs.findIndex((x) => key(x) === key(c)) === i);
        const hooks = (cs: Call[]) => firsts(cs).map((c) => `${c.hook} ${c.env.QUERY4_TYPE ?? ""}`.trim());
        console.log(`${phase}: kea-dhcp4 ran the script for ${hooks(k).join(", ")}; weka for ${hooks(w).join(", ")}`);
        assert.deepEqual(hooks(k), EXPECTED[phase], `${phase}: what Kea 2.2 does`);
        assert.deepEqual(hooks(w), hooks(k), `${phase}: hook points\n--- weka:\n${weka.output.slice(-3000)}`);
        const wf = firsts(w);
        firsts(k).forEach((kc, i) => {
          const wc = wf[i];
          assert.deepEqual(
            Object.keys(wc.env).sort(),
            Object.keys(kc.env).sort(),
            `${phase} ${kc.hook}: variable names`,
          );
          for (const [name, value] of Object.entries(kc.env)) {
            if (MAY_DIFFER.test(name)) continue;
            // the crafted decline comes from host cli's MAC with another chaddr: only a packet socket sees the frame
            if (phase === "decline" && name === "QUERY4_REMOTE_HWADDR") continue;
            assert.equal(wc.env[name], value, `${phase} ${kc.hook}: ${name}`);
          }
        });
      });
    }
  },
);
