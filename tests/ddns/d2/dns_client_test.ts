/**
 * The DNS client edge against an in-process UDP server on 127.0.0.1: answered updates resolve with the RCODE, an
 * answer with a broken MAC is a bad response, unanswered ones time out (one shared timer, not before
 * dns-server-timeout), an answer after the timeout is ignored, a burst of answers is all taken, and close() ends
 * what is still waiting.
 */
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { openDnsClient } from "../../../mod/ddns/d2/dns_client.ts";
import type { D2Server } from "../../../mod/config/model_d2.ts";
import { decodeMessage, encodeMessage } from "../../../mod/ddns/dns/message.ts";
import { signMessage, verifyMessage } from "../../../mod/ddns/dns/tsig.ts";
import { findTsigAlgorithm, type TsigKey } from "../../../mod/config/tsig_algorithms.ts";
import { addRecord } from "../../../mod/ddns/dns/update.ts";

const key: TsigKey = {
  name: "ddns-md5.",
  algorithm: findTsigAlgorithm("HMAC-MD5")!,
  secret: Uint8Array.from(atob("pjGqiQBjQUXELdUyP4lPzA=="), (c) => c.charCodeAt(0)),
  digestBits: 0,
};

Deno.test("dns client: answers, a bad MAC, timeouts after dns-server-timeout, close", async () => {
  const srv = dgram.createSocket("udp4");
  // the owner name of each update says what the server does with it
  srv.on("message", (m: Uint8Array, r: { address: string; port: number }) => {
    const bytes = new Uint8Array(m);
    const req = decodeMessage(bytes);
    const what = req.authority[0].name.split(".")[0].replace(/^ok\d+$/, "ok");
    if (what === "silent") return;
    const v = verifyMessage(bytes, key, { now: Math.floor(Date.now() / 1000), decoded: req });
    assert.equal(v.ok, true, "the request is TSIG-signed with the server's key");
    const resp = encodeMessage({
      ...req,
      qr: true,
      rcode: what === "refused" ? 5 : 0,
      answer: [],
      authority: [],
      additional: [],
    });
    const signed = signMessage(resp, key, { now: Math.floor(Date.now() / 1000), requestMac: v.ok ? v.mac : undefined });
    if (what === "badmac") signed.bytes[signed.bytes.length - 10] ^= 0xff;
    if (what === "late") setTimeout(() => srv.send(signed.bytes, r.port, r.address), 450);
    else srv.send(signed.bytes, r.port, r.address);
  });
  await new Promise<void>((r) => srv.bind(0, "127.0.0.1", () => r()));
  const server: D2Server = { ip: "127.0.0.1", port: srv.address().port, key };
  const client = openDnsClient(300);
  const upd = (label: string) => ({
    prereqs: [],
    updates: [addRecord(`${label}.lab.test.`, 1, 60, Uint8Array.of(198, 18, 0, 1))],
  });
  try {
    const t0 = performance.now();
    const [ok, refused, bad, silent1, silent2] = await Promise.all(
      ["ok", "refused", "badmac", "silent", "silent"].map((l) => client.send(server, "lab.test.", upd(l))),
    );
    const waited = performance.now() - t0;
    assert.deepEqual(ok, { kind: "response", rcode: 0 });
    assert.deepEqual(refused, { kind: "response", rcode: 5 });
    assert.equal(bad.kind, "bad-response");
    assert.match((bad as { reason: string }).reason, /TSIG check of the answer failed/);
    assert.deepEqual([silent1, silent2], [{ kind: "timeout" }, { kind: "timeout" }]);
    assert.ok(waited >= 295 && waited < 2000, `timeouts came after ${waited.toFixed(0)} ms (timeout 300 ms)`);
    // an answer that comes after the timeout is dropped: the update has already timed out, nothing resolves twice
    const late = await client.send(server, "lab.test.", upd("late"));
    assert.deepEqual(late, { kind: "timeout" });
    await new Promise((r) => setTimeout(r, 250)); // the late answer arrives meanwhile and is ignored
    // a burst: 200 updates in flight at once (D2 keeps at most 32), answers queued together, drained after one wake-up
    const burst = await Promise.all(
      Array.from({ length: 200 }, (_, i) => client.send(server, "lab.test.", upd(`ok${i}`))),
    );
    assert.equal(burst.filter((e) => e.kind === "response" && e.rcode === 0).length, 200);
    // a later update still works after the shared timer has fired, and close() ends a waiting one
    assert.deepEqual(await client.send(server, "lab.test.", upd("ok")), { kind: "response", rcode: 0 });
    const waiting = client.send(server, "lab.test.", upd("silent"));
    await client.close();
    assert.deepEqual(await waiting, { kind: "io-error", reason: "shutting down" });
  } finally {
    await client.close();
    await new Promise<void>((r) => srv.close(() => r()));
  }
});
