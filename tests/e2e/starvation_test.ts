/**
 * No starvation by DISCOVER or SOLICIT (issue 9, item 1, "Show"), in the project's own namespace lab: 50 000
 * DHCPDISCOVERs from random MACs broadcast on LAN A into a 241-address pool, then a real ISC dhclient gets a lease
 * from that pool; and 50 000 SOLICITs (IA_NA + IA_PD) from random DUIDs into a 241-address pool and a 256-prefix
 * pd-pool, then `dhclient -6 -N -P` gets an address and a prefix. Every flood packet that reached the server must
 * have been answered, none refused for want of addresses, and nothing stored for it.
 * Needs root and the Debian packages iproute2 and isc-dhcp-client.
 */
import assert from "node:assert/strict";
import { Lab } from "./lab.ts";
import {
  controlCommand,
  labConfig,
  labTest,
  leases,
  MAIN,
  outputTail,
  startWeka,
  until,
  writeConfig,
} from "./weka_proc.ts";
import { parseIpv6 } from "../../mod/wire/ipv6.ts";
import { toHex } from "../../mod/wire/addr.ts";

const why = Lab.available();
if (why) console.log(`SKIP e2e starvation: ${why}`);

const FLOOD = 50_000;
/** how many flood packets must reach weka for the test to mean something (the kernel drops some under load) */
const MIN_RECEIVED = 10_000;
const SENDER = new URL("./flood_send.ts", import.meta.url).pathname;

/** statistic-get `name` on the control socket `sock`: its current value (0 when absent). */
async function stat(sock: string, name: string): Promise<number> {
  const a = await controlCommand(sock, "statistic-get", { name });
  const samples = (a.arguments as Record<string, [number, string][]> | undefined)?.[name];
  return samples?.[0]?.[0] ?? 0;
}

/** Waits until statistic `name` stops moving (the server has drained its sockets); returns its value. */
async function settled(sock: string, name: string): Promise<number> {
  let last = -1;
  let now = await stat(sock, name);
  const end = Date.now() + 30_000;
  while (now !== last && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 1000));
    [last, now] = [now, await stat(sock, name)];
  }
  return now;
}

/** `sent N in MS ms` of flood_send.ts. */
function sentLine(out: string): { sent: number; ms: number; replies?: number } {
  const m = /sent (\d+) in (\d+) ms(?:, replies (\d+))?/.exec(out);
  assert.ok(m, `no summary from flood_send.ts:\n${out}`);
  return { sent: Number(m[1]), ms: Number(m[2]), replies: m[3] === undefined ? undefined : Number(m[3]) };
}

/** u32 of a dotted quad. */
function v4(a: string): number {
  return a.split(".").reduce((x, o) => x * 256 + Number(o), 0);
}

labTest(
  `e2e starvation: ${FLOOD} DISCOVERs from random MACs into a 241-address pool, then dhclient gets a lease`,
  why,
  "wks4-",
  "weka-starve4-",
  async (t, lab, dir) => {
    const sock = `${dir}/ctrl4.sock`;
    const base = labConfig(dir).Dhcp4 as Record<string, unknown>;
    const [lanA] = base.subnet4 as Record<string, unknown>[];
    const cfg = await writeConfig(dir, {
      Dhcp4: {
        ...base,
        "interfaces-config": { interfaces: ["eth0"] },
        subnet4: [{ ...lanA, pools: [{ pool: "198.18.1.10 - 198.18.1.250" }] }],
        "control-socket": { "socket-type": "unix", "socket-name": sock },
        // a line per OFFER would be 50 000 lines: warnings only
        loggers: [{ name: "kea-dhcp4", output_options: [{ output: "stdout" }], severity: "WARN" }],
      },
    });
    const weka = await startWeka(lab, "srv1", cfg);
    await until(() => stat(sock, "pkt4-received").then(() => true, () => false), 10_000);

    await t.step(`${FLOOD} DISCOVERs from random MACs are all answered with an OFFER; nothing is stored`, async () => {
      // a UDP socket needs a route to send a limited broadcast (DHCP clients use raw sockets instead)
      await lab.check("cli", ["ip", "route", "add", "255.255.255.255/32", "dev", "eth0"]);
      const flood = sentLine(await lab.check("cli", ["deno", "run", "-A", SENDER, "discover", String(FLOOD)]));
      assert.equal(flood.sent, FLOOD);
      const received = await settled(sock, "pkt4-discover-received");
      const offered = await stat(sock, "pkt4-offer-sent");
      const failed = await stat(sock, "v4-allocation-fail");
      console.log(
        `flood: ${flood.sent} DISCOVERs sent in ${flood.ms} ms; weka: pkt4-discover-received=${received} ` +
          `pkt4-offer-sent=${offered} v4-allocation-fail=${failed} v4-offer-evictions=${await stat(
            sock,
            "v4-offer-evictions",
          )}`,
      );
      // the flood must really have reached the server (the kernel may drop some under load): 10 000 DISCOVERs
      // go round the 241 addresses forty times …
      assert.ok(received >= MIN_RECEIVED, `only ${received} of ${FLOOD} DISCOVERs reached weka`);
      // … and every DISCOVER that did got an OFFER: the 241 addresses went round the pool ~200 times
      assert.equal(offered, received);
      assert.equal(failed, 0);
      assert.deepEqual(await leases(cfg), [], "an OFFER stores nothing");
    });

    await t.step("a real dhclient then gets a lease from the pool", async () => {
      const mac = await lab.mac("cli1", "eth0");
      const dhc = ["-pf", `${dir}/dhclient.pid`, "-lf", `${dir}/dhclient.leases`, "eth0"];
      const r = await lab.run("cli1", ["timeout", "30", "dhclient", "-4", "-v", "-1", ...dhc]);
      assert.equal(r.code, 0, r.stderr + outputTail(weka));
      const m = /DHCPACK of (198\.18\.\d+\.\d+) from 198\.18\.0\.1/.exec(r.stderr);
      assert.ok(m, r.stderr);
      assert.ok(v4(m[1]) >= v4("198.18.1.10") && v4(m[1]) <= v4("198.18.1.250"), `${m[1]} is outside the pool`);
      const all = await leases(cfg);
      assert.deepEqual(all.map((l) => [l.address, l.hwaddr, l.state]), [[m[1], mac, 0]], "the only lease: dhclient's");
      assert.equal(await stat(sock, "pkt4-ack-sent"), 1);
      await lab.run("cli1", ["dhclient", "-4", "-x", ...dhc]); // stop its daemon (none with -1, to be sure)
    });

    const status = await weka.stop();
    assert.equal(status.code, 0, outputTail(weka));
    assert.doesNotMatch(weka.output, /Uncaught|EXCEPTION/);
  },
);

/** Waits until `iface` of `host` has a link-local address that is no longer tentative (DAD done). */
async function linkLocalReady(lab: Lab, host: string, iface = "eth0"): Promise<void> {
  const ok = await until(async () => {
    const out = await lab.check(host, ["ip", "-6", "-o", "addr", "show", "dev", iface, "scope", "link"]);
    return /fe80::/.test(out) && !/tentative/.test(out);
  }, 15_000);
  assert.ok(ok, `${host}: ${iface} has no usable link-local address`);
}

/** True when IPv6 address `a` lies in [lo, hi]. */
function inRange6(a: string, lo: string, hi: string): boolean {
  const n = (x: string) => BigInt(`0x${toHex(parseIpv6(x)!)}`);
  return n(a) >= n(lo) && n(a) <= n(hi);
}

interface Lease6Row {
  "ip-address": string;
  "prefix-len": number;
  type: string;
  duid: string;
}

labTest(
  `e2e starvation: ${FLOOD} SOLICITs (IA_NA + IA_PD) from random DUIDs, then dhclient -6 gets an address and a prefix`,
  why,
  "wks6-",
  "weka-starve6-",
  async (t, lab, dir) => {
    const sock = `${dir}/ctrl6.sock`;
    const cfg = await writeConfig(dir, {
      Dhcp6: {
        "interfaces-config": { interfaces: ["eth0"] },
        "lease-database": { type: "memfile", name: `${dir}/kea-leases6.csv` },
        "control-socket": { "socket-type": "unix", "socket-name": sock },
        "preferred-lifetime": 200,
        "valid-lifetime": 300,
        subnet6: [{
          id: 1,
          subnet: "2001:db8:a::/64",
          interface: "eth0",
          pools: [{ pool: "2001:db8:a::10 - 2001:db8:a::100" }], // 241 addresses
          "pd-pools": [{ prefix: "2001:db8:a100::", "prefix-len": 48, "delegated-len": 56 }], // 256 prefixes
        }],
        loggers: [{ name: "kea-dhcp6", output_options: [{ output: "stdout" }], severity: "WARN" }],
      },
    });
    await Promise.all(["srv1", "cli", "cli1"].map((h) => linkLocalReady(lab, h)));
    const weka = lab.spawn("srv1", ["deno", "run", "-A", MAIN, "dhcp6", "-c", cfg]);
    const up = await until(() => stat(sock, "pkt6-received").then(() => true, () => false), 30_000);
    assert.ok(up, `weka dhcp6 did not start:\n${outputTail(weka)}`);

    await t.step(`${FLOOD} SOLICITs are all answered with an ADVERTISE; nothing is stored`, async () => {
      const out = await lab.check("cli", ["deno", "run", "-A", SENDER, "solicit", String(FLOOD), "eth0"]);
      const flood = sentLine(out);
      assert.equal(flood.sent, FLOOD);
      const received = await settled(sock, "pkt6-solicit-received");
      const advertised = await stat(sock, "pkt6-advertise-sent");
      const failed = await stat(sock, "v6-allocation-fail");
      console.log(
        `flood: ${flood.sent} SOLICITs sent in ${flood.ms} ms, ${flood.replies} ADVERTISEs came back; weka: ` +
          `pkt6-solicit-received=${received} pkt6-advertise-sent=${advertised} v6-allocation-fail=${failed}`,
      );
      assert.ok(received >= MIN_RECEIVED, `only ${received} of ${FLOOD} SOLICITs reached weka`);
      assert.equal(advertised, received);
      assert.equal(failed, 0, "no IA_NA or IA_PD went without an address or a prefix");
      const l = await controlCommand(sock, "lease6-get-all");
      assert.equal(l.result, 3, `an ADVERTISE stores nothing: ${JSON.stringify(l.arguments)?.slice(0, 300)}`);
    });

    await t.step("dhclient -6 -N -P then gets a pool address and a delegated /56", async () => {
      const dhc = ["-pf", `${dir}/dhc6.pid`, "-lf", `${dir}/dhc6.leases`, "eth0"];
      const r = await lab.run("cli1", ["timeout", "30", "dhclient", "-6", "-N", "-P", "-1", "-v", ...dhc]);
      assert.equal(r.code, 0, r.stdout + r.stderr + outputTail(weka));
      const a = await controlCommand(sock, "lease6-get-all");
      const rows = ((a.arguments as { leases?: Lease6Row[] } | undefined)?.leases ?? [])
        .map((x) => [x.type, x["ip-address"], x["prefix-len"]] as const);
      assert.equal(rows.length, 2, JSON.stringify(rows));
      const na = rows.find((x) => x[0] === "IA_NA");
      const pd = rows.find((x) => x[0] === "IA_PD");
      assert.ok(na && inRange6(na[1], "2001:db8:a::10", "2001:db8:a::100"), `address ${na?.[1]} outside the pool`);
      assert.ok(pd && pd[2] === 56, `prefix ${pd?.join(" ")}`);
      assert.ok(inRange6(pd[1], "2001:db8:a100::", "2001:db8:a100:ff00::"), `prefix ${pd[1]} outside the pd-pool`);
      const lf = await Deno.readTextFile(`${dir}/dhc6.leases`);
      assert.ok(lf.includes(`iaaddr ${na[1]}`), "dhclient holds the address");
      assert.ok(lf.includes(`iaprefix ${pd[1]}/56`), "dhclient holds the prefix");
    });

    await weka.stop();
    assert.doesNotMatch(weka.output, /Uncaught|EXCEPTION/);
  },
);
