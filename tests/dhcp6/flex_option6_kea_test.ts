/**
 * libdhcp_flex_option.so for DHCPv6 side by side with real kea-dhcp6 2.2 and ISC's hook: the same Dhcp6 map (the
 * hook's entries: a constant add, an add left alone because the option is there, a CSV supersede, a value from
 * `relay6[0].peeraddr`, a remove on a test of the query, two `client-class` guards, an empty value, a sub-option
 * in a custom DHCPv6 space) runs on kea-dhcp6 (`-p`/`-P`, a unicast socket on ::1) and on `weka dhcp6 -p`; a relay
 * socket on ::1 sends each the same RELAY-FORW(SOLICIT) (tests/dhcp6/fixtures6.ts, annotated bytes) and
 * RELAY-FORW(INFORMATION-REQUEST), and the ADVERTISEs and REPLYs inside the RELAY-REPLs must carry the same options,
 * byte for byte, apart from the lease itself (IA_NA). Needs kea-dhcp6 and the hook (CI installs them); skipped
 * with a message otherwise.
 */
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { Buffer } from "node:buffer";
import { decode6, innermost } from "../../mod/packet6/codec.ts";
import { MsgType6 } from "../../mod/packet6/packet.ts";
import { hex, RELAYED_SOLICIT } from "./fixtures6.ts";
import { startCli } from "../cli/cli_helpers.ts";

const KEA6 = "/usr/sbin/kea-dhcp6";
const HOOK = "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_flex_option.so";
const missing = [KEA6, HOOK].filter((p) => {
  try {
    Deno.statSync(p);
    return false;
  } catch {
    return true;
  }
});
if (missing.length) console.log(`SKIP flex_option (DHCPv6) vs kea-dhcp6: ${missing.join(", ")} missing`);

const OPTIONS = [
  { name: "bootfile-url", add: "'tftp://[2001:db8::1]/boot'" },
  { name: "dns-servers", add: "'never'" }, // dns-servers is in the response (always-send): left alone
  { name: "dns-servers", "csv-format": true, supersede: "'2001:db8::53, 2001:db8::54'" },
  { code: 65000, add: "relay6[0].peeraddr" }, // fe80::200:ff:fe00:1, 16 bytes
  { name: "sntp-servers", remove: "option[8].exists" }, // the SOLICIT has an elapsed-time option
  { code: 65001, add: "'guarded'", "client-class": "nobody" },
  { code: 65002, add: "hexstring(option[1].hex, ':')", "client-class": "has-ia" },
  { code: 65003, add: "ifelse(option[1].exists, '', 'x')" }, // empty: nothing added
  { name: "lab-container", "sub-options": [{ name: "greeting", add: "'hello'", "csv-format": true }] },
];

function config(dir: string, who: "kea" | "weka"): Record<string, unknown> {
  return {
    Dhcp6: {
      ...(who === "kea" ? { "interfaces-config": { interfaces: ["lo/::1"] } } : {}),
      "lease-database": who === "kea"
        ? { type: "memfile", persist: false }
        : { type: "memfile", name: `${dir}/weka-leases6.csv` },
      "server-id": { type: "LLT", persist: false, htype: 1, identifier: "525400aabbcc", time: 1 },
      "option-def": [
        { name: "lab-container", code: 65010, type: "empty", encapsulate: "lab6" },
        { name: "greeting", code: 300, type: "string", space: "lab6" },
      ],
      "option-data": [
        { name: "dns-servers", data: "2001:db8::1", "always-send": true },
        { name: "sntp-servers", data: "2001:db8::123", "always-send": true },
      ],
      "client-classes": [{ name: "nobody", test: "'a' == 'b'" }, { name: "has-ia", test: "option[3].exists" }],
      "hooks-libraries": [{ library: HOOK, parameters: { options: OPTIONS } }],
      subnet6: [{ id: 1, subnet: "2001:db8:1::/64", pools: [{ pool: "2001:db8:1::100 - 2001:db8:1::1ff" }] }],
      // weka's log goes to stdout, where startCli watches for DHCP6_STARTED
      loggers: [{
        name: "kea-dhcp6",
        output_options: [{ output: who === "kea" ? `${dir}/kea.log` : "stdout" }],
        severity: "INFO",
      }],
    },
  };
}

/** The same relay and client with an INFORMATION-REQUEST (RFC 8415 §18.2.6), answered by a REPLY. */
const RELAYED_INFO = hex([
  "0c", // msg-type 12 RELAY-FORW
  "00", // hop-count 0
  "20010db8000100000000000000000001", // link-address 2001:db8:1::1
  "fe80000000000000020000fffe000001", // peer-address fe80::200:ff:fe00:1 (the client)
  "0009001c", // option 9 RELAY_MSG, 28 bytes:
  "0b123456", //   msg-type 11 INFORMATION-REQUEST, transaction-id 0x123456
  "0001000e", //   option 1 CLIENTID, 14 bytes:
  "000100012a000001525400aabbcc", //     DUID-LLT, htype 1, time 0x2a000001, MAC 52:54:00:aa:bb:cc
  "000800020000", //   option 8 ELAPSED_TIME, 2 bytes: 0
].join(""));

/** Sends `query` to [::1]:port from the relay socket until an answer arrives (up to 10 s). */
async function ask(relay: dgram.Socket, answers: Uint8Array[], port: number, query: Uint8Array): Promise<Uint8Array> {
  const n = answers.length;
  for (let i = 0; i < 50 && answers.length === n; i++) {
    relay.send(Buffer.from(query), port, "::1");
    for (let j = 0; j < 10 && answers.length === n; j++) await new Promise((r) => setTimeout(r, 20));
  }
  assert.ok(answers.length > n, `no answer from [::1]:${port}`);
  return answers[n];
}

/** The answer's top-level options but the lease (IA_NA, kept apart by the decoder), as [code, hex] by code. */
function options(reply: Uint8Array, type: number): [number, string][] {
  const p = decode6(reply);
  assert.equal(p.kind, "relay");
  const m = innermost(p);
  assert.equal(m.msgType, type);
  const hex = (d: Uint8Array) => [...d].map((b) => b.toString(16).padStart(2, "0")).join("");
  return m.options.map((o): [number, string] => [o.code, hex(o.data)]).sort((a, b) => a[0] - b[0]);
}

Deno.test({
  name: "flex_option (DHCPv6): weka dhcp6 edits ADVERTISE and REPLY as kea-dhcp6 2.2 with ISC's hook does",
  ignore: missing.length > 0,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "wk-flex6-" });
    const base = 32000 + 2 * Math.floor(Math.random() * 8000);
    const [keaPort, relayPort, wekaPort] = [base, base + 1, base + 1000];
    for (const who of ["kea", "weka"] as const) {
      await Deno.writeTextFile(`${dir}/${who}.json`, JSON.stringify(config(dir, who)));
    }
    const kea = new Deno.Command(KEA6, {
      args: ["-c", `${dir}/kea.json`, "-p", String(keaPort), "-P", String(relayPort)],
      env: { KEA_PIDFILE_DIR: dir, KEA_LOCKFILE_DIR: dir },
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const weka = await startCli(["dhcp6", "-c", `${dir}/weka.json`, "-p", String(wekaPort)], /DHCP6_STARTED/, 20_000);
    const relay = dgram.createSocket({ type: "udp6", ipv6Only: true });
    const answers: Uint8Array[] = [];
    relay.on("message", (m: Uint8Array) => void answers.push(new Uint8Array(m)));
    await new Promise<void>((r) => relay.bind(relayPort, "::1", () => r()));
    try {
      const fromKea = options(
        await ask(relay, answers, keaPort, RELAYED_SOLICIT).catch((e) => {
          throw new Error(`${e.message}\n${Deno.readTextFileSync(`${dir}/kea.log`).split("\n").slice(-15).join("\n")}`);
        }),
        MsgType6.ADVERTISE,
      );
      const fromWeka = options(await ask(relay, answers, wekaPort, RELAYED_SOLICIT), MsgType6.ADVERTISE);
      assert.deepEqual(fromWeka, fromKea);
      // what the hook did is visible in Kea's answer (so the comparison is not vacuous)
      const codes = fromKea.map(([c]) => c);
      for (const c of [59, 23, 65000, 65002, 65010]) assert.ok(codes.includes(c), `option ${c} added`);
      for (const c of [31, 65001, 65003]) assert.ok(!codes.includes(c), `option ${c} absent`);
      const get = (c: number) => fromKea.find(([x]) => x === c)?.[1];
      assert.equal(get(23), "20010db8000000000000000000000053" + "20010db8000000000000000000000054");
      assert.equal(get(65000), "fe80000000000000020000fffe000001");
      assert.equal(get(65010), "012c0005" + "68656c6c6f", "sub-option 300, length 5, 'hello'");
      // an INFORMATION-REQUEST: the REPLY is edited too (not in class has-ia: no option 65002)
      const infoKea = options(await ask(relay, answers, keaPort, RELAYED_INFO), MsgType6.REPLY);
      assert.deepEqual(options(await ask(relay, answers, wekaPort, RELAYED_INFO), MsgType6.REPLY), infoKea);
      assert.deepEqual(infoKea.map(([c]) => c), [1, 2, 23, 59, 65000, 65010]);
    } finally {
      relay.close();
      await weka.stop();
      try {
        kea.kill("SIGTERM");
      } catch { /* gone */ }
      await kea.status;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
