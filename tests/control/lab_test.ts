/**
 * In the project's namespace lab (root; prefix `wkc-`): (1) config-reload, config-set and SIGHUP while perfdhcp
 * runs 500 DORA/s — drops stay under 0.5 % and no lease is lost; (2) perfdhcp at 1 000/s, weka killed with SIGKILL
 * mid-run and restarted — every address a capture (tcpdump in srv1) saw ACKed is in the store. Counts are printed.
 * Skips with the reason when the lab cannot run (not root, no perfdhcp/tcpdump).
 */
import assert from "node:assert/strict";
import { Lab } from "../e2e/lab.ts";
import { sendUnix } from "../../mod/control/client.ts";
import { decode4 } from "../../mod/packet4/codec.ts";
import { MsgType, Opt } from "../../mod/packet4/packet.ts";
import { formatIpv4 } from "../../mod/wire/addr.ts";
import { REPO } from "./helpers.ts";

function missing(): string | undefined {
  const why = Lab.available();
  if (why) return why;
  for (const tool of ["/usr/sbin/perfdhcp", "/usr/bin/tcpdump"]) {
    try {
      Deno.statSync(tool);
    } catch {
      return `${tool} is not installed (apt-get install kea-admin tcpdump)`;
    }
  }
  return undefined;
}
const skip = missing();
if (skip) console.log(`tests/control/lab_test.ts skipped: ${skip}`);

function config(dir: string, validLifetime: number): string {
  return JSON.stringify({
    Dhcp4: {
      "interfaces-config": { interfaces: ["eth0"] },
      "lease-database": { type: "memfile", name: `${dir}/kea-leases4.csv` },
      "valid-lifetime": validLifetime,
      "subnet4": [{ id: 1, subnet: "198.18.0.0/16", pools: [{ pool: "198.18.10.0 - 198.18.250.255" }] }],
      "control-socket": { "socket-type": "unix", "socket-name": `${dir}/ctrl.sock` },
      "hooks-libraries": [{ library: "libdhcp_lease_cmds.so" }],
      loggers: [{ name: "kea-dhcp4", "output-options": [{ output: "stdout" }], severity: "INFO" }],
    },
  });
}

/** perfdhcp's report → rate and the drop ratios of both exchanges. */
function perfReport(out: string) {
  const section = (name: string) => out.slice(out.indexOf(`Statistics for: ${name}`));
  const num = (text: string, re: RegExp) => Number(text.match(re)?.[1] ?? NaN);
  const doS = section("DISCOVER-OFFER"), raS = section("REQUEST-ACK");
  return {
    rate: num(out, /^Rate: ([\d.]+)/m),
    doDrop: num(doS, /drops ratio: ([\d.]+) %/),
    raDrop: num(raS, /drops ratio: ([\d.]+) %/),
    acks: num(raS, /received packets: (\d+)/),
  };
}

/** yiaddr of every DHCPACK in a pcap file (Ethernet/IPv4/UDP), with its client MAC. */
function acksInPcap(bytes: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = dv.getUint32(0, true) === 0xa1b2c3d4;
  for (let off = 24; off + 16 <= bytes.length;) {
    const len = dv.getUint32(off + 8, le);
    const pkt = bytes.subarray(off + 16, off + 16 + len);
    off += 16 + len;
    if (pkt.length < 42 || pkt[12] !== 0x08 || pkt[13] !== 0x00) continue;
    const ihl = (pkt[14] & 0x0f) * 4;
    if (pkt[14 + 9] !== 17) continue;
    try {
      const p = decode4(pkt.subarray(14 + ihl + 8));
      if (p.op === 2 && p.options.get(Opt.MESSAGE_TYPE)?.[0] === MsgType.ACK) {
        out.set(
          formatIpv4(p.yiaddr),
          [...p.chaddr.subarray(0, 6)].map((b) => b.toString(16).padStart(2, "0")).join(":"),
        );
      }
    } catch { /* not DHCP */ }
  }
  return out;
}

async function leaseMap(sock: string): Promise<Map<string, string>> {
  const a = JSON.parse(await sendUnix(sock, '{"command": "lease4-get-all"}'));
  const leases = (a.arguments?.leases ?? []) as Record<string, string>[];
  return new Map(leases.map((l) => [l["ip-address"], l["hw-address"]]));
}

Deno.test({ name: "lab: config-reload / config-set / SIGHUP under perfdhcp 500/s", ignore: !!skip }, async () => {
  const lab = await Lab.up("wkc-");
  const dir = await Deno.makeTempDir({ prefix: "wkc-lab-" });
  try {
    await Deno.writeTextFile(`${dir}/weka.json`, config(dir, 3600));
    const weka = lab.spawn("srv1", [Deno.execPath(), "run", "-A", `${REPO}main.ts`, "dhcp4", "-c", `${dir}/weka.json`]);
    await weka.waitFor(/COMMAND_ACCEPTOR_START/, 20_000);
    const perf = lab.run("cli", ["perfdhcp", "-4", "-l", "eth0", "-r", "500", "-R", "60000", "-p", "12", "198.18.0.1"]);
    const sock = `${dir}/ctrl.sock`;
    const answers: number[] = [];
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 2000));
      await Deno.writeTextFile(`${dir}/weka.json`, config(dir, 3600 + 60 * (i + 1)));
      answers.push(JSON.parse(await sendUnix(sock, '{"command": "config-reload"}')).result);
    }
    const doc = JSON.parse(config(dir, 7200));
    answers.push(JSON.parse(await sendUnix(sock, JSON.stringify({ command: "config-set", arguments: doc }))).result);
    weka.kill("SIGHUP");
    const r = await perf;
    const rep = perfReport(r.stdout + r.stderr);
    const leases = await leaseMap(sock);
    console.log(
      `reload under load: ${answers.length} reloads (+1 SIGHUP), perfdhcp rate ${rep.rate}/s, drops DO ${rep.doDrop} % ` +
        `RA ${rep.raDrop} %, ACKs ${rep.acks}, leases in store ${leases.size}`,
    );
    assert.deepEqual(answers, [0, 0, 0, 0, 0]);
    assert.ok(rep.doDrop <= 0.5 && rep.raDrop <= 0.5, r.stdout + r.stderr);
    assert.ok(leases.size >= rep.acks, `${leases.size} leases for ${rep.acks} ACKs`);
    assert.match(weka.output, /configuration applied from .*weka\.json/);
    await weka.stop("SIGTERM", 5000);
  } finally {
    await lab.down();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({ name: "lab: SIGKILL under perfdhcp 1000/s loses no ACKed lease", ignore: !!skip }, async () => {
  const lab = await Lab.up("wkc-");
  const dir = await Deno.makeTempDir({ prefix: "wkc-lab-" });
  try {
    await Deno.writeTextFile(`${dir}/weka.json`, config(dir, 3600));
    const start = () =>
      lab.spawn("srv1", [Deno.execPath(), "run", "-A", `${REPO}main.ts`, "dhcp4", "-c", `${dir}/weka.json`]);
    let weka = start();
    await weka.waitFor(/COMMAND_ACCEPTOR_START/, 20_000);
    const dump = lab.spawn("srv1", [
      "tcpdump",
      "-i",
      "eth0",
      "-U",
      "-n",
      "-w",
      `${dir}/cap.pcap`,
      "udp port 67 or udp port 68",
    ]);
    await dump.waitFor(/listening on/, 10_000);
    const perf = lab.run("cli", ["perfdhcp", "-4", "-l", "eth0", "-r", "1000", "-R", "60000", "-p", "8", "198.18.0.1"]);
    await new Promise((r) => setTimeout(r, 4000));
    weka.kill("SIGKILL");
    await weka.status;
    const r = await perf;
    await new Promise((r) => setTimeout(r, 500));
    await dump.stop("SIGINT", 3000);
    const acked = acksInPcap(await Deno.readFile(`${dir}/cap.pcap`));
    weka = start();
    await weka.waitFor(/COMMAND_ACCEPTOR_START/, 20_000);
    const stored = await leaseMap(`${dir}/ctrl.sock`);
    const lost = [...acked].filter(([ip, mac]) => stored.get(ip) !== mac);
    const rep = perfReport(r.stdout + r.stderr);
    console.log(
      `SIGKILL durability: perfdhcp ACKs ${rep.acks}, ACKs captured ${acked.size}, leases after restart ` +
        `${stored.size}, ACKed but missing ${lost.length}`,
    );
    assert.ok(acked.size > 1000, `only ${acked.size} ACKs captured before the kill`);
    assert.deepEqual(lost, []);
    await weka.stop("SIGTERM", 5000);
  } finally {
    await lab.down();
    await Deno.remove(dir, { recursive: true });
  }
});
