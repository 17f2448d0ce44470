/**
 * The DNS side's I/O edge (Kea's `DNSClient`): sends one RFC 2136 UPDATE over UDP, TSIG-signed whenever the server
 * has a key, waits `dns-server-timeout` for the answer and verifies it, and reports the outcome as a transaction
 * event. One socket per address family serves every transaction; answers are matched by server and message ID.
 * The socket is Deno's own (`Deno.listenDatagram`) when the runtime has it (cheapest per answer at D2's rates, see
 * nativeTransport); else, for IPv4, the project's FFI socket (mod/net): one synchronous sendmsg per update and
 * answers drained in batches after one readiness wait; else node:dgram.
 */
import dgram from "node:dgram";
import { UdpSocket4 } from "../../net/udp4.ts";
import { NativeUdp } from "../../net/native_udp.ts";
import { formatIpv4, parseIpv4 } from "../../wire/addr.ts";
import { Opcode } from "../dns/constants.ts";
import { formatIpv6, parseIpv6 } from "../dns/ipv6.ts";
import { decodeMessage, encodeMessage } from "../dns/message.ts";
import { signMessage, verifyMessage } from "../dns/tsig.ts";
import { updateMessage } from "../dns/update.ts";
import type { D2Server } from "../../config/model_d2.ts";
import type { TxEvent } from "./transaction.ts";
import type { StepUpdate } from "./updates.ts";

interface Pending {
  server: D2Server;
  requestMac?: Uint8Array;
  /** performance.now() after which the update has timed out */
  deadline: number;
  resolve(ev: TxEvent): void;
}

/** Sends updates; `now` gives unix seconds for TSIG. */
export interface UpdateSender {
  send(server: D2Server, zone: string, update: StepUpdate): Promise<TxEvent>;
  close(): Promise<void>;
}

/**
 * Opens the UDP client. Every update to a server with a key is signed (an update for a keyed zone is never sent
 * unsigned); its answer must carry a valid TSIG over the request MAC (RFC 8945 §5.3.2), else the answer counts as
 * a bad response, as Kea's INVALID_RESPONSE does. Answers from another address or port are ignored.
 */
export function openDnsClient(
  timeoutMs: number,
  now: () => number = () => Math.floor(Date.now() / 1000),
): UpdateSender {
  // every update waits the same timeoutMs, so deadlines grow in send order, which is the Map's insertion order:
  // one timer armed for the oldest deadline replaces a setTimeout/clearTimeout pair per update
  const pending = new Map<number, Pending>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timerAt = Infinity;
  const arm = () => {
    const head = pending.values().next().value;
    if (!head) return;
    if (timer !== undefined && timerAt <= head.deadline) return;
    if (timer !== undefined) clearTimeout(timer);
    timerAt = head.deadline;
    timer = setTimeout(expire, Math.max(0, Math.ceil(head.deadline - performance.now())));
  };
  const expire = () => {
    timer = undefined;
    timerAt = Infinity;
    const now = performance.now();
    for (const [id, p] of pending) {
      if (p.deadline > now) break;
      pending.delete(id);
      p.resolve({ kind: "timeout" });
    }
    arm();
  };
  let closed = false;
  const sockets = new Map<string, Transport>();
  const onMessage = (msg: Uint8Array, rinfo: { address: string; port: number }) => {
    if (msg.length < 12) return;
    const id = (msg[0] << 8) | msg[1];
    const p = pending.get(id);
    if (!p || p.server.port !== rinfo.port) return;
    if (p.server.ip !== rinfo.address && normalise(p.server.ip) !== normalise(rinfo.address)) return;
    pending.delete(id);
    p.resolve(judge(msg, p));
  };
  const judge = (bytes: Uint8Array, p: Pending): TxEvent => {
    let m;
    try {
      m = decodeMessage(bytes);
    } catch (e) {
      return { kind: "bad-response", reason: `malformed answer: ${(e as Error).message}` };
    }
    if (!m.qr || m.opcode !== Opcode.UPDATE) {
      return { kind: "bad-response", reason: "answer is not an UPDATE response" };
    }
    if (p.server.key) {
      const v = verifyMessage(bytes, p.server.key, { now: now(), requestMac: p.requestMac, decoded: m });
      if (!v.ok) return { kind: "bad-response", reason: `TSIG check of the answer failed: ${v.reason}` };
    }
    return { kind: "response", rcode: m.rcode };
  };
  const socketFor = (ip: string): Transport => {
    const fam = ip.includes(":") ? "udp6" : "udp4";
    let t = sockets.get(fam);
    if (!t) {
      t = nativeTransport(fam, onMessage) ?? (fam === "udp4" ? ffiTransport(onMessage) : undefined) ??
        dgramTransport(fam, onMessage);
      sockets.set(fam, t);
    }
    return t;
  };
  const freeId = () => {
    for (;;) {
      const id = Math.floor(Math.random() * 0x10000);
      if (!pending.has(id)) return id;
    }
  };
  return {
    send(server, zone, update) {
      if (closed) return Promise.resolve({ kind: "io-error", reason: "the DNS client is shut down" });
      return new Promise<TxEvent>((resolve) => {
        const id = freeId();
        let bytes = encodeMessage(updateMessage(id, zone, update.prereqs, update.updates));
        let requestMac: Uint8Array | undefined;
        if (server.key) {
          const signed = signMessage(bytes, server.key, { now: now() });
          bytes = signed.bytes;
          requestMac = signed.mac;
        }
        const entry: Pending = { server, requestMac, deadline: performance.now() + timeoutMs, resolve };
        pending.set(id, entry);
        arm();
        socketFor(server.ip).send(bytes, server.ip, server.port, (err: Error) => {
          if (pending.get(id) === entry) {
            pending.delete(id);
            resolve({ kind: "io-error", reason: err.message });
          }
        });
      });
    },
    async close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      for (const p of pending.values()) p.resolve({ kind: "io-error", reason: "shutting down" });
      pending.clear();
      await Promise.all([...sockets.values()].map((s) => s.close()));
      sockets.clear();
    },
  };
}

/** One UDP socket of the client: send with an error callback, incoming datagrams to the handler. */
interface Transport {
  send(data: Uint8Array, ip: string, port: number, onError: (e: Error) => void): void;
  close(): Promise<void>;
}
type OnMessage = (msg: Uint8Array, rinfo: { address: string; port: number }) => void;

/** node:dgram without a recvBufferSize: asking for a large buffer makes Deno allocate that much per receive. */
function dgramTransport(fam: "udp4" | "udp6", onMessage: OnMessage): Transport {
  const s = dgram.createSocket({ type: fam });
  // a view of the Buffer, not a copy (new Uint8Array(buffer) would copy every answer)
  s.on(
    "message",
    (m: Uint8Array, r: { address: string; port: number }) =>
      onMessage(new Uint8Array(m.buffer, m.byteOffset, m.byteLength), r),
  );
  s.on("error", () => {});
  return {
    send(data, ip, port, onError) {
      s.send(data, port, ip, (err: Error | null) => err && onError(err));
    },
    close: () => new Promise<void>((r) => s.close(() => r())),
  };
}

/**
 * Deno's own UDP socket (`Deno.listenDatagram`, with deno.json's `"unstable": ["net"]`), bound to an ephemeral port
 * on the wildcard address: an answer wakes the JavaScript thread straight from the runtime's event loop, about
 * half the CPU of a poll(2) on the FFI socket (a hop to a pool thread and back) at D2's rates, where most wake-ups
 * serve one answer. For IPv4 its descriptor is borrowed (mod/net/native_udp.ts): updates go out by a synchronous
 * sendmsg (no async operation per send) and the answers queued behind the one that woke the loop are drained at
 * once. Undefined when the runtime has no such API or the socket cannot be opened.
 */
function nativeTransport(fam: "udp4" | "udp6", onMessage: OnMessage): Transport | undefined {
  let sock;
  try {
    sock = NativeUdp.open(fam === "udp4" ? "0.0.0.0" : "::", 0);
  } catch {
    return undefined; // e.g. no IPv6 on this host: node:dgram reports the error per send
  }
  if (!sock) return undefined;
  const s = sock;
  const loop = (async () => {
    while (!s.closed) {
      let batch;
      try {
        batch = await s.receive(256);
      } catch {
        // closed; or a receive error, which must not end the loop (every later answer would be lost): again
        // after a pause, so an error that repeats cannot spin
        if (!s.closed) await new Promise((r) => setTimeout(r, 10));
        continue;
      }
      // an answer is judged (decoded, verified) before the next receive reuses the socket's buffer
      for (const d of batch) onMessage(d.data, d);
    }
  })();
  return {
    send: (data, ip, port, onError) => s.send(data, ip, port, onError),
    async close() {
      s.close();
      await loop;
    },
  };
}

/**
 * The IPv4 transport on the FFI socket: bound to an ephemeral port on 0.0.0.0, sends synchronously (an error such
 * as EAGAIN is reported to the update at once), receives in batches of up to 256. Undefined when it cannot be opened.
 */
function ffiTransport(onMessage: OnMessage): Transport | undefined {
  let sock: UdpSocket4;
  try {
    sock = UdpSocket4.open({ port: 0, bindToDevice: false, broadcast: true });
  } catch {
    return undefined; // no FFI permission, no libc, or the socket could not be made: node:dgram instead
  }
  const loop = (async () => {
    while (!sock.closed) {
      for (const d of await sock.recvBatch(256)) {
        onMessage(d.data, { address: formatIpv4(d.srcAddr), port: d.srcPort });
      }
    }
  })();
  return {
    send(data, ip, port, onError) {
      const addr = parseIpv4(ip);
      if (addr === undefined) return onError(new Error(`${ip} is not an IPv4 address`));
      try {
        sock.send(data, addr, port);
      } catch (e) {
        onError(e as Error);
      }
    },
    async close() {
      sock.close();
      await loop.catch(() => {});
    },
  };
}

function normalise(ip: string): string {
  const t = ip.toLowerCase().replace(/^::ffff:(?=\d+\.)/, "");
  const v6 = t.includes(":") ? parseIpv6(t) : undefined;
  return v6 ? formatIpv6(v6) : t;
}
