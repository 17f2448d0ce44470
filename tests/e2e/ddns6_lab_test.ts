/**
 * End to end, DHCPv6 DDNS in the project's namespace lab (prefix `wk6z-`; issue 14 "Show"): a real BIND 9 in the
 * dns host (lab.test and a.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa, TSIG keys of tests/ddns/bind_harness.ts) and a real
 * ISC `dhclient -6` on cli1 sending the Client FQDN option 39 with its name.
 * (a) `weka run` (Dhcp6 + DhcpDdns: NCRs passed to weka's D2 in-process) gives the client's address an AAAA, its
 * ip6.arpa name a PTR, and both a DHCID; `dhclient -6 -r` removes all of them.
 * (b) `weka dhcp6` sends the same NameChangeRequests over UDP to real kea-dhcp-ddns 2.2, which makes the same
 * records (the same DHCID: RFC 4701 over the DUID); the release removes them again.
 * Needs root, bind9, dig, isc-dhcp-client and kea-dhcp-ddns-server.
 */
import assert from "node:assert/strict";
import { Lab } from "./lab.ts";
import { labTest, MAIN, until, writeConfig } from "./weka_proc.ts";
import { BIND_KEYS } from "../ddns/bind_harness.ts";
import { LAB_DNS, labBind } from "./lab_bind.ts";

const why = Lab.available() ?? (await hasTools());
if (why) console.log(`skipping the DHCPv6 DDNS lab test: ${why}`);

async function hasTools(): Promise<string | undefined> {
  for (const t of ["named", "dig", "dhclient", "kea-dhcp-ddns"]) {
    const o = await new Deno.Command("sh", { args: ["-c", `command -v ${t}`], stdout: "null", stderr: "null" })
      .output().catch(() => ({ success: false }));
    if (!o.success) return `${t} is not installed (bind9, bind9-dnsutils, isc-dhcp-client, kea-dhcp-ddns-server)`;
  }
  return undefined;
}

const REVERSE_ZONE = "a.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.";

function dhcp6(dir: string): Record<string, unknown> {
  return {
    "interfaces-config": { interfaces: ["eth0"] },
    "lease-database": { type: "memfile", name: `${dir}/kea-leases6.csv` },
    "preferred-lifetime": 200,
    "valid-lifetime": 300,
    "renew-timer": 100,
    "rebind-timer": 150,
    "dhcp-ddns": { "enable-updates": true, "server-ip": "127.0.0.1", "server-port": 53001, "sender-ip": "127.0.0.1" },
    "ddns-send-updates": true,
    "ddns-override-client-update": true,
    "ddns-replace-client-name": "when-not-present",
    "ddns-generated-prefix": "prefix",
    "ddns-qualifying-suffix": "lab.test",
    "ddns-use-conflict-resolution": true,
    subnet6: [{
      id: 1,
      subnet: "2001:db8:a::/64",
      interface: "eth0",
      pools: [{ pool: "2001:db8:a::1000 - 2001:db8:a::1fff" }],
    }],
    loggers: [{ name: "kea-dhcp6", output_options: [{ output: "stdout" }], severity: "INFO" }],
  };
}

/** The DhcpDdns map (Kea's syntax: kea-dhcp-ddns reads it too): MD5 forward, SHA256 for the ip6.arpa zone. */
function d2(): Record<string, unknown> {
  return {
    "ip-address": "127.0.0.1",
    port: 53001,
    "dns-server-timeout": 500,
    "tsig-keys": [
      { name: "ddns-md5", algorithm: "HMAC-MD5", secret: BIND_KEYS["ddns-md5"][1] },
      { name: "ddns-sha256", algorithm: "HMAC-SHA256", secret: BIND_KEYS["ddns-sha256"][1] },
    ],
    "forward-ddns": {
      "ddns-domains": [{ name: "lab.test.", "key-name": "ddns-md5", "dns-servers": [{ "ip-address": LAB_DNS }] }],
    },
    "reverse-ddns": {
      "ddns-domains": [{ name: REVERSE_ZONE, "key-name": "ddns-sha256", "dns-servers": [{ "ip-address": LAB_DNS }] }],
    },
    loggers: [{ name: "kea-dhcp-ddns", output_options: [{ output: "stdout" }], severity: "INFO" }],
  };
}

/** The ip6.arpa name of an address (RFC 3596 §2.5). */
function reverse6(addr: string): string {
  const [head, tail = ""] = addr.split("::");
  const groups = (s: string) => s ? s.split(":") : [];
  const h = groups(head), t = groups(tail);
  const all = [...h, ...Array(8 - h.length - t.length).fill("0"), ...t].map((g) => g.padStart(4, "0")).join("");
  return [...all].reverse().join(".") + ".ip6.arpa";
}

/** Runs dhclient -6 in cli1 with option 39 "name", or releases; returns the bound address. */
async function dhclient6(lab: Lab, dir: string, name: string, release: boolean, out: () => string): Promise<string> {
  const conf = `${dir}/${name}.conf`;
  await Deno.writeTextFile(conf, `send fqdn.fqdn "${name}.lab.test.";\nsend fqdn.server-update on;\n`);
  const args = ["-cf", conf, "-pf", `${dir}/${name}.pid`, "-lf", `${dir}/${name}.leases`, "eth0"];
  const r = await lab.run("cli1", ["timeout", "30", "dhclient", "-6", "-v", release ? "-r" : "-1", ...args]);
  if (release) {
    assert.equal(r.code, 0, `dhclient -6 -r failed:\n${r.stderr}\n${out().slice(-3000)}`);
    return r.stderr;
  }
  assert.equal(r.code, 0, `dhclient -6 failed:\n${r.stderr}\n${out().slice(-3000)}`);
  const leases = await Deno.readTextFile(`${dir}/${name}.leases`);
  const m = /iaaddr (2001:db8:a::[0-9a-f]+)/.exec(leases);
  assert.ok(m, `no address in dhclient's lease file:\n${leases}`);
  return m[1];
}

/**
 * Releases "dora" with dhclient -6 -r and waits for weka to log the release. dhclient's Release is UDP: when weka
 * logged none within 5 s (seen once under a loaded CI run, never reproduced), it is sent once more and said so.
 */
async function release6(lab: Lab, dir: string, out: () => string): Promise<string> {
  let log = await dhclient6(lab, dir, "dora", true, out);
  if (!await until(() => Promise.resolve(/DHCP6_RELEASE_NA /.test(out())), 5_000)) {
    console.warn(`no DHCP6_RELEASE_NA within 5 s of dhclient -6 -r; releasing again. dhclient said:\n${log}`);
    log += "\n--- second release ---\n" + await dhclient6(lab, dir, "dora", true, out);
  }
  return log;
}

/** Starts a command in a lab host and waits for `ready` in its output. */
async function startIn(lab: Lab, host: string, cmd: string[], ready: RegExp, env?: Record<string, string>) {
  const p = lab.spawn(host, cmd, env ? { env } : {});
  const ok = await until(() => Promise.resolve(ready.test(p.output) || p.exited), 30_000);
  assert.ok(ok && !p.exited, `${cmd.join(" ")} did not start:\n${p.output}`);
  return p;
}

labTest(
  "e2e ddns6: dhclient -6 with a name gets AAAA, PTR and DHCID via weka's D2 and via kea-dhcp-ddns 2.2; release removes",
  why,
  "wk6z-",
  "wk6z-ddns-",
  async (t, lab, dir) => {
    const dig = await labBind(lab, dir);
    // usable link-local addresses on both sides
    await until(
      async () => !/tentative/.test(await lab.check("cli1", ["ip", "-6", "addr", "show", "dev", "eth0"])),
      15_000,
    );
    const records = async (name: string, addr: string) => ({
      aaaa: await dig(`${name}.lab.test`, "AAAA"),
      ptr: await dig(reverse6(addr), "PTR"),
      dhcid: (await dig(`${name}.lab.test`, "DHCID")).join("").replace(/\s/g, ""),
      revDhcid: (await dig(reverse6(addr), "DHCID")).join("").replace(/\s/g, ""),
    });
    const seen: Record<string, Awaited<ReturnType<typeof records>>> = {};
    const keaEnv = { KEA_LOCKFILE_DIR: dir, KEA_PIDFILE_DIR: dir };

    await t.step("(a) weka run: Dhcp6 + DhcpDdns in one process", async () => {
      const sub = `${dir}/a`;
      await Deno.mkdir(sub);
      const cfg = await writeConfig(sub, { Dhcp6: dhcp6(sub), DhcpDdns: d2() });
      const weka = await startIn(lab, "srv1", ["deno", "run", "-A", MAIN, "run", "-c", cfg], /DHCP6_STARTED/);
      assert.match(weka.output, /DHCP6_DDNS_SENDER_STARTED .*in-process D2/);
      const out = () => weka.output;
      const addr = await dhclient6(lab, dir, "dora", false, out);
      assert.ok(await until(async () => (await dig(reverse6(addr), "PTR")).length > 0, 10_000), out().slice(-3000));
      const r = await records("dora", addr);
      assert.deepEqual(r.aaaa, [addr], out().slice(-3000));
      assert.deepEqual(r.ptr, ["dora.lab.test."]);
      assert.ok(r.dhcid && r.dhcid === r.revDhcid, "the same DHCID in both zones");
      seen.weka = r;
      const rel = await release6(lab, dir, out);
      assert.ok(
        await until(async () => (await dig("dora.lab.test", "AAAA")).length === 0, 10_000),
        `${rel}\n${out().slice(-3000)}`,
      );
      assert.ok(await until(async () => (await dig(reverse6(addr), "PTR")).length === 0, 10_000));
      assert.deepEqual(await dig("dora.lab.test", "DHCID"), []);
      assert.deepEqual(await dig(reverse6(addr), "DHCID"), []);
      await weka.stop("SIGTERM", 5000);
      assert.match(weka.output, / ncr-sent=2 /, "an add and a remove");
    });

    await t.step("(b) weka dhcp6 → real kea-dhcp-ddns 2.2 over UDP: the same records", async () => {
      const sub = `${dir}/b`;
      await Deno.mkdir(sub);
      const d2File = await writeConfig(sub, { DhcpDdns: d2() }, "d2.json");
      const cfg = await writeConfig(sub, { Dhcp6: dhcp6(sub) });
      const kd2 = await startIn(lab, "srv1", ["kea-dhcp-ddns", "-c", d2File], /DHCP_DDNS_STARTED/, keaEnv);
      const weka = await startIn(lab, "srv1", ["deno", "run", "-A", MAIN, "dhcp6", "-c", cfg], /DHCP6_STARTED/);
      const out = () => `${weka.output.slice(-2000)}\n${kd2.output.slice(-2000)}`;
      const addr = await dhclient6(lab, dir, "dora", false, out);
      assert.ok(await until(async () => (await dig(reverse6(addr), "PTR")).length > 0, 10_000), out());
      const r = await records("dora", addr);
      assert.deepEqual(r.aaaa, [addr], out());
      assert.deepEqual(r.ptr, ["dora.lab.test."]);
      assert.equal(r.dhcid, seen.weka.dhcid, "kea-dhcp-ddns wrote the DHCID weka's D2 wrote for the same DUID");
      assert.doesNotMatch(kd2.output, /DHCP_DDNS_INVALID_NCR|NCR_RECV.*fail/i, "Kea accepted every NCR");
      const rel = await release6(lab, dir, out);
      assert.ok(await until(async () => (await dig("dora.lab.test", "AAAA")).length === 0, 10_000), `${rel}\n${out()}`);
      assert.ok(await until(async () => (await dig(reverse6(addr), "PTR")).length === 0, 10_000), out());
      assert.deepEqual(await dig("dora.lab.test", "DHCID"), []);
      await weka.stop("SIGTERM", 5000);
      await kd2.stop("SIGTERM", 5000);
    });
  },
);
