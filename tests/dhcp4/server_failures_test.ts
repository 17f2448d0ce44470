/**
 * No silent death of the DHCPv4 receive loop (issue 9 item 8), with failures injected into the real server edge:
 * a transport whose receive throws is logged (DHCP4_PACKET_RECEIVE_FAILED, escaped) and retried after a back-off,
 * and the next packet is served; a transport that never recovers ends the loop with DHCP4_RECEIVE_LOOP_STOPPED and
 * onFatal (the CLI then exits 1), with no unhandled rejection; a failure inside one packet (the HA hook, the NCR
 * sink, a commit rejecting with a non-Error) drops that packet with one escaped line and no stack trace, and the
 * rest of the batch is still served.
 */
import assert from "node:assert/strict";
import { parseConfigText } from "../../mod/config/load.ts";
import { decode4 } from "../../mod/packet4/codec.ts";
import { MsgType, Opt } from "../../mod/packet4/packet.ts";
import type { LeaseStore } from "../../mod/lease/types.ts";
import { fromClient, ScriptedTransport, serverBed } from "./server_bed.ts";

const CONFIG = parseConfigText(
  JSON.stringify({
    Dhcp4: {
      "interfaces-config": { interfaces: ["eth0"] },
      "dhcp-ddns": { "enable-updates": true },
      "ddns-qualifying-suffix": "lab.test",
      subnet4: [{ id: 1, subnet: "192.0.2.0/24", interface: "eth0", pools: [{ pool: "192.0.2.100 - 192.0.2.110" }] }],
    },
  }),
  "failures.json",
  () => "",
).dhcp4!;

const FAST = { firstMs: 1, maxMs: 4, giveUpAfter: 5 };

/**
 * A DHCPDISCOVER (or REQUEST for 192.0.2.100 from server 192.0.2.1) from 02:00:00:aa:bb:NN: the BOOTP header, the
 * magic cookie, option 53, then options 50/54 for a REQUEST and host name "hNN" (so an ACK carries an NCR).
 */
function query(n: number, type: number = MsgType.DISCOVER): Uint8Array {
  const p = new Uint8Array(300);
  p.set([1, 1, 6, 0]); // op BOOTREQUEST, htype 1, hlen 6, hops 0
  p.set([0, 0, 0, n], 4); // xid
  p.set([2, 0, 0, 0xaa, 0xbb, n], 28); // chaddr
  p.set([99, 130, 83, 99], 236); // magic cookie
  const opts = [53, 1, type];
  if (type === MsgType.REQUEST) opts.push(50, 4, 192, 0, 2, 100, 54, 4, 192, 0, 2, 1);
  opts.push(12, 3, 0x68, 0x30 + Math.floor(n / 10), 0x30 + (n % 10), 255);
  p.set(opts, 240);
  return p;
}

const replyType = (d: Uint8Array) => decode4(d).options.get(Opt.MESSAGE_TYPE)?.[0];
const settle = () => new Promise((r) => setTimeout(r, 20));

Deno.test("dhcp4 loop: a receive that throws twice is logged with its id, backed off, and the loop serves on", async () => {
  const transport = new ScriptedTransport([
    new Error("recvmsg on eth0: ENOBUFS\ninjected"),
    new Error("poll: EINTR"),
    [fromClient(query(1))],
  ]);
  const bed = await serverBed(CONFIG, { transport, receiveBackOff: FAST });
  try {
    bed.server.start();
    await settle();
    assert.equal(transport.sent.length, 1, bed.log.lines.join("\n"));
    assert.equal(replyType(transport.sent[0].data), MsgType.OFFER, "the DISCOVER after the failures is answered");
    const failed = bed.log.lines.filter((l) => l.startsWith("ERROR DHCP4_PACKET_RECEIVE_FAILED "));
    assert.deepEqual(failed, [
      String
        .raw`ERROR DHCP4_PACKET_RECEIVE_FAILED receive failed (1 in a row), retrying in 1 ms: recvmsg on eth0: ENOBUFS\x0ainjected`,
      "ERROR DHCP4_PACKET_RECEIVE_FAILED receive failed (2 in a row), retrying in 2 ms: poll: EINTR",
    ]);
    assert.equal(transport.receives, 4, "three scripted rounds, then the wait for more");
  } finally {
    await bed.close();
  }
});

Deno.test("dhcp4 loop: a transport that never recovers ends the loop loudly: STOPPED line and onFatal", async () => {
  const transport = new ScriptedTransport(Array.from({ length: 50 }, () => new Error("recvmsg: EBADF")));
  const fatal: string[] = [];
  const rejections: unknown[] = [];
  const onRejection = (e: PromiseRejectionEvent) => {
    rejections.push(e.reason);
    e.preventDefault();
  };
  globalThis.addEventListener("unhandledrejection", onRejection);
  const bed = await serverBed(CONFIG, { transport, receiveBackOff: FAST, onFatal: (r) => void fatal.push(r) });
  try {
    bed.server.start();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(transport.receives, 5, "five rounds, then it gives up");
    assert.deepEqual(fatal, ["the receive loop failed 5 times in a row and stops: recvmsg: EBADF"]);
    const stopped = bed.log.lines.filter((l) => l.includes("DHCP4_RECEIVE_LOOP_STOPPED"));
    assert.deepEqual(stopped, [
      "ERROR DHCP4_RECEIVE_LOOP_STOPPED the receive loop failed 5 times in a row and stops: recvmsg: EBADF; " +
      "the server exits with status 1",
    ]);
    assert.deepEqual(rejections, []);
  } finally {
    await bed.close();
    globalThis.removeEventListener("unhandledrejection", onRejection);
  }
});

Deno.test("dhcp4 loop: an HA hook that throws drops that packet only: one escaped line, the batch goes on", async () => {
  let calls = 0;
  const ha = {
    admit: () => {
      if (calls++ === 0) throw new TypeError("hook\nfailed \x1b[31m");
      return "";
    },
    replicate: () => undefined,
  };
  const transport = new ScriptedTransport([[fromClient(query(1)), fromClient(query(2))]]);
  const bed = await serverBed(CONFIG, { transport, ha });
  try {
    bed.server.start();
    await settle();
    assert.equal(transport.sent.length, 1, "the second DISCOVER of the batch is answered");
    assert.equal(decode4(transport.sent[0].data).xid, 2);
    const errors = bed.log.lines.filter((l) => l.startsWith("ERROR"));
    assert.deepEqual(errors, [
      "ERROR DHCP4_PACKET_PROCESS_EXCEPTION [hwtype=1 02:00:00:aa:bb:01], cid=[no info], tid=0x1: exception " +
      String.raw`processing a packet, dropped: TypeError: hook\x0afailed \x1b[31m`,
    ]);
    assert.doesNotMatch(errors[0], / at /, "no stack trace");
    assert.equal(bed.stats.get("pkt4-processing-failed"), 1);
    assert.equal(bed.stats.get("pkt4-receive-drop"), 1);
  } finally {
    await bed.close();
  }
});

Deno.test("dhcp4 loop: a throwing NCR sink after the commit costs one line, the ACK has gone out", async () => {
  const transport = new ScriptedTransport([[fromClient(query(7, MsgType.REQUEST))]]);
  const onNcrs = () => {
    throw new Error("sink is full");
  };
  const bed = await serverBed(CONFIG, { transport, onNcrs });
  try {
    bed.server.start();
    await bed.store.flush();
    await settle();
    assert.equal(transport.sent.length, 1);
    assert.equal(replyType(transport.sent[0].data), MsgType.ACK);
    assert.deepEqual(bed.log.lines.filter((l) => l.startsWith("ERROR")), [
      "ERROR DHCP4_PACKET_PROCESS_EXCEPTION [hwtype=1 02:00:00:aa:bb:07], cid=[no info], tid=0x7: exception " +
      "after the lease commit: Error: sink is full",
    ]);
    assert.equal(bed.stats.get("pkt4-processing-failed"), 1);
    assert.equal(bed.stats.get("pkt4-receive-drop"), 0, "the ACK went out: not a dropped packet");
  } finally {
    await bed.close();
  }
});

Deno.test("dhcp4 loop: a commit rejecting with a non-Error is DHCP4_LEASE_COMMIT_FAILED, no unhandled rejection", async () => {
  const rejections: unknown[] = [];
  const onRejection = (e: PromiseRejectionEvent) => {
    rejections.push(e.reason);
    e.preventDefault();
  };
  globalThis.addEventListener("unhandledrejection", onRejection);
  const transport = new ScriptedTransport([[fromClient(query(8, MsgType.REQUEST)), fromClient(query(9))]]);
  const bed = await serverBed(CONFIG, { transport });
  const store: LeaseStore = Object.create(bed.store);
  store.apply = () => Promise.reject("disk\ngone");
  const failing = await serverBed(CONFIG, { transport, store });
  try {
    failing.server.start();
    await settle();
    assert.equal(transport.sent.length, 1, "the DISCOVER after the failed REQUEST is answered");
    assert.equal(replyType(transport.sent[0].data), MsgType.OFFER);
    const errors = failing.log.lines.filter((l) => l.startsWith("ERROR"));
    assert.equal(errors.length, 1, errors.join("\n"));
    assert.match(
      errors[0],
      /^ERROR DHCP4_LEASE_COMMIT_FAILED .*tid=0x8: lease commit failed, no reply sent: disk\\x0agone$/,
    );
    assert.deepEqual(rejections, []);
  } finally {
    await failing.close();
    await bed.close();
    globalThis.removeEventListener("unhandledrejection", onRejection);
  }
});
