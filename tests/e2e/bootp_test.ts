/**
 * BOOTP in the namespace lab, side by side with Kea: one configuration naming libdhcp_bootp.so runs first under
 * kea-dhcp4 2.2 (which loads the real hook from Debian's package), then under `weka dhcp4` (built in). For each:
 * - Debian's bootpc 0.64, a real BOOTP client, configures cli1 (no address on LAN A): the address, next server,
 *   boot file, netmask, gateway, DNS server and domain it prints must be the same under both servers;
 * - a crafted BOOTREQUEST (the bytes of tests/fixtures/dhcp4/bootpc_request.hex) from cli gets a BOOTREPLY with
 *   the same bytes from both, without option 53, 300 octets;
 * - both leases are stored with an infinite lifetime (Kea's memfile CSV; weka's `leases list`).
 * Then, without the hook, both drop the same BOOTREQUEST (no answer; Kea logs DHCP4_PACKET_DROP_0009) and weka counts
 * it as Kea does (pkt4-unknown-received, pkt4-receive-drop).
 * Needs root, iproute2, kea-dhcp4 (kea-dhcp4-server) and bootpc; else skipped.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import type { Lab } from "./lab.ts";
import { labSkipReason, labTest, leases, shutdownStats, startWeka, writeConfig } from "./weka_proc.ts";
import { decode4 } from "../../mod/packet4/codec.ts";
import { Opt } from "../../mod/packet4/packet.ts";
import { formatIpv4, parseHex, toHex } from "../../mod/wire/addr.ts";

const KEA4 = "/usr/sbin/kea-dhcp4";
const BOOTPC = "/sbin/bootpc";
const HOOK = "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_bootp.so";
const PROBE = fileURLToPath(new URL("./dhcp4_probe.ts", import.meta.url));
const FIXTURE = new URL("../fixtures/dhcp4/bootpc_request.hex", import.meta.url);
const why = labSkipReason([KEA4, BOOTPC, HOOK], "apt-get install kea-dhcp4-server bootpc");
if (why) console.log(`SKIP e2e bootp: ${why}`);

/** The configuration both servers run: LAN A on srv1's eth0, boot fields and three options. */
function config(dir: string, tag: string, hook: boolean): Record<string, unknown> {
  return {
    Dhcp4: {
      "interfaces-config": { interfaces: ["eth0"] },
      "lease-database": { type: "memfile", persist: true, name: `${dir}/${tag}-leases4.csv`, "lfc-interval": 0 },
      "valid-lifetime": 600,
      ...(hook ? { "hooks-libraries": [{ library: HOOK }] } : {}),
      subnet4: [{
        id: 1,
        subnet: "198.18.0.0/16",
        interface: "eth0",
        pools: [{ pool: "198.18.0.120 - 198.18.0.150" }],
        "next-server": "198.18.0.1",
        "server-hostname": "srv1",
        "boot-file-name": "pxelinux.0",
        "option-data": [
          { name: "routers", data: "198.18.0.1" },
          { name: "domain-name-servers", data: "198.18.0.53" },
          { name: "domain-name", data: "lab.example" },
        ],
      }],
      loggers: [{ name: "kea-dhcp4", output_options: [{ output: "stdout" }], severity: "DEBUG", debuglevel: 50 }],
    },
  };
}

/** The fixture's BOOTREQUEST (bootpc's bytes: broadcast flag set, chaddr 02:00:00:00:b0:01). */
function fixtureHex(): string {
  const text = Deno.readTextFileSync(FIXTURE);
  return text.split("\n").map((l) => l.replace(/#.*/, "")).join("").replace(/\s+/g, "");
}

/** bootpc's KEY='value' lines, or the failure text. */
async function bootpc(lab: Lab): Promise<Record<string, string>> {
  const r = await lab.run("cli1", [
    "timeout",
    "20",
    BOOTPC,
    "--dev",
    "eth0",
    "--serverbcast",
    "--returniffail",
    "--timeoutwait",
    "4",
  ]);
  const vars: Record<string, string> = { exit: String(r.code) };
  for (const m of r.stdout.matchAll(/^([A-Z_0-9]+)='([^']*)'$/gm)) vars[m[1]] = m[2];
  return vars;
}

/** Sends the crafted BOOTREQUEST from cli (port 68, to 255.255.255.255) and returns the reply's hex or null. */
async function probe(lab: Lab, dir: string, tag: string): Promise<string | null> {
  const plan = `${dir}/${tag}-plan.json`;
  await Deno.writeTextFile(
    plan,
    JSON.stringify({ port: 68, waitMs: 1500, sends: [{ to: "255.255.255.255", hex: fixtureHex() }] }),
  );
  const r = await lab.run("cli", ["deno", "run", "-A", PROBE, plan]);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as (string | null)[])[0];
}

/** What the comparison looks at from bootpc's report. */
const FIELDS = ["exit", "IPADDR", "SERVER", "BOOTFILE", "NETMASK", "GATEWAYS", "DNSSRVS", "DOMAIN"];

labTest(
  "e2e: bootpc and a crafted BOOTREQUEST get the same BOOTREPLY from weka's built-in libdhcp_bootp.so as from kea-dhcp4 2.2 with it",
  why,
  "wkb-",
  "weka-bootp-",
  async (t, lab, dir) => {
    // bootpc and the probe send from UDP sockets: 255.255.255.255 needs a route on cli1 (no address) and cli
    for (const h of ["cli1", "cli"]) await lab.check(h, ["ip", "route", "add", "default", "dev", "eth0"]);
    const mac = await lab.mac("cli1", "eth0");
    const env = { KEA_PIDFILE_DIR: dir, KEA_LOCKFILE_DIR: dir };
    const kea: { client?: Record<string, string>; reply?: string | null; csv?: string } = {};
    const weka: { client?: Record<string, string>; reply?: string | null } = {};

    await t.step("kea-dhcp4 2.2 with libdhcp_bootp.so", async () => {
      const cfg = await writeConfig(dir, config(dir, "kea", true), "kea.json");
      const p = lab.spawn("srv1", [KEA4, "-c", cfg], { env });
      try {
        await p.waitFor(/DHCP4_STARTED/, 15_000);
        kea.client = await bootpc(lab);
        kea.reply = await probe(lab, dir, "kea");
      } finally {
        await p.stop("SIGTERM", 3000);
      }
      kea.csv = await Deno.readTextFile(`${dir}/kea-leases4.csv`);
      assert.match(p.output, /BOOTP_LOAD/, "Kea loaded the hook");
    });

    await t.step("weka dhcp4 with the same file", async () => {
      const cfg = await writeConfig(dir, config(dir, "weka", true), "weka.json");
      const p = await startWeka(lab, "srv1", cfg);
      let rows;
      try {
        weka.client = await bootpc(lab);
        weka.reply = await probe(lab, dir, "weka");
        rows = await leases(cfg);
      } finally {
        await p.stop("SIGTERM", 3000);
      }
      const table = FIELDS.map((f) => `  ${f}: kea ${kea.client?.[f]}, weka ${weka.client?.[f]}`).join("\n");
      console.log(`bootpc on cli1 (${mac}):\n${table}`);
      assert.equal(kea.client?.exit, "0", `bootpc got nothing from Kea:\n${table}`);
      assert.match(kea.client!.IPADDR, /^198\.18\.0\.1[2-5]\d$/);
      for (const f of FIELDS) assert.equal(weka.client?.[f], kea.client?.[f], `${f} differs:\n${table}`);
      assert.equal(weka.client!.BOOTFILE, "pxelinux.0");

      // the crafted BOOTREQUEST: the same bytes back from both servers
      assert.ok(kea.reply, "Kea answered the crafted BOOTREQUEST");
      assert.ok(weka.reply, `weka answered the crafted BOOTREQUEST\n${p.output.slice(-2000)}`);
      assert.equal(weka.reply, kea.reply);
      const reply = decode4(parseHex(weka.reply!)!);
      assert.equal(reply.op, 2);
      assert.equal(reply.options.has(Opt.MESSAGE_TYPE), false, "a BOOTREPLY: no option 53");
      assert.equal(weka.reply!.length / 2, 300);
      console.log(`crafted BOOTREQUEST: both answered ${formatIpv4(reply.yiaddr)}, ${weka.reply!.length / 2} bytes`);

      // the leases: infinite under both
      const keaRow = kea.csv!.split("\n").find((l) => l.startsWith(`${kea.client!.IPADDR},${mac},`));
      assert.ok(keaRow, `Kea's CSV holds bootpc's lease:\n${kea.csv}`);
      assert.equal(keaRow!.split(",")[3], "4294967295");
      const mine = rows!.find((r) => r.address === weka.client!.IPADDR);
      assert.ok(mine, JSON.stringify(rows));
      assert.equal(mine!.hwaddr, mac);
      assert.equal(mine!.validLifetime, 4294967295);
      const crafted = rows!.find((r) => r.address === formatIpv4(reply.yiaddr));
      assert.equal(crafted?.hwaddr, "02:00:00:00:b0:01");
      assert.equal(crafted?.validLifetime, 4294967295);
      assert.equal(toHex(parseHex(weka.reply!)!), kea.reply);
    });

    await t.step("without the hook both drop the BOOTREQUEST; weka counts it as kea-dhcp4 does", async () => {
      const kCfg = await writeConfig(dir, config(dir, "kplain", false), "kplain.json");
      const k = lab.spawn("srv1", [KEA4, "-c", kCfg], { env });
      let keaReply: string | null;
      try {
        await k.waitFor(/DHCP4_STARTED/, 15_000);
        keaReply = await probe(lab, dir, "kplain");
        await k.waitFor(/DHCP4_PACKET_DROP_0009/, 3000);
      } finally {
        await k.stop("SIGTERM", 3000);
      }
      assert.equal(keaReply, null);
      const cfg = await writeConfig(dir, config(dir, "plain", false), "plain.json");
      const p = await startWeka(lab, "srv1", cfg);
      let reply: string | null;
      try {
        reply = await probe(lab, dir, "plain");
      } finally {
        await p.stop("SIGTERM", 3000);
      }
      assert.equal(reply, null);
      const s = shutdownStats(p.output);
      assert.equal(s["pkt4-unknown-received"], 1, JSON.stringify(s));
      assert.ok(s["pkt4-receive-drop"] >= 1, JSON.stringify(s));
      assert.equal(s["pkt4-ack-sent"] ?? 0, 0);
    });
  },
);
