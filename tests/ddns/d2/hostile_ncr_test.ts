/**
 * NCR text never breaks D2's log or raises (issue 9 items 5 and 9): framed NameChangeRequests as a sender on the
 * NCR port can write them — a refused one whose JSON quotes a forged log line, an accepted one whose FQDN holds
 * control characters, one with a 3 000-octet DHCID, one whose first label is U+FEFF (found by the D2 fuzzer: the
 * PTR target came back empty from compression and the transaction threw) — go through decodeNcr and D2Service. Every
 * log line is one line, escaped and bounded; every accepted request is sent as a DNS UPDATE.
 */
import assert from "node:assert/strict";
import { compileD2Config } from "../../../mod/config/compile_d2.ts";
import { D2Service } from "../../../mod/ddns/d2/service.ts";
import type { UpdateSender } from "../../../mod/ddns/d2/dns_client.ts";
import { encodeMessage } from "../../../mod/ddns/dns/message.ts";
import { updateMessage } from "../../../mod/ddns/dns/update.ts";
import { decodeNcr, frameNcr, NcrError } from "../../../mod/ddns/ncr/ncr.ts";
import { memoryLog } from "../fixture.ts";

const cfg = compileD2Config({
  "forward-ddns": { "ddns-domains": [{ name: "lab.test.", "dns-servers": [{ "ip-address": "10.0.0.1" }] }] },
  "reverse-ddns": { "ddns-domains": [{ name: "18.198.in-addr.arpa.", "dns-servers": [{ "ip-address": "10.0.0.3" }] }] },
});

/** Kea 2.2's NCR JSON (kea-dhcp4 writes these keys in this order) with `over` replacing fields. */
function ncrText(over: Record<string, unknown> = {}): string {
  return JSON.stringify({
    "change-type": 0, // add
    "forward-change": true,
    "reverse-change": true,
    fqdn: "h7.lab.test.",
    "ip-address": "198.18.1.7",
    dhcid: "000101" + "A1".repeat(32), // identifier type 1 (client-id), digest type 1 (SHA-256), 32-octet digest
    "lease-expires-on": "20301127180000",
    "lease-length": 1200,
    "use-conflict-resolution": true,
    ...over,
  });
}

async function d2(datagrams: Uint8Array[]) {
  const log = memoryLog();
  const sent: Uint8Array[] = [];
  const sender: UpdateSender = {
    send(_server, zone, update) {
      sent.push(encodeMessage(updateMessage(1, zone, update.prereqs, update.updates)));
      return Promise.resolve({ kind: "response", rcode: 0 });
    },
    close: () => Promise.resolve(),
  };
  const svc = new D2Service(cfg, sender, log);
  for (const d of datagrams) {
    try {
      svc.submit(decodeNcr(d));
    } catch (e) {
      assert.ok(e instanceof NcrError, `only NcrError: ${e}`);
      svc.invalid(e.message, "198.18.0.66:5000");
    }
  }
  await svc.idle();
  for (const l of log.lines) {
    // deno-lint-ignore no-control-regex
    assert.doesNotMatch(l, /[\x00-\x1f\x7f\u2028\u202e]/, "one line, no control characters");
    assert.ok(l.length < 1200, `bounded: ${l.length}`);
  }
  assert.equal(log.lines.filter((l) => l.includes("DHCP_DDNS_TRANS_PROCESS_EXCEPTION")).length, 0);
  return { log, sent, svc };
}

Deno.test("hostile NCRs: a refused NCR quoting a forged log line is logged once, escaped", async () => {
  const forged = "\r\n2026-01-01 00:00:00.000 INFO  [kea-dhcp-ddns/1] DHCP_DDNS_ADD_SUCCEEDED forged\x1b[2J";
  const r = await d2([frameNcr(ncrText({ "ip-address": forged }))]);
  assert.deepEqual(r.log.lines.filter((l) => l.startsWith("ERROR")), [
    String
      .raw`ERROR DHCP_DDNS_INVALID_NCR invalid NameChangeRequest from 198.18.0.66:5000: invalid NCR field ip-address: "\x0d\x0a2026-01-01 00:00:00.000 INFO  [kea-dhcp-ddns/1] DHCP_DDNS_ADD_SUCCEEDED forged\x1b[2J" is not an IPv4 or IPv6 address`,
  ]);
  assert.equal(r.svc.stats.get("ncr-invalid"), 1);
});

Deno.test("hostile NCRs: an FQDN with control characters is updated in DNS as sent and logged escaped", async () => {
  const r = await d2([frameNcr(ncrText({ fqdn: "evil\n\u202e.lab.test." }))]);
  assert.equal(r.sent.length, 2, "forward and reverse updates");
  const ok = r.log.lines.find((l) => l.includes("DHCP_DDNS_ADD_SUCCEEDED"));
  assert.match(ok!, /evil\\x0a\\u\{202e\}\.lab\.test\./);
});

Deno.test("hostile NCRs: a 3 000-octet DHCID is served; the request id in each line shows 64 octets of it", async () => {
  const r = await d2([frameNcr(ncrText({ dhcid: "0001" + "be".repeat(2998) }))]);
  assert.equal(r.sent.length, 2);
  const id = r.log.lines.find((l) => l.includes("DHCP_DDNS_ADD_SUCCEEDED"))!;
  assert.match(id, /Request ID 0001(BE){62}\.\.\.\(3000 bytes\):/);
});

Deno.test("hostile NCRs: a name whose first label is U+FEFF gets its forward and reverse update", async () => {
  const r = await d2([frameNcr(ncrText({ fqdn: "\ufeff.h7.lab.test." }))]);
  assert.equal(r.sent.length, 2);
  assert.equal(r.svc.stats.get("ncr-error"), 0);
});
