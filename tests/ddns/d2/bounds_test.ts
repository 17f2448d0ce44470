/**
 * D2 under a flood and under failures (issue 9 items 6 and 8): the request queue is bounded with a counted drop
 * (Kea's queue-mgr-queue-full) logged once per full spell, requests held behind a transaction on their DHCID are
 * released in order without rescanning, the journal coalesces its writes and survives a failed commit, and the
 * receive loop logs receive errors and handler exceptions with Kea's ids and goes on receiving.
 */
import assert from "node:assert/strict";
import { compileD2Config } from "../../../mod/config/compile_d2.ts";
import type { UpdateSender } from "../../../mod/ddns/d2/dns_client.ts";
import { NcrJournal } from "../../../mod/ddns/d2/ncr_journal.ts";
import { D2Service } from "../../../mod/ddns/d2/service.ts";
import { encodeNcr, type NameChangeRequest } from "../../../mod/ddns/ncr/ncr.ts";
import { type DatagramSource, listenNcr, receiveLoop, RECV_RETRY_MS } from "../../../mod/ddns/ncr/udp.ts";
import { openNcrSender } from "../../../mod/ddns/ncr/udp.ts";
import { CaptureLog, noUnhandledRejection } from "../../log/failure_probe.ts";

const cfg = compileD2Config({
  "forward-ddns": { "ddns-domains": [{ name: "lab.test.", "dns-servers": [{ "ip-address": "10.0.0.1" }] }] },
});

const ncr = (i: number, dhcid = i, fqdn = `b${i}.lab.test.`): NameChangeRequest => ({
  changeType: "add",
  forwardChange: true,
  reverseChange: false,
  fqdn,
  ipAddress: `198.18.3.${i & 255}`,
  dhcid: new Uint8Array([0, 1, 1, (dhcid >> 8) & 255, dhcid & 255]),
  leaseExpiresOn: "",
  leaseLength: 300,
  conflictResolutionMode: "no-check-without-dhcid",
});

const hang: UpdateSender = { send: () => new Promise(() => {}), close: async () => {} };

Deno.test("D2 queue: a flood of 20 000 requests keeps maxQueue waiting; the rest counted, logged once", async () => {
  const log = new CaptureLog();
  const svc = new D2Service(cfg, hang, log, { maxQueue: 100, maxTransactions: 2 });
  for (let i = 0; i < 20_000; i++) svc.submit(ncr(i));
  assert.deepEqual([svc.waiting, svc.backlog], [100, 102]);
  assert.equal(svc.stats.get("ncr-received"), 20_000);
  assert.equal(svc.stats.get("queue-mgr-queue-full"), 20_000 - 102);
  assert.equal(log.with("DHCP_DDNS_QUEUE_MGR_QUEUE_FULL").length, 1);
  const stopped = svc.abandon();
  assert.equal(svc.waiting, 0, "abandon drops what waits");
  await Promise.race([stopped, new Promise((r) => setTimeout(r, 10))]);
});

Deno.test("D2 queue: requests held behind their DHCID's transaction run in order; a dropped one frees the next", async () => {
  const sent: string[] = [];
  const ok: UpdateSender = {
    send: async (_s, _z, u) => {
      sent.push(u.updates[0].name);
      await new Promise((r) => setTimeout(r, 0));
      return { kind: "response", rcode: 0 };
    },
    close: async () => {},
  };
  const svc = new D2Service(cfg, ok, new CaptureLog(), { maxTransactions: 4 });
  // 300 requests on one DHCID, interleaved with 300 on their own; one of the shared ones matches no domain
  for (let i = 0; i < 300; i++) {
    svc.submit(ncr(i, 7, i === 5 ? `s${i}.elsewhere.test.` : `s${i}.lab.test.`));
    svc.submit(ncr(1000 + i));
  }
  await svc.idle();
  assert.equal(svc.backlog, 0);
  const shared = sent.filter((n) => n.startsWith("s")).map((n) => Number(n.slice(1).split(".")[0]));
  assert.deepEqual(shared, [...Array(300).keys()].filter((i) => i !== 5), "one DHCID: in order, none stranded");
  assert.equal(sent.filter((n) => n.startsWith("b")).length, 300);
});

Deno.test("journal: a request finished before its write costs no write; a failed commit is reported and the writer goes on", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wkd-bounds-" });
  const errors: string[] = [];
  try {
    const j = await NcrJournal.open(`${dir}/q.kv`, (e) => errors.push(e.message));
    for (let i = 0; i < 10_000; i++) j.done(j.append(ncr(i)));
    assert.equal(j.pendingWrites, 0, "appended and finished in the same group: nothing to write");
    // inject a failing commit, once
    const kv = (j as unknown as { kv: Deno.Kv }).kv;
    const atomic = kv.atomic.bind(kv);
    let failures = 1;
    kv.atomic = () => {
      if (failures-- <= 0) return atomic();
      const op = atomic();
      op.commit = () => Promise.reject(new Error("disk I/O error"));
      return op;
    };
    j.append(ncr(1));
    await j.flush();
    assert.deepEqual(errors, ["disk I/O error"]);
    const kept = j.append(ncr(2));
    await j.flush();
    assert.deepEqual((await j.pending()).map((p) => p.seq), [kept], "the next group is written");
    await j.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** A datagram source that fails `fails` times, then yields `datagrams` once, then waits until closed. */
function flakySource(fails: number, datagrams: Uint8Array[]): DatagramSource & { reads: number } {
  let closed = false;
  let wake = () => {};
  const src = {
    reads: 0,
    get closed() {
      return closed;
    },
    recvBatch() {
      src.reads++;
      if (fails-- > 0) return Promise.reject(new Error("recvmsg: ENOMEM"));
      if (datagrams.length) {
        return Promise.resolve(datagrams.splice(0).map((data) => ({ data, from: "127.0.0.1:53000" })));
      }
      return new Promise<never[]>((r) => wake = () => r([]));
    },
    close() {
      closed = true;
      wake();
    },
  };
  return src;
}

Deno.test("receive loop: receive errors are logged and retried with a growing pause; a throwing handler never ends it", async () => {
  const saved = { ...RECV_RETRY_MS };
  RECV_RETRY_MS.first = 2;
  try {
    await noUnhandledRejection(async () => {
      const errors: [string, string][] = [];
      const got: string[] = [];
      const src = flakySource(3, [encodeNcr(ncr(1)), encodeNcr(ncr(2)), encodeNcr(ncr(3))]);
      const rx = receiveLoop(src, 53001, {
        onRequest: (n) => {
          if (n.fqdn === "b2.lab.test.") throw new Error("journal append failed");
          got.push(n.fqdn);
        },
        onInvalid: () => {},
        onError: (id, text) => errors.push([id, text]),
      });
      for (let i = 0; i < 100 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
      assert.deepEqual(got, ["b1.lab.test.", "b3.lab.test."], "the request after the failing one is served");
      const ids = errors.map(([id]) => id);
      assert.deepEqual(ids, [
        "DHCP_DDNS_NCR_UDP_RECV_ERROR",
        "DHCP_DDNS_NCR_UDP_RECV_ERROR",
        "DHCP_DDNS_NCR_UDP_RECV_ERROR",
        "DHCP_DDNS_QUEUE_MGR_UNEXPECTED_HANDLER_ERROR",
      ]);
      assert.deepEqual(errors.slice(0, 3).map(([, t]) => t.match(/again in (\d+) ms/)?.[1]), ["2", "4", "8"]);
      assert.match(errors[3][1], /journal append failed/);
      const t = performance.now();
      await rx.close();
      assert.ok(performance.now() - t < 500, "close ends the loop at once");
      assert.ok(src.reads >= 5);
    });
  } finally {
    Object.assign(RECV_RETRY_MS, saved);
  }
});

Deno.test("receive loop over real UDP: a handler exception is logged and the next datagram still served", async () => {
  await noUnhandledRejection(async () => {
    const log = new CaptureLog();
    const got: string[] = [];
    let wake = () => {};
    const rx = await listenNcr("127.0.0.1", 0, {
      onRequest: (n) => {
        if (n.fqdn === "b1.lab.test.") throw new Error("boom");
        got.push(n.fqdn);
        wake();
      },
      onInvalid: () => {},
      onError: (id, text) => log.error(id, text),
    });
    const tx = openNcrSender("127.0.0.1", rx.port);
    const served = new Promise<void>((r) => wake = r);
    await tx.send(ncr(1));
    await tx.send(ncr(2));
    await served;
    assert.deepEqual(got, ["b2.lab.test."]);
    assert.equal(log.with("DHCP_DDNS_QUEUE_MGR_UNEXPECTED_HANDLER_ERROR").length, 1);
    tx.close();
    await rx.close();
  });
});

Deno.test("D2: a flood of invalid datagrams is counted each time, logged the first ten times, then 100th, 1000th", () => {
  const log = new CaptureLog();
  const svc = new D2Service(cfg, hang, log);
  for (let i = 0; i < 3000; i++) svc.invalid("NCR is not valid JSON", "192.0.2.9:4000");
  assert.equal(svc.stats.get("ncr-invalid"), 3000);
  const lines = log.with("DHCP_DDNS_INVALID_NCR");
  const nth = lines.map((l) => Number(l.text.match(/\((\d+) invalid requests in a row/)?.[1] ?? "1"));
  assert.deepEqual(nth, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100, 1000]);
  svc.submit(ncr(1));
  svc.invalid("NCR is not valid JSON", "192.0.2.9:4000");
  assert.equal(log.with("DHCP_DDNS_INVALID_NCR").length, 13, "a valid request ends the run");
  void svc.abandon();
});
