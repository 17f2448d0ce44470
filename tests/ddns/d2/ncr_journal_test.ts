import assert from "node:assert/strict";
import { NcrJournal } from "../../../mod/ddns/d2/ncr_journal.ts";
import { D2Service } from "../../../mod/ddns/d2/service.ts";
import { compileD2Config } from "../../../mod/config/compile_d2.ts";
import type { UpdateSender } from "../../../mod/ddns/d2/dns_client.ts";
import type { NameChangeRequest } from "../../../mod/ddns/ncr/ncr.ts";
import { nullLog } from "../../../mod/log/logger.ts";

const ncr = (i: number): NameChangeRequest => ({
  changeType: "add",
  forwardChange: true,
  reverseChange: false,
  fqdn: `j${i}.lab.test.`,
  ipAddress: `198.18.2.${i}`,
  dhcid: new Uint8Array([0, 1, 1, i]),
  leaseExpiresOn: "",
  leaseLength: 300,
  conflictResolutionMode: "check-with-dhcid",
});
const cfg = compileD2Config({
  "forward-ddns": { "ddns-domains": [{ name: "lab.test.", "dns-servers": [{ "ip-address": "10.0.0.1" }] }] },
});

Deno.test("journal: appended requests survive a reopen until done, in order; sequence numbers keep growing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wkd-journal-" });
  try {
    let j = await NcrJournal.open(`${dir}/q.kv`);
    const seqs = [1, 2, 3].map((i) => j.append(ncr(i)));
    j.done(seqs[1]);
    await j.close();
    j = await NcrJournal.open(`${dir}/q.kv`);
    const p = await j.pending();
    assert.deepEqual(p.map((x) => x.ncr.fqdn), ["j1.lab.test.", "j3.lab.test."]);
    assert.deepEqual(p[0].ncr, ncr(1));
    assert.ok(j.append(ncr(4)) > seqs[2]);
    await j.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("service + journal: an abandoned run keeps its requests; the next start serves them and empties the journal", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wkd-journal-" });
  try {
    // first life: the DNS server never answers; stop "now" with requests running and queued
    const hang: UpdateSender = { send: () => new Promise(() => {}), close: async () => {} };
    let j = await NcrJournal.open(`${dir}/q.kv`);
    let svc = new D2Service(cfg, hang, nullLog, { journal: j, maxTransactions: 2 });
    for (let i = 1; i <= 5; i++) svc.submit(ncr(i));
    assert.equal(svc.backlog, 5);
    void svc.abandon();
    await j.close();
    // second life: everything is answered
    j = await NcrJournal.open(`${dir}/q.kv`);
    const sent: string[] = [];
    const okSender: UpdateSender = {
      send: (_s, _z, u) => {
        sent.push(u.updates[0].name);
        return Promise.resolve({ kind: "response", rcode: 0 });
      },
      close: async () => {},
    };
    svc = new D2Service(cfg, okSender, nullLog, { journal: j });
    const pending = await j.pending();
    assert.equal(pending.length, 5);
    for (const p of pending) svc.submit(p.ncr, p.seq);
    await svc.idle();
    assert.deepEqual(sent, [1, 2, 3, 4, 5].map((i) => `j${i}.lab.test.`));
    assert.equal(svc.stats.get("ncr-received"), 0, "restored requests are not counted as received again");
    await j.flush();
    assert.equal((await j.pending()).length, 0);
    await j.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
