/**
 * Re-captures the DNS UPDATE fixtures in tests/fixtures/ddns/: starts the harness BIND on 127.0.0.1:15353, runs
 * nsupdate scripts with each TSIG algorithm while tcpdump records loopback, and writes every request/response pair
 * as annotated hex. Run by hand (root): `deno run -A tests/ddns/capture_fixtures.ts`. Not a test.
 */
import { BIND_KEYS, startBind } from "./bind_harness.ts";
import { annotate, pcapPayloads, run } from "./pcap.ts";

const PORT = 15353;
const OUT = new URL("../fixtures/ddns/", import.meta.url).pathname;
const DHCID1 = "AAEBOSD+XR3Os/0LozeXVqcNc7FwCfQdWL3b/NaiUDlW2No=";

interface Case {
  file: string;
  key: string;
  what: string;
  script: string;
}

const CASES: Case[] = [];
for (const key of Object.keys(BIND_KEYS)) {
  const h = key.replace("ddns-", "h-");
  CASES.push({
    file: `nsupdate_add_${key.replace("ddns-", "")}`,
    key,
    what: `forward add, name must not exist (prereq NONE ANY), A + DHCID, key ${key}`,
    script: `prereq nxdomain ${h}.lab.test.\nupdate add ${h}.lab.test. 1200 A 198.18.1.7\n` +
      `update add ${h}.lab.test. 1200 DHCID ${DHCID1}\n`,
  });
}
CASES.push({
  file: "nsupdate_conflict_md5",
  key: "ddns-md5",
  what: "the same add again: BIND answers YXDOMAIN",
  script: `prereq nxdomain h-md5.lab.test.\nupdate add h-md5.lab.test. 1200 A 198.18.1.8\n`,
});
CASES.push({
  file: "nsupdate_reverse_md5",
  key: "ddns-md5",
  what: "reverse add: delete PTR and DHCID RRsets (ANY), add PTR (compressed target) and DHCID",
  script: `zone 18.198.in-addr.arpa.\nupdate delete 7.1.18.198.in-addr.arpa. PTR\n` +
    `update delete 7.1.18.198.in-addr.arpa. DHCID\nupdate add 7.1.18.198.in-addr.arpa. 1200 PTR h-md5.lab.test.\n` +
    `update add 7.1.18.198.in-addr.arpa. 1200 DHCID ${DHCID1}\n`,
});
CASES.push({
  file: "nsupdate_remove_md5",
  key: "ddns-md5",
  what: "remove step 1: prereq DHCID value (class IN), delete one A record (class NONE)",
  script: `prereq yxrrset h-md5.lab.test. IN DHCID ${DHCID1}\nupdate delete h-md5.lab.test. IN A 198.18.1.7\n`,
});
CASES.push({
  file: "nsupdate_remove2_md5",
  key: "ddns-md5",
  what: "remove step 2: prereq no A, no AAAA (class NONE), delete all RRsets of the name (ANY ANY)",
  script: `prereq nxrrset h-md5.lab.test. A\nprereq nxrrset h-md5.lab.test. AAAA\nupdate delete h-md5.lab.test.\n`,
});

const bind = await startBind("127.0.0.1", PORT);
try {
  for (const c of CASES) {
    const pcap = `${bind.dir}/${c.file}.pcap`;
    const td = new Deno.Command("tcpdump", {
      args: ["-i", "lo", "-U", "-w", pcap, `udp port ${PORT}`],
      stdout: "null",
      stderr: "null",
    }).spawn();
    await new Promise((r) => setTimeout(r, 700));
    const [alg, secret] = BIND_KEYS[c.key];
    const zone = c.script.startsWith("zone ") ? "" : "zone lab.test.\n";
    const script = `server 127.0.0.1 ${PORT}\n${zone}${c.script}send\n`;
    const log = await run("nsupdate", ["-y", `${alg}:${c.key}:${secret}`], script);
    await new Promise((r) => setTimeout(r, 300));
    td.kill("SIGTERM");
    await td.status;
    const pkts = pcapPayloads(await Deno.readFile(pcap), PORT);
    const req = pkts.find((p) => p.toServer), resp = pkts.find((p) => !p.toServer);
    if (!req || !resp) throw new Error(`${c.file}: capture incomplete (${pkts.length} packets) ${log}`);
    const head = `# ${c.what}\n# captured: nsupdate (BIND 9.18) -> named 127.0.0.1:${PORT}, tcpdump on lo\n` +
      `# key ${c.key} algorithm ${alg} secret ${secret}\n# nsupdate script:\n` +
      script.split("\n").filter((l) => l).map((l) => `#   ${l}`).join("\n") + "\n";
    await Deno.writeTextFile(`${OUT}${c.file}.request.txt`, head + annotate(req.data));
    await Deno.writeTextFile(
      `${OUT}${c.file}.response.txt`,
      head.replace(/^# /, "# RESPONSE to: ") + annotate(resp.data),
    );
    console.log(c.file, req.data.length, resp.data.length, log.trim());
  }
} finally {
  await bind.stop();
}
