import assert from "node:assert/strict";
import { D2Service } from "../../../mod/ddns/d2/service.ts";
import { compileD2Config } from "../../../mod/config/compile_d2.ts";
import type { D2Server } from "../../../mod/config/model_d2.ts";
import type { UpdateSender } from "../../../mod/ddns/d2/dns_client.ts";
import type { TxEvent } from "../../../mod/ddns/d2/transaction.ts";
import type { StepUpdate } from "../../../mod/ddns/d2/updates.ts";
import { recordText } from "../../../mod/ddns/dns/update.ts";
import type { NameChangeRequest } from "../../../mod/ddns/ncr/ncr.ts";
import { memoryLog } from "../fixture.ts";

const cfg = compileD2Config({
  "tsig-keys": [{ name: "k", algorithm: "HMAC-MD5", secret: "pjGqiQBjQUXELdUyP4lPzA==" }],
  "forward-ddns": {
    "ddns-domains": [{
      name: "lab.test.",
      "key-name": "k",
      "dns-servers": [{ "ip-address": "10.0.0.1" }, { "ip-address": "10.0.0.2" }],
    }],
  },
  "reverse-ddns": { "ddns-domains": [{ name: "18.198.in-addr.arpa.", "dns-servers": [{ "ip-address": "10.0.0.3" }] }] },
});

/** A fake DNS side: answers by a rule, records every send, and resolves asynchronously like the network. */
function fakeSender(rule: (s: D2Server, u: StepUpdate) => TxEvent) {
  const sent: string[] = [];
  let inFlight = 0, maxInFlight = 0;
  const sender: UpdateSender = {
    async send(server, zone, update) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      sent.push(`${server.ip} ${zone} ${update.updates.map(recordText).join(" | ")}`);
      await new Promise((r) => setTimeout(r, 1));
      inFlight--;
      return rule(server, update);
    },
    async close() {},
  };
  return { sender, sent, max: () => maxInFlight };
}

const ncr = (i: number, over: Partial<NameChangeRequest> = {}): NameChangeRequest => ({
  changeType: "add",
  forwardChange: true,
  reverseChange: true,
  fqdn: `h${i}.lab.test.`,
  ipAddress: `198.18.1.${i}`,
  dhcid: new Uint8Array([0, 1, 1, i]),
  leaseExpiresOn: "",
  leaseLength: 600,
  conflictResolutionMode: "check-with-dhcid",
  ...over,
});
const OK: TxEvent = { kind: "response", rcode: 0 };

Deno.test("requests become forward then reverse updates; statistics use Kea's names, per key too", async () => {
  const f = fakeSender(() => OK);
  const svc = new D2Service(cfg, f.sender, memoryLog());
  svc.submit(ncr(7));
  await svc.idle();
  assert.equal(f.sent.length, 2);
  assert.match(f.sent[0], /^10\.0\.0\.1 lab\.test\. h7\.lab\.test\. 600 IN A 198\.18\.1\.7/);
  assert.match(f.sent[1], /^10\.0\.0\.3 18\.198\.in-addr\.arpa\. 7\.1\.18\.198\.in-addr\.arpa\. 0 ANY PTR/);
  const s = svc.stats;
  assert.deepEqual(
    [
      "ncr-received",
      "update-sent",
      "update-signed",
      "update-unsigned",
      "update-success",
      "key[k.].update-sent",
      "ncr-error",
    ].map((n) => s.get(n)),
    [1, 2, 1, 1, 2, 1, 0],
  );
});

Deno.test("at most maxTransactions at once, and never two for the same DHCID", async () => {
  const f = fakeSender(() => OK);
  const svc = new D2Service(cfg, f.sender, memoryLog(), { maxTransactions: 4 });
  for (let i = 1; i <= 20; i++) svc.submit(ncr(i));
  svc.submit(ncr(1, { changeType: "remove" }));
  await svc.idle();
  assert.equal(svc.finished, 21);
  assert.ok(f.max() <= 4);
  // the remove for h1 started only after its add had finished: its first send follows the add's reverse update
  const h1 = f.sent.map((x, i) => [x, i] as const).filter(([x]) => /h1\.lab|1\.1\.18\.198/.test(x) && !/h1\d/.test(x));
  assert.deepEqual(h1.map(([x]) => x.split(" ")[0]), ["10.0.0.1", "10.0.0.3", "10.0.0.1", "10.0.0.1", "10.0.0.3"]);
});

Deno.test("an unreachable DNS server: next server after 3 tries; all dead → ncr-error, next request still served", async () => {
  const dead = new Set(["10.0.0.1"]);
  const f = fakeSender((s) => (dead.has(s.ip) ? { kind: "timeout" } : OK));
  const log = memoryLog();
  const svc = new D2Service(cfg, f.sender, log);
  svc.submit(ncr(8));
  await svc.idle();
  assert.deepEqual(f.sent.map((x) => x.split(" ")[0]), ["10.0.0.1", "10.0.0.1", "10.0.0.1", "10.0.0.2", "10.0.0.3"]);
  assert.equal(svc.stats.get("update-timeout"), 3);
  assert.equal(svc.stats.get("key[k.].update-timeout"), 3);
  dead.add("10.0.0.2");
  svc.submit(ncr(9));
  await svc.idle();
  assert.equal(svc.stats.get("ncr-error"), 1);
  assert.ok(log.lines.some((l) => /^ERROR DHCP_DDNS_ADD_FAILED .*no DNS server of lab.test. answered/.test(l)));
  dead.clear();
  svc.submit(ncr(10));
  await svc.idle();
  assert.equal(svc.stats.get("ncr-error"), 1);
  assert.equal(svc.finished, 3);
});

Deno.test("no matching domain drops that direction; invalid input and a full queue are counted and logged", async () => {
  const f = fakeSender(() => OK);
  const log = memoryLog();
  const svc = new D2Service(cfg, f.sender, log, { maxQueue: 2, maxTransactions: 1 });
  svc.submit(ncr(3, { fqdn: "x.other.test.", ipAddress: "10.1.1.1" }));
  await svc.idle();
  assert.equal(f.sent.length, 0);
  assert.ok(log.lines.some((l) => l.startsWith("ERROR DHCP_DDNS_NO_FWD_MATCH_ERROR")));
  assert.ok(log.lines.some((l) => l.startsWith("ERROR DHCP_DDNS_NO_REV_MATCH_ERROR")));
  svc.submit(ncr(4, { fqdn: "x.other.test." }));
  await svc.idle();
  assert.deepEqual(f.sent.map((x) => x.split(" ")[0]), ["10.0.0.3"]);
  svc.invalid("NCR is not valid JSON", "127.0.0.1:4000");
  assert.equal(svc.stats.get("ncr-invalid"), 1);
  assert.ok(
    log.lines.some((l) =>
      l === "ERROR DHCP_DDNS_INVALID_NCR invalid NameChangeRequest from 127.0.0.1:4000: NCR is not valid JSON"
    ),
  );
  for (let i = 20; i < 25; i++) svc.submit(ncr(i));
  assert.equal(svc.stats.get("queue-mgr-queue-full"), 2);
  await svc.idle();
});
