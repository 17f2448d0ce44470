/**
 * The bounded NCR queue (mod/ddns/ncr/queue.ts): order kept, a full queue drops and counts without blocking the
 * caller, a failing sink is counted and the next request still goes; and the UDP sink delivers Kea's wire frames.
 */
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { NcrQueue } from "../../../mod/ddns/ncr/queue.ts";
import { decodeNcr, type NameChangeRequest } from "../../../mod/ddns/ncr/ncr.ts";
import { startDdnsSender } from "../../../mod/dhcp4/ddns_sender.ts";
import { Stats } from "../../../mod/stats/stats.ts";
import { nullLog } from "../../../mod/log/logger.ts";
import { config4 } from "../engine/builders.ts";

function ncr(i: number): NameChangeRequest {
  return {
    changeType: "add",
    forwardChange: true,
    reverseChange: true,
    fqdn: `h${i}.lab.test.`,
    ipAddress: `198.18.1.${i % 250}`,
    dhcid: new Uint8Array([0, 1, 1, i & 255]),
    leaseExpiresOn: "",
    leaseLength: 2400,
    conflictResolutionMode: "check-with-dhcid",
  };
}

function counters() {
  const c: Record<string, number> = {};
  return { c, stat: (n: string, d: number) => void (c[n] = (c[n] ?? 0) + d) };
}

Deno.test("queue: requests reach the sink in order", async () => {
  const got: string[] = [];
  const { c, stat } = counters();
  const q = new NcrQueue({ sink: (n) => void got.push(n.fqdn), maxSize: 10, stat });
  q.enqueue([ncr(1), ncr(2)]);
  q.enqueue([ncr(3)]);
  await q.drained();
  assert.deepEqual(got, ["h1.lab.test.", "h2.lab.test.", "h3.lab.test."]);
  assert.equal(c["ncr-sent"], 3);
});

Deno.test("queue: full → the excess is dropped and counted, enqueue returns at once while the sink is stuck", async () => {
  const release = Promise.withResolvers<void>();
  const got: number[] = [];
  const { c, stat } = counters();
  const lines: string[] = [];
  const q = new NcrQueue({
    sink: async (n) => {
      await release.promise;
      got.push(Number(n.fqdn.slice(1, -10)));
    },
    maxSize: 3,
    stat,
    log: (_l, id) => void lines.push(id),
  });
  const t0 = performance.now();
  const accepted = q.enqueue([1, 2, 3, 4, 5].map(ncr));
  assert.ok(performance.now() - t0 < 50, "enqueue never waits for the sink");
  assert.equal(accepted, 3);
  assert.equal(c["ncr-queue-full"], 2);
  assert.deepEqual(lines, ["DHCP4_DDNS_REQUEST_SEND_FAILED"], "one warning per full spell");
  release.resolve();
  await q.drained();
  assert.deepEqual(got, [1, 2, 3]);
  assert.equal(q.enqueue([ncr(6)]), 1, "room again once drained");
  await q.drained();
  assert.deepEqual(got, [1, 2, 3, 6]);
});

Deno.test("queue: a failing sink is logged and counted; the next request is still sent", async () => {
  const { c, stat } = counters();
  const errors: string[] = [];
  const got: string[] = [];
  const q = new NcrQueue({
    sink: (n) => {
      if (n.fqdn === "h2.lab.test.") throw new Error("network is unreachable");
      got.push(n.fqdn);
    },
    maxSize: 10,
    stat,
    log: (level, _id, text) => void (level === "error" && errors.push(text)),
  });
  q.enqueue([1, 2, 3].map(ncr));
  await q.drained();
  assert.deepEqual(got, ["h1.lab.test.", "h3.lab.test."]);
  assert.equal(c["ncr-send-error"], 1);
  assert.equal(c["ncr-sent"], 2);
  assert.match(errors[0], /h2\.lab\.test\..*network is unreachable/);
});

Deno.test("queue: close refuses new requests and reports what was left", async () => {
  const { c, stat } = counters();
  const q = new NcrQueue({ sink: () => new Promise(() => {}), maxSize: 10, stat });
  q.enqueue([1, 2].map(ncr));
  assert.equal(await q.close(20), 2);
  assert.equal(q.enqueue([ncr(3)]), 0);
  assert.equal(c["ncr-queue-full"], 1);
});

Deno.test("sender: dhcp-ddns enabled → framed Kea JSON over UDP to server-ip:server-port; disabled → no sender", async () => {
  const sock = dgram.createSocket("udp4");
  const got = Promise.withResolvers<Uint8Array>();
  sock.on("message", (m: Uint8Array) => got.resolve(new Uint8Array(m)));
  await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
  const port = sock.address().port;
  const stats = new Stats();
  const base = config4([]);
  assert.equal(startDdnsSender(base, { stats, log: nullLog }), undefined);
  const cfg = {
    ...base,
    dhcpDdns: {
      enableUpdates: true,
      serverIp: "127.0.0.1",
      serverPort: port,
      senderIp: "127.0.0.1",
      senderPort: 0,
      maxQueueSize: 16,
      ncrProtocol: "UDP" as const,
      ncrFormat: "JSON" as const,
    },
  };
  const sender = startDdnsSender(cfg, { stats, log: nullLog })!;
  sender.submit([ncr(7)]);
  const data = await got.promise;
  assert.equal((data[0] << 8) | data[1], data.length - 2, "2-byte big-endian length prefix");
  const back = decodeNcr(data);
  assert.equal(back.fqdn, "h7.lab.test.");
  assert.equal(back.ipAddress, "198.18.1.7");
  await sender.close();
  sock.close();
  assert.equal(stats.get("ncr-sent"), 1);
});

Deno.test("sender: reclaimed leases with DNS records become removes; declined and nameless ones do not", async () => {
  const { lease } = await import("../engine/builders.ts");
  const got: NameChangeRequest[] = [];
  const base = config4([]);
  const cfg = {
    ...base,
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
  const sender = startDdnsSender(cfg, { stats: new Stats(), log: nullLog, sink: (n) => void got.push(n) })!;
  const named = lease("198.18.1.7", { hostname: "cli1.lab.test", fqdnFwd: true, fqdnRev: true });
  sender.reclaimed([
    { kind: "expired", lease: named, removed: false },
    { kind: "expired", lease: lease("198.18.1.8", { hostname: "" }), removed: true },
    { kind: "declined-recovered", lease: lease("198.18.1.9", { state: 1 }), removed: true },
  ]);
  await sender.queue.drained();
  assert.deepEqual(got.map((n) => [n.changeType, n.fqdn, n.ipAddress]), [["remove", "cli1.lab.test.", "198.18.1.7"]]);
  await sender.close();
});
