/**
 * End to end, in the project's own namespace lab (prefix `wkz-`), issue 4 "Show" for the DHCP side: a real BIND 9
 * in the `dns` host (zones and TSIG keys of tests/ddns/bind_harness.ts), and `weka run` in `srv1` serving Dhcp4 with
 * the DhcpDdns role in the same process (NCRs passed in-process). dhclient sending a host name gets A, PTR and
 * DHCID; a second client claiming the same name is refused its A record (check-with-dhcid); release removes all
 * three; a nameless udhcpc gets the generated name. Needs root, bind9, dig, dhclient and udhcpc.
 */
import assert from "node:assert/strict";
import { Lab } from "./lab.ts";
import { labConfig, labTest, MAIN, udhcpcOnce, until, writeConfig } from "./weka_proc.ts";
import { BIND_KEYS } from "../ddns/bind_harness.ts";
import { LAB_DNS, labBind } from "./lab_bind.ts";

const why = Lab.available() ?? (await hasTools());
if (why) console.log(`skipping the DDNS lab test: ${why}`);

async function hasTools(): Promise<string | undefined> {
  for (const t of ["named", "dig", "dhclient", "udhcpc", "kea-dhcp4", "kea-dhcp-ddns"]) {
    const o = await new Deno.Command("sh", { args: ["-c", `command -v ${t}`], stdout: "null", stderr: "null" })
      .output().catch(() => ({ success: false }));
    if (!o.success) {
      return `${t} is not installed (Debian packages bind9, bind9-dnsutils, isc-dhcp-client, udhcpc, kea-dhcp4-server, kea-dhcp-ddns-server)`;
    }
  }
  return undefined;
}

const DNS = LAB_DNS;

function wekaConfig(dir: string): Record<string, unknown> {
  return { ...dhcp4Config(dir), DhcpDdns: d2Config() };
}

/** The Dhcp4 map (Kea's syntax: real kea-dhcp4 reads it too) with Listing 11's ddns-* settings on lab.test. */
function dhcp4Config(dir: string): Record<string, unknown> {
  return labConfig(dir, {
    "dhcp-ddns": { "enable-updates": true, "server-ip": "127.0.0.1", "server-port": 53001, "sender-ip": "127.0.0.1" },
    "ddns-send-updates": true,
    "ddns-override-no-update": true,
    "ddns-override-client-update": true,
    "ddns-replace-client-name": "when-not-present",
    "ddns-generated-prefix": "prefix",
    "ddns-qualifying-suffix": "lab.test",
    "ddns-use-conflict-resolution": true,
    "hostname-char-set": "[^A-Za-z0-9.-]",
    "hostname-char-replacement": "x",
  });
}

/** The DhcpDdns map (Kea's syntax: real kea-dhcp-ddns reads it too): MD5 forward, SHA256 reverse. */
function d2Config(): Record<string, unknown> {
  return {
    "ip-address": "127.0.0.1",
    port: 53001,
    "dns-server-timeout": 500,
    "tsig-keys": [
      { name: "ddns-md5", algorithm: "HMAC-MD5", secret: BIND_KEYS["ddns-md5"][1] },
      { name: "ddns-sha256", algorithm: "HMAC-SHA256", secret: BIND_KEYS["ddns-sha256"][1] },
    ],
    "forward-ddns": {
      "ddns-domains": [{ name: "lab.test.", "key-name": "ddns-md5", "dns-servers": [{ "ip-address": DNS }] }],
    },
    "reverse-ddns": {
      "ddns-domains": [{
        name: "18.198.in-addr.arpa.",
        "key-name": "ddns-sha256",
        "dns-servers": [{ "ip-address": DNS }],
      }],
    },
    loggers: [{ name: "kea-dhcp-ddns", "output_options": [{ output: "stdout" }], severity: "INFO" }],
  };
}

/** Runs dhclient once in `host` (sending `name` as option 12 when given), or releases; returns the bound address. */
async function dhclientIn(
  lab: Lab,
  dir: string,
  host: string,
  name: string | undefined,
  release: boolean,
  serverOutput: () => string,
  tag = "",
): Promise<string> {
  const conf = `${dir}/${host}${tag}.conf`;
  await Deno.writeTextFile(conf, name ? `send host-name "${name}";\n` : "");
  const args = ["-pf", `${dir}/${host}${tag}.pid`, "-lf", `${dir}/${host}${tag}.leases`, "-cf", conf, "eth0"];
  const r = await lab.run(host, ["timeout", "30", "dhclient", "-4", "-v", release ? "-r" : "-1", ...args]);
  const m = /bound to (\d+\.\d+\.\d+\.\d+)/.exec(r.stderr + r.stdout);
  if (!release) assert.ok(m, `dhclient on ${host} got no lease:\n${r.stderr}\n${serverOutput().slice(-3000)}`);
  return m?.[1] ?? "";
}

function reverse(addr: string): string {
  return addr.split(".").reverse().join(".") + ".in-addr.arpa";
}

labTest(
  "e2e ddns: weka run (Dhcp4 + DhcpDdns) names dhclient and udhcpc clients in a real BIND; release removes",
  why,
  "wkz-",
  "wkz-ddns-",
  async (t, lab, dir) => {
    const dig = await labBind(lab, dir);

    const cfg = await writeConfig(dir, wekaConfig(dir));
    const weka = lab.spawn("srv1", ["deno", "run", "-A", MAIN, "run", "-c", cfg]);
    assert.ok(
      await until(() => Promise.resolve(/DHCP4_STARTED/.test(weka.output) || weka.exited), 30_000) &&
        !weka.exited,
      `weka run did not start:\n${weka.output}`,
    );
    assert.match(weka.output, /DHCP_DDNS_STARTED/);
    assert.match(weka.output, /in-process D2/);

    const dhclient = (host: string, name: string | undefined, release = false) =>
      dhclientIn(lab, dir, host, name, release, () => weka.output);

    let addr1 = "";
    await t.step("dhclient sending host name cli1 → A, PTR and DHCID in BIND", async () => {
      addr1 = await dhclient("cli1", "cli1");
      assert.match(addr1, /^198\.18\./);
      const a = await until(async () => (await dig("cli1.lab.test", "A")).join(), 10_000);
      assert.equal(a, addr1, weka.output.slice(-3000));
      assert.deepEqual(await until(() => dig(reverse(addr1), "PTR").then((x) => x.length ? x : undefined), 5000), [
        "cli1.lab.test.",
      ]);
      assert.equal((await dig("cli1.lab.test", "DHCID")).length, 1);
      assert.equal((await dig(reverse(addr1), "DHCID")).length, 1);
    });

    await t.step("a second client claiming cli1 (LAN B) is refused the A record", async () => {
      const addr2 = await dhclient("cli2", "cli1");
      assert.match(addr2, /^198\.19\./);
      assert.ok(
        await until(
          () => Promise.resolve(/DHCP_DDNS_FORWARD_REPLACE_REJECTED .*cli1\.lab\.test\./.test(weka.output)),
          10_000,
        ),
        `no rejection logged:\n${weka.output.slice(-3000)}`,
      );
      assert.deepEqual(await dig("cli1.lab.test", "A"), [addr1]);
    });

    await t.step("release → A, PTR and DHCID are gone", async () => {
      await dhclient("cli1", "cli1", true);
      const gone = await until(async () => (await dig("cli1.lab.test", "A")).length === 0, 10_000);
      assert.ok(gone, weka.output.slice(-3000));
      assert.ok(await until(async () => (await dig(reverse(addr1), "PTR")).length === 0, 5000));
      assert.deepEqual(await dig("cli1.lab.test", "DHCID"), []);
      assert.deepEqual(await dig(reverse(addr1), "DHCID"), []);
    });

    await t.step("a nameless udhcpc gets prefix-A-B-C-D.lab.test", async () => {
      const out = await udhcpcOnce(lab, "cli1");
      const m = /lease of (\d+\.\d+\.\d+\.\d+) obtained/.exec(out);
      assert.ok(m, out);
      const gen = `prefix-${m[1].replaceAll(".", "-")}.lab.test`;
      const a = await until(async () => (await dig(gen, "A")).join(), 10_000);
      assert.equal(a, m[1], weka.output.slice(-3000));
      assert.deepEqual(await dig(reverse(m[1]), "PTR"), [gen + "."]);
    });

    await weka.stop("SIGTERM", 5000);
    if (Deno.env.get("WKZ_DEBUG")) console.log(weka.output);
    assert.match(weka.output, / ncr-sent=4 /, "add, add (refused by D2), remove, add");
  },
);

/** Starts a long-running command in srv1 and waits for `ready` in its output. */
async function startIn(lab: Lab, host: string, cmd: string[], ready: RegExp, env?: Record<string, string>) {
  const p = lab.spawn(host, cmd, env ? { env } : {});
  const ok = await until(() => Promise.resolve(ready.test(p.output) || p.exited), 30_000);
  assert.ok(ok && !p.exited, `${cmd.join(" ")} did not start:\n${p.output}`);
  return p;
}

labTest(
  "e2e ddns interop: weka dhcp4 → real kea-dhcp-ddns and real kea-dhcp4 → weka ddns give the same records",
  why,
  "wkz-",
  "wkz-ddns-",
  async (t, lab, dir) => {
    const keaEnv = { KEA_LOCKFILE_DIR: dir, KEA_PIDFILE_DIR: dir };
    const dig = await labBind(lab, dir);
    const records = async (addr: string) => ({
      a: await dig("erin.lab.test", "A"),
      ptr: await dig(reverse(addr), "PTR"),
      dhcid: (await dig("erin.lab.test", "DHCID")).join("").replace(/\s/g, ""),
      revDhcid: (await dig(reverse(addr), "DHCID")).join("").replace(/\s/g, ""),
    });
    const d2File = await writeConfig(dir, { DhcpDdns: d2Config() }, "d2.json");
    const seen: Record<string, Awaited<ReturnType<typeof records>>> = {};

    for (
      const [label, dhcpCmd, d2Cmd] of [
        [
          "weka dhcp4 → kea-dhcp-ddns",
          ["deno", "run", "-A", MAIN, "dhcp4", "-c", `${dir}/weka4.json`],
          ["kea-dhcp-ddns", "-c", d2File],
        ],
        [
          "kea-dhcp4 → weka ddns",
          ["kea-dhcp4", "-c", `${dir}/kea4.json`],
          ["deno", "run", "-A", MAIN, "ddns", "-c", d2File],
        ],
      ] as const
    ) {
      await t.step(label, async () => {
        const tag = label.startsWith("weka") ? "-w" : "-k";
        const sub = `${dir}/${tag}`;
        await Deno.mkdir(sub);
        await writeConfig(dir, { Dhcp4: dhcp4Config(sub).Dhcp4 }, tag === "-w" ? "weka4.json" : "kea4.json");
        const d2 = await startIn(lab, "srv1", [...d2Cmd], /DHCP_DDNS_STARTED/, keaEnv);
        const dhcp = await startIn(lab, "srv1", [...dhcpCmd], /DHCP4_STARTED/, keaEnv);
        const out = () => `${dhcp.output.slice(-2000)}\n${d2.output.slice(-2000)}`;
        const addr = await dhclientIn(lab, dir, "cli1", "erin", false, out, tag);
        assert.ok(await until(async () => (await dig(reverse(addr), "PTR")).length > 0, 10_000), out());
        const r = await records(addr);
        assert.deepEqual(r.a, [addr], out());
        assert.deepEqual(r.ptr, ["erin.lab.test."]);
        assert.ok(r.dhcid && r.dhcid === r.revDhcid, "the same DHCID in both zones");
        seen[tag] = r;
        await dhclientIn(lab, dir, "cli1", "erin", true, out, tag);
        assert.ok(await until(async () => (await dig("erin.lab.test", "A")).length === 0, 10_000), out());
        assert.ok(await until(async () => (await dig(reverse(addr), "PTR")).length === 0, 10_000), out());
        assert.deepEqual(await dig("erin.lab.test", "DHCID"), []);
        await dhcp.stop("SIGTERM", 5000);
        await d2.stop("SIGTERM", 5000);
      });
    }
    assert.equal(seen["-w"].dhcid, seen["-k"].dhcid, "the same DHCID from weka and from Kea for the same client");
    assert.deepEqual(seen["-w"].ptr, seen["-k"].ptr);
  },
);
