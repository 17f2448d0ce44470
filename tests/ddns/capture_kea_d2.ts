/**
 * Captures what real kea-dhcp-ddns (Kea 2.2, Debian) sends to BIND for one add and one remove in
 * check-with-dhcid mode, and writes each UPDATE and BIND's answer to tests/fixtures/ddns/kea_d2_*.txt. The NCRs
 * are sent with weka's own encoder, so a successful capture also shows Kea accepting weka's NCR JSON.
 * Run by hand as root: `deno run -A tests/ddns/capture_kea_d2.ts`. Not a test.
 */
import { labD2Config, startBind } from "./bind_harness.ts";
import { annotate, pcapPayloads } from "./pcap.ts";
import { openNcrSender } from "../../mod/ddns/ncr/udp.ts";
import type { NameChangeRequest } from "../../mod/ddns/ncr/ncr.ts";
import { decodeMessage } from "../../mod/ddns/dns/message.ts";
import { CAROL_NCR } from "./fixture.ts";

const PORT = 15353, NCR_PORT = 15301;
const OUT = new URL("../fixtures/ddns/", import.meta.url).pathname;
const bind = await startBind("127.0.0.1", PORT);
const dir = await Deno.makeTempDir({ prefix: "wkd-kea-" });
const cfg = labD2Config(NCR_PORT, PORT, {
  output_options: [{ output: `${dir}/d2.log` }],
  severity: "DEBUG",
  debuglevel: 99,
}, { "dns-server-timeout": 1000 });
await Deno.writeTextFile(`${dir}/d2.json`, JSON.stringify(cfg, null, 1));
const pcap = `${dir}/kea.pcap`;
const td = new Deno.Command("tcpdump", {
  args: ["-i", "lo", "-U", "-w", pcap, `udp port ${PORT}`],
  stdout: "null",
  stderr: "null",
})
  .spawn();
const kea = new Deno.Command("kea-dhcp-ddns", { args: ["-c", `${dir}/d2.json`], stdout: "null", stderr: "null" })
  .spawn();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
await sleep(1500);
const fqdn = CAROL_NCR.fqdn;
const ncr: NameChangeRequest = CAROL_NCR;
const tx = openNcrSender("127.0.0.1", NCR_PORT);
await tx.send(ncr);
await sleep(1500);
console.log("A after add:", await bind.dig(fqdn, "A"), "PTR:", await bind.dig("21.1.18.198.in-addr.arpa", "PTR"));
await tx.send({ ...ncr, changeType: "remove" });
await sleep(1500);
console.log("A after remove:", await bind.dig(fqdn, "A"));
tx.close();
kea.kill("SIGTERM");
await kea.status;
td.kill("SIGTERM");
await td.status;
const pkts = pcapPayloads(await Deno.readFile(pcap), PORT).filter((p) => {
  try {
    return decodeMessage(p.data).opcode === 5;
  } catch {
    return false;
  }
});
const names = ["fwd_add", "rev_add", "fwd_remove_addrs", "fwd_remove_rrs", "rev_remove"];
let n = 0;
for (let i = 0; i + 1 < pkts.length && n < names.length; i += 2, n++) {
  const head = `# kea-dhcp-ddns 2.2.0 -> named (BIND 9.18) 127.0.0.1:${PORT}, check-with-dhcid, step ${names[n]}\n` +
    `# NCR (weka's encoder): ${
      JSON.stringify({ ...ncr, dhcid: undefined })
    }\n# forward key ddns-md5, reverse key ddns-sha256\n`;
  await Deno.writeTextFile(`${OUT}kea_d2_${names[n]}.request.txt`, head + annotate(pkts[i].data));
  await Deno.writeTextFile(`${OUT}kea_d2_${names[n]}.response.txt`, "# RESPONSE\n" + head + annotate(pkts[i + 1].data));
  console.log(names[n], pkts[i].toServer, pkts[i + 1].toServer, pkts[i].data.length);
}
console.log(
  await Deno.readTextFile(`${dir}/d2.log`).then((t) =>
    t.split("\n").filter((l) => /NCR|ERROR|INVALID/.test(l)).slice(0, 8).join("\n")
  ),
);
await bind.stop();
await Deno.remove(dir, { recursive: true });
