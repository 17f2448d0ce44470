/**
 * The DDNS sender under a flood and under failures (issue 9 items 6 and 8): the NCR queue holds max-queue-size
 * requests whatever is offered (the rest counted in ncr-queue-full, one warning per full spell), and its sender
 * loop survives a sink that throws synchronously, statistics and a log that throw, with no unhandled rejection; a
 * reclaimed lease whose stored name DNS cannot carry is logged (DHCP4_NCR_CREATION_FAILED) without costing the
 * other leases their removes.
 */
import assert from "node:assert/strict";
import { NcrQueue } from "../../../mod/ddns/ncr/queue.ts";
import type { NameChangeRequest } from "../../../mod/ddns/ncr/ncr.ts";
import { startDdnsSender } from "../../../mod/dhcp4/ddns_sender.ts";
import { Stats } from "../../../mod/stats/stats.ts";
import { CaptureLog, noUnhandledRejection } from "../../log/failure_probe.ts";
import { config4, lease } from "../engine/builders.ts";

const ncr = (i: number): NameChangeRequest => ({
  changeType: "add",
  forwardChange: true,
  reverseChange: false,
  fqdn: `q${i}.lab.test.`,
  ipAddress: `198.18.1.${i & 255}`,
  dhcid: new Uint8Array([0, 1, 1, i & 255]),
  leaseExpiresOn: "",
  leaseLength: 600,
  conflictResolutionMode: "check-with-dhcid",
});

Deno.test("NCR queue: 100 000 requests offered to a stuck sink keep max-queue-size held, the rest counted", async () => {
  const counts = new Map<string, number>();
  const logs: string[] = [];
  const stuck = Promise.withResolvers<void>();
  const q = new NcrQueue({
    sink: () => stuck.promise,
    maxSize: 1024,
    stat: (n, d) => counts.set(n, (counts.get(n) ?? 0) + d),
    log: (_l, id) => logs.push(id),
  });
  for (let i = 0; i < 100_000; i++) q.enqueue([ncr(i)]);
  assert.equal(q.size, 1024);
  assert.equal(counts.get("ncr-queue-full"), 100_000 - 1024);
  assert.deepEqual(logs, ["DHCP4_DDNS_REQUEST_SEND_FAILED"], "one warning for the whole spell");
  stuck.resolve();
  await q.drained();
  assert.equal(counts.get("ncr-sent"), 1024);
});

Deno.test("NCR queue: a sink that throws synchronously, a throwing statistic and log never stop the sender", async () => {
  await noUnhandledRejection(async () => {
    const sent: string[] = [];
    let statCalls = 0, logCalls = 0;
    const q = new NcrQueue({
      sink: (n) => {
        if (n.fqdn === "q2.lab.test.") throw new Error("EHOSTUNREACH");
        sent.push(n.fqdn);
      },
      maxSize: 16,
      stat: () => {
        statCalls++;
        throw new Error("statistics broke");
      },
      log: () => {
        logCalls++;
        throw new Error("log sink broke");
      },
    });
    assert.equal(q.enqueue([1, 2, 3].map(ncr)), 3);
    await q.drained();
    assert.deepEqual(sent, ["q1.lab.test.", "q3.lab.test."]);
    assert.equal(statCalls, 3);
    assert.equal(logCalls, 3);
    assert.equal(q.enqueue([ncr(4)]), 1, "the sender still runs");
    await q.drained();
    assert.deepEqual(sent.at(-1), "q4.lab.test.");
  });
});

Deno.test("DDNS sender: a reclaimed lease with a name DNS cannot carry is logged; the others get their removes", async () => {
  const got: NameChangeRequest[] = [];
  const log = new CaptureLog();
  const cfg = {
    ...config4([]),
    dhcpDdns: {
      enableUpdates: true,
      serverIp: "127.0.0.1",
      serverPort: 53001,
      senderIp: "",
      senderPort: 0,
      maxQueueSize: 16,
      ncrProtocol: "UDP" as const,
      ncrFormat: "JSON" as const,
    },
  };
  const sender = startDdnsSender(cfg, { stats: new Stats(), log, sink: (n) => void got.push(n) })!;
  const named = (ip: string, hostname: string) =>
    lease(ip, { hostname, fqdnFwd: true, fqdnRev: true }) as Parameters<typeof sender.reclaimed>[0][0]["lease"];
  sender.reclaimed([
    { kind: "expired", lease: named("198.18.1.7", `${"a".repeat(70)}.lab.test`), removed: false },
    { kind: "expired", lease: named("198.18.1.8", "ok.lab.test"), removed: false },
  ]);
  await sender.queue.drained();
  assert.deepEqual(got.map((n) => n.fqdn), ["ok.lab.test."]);
  const failed = log.with("DHCP4_NCR_CREATION_FAILED");
  assert.equal(failed.length, 1);
  assert.match(failed[0].text, /198\.18\.1\.7: "invalid domain name/);
  assert.ok(failed[0].text.length < 260, "the stored name is cut short in the log");
  await sender.close();
});

Deno.test("NCR queue: a sink failing 5 000 times in a row is counted each time, logged 12 times", async () => {
  const counts = new Map<string, number>();
  const logged: string[] = [];
  let up = false;
  const q = new NcrQueue({
    sink: () => {
      if (!up) throw new Error("the in-process D2 refused the request (its queue is full)");
    },
    maxSize: 10_000,
    stat: (n, d) => counts.set(n, (counts.get(n) ?? 0) + d),
    log: (level, _id, text) => level === "error" && logged.push(text),
  });
  q.enqueue(Array.from({ length: 5000 }, (_, i) => ncr(i)));
  await q.drained();
  assert.equal(counts.get("ncr-send-error"), 5000);
  const nth = logged.map((t) => Number(t.match(/\((\d+) failures in a row/)?.[1] ?? "1"));
  assert.deepEqual(nth, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100, 1000], "the first ten, then 100th and 1000th");
  up = true;
  q.enqueue([ncr(1)]);
  await q.drained();
  up = false;
  q.enqueue([ncr(2)]);
  await q.drained();
  assert.equal(logged.length, 13, "a new run of failures is logged again from its first");
});
